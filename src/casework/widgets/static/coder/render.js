// The document: every paragraph drawn at once (one layout, then the stripes), cut where
// codings, suggestions and search hits begin and end; which of them touch which paragraph;
// redrawing only what changed.
import { el } from "../common/dom.js";
import { LABEL_PX, LANE_PX } from "./stripes.js";
import { countPoints, pointsToUnits } from "./text.js";

// Whether a coding is drawn the same (a delta brings equal rows as new objects).
function sameCoding(a, b) {
  return Boolean(a && b) && a.start === b.start && a.end === b.end && a.code === b.code
    && a.coder === b.coder && (a.memo || "") === (b.memo || "");
}

export const rendering = {
  rebuild() {
    const started = performance.now();
    this.docId = this.model.get("doc_id");
    this.closePop();
    this.clearPending();
    this.paras = (this.model.get("paragraphs") || []).map(([offset, text, seg]) => ({
      offset,
      text: String(text),
      seg,
      end: offset + countPoints(String(text)),
    }));
    this.rows = new Array(this.paras.length);
    this.pieces.clear();
    this.suggPieces.clear();
    this.docEl.textContent = "";
    this.lanes = new Map();
    this.hitAt = -1;
    this.index(true);
    // All paragraphs go in at once: one layout for the whole document, then one pass
    // reading every stripe's position and one writing the bars.
    const frag = document.createDocumentFragment();
    for (let i = 0; i < this.paras.length; i += 1) frag.appendChild(this.renderRow(i));
    this.docEl.appendChild(frag);
    this.restripe();
    this.scroll.scrollTop = 0;
    this.fillSelects();
    this.updateSuggInfo();
    const doc = this.docId;
    requestAnimationFrame(() => {
      // data-doc marks the document fully drawn: every paragraph laid out, every stripe.
      this.root.dataset.openMs = (performance.now() - started).toFixed(1);
      this.root.dataset.doc = doc;
    });
  },

  // Index of the last paragraph starting at or before pos (0 when none).
  paraAt(pos) {
    let lo = 0;
    let hi = this.paras.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.paras[mid].offset <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  },

  // The first paragraph an item touches (it may start in the gap before it).
  firstParaOf(item) {
    const i = this.paraAt(item.start);
    return this.paras[i].end <= item.start ? i + 1 : i;
  },

  visibleCodings() {
    const coders = this.model.get("coder_filter") || [];
    const codes = new Set((this.model.get("code_filter") || []).flatMap((c) => this.descendants(c)));
    return this.codingList().filter(
      (c) => (!coders.length || coders.includes(c.coder)) && (!codes.size || codes.has(c.code)),
    );
  },

  // Which codings, suggestions and hits touch which paragraph, and each coding's stripe
  // lane. With ``full`` every lane is packed again (a new document, other filters);
  // otherwise codings keep their lanes and only new ones are placed, so stripes do not jump.
  index(full) {
    this.codings = new Map(this.visibleCodings().map((c) => [c.id, c]));
    this.suggs = new Map((this.model.get("suggestions") || []).map((s) => [s.key, s]));
    const search = this.model.get("search") || {};
    const hits = search.doc === this.docId ? search.hits || [] : [];
    this.hits = new Map(hits.map(([start, end]) => [`${start}-${end}`, { key: `${start}-${end}`, start, end }]));
    this.byPara = this.spread(this.codings.values());
    this.suggByPara = this.spread(this.suggs.values());
    this.hitsByPara = this.spread(this.hits.values());
    const changed = full ? this.packLanes() : this.placeLanes();
    // The margin is sized when the document is drawn whole (four lanes at a time). Between
    // whole drawings it never changes width, which would reflow the whole text: more
    // lanes than it holds make the lanes narrower instead (written, never measured).
    const wanted = Math.max(4, Math.ceil(this.nLanes / 4) * 4);
    const shown = full || !this.shownLanes ? wanted : this.shownLanes;
    const laneWidth = Math.max(2, Math.min(LANE_PX, Math.floor((shown * LANE_PX) / Math.max(1, this.nLanes))));
    const reflow = shown !== this.shownLanes;
    if (reflow) { // an inherited property: setting it restyles every element of the text
      this.root.style.setProperty("--cw-lanes", `${shown * LANE_PX + 4 + LABEL_PX}px`);
      this.root.style.setProperty("--cw-label-left", `${shown * LANE_PX + 4}px`);
    }
    const relane = laneWidth !== this.laneWidth;
    this.shownLanes = shown;
    this.laneWidth = laneWidth;
    return { changed, reflow, relane };
  },

  spread(items) {
    const map = new Map();
    if (!this.paras.length) return map;
    for (const item of items) {
      for (let i = this.paraAt(item.start); i < this.paras.length && this.paras[i].offset < item.end; i += 1) {
        if (this.paras[i].end <= item.start) continue;
        if (!map.has(i)) map.set(i, []);
        map.get(i).push(item);
      }
    }
    return map;
  },

  // Redraw what changed after codings, suggestions, hits or filters changed.
  update(full) {
    const started = performance.now();
    const old = [this.codings, this.suggs, this.hits];
    const { changed: moved, reflow, relane } = this.index(full);
    const tIndex = performance.now();
    const touched = new Set();
    const mark = (item) => {
      for (let i = this.paraAt(item.start); i < this.paras.length && this.paras[i].offset < item.end; i += 1) touched.add(i);
    };
    for (const [id, c] of this.codings) if (!sameCoding(old[0].get(id), c)) mark(c);
    for (const [id, c] of old[0]) if (!sameCoding(this.codings.get(id), c)) mark(c);
    for (const [now, was] of [[this.suggs, old[1]], [this.hits, old[2]]]) {
      for (const [key, s] of now) if (!was.has(key)) mark(s);
      for (const [key, s] of was) if (!now.has(key)) mark(s);
    }
    // The tint follows the code filter: every coded paragraph changes with it.
    if (full) for (const i of [...this.byPara.keys()]) touched.add(i);
    const redraw = [];
    for (const i of touched) {
      if (!this.rows[i]) continue;
      this.redrawRow(i);
      redraw.push(i);
    }
    const tRows = performance.now();
    const restripe = new Set(redraw);
    for (const id of moved) {
      const c = this.codings.get(id);
      for (let i = this.paraAt(c.start); i < this.paras.length && this.paras[i].offset < c.end; i += 1) restripe.add(i);
    }
    // A wider or narrower margin reflows the text: every drawn stripe moves then.
    if (reflow || full) this.restripe();
    else {
      if (relane) this.placeBars(); // narrower lanes: every bar moves, the text does not
      this.drawStripes([...restripe]);
    }
    this.updateSuggInfo();
    const now = performance.now();
    this.root.dataset.lastUpdateMs = (now - started).toFixed(1);
    this.root.dataset.lastUpdateParts = [tIndex - started, tRows - tIndex, now - tRows].map((x) => x.toFixed(0)).join("/");
  },

  forgetRow(row) {
    const para = row.children[1];
    for (const [map, ids] of [[this.pieces, row._ids], [this.suggPieces, row._keys]]) {
      for (const id of ids || []) {
        const kept = (map.get(id) || []).filter((s) => s.parentNode !== para);
        if (kept.length) map.set(id, kept);
        else map.delete(id);
      }
    }
  },

  renderRow(i) {
    const p = this.paras[i];
    const row = el("div", "cw-row");
    row.dataset.i = String(i);
    const num = el("div", "cw-num");
    this.fillNumber(num, i);
    row._memos = this.memoKey(i);
    const para = el("div", "cw-para");
    para.dataset.i = String(i);
    para.dataset.offset = String(p.offset);
    const parts = this.parts(i);
    row._shape = parts.shape;
    row._ids = new Set();
    row._keys = new Set();
    for (const part of parts.list) {
      if (!part.cover) {
        para.appendChild(document.createTextNode(part.text));
        continue;
      }
      const span = el("span", null, part.text);
      this.dressSpan(row, span, part);
      para.appendChild(span);
    }
    row.append(num, para, el("div", "cw-stripes"));
    if (p.seg < 0) row.classList.add("cw-cont");
    this.rows[i] = row;
    return row;
  },

  // Redraw row i. When its text is cut at the same places as before (e.g. a suggestion
  // accepted as a coding of the same span) only the pieces' classes and colours change,
  // so the text keeps its layout: no reflow of a long transcript.
  redrawRow(i) {
    const row = this.rows[i];
    this.forgetRow(row);
    const parts = this.parts(i);
    const para = row.children[1];
    if (parts.shape !== row._shape) {
      row.replaceWith(this.renderRow(i));
      return;
    }
    row._ids = new Set();
    row._keys = new Set();
    const spans = [...para.children];
    let k = 0;
    for (const part of parts.list) {
      if (!part.cover) continue;
      const span = spans[k++];
      span.className = "";
      span.removeAttribute("style");
      delete span.dataset.suggestion;
      delete span.dataset.hit;
      this.dressSpan(row, span, part);
    }
    // The margin number changes only with its memo markers: left alone otherwise, the
    // row keeps its layout (restyled pieces only repaint).
    const memos = this.memoKey(i);
    if (memos !== row._memos) {
      const num = row.children[0];
      num.textContent = "";
      this.fillNumber(num, i);
      row._memos = memos;
    }
  },

  memoKey(i) {
    return (this.byPara.get(i) || []).filter((c) => c.memo && i === this.firstParaOf(c))
      .map((c) => `${c.id}:${c.code}:${c.coder}:${c.memo}`).join("\n");
  },

  // The paragraph number and memo markers (one per coding with a memo starting here).
  fillNumber(num, i) {
    const p = this.paras[i];
    if (p.seg > 0) num.appendChild(document.createTextNode(`¶${p.seg}`));
    for (const c of this.byPara.get(i) || []) {
      if (!c.memo || i !== this.firstParaOf(c)) continue;
      const mark = el("span", "cw-memo-mark", "✎");
      mark.title = `Memo (${this.codeName(c.code)} · ${c.coder}): ${c.memo}`;
      mark.style.color = this.color(c.code);
      mark.dataset.coding = c.id;
      num.appendChild(mark);
    }
  },

  // The paragraph's text cut where codings, suggestions and hits begin and end: each
  // part with what covers it; ``shape`` names the cuts and which parts are covered.
  parts(i) {
    const p = this.paras[i];
    const len = p.end - p.offset;
    const clamp = (x) => Math.max(0, Math.min(len, x - p.offset));
    const items = [];
    const cuts = new Set([0, len]);
    for (const c of this.byPara.get(i) || []) items.push({ a: clamp(c.start), b: clamp(c.end), c });
    for (const s of this.suggByPara.get(i) || []) items.push({ a: clamp(s.start), b: clamp(s.end), s });
    for (const h of this.hitsByPara.get(i) || []) items.push({ a: clamp(h.start), b: clamp(h.end), h });
    for (const it of items) cuts.add(it.a).add(it.b);
    const marks = [...cuts].sort((x, y) => x - y);
    const list = [];
    let shape = "";
    for (let k = 0; k + 1 < marks.length; k += 1) {
      const a = marks[k];
      const b = marks[k + 1];
      const cover = items.filter((it) => it.a <= a && it.b >= b && it.a < it.b);
      shape += `${a}${cover.length ? "+" : "-"}`;
      list.push({ text: p.text.slice(pointsToUnits(p.text, a), pointsToUnits(p.text, b)), cover: cover.length ? cover : null });
    }
    return { list, shape };
  },

  // Classes, colours and bookkeeping of one covered piece. A coded piece is tinted in the
  // colour of its narrowest coding.
  dressSpan(row, span, part) {
    const coded = part.cover.filter((it) => it.c);
    const ids = coded.map((it) => it.c.id);
    const keys = part.cover.filter((it) => it.s).map((it) => it.s.key);
    const hit = part.cover.find((it) => it.h);
    if (ids.length) {
      span.classList.add("cw-c", ids.length > 1 ? "cw-c2" : "cw-c1");
      const narrowest = coded.reduce((x, y) => (y.c.end - y.c.start < x.c.end - x.c.start ? y : x));
      span.style.setProperty("--cw-tint", this.color(narrowest.c.code));
    }
    if (keys.length) {
      span.classList.add("cw-s");
      span.dataset.suggestion = keys[0];
      span.style.setProperty("--cw-sc", this.color(this.suggs.get(keys[0]).code));
    }
    if (hit) {
      span.classList.add("cw-hit");
      span.dataset.hit = hit.h.key;
    }
    span._ids = ids;
    span._keys = keys;
    for (const [map, list, set] of [[this.pieces, ids, row._ids], [this.suggPieces, keys, row._keys]]) {
      for (const id of list) {
        if (!map.has(id)) map.set(id, []);
        map.get(id).push(span);
        set.add(id);
      }
    }
  },
};
