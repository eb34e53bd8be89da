// Keys: Ctrl+Z / Ctrl+Shift+Z, 1–9 for pinned codes, / to filter codes, Escape.

export const keyboard = {
  onKey(event) {
    const tag = event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === "z") {
      this.send({ action: event.shiftKey ? "redo" : "undo" });
    } else if (mod && event.key.toLowerCase() === "y") {
      this.send({ action: "redo" });
    } else if (!mod && !event.altKey && /^[1-9]$/.test(event.key)) {
      const code = (this.model.get("pinned") || [])[Number(event.key) - 1];
      if (code) this.applyCode(code);
      else this.flash(`No code is pinned to key ${event.key}.`);
    } else if (event.key === "/") {
      this.filter.focus();
    } else if (event.key === "Escape") {
      this.closePop();
      this.clearPending();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  },
};
