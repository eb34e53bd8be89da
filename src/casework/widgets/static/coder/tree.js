// The codebook tree in the side panel: names, colours, pins, the type-to-filter box.
import { button, el, safeColor } from "../shared/dom.js";

export const tree = {
  loadCodebook() {
    this.info = new Map();
    let position = 0;
    const walk = (nodes, parent) => {
      for (const node of nodes || []) {
        this.info.set(node.id, {
          name: String(node.name || node.id),
          description: String(node.description || ""),
          color: safeColor(node.color),
          depth: Number(node.depth) || 1,
          parent,
          children: (node.children || []).map((c) => c.id),
          position: position++,
        });
        walk(node.children, node.id);
      }
    };
    walk(this.model.get("codebook"), null);
    this.renderTree();
    this.renderPins();
    this.fillSelects();
  },

  codeName(id) {
    const info = this.info.get(id);
    return info ? info.name : id;
  },

  color(id) {
    const info = this.info.get(id);
    return info ? info.color : "#888888";
  },

  descendants(id) {
    const out = [id];
    for (const child of (this.info.get(id) || { children: [] }).children) out.push(...this.descendants(child));
    return out;
  },

  renderTree() {
    const query = this.filter.value.trim().toLowerCase();
    const pinned = this.model.get("pinned") || [];
    this.treeEl.textContent = "";
    this.firstMatch = null;
    // How well a code matches: its name first, then its id, then its description.
    const rank = (id) => {
      if (!query) return 0;
      const c = this.info.get(id);
      const name = c.name.toLowerCase();
      if (name.startsWith(query)) return 1;
      if (name.includes(query)) return 2;
      if (id.toLowerCase().includes(query)) return 3;
      return c.description.toLowerCase().includes(query) ? 4 : 0;
    };
    const matches = (id) => !query || rank(id) > 0;
    const visible = (id) => matches(id) || this.info.get(id).children.some(visible);
    let best = 5;
    const rows = new Map();
    for (const [id, code] of this.info) {
      if (!visible(id)) continue;
      if (!query && code.parent && this.hiddenByCollapse(code.parent)) continue;
      const row = el("div", "cw-code");
      row.style.paddingLeft = `${(code.depth - 1) * 14}px`;
      if (!matches(id)) row.classList.add("cw-context");
      else if (rank(id) < best) {
        best = rank(id);
        this.firstMatch = id;
      }
      const caret = button(code.children.length ? (this.collapsed.has(id) ? "▸" : "▾") : "", "", () => {
        if (this.collapsed.has(id)) this.collapsed.delete(id);
        else this.collapsed.add(id);
        this.renderTree();
      }, "cw-caret");
      caret.disabled = !code.children.length;
      const swatch = el("span", "cw-swatch");
      swatch.style.backgroundColor = code.color;
      const name = button(code.name, code.description || code.name, () => this.applyCode(id), "cw-code-name");
      name.dataset.code = id;
      const slot = pinned.indexOf(id);
      const pin = button(slot >= 0 ? `★${slot + 1}` : "☆", slot >= 0 ? "Unpin" : "Pin to a number key", () =>
        this.togglePin(id),
      "cw-pin");
      row.append(caret, swatch, name, pin);
      rows.set(id, row);
      this.treeEl.appendChild(row);
    }
    if (query && this.firstMatch) rows.get(this.firstMatch).classList.add("cw-first"); // Enter applies it
  },

  hiddenByCollapse(id) {
    for (let at = id; at; at = this.info.get(at).parent) if (this.collapsed.has(at)) return true;
    return false;
  },

  renderPins() {
    const pinned = this.model.get("pinned") || [];
    this.pinsEl.textContent = "";
    pinned.forEach((id, i) => {
      const pin = button(`${i + 1} ${this.codeName(id)}`, `Key ${i + 1}`, () => this.applyCode(id), "cw-pinned");
      pin.style.borderLeftColor = this.color(id);
      pin.dataset.code = id;
      this.pinsEl.appendChild(pin);
    });
    this.pinsEl.hidden = pinned.length === 0;
    this.renderTree();
  },

  togglePin(id) {
    const pinned = [...(this.model.get("pinned") || [])];
    const at = pinned.indexOf(id);
    if (at >= 0) pinned.splice(at, 1);
    else if (pinned.length < 9) pinned.push(id);
    else return this.flash("Nine codes are pinned already: unpin one first.");
    this.model.set("pinned", pinned);
    this.model.save_changes();
    this.renderPins();
  },

  filterKey(event) {
    if (event.key === "Enter" && this.firstMatch) {
      event.preventDefault();
      const code = this.firstMatch;
      this.filter.value = "";
      this.renderTree();
      this.applyCode(code);
    } else if (event.key === "Escape") {
      this.filter.value = "";
      this.renderTree();
      this.root.focus();
    }
  },
};
