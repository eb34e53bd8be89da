// The selection as document offsets, the pending span, and moving to a passage.
import { pointsToUnits, unitsToPoints } from "./text.js";

export const selection = {
  captureSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return;
    const range = sel.getRangeAt(0);
    if (range.collapsed || !this.docEl.contains(range.commonAncestorContainer)) return;
    const start = this.boundary(range.startContainer, range.startOffset, true);
    const end = this.boundary(range.endContainer, range.endOffset, false);
    if (start === null || end === null || end <= start) return;
    this.setPending(start, end);
  },

  // A DOM boundary as a document offset: walk up to the paragraph and count the text
  // before it (never derived from the selected string, which has "\n\n" between rows).
  boundary(node, offset, isStart) {
    const host = node.nodeType === 1 ? node : node.parentElement;
    const para = host && host.closest(".cw-para");
    if (para && this.docEl.contains(para)) {
      const r = document.createRange();
      r.setStart(para, 0);
      r.setEnd(node, offset);
      const p = this.paras[Number(para.dataset.i)];
      return p.offset + unitsToPoints(p.text, r.toString().length);
    }
    const point = document.createRange();
    point.setStart(node, offset);
    point.collapse(true);
    const paras = [...this.docEl.querySelectorAll(".cw-para")];
    if (isStart) {
      const next = paras.find((p) => point.comparePoint(p, p.childNodes.length) === 1);
      return next ? this.paras[Number(next.dataset.i)].offset : null;
    }
    const prev = paras.reverse().find((p) => point.comparePoint(p, 0) === -1);
    return prev ? this.paras[Number(prev.dataset.i)].end : null;
  },

  setPending(start, end) {
    this.pending = { start, end };
    this.root.dataset.pending = `${start}-${end}`;
    const text = this.textOf(start, end);
    const preview = text.length > 90 ? `${text.slice(0, 60)} … ${text.slice(-25)}` : text;
    this.selInfo.textContent = `Selected ${end - start} characters (${start}–${end}): “${preview}”. Pick a code.`;
    this.root.classList.add("cw-has-pending");
  },

  clearPending() {
    this.pending = null;
    delete this.root.dataset.pending;
    this.root.classList.remove("cw-has-pending");
    this.selInfo.textContent = "Select text with the mouse, then pick a code.";
  },

  textOf(start, end) {
    const parts = [];
    for (let i = this.paraAt(start); i < this.paras.length && this.paras[i].offset < end; i += 1) {
      const p = this.paras[i];
      const a = pointsToUnits(p.text, Math.max(0, start - p.offset));
      const b = pointsToUnits(p.text, Math.min(p.end, end) - p.offset);
      if (b > a) parts.push(p.text.slice(a, b));
    }
    return parts.join(" ");
  },

  applyCode(code) {
    if (!this.pending) return this.flash("Select some text first, then pick a code.");
    const { start, end } = this.pending;
    this.sendTimed({ action: "code", code, start, end }, "last-code");
    this.clearPending();
    const sel = window.getSelection();
    if (sel) sel.removeAllRanges();
    this.root.focus({ preventScroll: true });
  },

  // A DOM position for a document offset (the paragraph must be rendered).
  domPoint(pos) {
    const i = this.paraAt(pos);
    const row = this.rows[i];
    if (!row) return null;
    const para = row.children[1];
    const p = this.paras[i];
    let units = pointsToUnits(p.text, Math.max(0, Math.min(p.end, pos) - p.offset));
    const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
    let last = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (units <= node.data.length) return [node, units];
      units -= node.data.length;
      last = node;
    }
    return last ? [last, last.data.length] : [para, 0];
  },

  // Scroll the Coder's own text box (never the notebook) so paragraph i is in the middle.
  scrollToRow(i) {
    const row = this.rows[i];
    if (!row) return;
    const box = this.scroll.getBoundingClientRect();
    const at = row.getBoundingClientRect();
    const middle = this.scroll.scrollTop + (at.top - box.top) - (this.scroll.clientHeight - Math.min(at.height, this.scroll.clientHeight)) / 2;
    this.scroll.scrollTop = Math.max(0, middle);
  },

  // Select start–end in the text (as if by the mouse) and make it the pending span.
  selectSpan(start, end) {
    const a = this.domPoint(start);
    const b = this.domPoint(end);
    if (a && b) {
      const range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    this.setPending(start, end);
  },

  applyFocus() {
    const focus = this.model.get("focus") || {};
    if (focus.n === undefined || focus.n === this.focusDone || !this.paras.length) return;
    this.focusDone = focus.n;
    const first = this.firstParaOf(focus);
    this.scrollToRow(first);
    this.selectSpan(focus.start, focus.end);
    this.root.focus({ preventScroll: true });
    const row = this.rows[first];
    if (row) {
      row.classList.add("cw-flash");
      setTimeout(() => row.classList.remove("cw-flash"), 1500);
    }
  },

  gotoSuggestion() {
    const list = [...this.suggs.values()].sort((a, b) => a.start - b.start);
    if (!list.length) return this.flash("No suggestions shown in this document.");
    const s = list[this.nextSugg % list.length];
    this.nextSugg += 1;
    this.scrollToRow(this.firstParaOf(s));
    const span = (this.suggPieces.get(s.key) || [])[0];
    if (span) this.openSuggestionMenu([s.key], span);
  },

  // Move to the next (step 1) or previous (-1) search hit and select it: picking a code
  // then codes it.
  gotoHit(step) {
    const list = [...this.hits.values()].sort((a, b) => a.start - b.start);
    if (!list.length) return this.flash("No search hits in this document.");
    if (this.hitAt < 0) this.hitAt = step > 0 ? 0 : list.length - 1;
    else this.hitAt = (this.hitAt + step + list.length) % list.length;
    const h = list[this.hitAt];
    for (const node of this.docEl.querySelectorAll(".cw-hit-current")) node.classList.remove("cw-hit-current");
    for (const node of this.docEl.querySelectorAll(`.cw-hit[data-hit="${h.key}"]`)) node.classList.add("cw-hit-current");
    this.scrollToRow(this.firstParaOf(h));
    this.selectSpan(h.start, h.end);
    this.hitInfo.textContent = `hit ${this.hitAt + 1} of ${list.length}`;
  },
};
