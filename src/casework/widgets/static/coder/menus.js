// Pop-up menus: a coding's (memo, uncode, recode) and a suggestion's (accept, reject).
import { button, el } from "../common/dom.js";

const MAX_LIST = 40; // codes listed in the recode menu

export const menus = {
  onDocClick(event) {
    const bar = event.target.closest(".cw-bar, .cw-label, .cw-memo-mark");
    if (bar) {
      this.openCodingMenu(bar._coding || bar.dataset.coding, bar);
      return;
    }
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed) return;
    const span = event.target.closest(".cw-s");
    if (span && span._keys && span._keys.length) this.openSuggestionMenu(span._keys, span);
  },

  placePop(anchor) {
    const box = this.root.getBoundingClientRect();
    const at = anchor.getBoundingClientRect();
    this.pop.hidden = false;
    const width = this.pop.offsetWidth || 320;
    this.pop.style.left = `${Math.max(0, Math.min(box.width - width - 4, at.left - box.left - width / 2))}px`;
    this.pop.style.top = `${at.bottom - box.top + 4}px`;
  },

  closePop() {
    this.pop.hidden = true;
    this.pop.textContent = "";
  },

  popHeader(code, detail) {
    const head = el("div", "cw-pop-head");
    const swatch = el("span", "cw-swatch");
    swatch.style.backgroundColor = this.color(code);
    head.append(swatch, el("strong", null, this.codeName(code)), el("span", "cw-muted", detail));
    head.appendChild(button("×", "Close", () => this.closePop(), "cw-close"));
    return head;
  },

  openCodingMenu(id, anchor) {
    const c = this.codings.get(id);
    if (!c) return;
    this.closePop();
    this.pop.classList.remove("cw-pop-sugg");
    const mine = c.coder === this.model.get("me");
    this.pop.append(this.popHeader(c.code, ` · ${c.coder} · ${c.source}`));
    const quote = this.textOf(c.start, c.end);
    this.pop.append(el("blockquote", "cw-quote", quote.length > 300 ? `${quote.slice(0, 300)} …` : quote));
    this.pop.append(this.similarButton(c)); // similar.js
    if (!mine) {
      if (c.memo) this.pop.append(el("div", "cw-memo-text", c.memo));
      this.pop.append(el("div", "cw-muted", "Another coder's coding: you can read it, not change it."));
      this.placePop(anchor);
      return;
    }
    const memo = el("textarea", "cw-memo-input");
    memo.value = c.memo || "";
    memo.placeholder = "Memo for this coding";
    const actions = el("div", "cw-pop-actions");
    actions.append(
      button("Save memo", "", () => {
        this.send({ action: "memo", id, text: memo.value });
        this.closePop();
      }, "cw-btn cw-save-memo"),
      button("Uncode", "Remove this coding", () => {
        this.send({ action: "uncode", id });
        this.closePop();
      }, "cw-btn cw-uncode"),
    );
    const find = el("input", "cw-recode-filter");
    find.type = "search";
    find.placeholder = "Recode to… (type to filter)";
    const list = el("div", "cw-recode-list");
    const fill = () => {
      list.textContent = "";
      const q = find.value.trim().toLowerCase();
      let shown = 0;
      for (const [code, info] of this.info) {
        if (code === c.code || (q && !`${code} ${info.name}`.toLowerCase().includes(q))) continue;
        if (shown++ >= MAX_LIST) break;
        const item = button(info.name, code, () => {
          this.send({ action: "recode", id, code });
          this.closePop();
        }, "cw-recode-item");
        item.style.borderLeftColor = info.color;
        list.appendChild(item);
      }
    };
    find.addEventListener("input", fill);
    fill();
    this.pop.append(memo, actions, find, list);
    this.placePop(anchor);
  },

  openSuggestionMenu(keys, anchor) {
    this.closePop();
    this.pop.classList.add("cw-pop-sugg");
    for (const key of keys) {
      const s = this.suggs.get(key);
      if (!s) continue;
      const score = s.confidence === null || s.confidence === undefined ? "" : ` · ${Number(s.confidence).toFixed(2)}`;
      this.pop.append(this.popHeader(s.code, ` · suggested (${s.source}${score})`));
      if (s.reason) this.pop.append(el("div", "cw-muted", s.reason));
      const quote = this.textOf(s.start, s.end);
      this.pop.append(el("blockquote", "cw-quote", quote.length > 200 ? `${quote.slice(0, 200)} …` : quote));
      const actions = el("div", "cw-pop-actions");
      actions.append(
        button("Accept", "Code this span", () => {
          this.send({ action: "accept", key });
          this.closePop();
        }, "cw-btn cw-accept"),
        button("Reject", "Turn it down; it is not offered again", () => {
          this.send({ action: "reject", key });
          this.closePop();
        }, "cw-btn cw-reject"),
      );
      this.pop.append(actions);
    }
    this.placePop(anchor);
  },
};
