// The document: paragraphs drawn in lazy chunks, cut where codings and suggestions
// begin and end; which codings touch which paragraph; redrawing only what changed.
import { el } from "../shared/dom.js";
import { LANE_PX } from "./stripes.js";
import { countPoints, pointsToUnits } from "./text.js";

const CHUNK_CHARS = 6000; // characters rendered per lazy chunk

export const rendering = {
  rebuild() {
    const started = performance.now();
    this.docId = this.model.get("doc_id");
    this.observer.disconnect();
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
    this.index(true);
    this.chunks = [];
    const perLine = Math.max(40, (this.scroll.clientWidth || 700) / 7.5);
    let first = 0;
    let size = 0;
    this.paras.forEach((p, i) => {
      size += p.text.length;
      if (size >= CHUNK_CHARS || i === this.paras.length - 1) {
        const node = el("div", "cw-chunk");
        node.dataset.chunk = String(this.chunks.length);
        node.style.height = `${Math.ceil(size / perLine) * 22 + (i - first + 1) * 12}px`;
        this.chunks.push({ first, last: i, node, rendered: false, visible: !this.chunks.length, stale: false });
        this.docEl.appendChild(node);
        first = i + 1;
        size = 0;
      }
    });
    if (this.chunks.length) this.renderChunk(0);
    for (const chunk of this.chunks) this.observer.observe(chunk.node);
    this.scroll.scrollTop = 0;
    this.fillSelects();
    this.updateSuggInfo();
    const doc = this.docId;
    requestAnimationFrame(() => {
      this.root.dataset.openMs = (performance.now() - started).toFixed(1);
      this.root.dataset.doc = doc;
    });
  },

  onIntersect(entries) {
    for (const entry of entries) {
      const chunk = this.chunks[Number(entry.target.dataset.chunk)];
      if (!chunk || chunk.node !== entry.target) continue;
      chunk.visible = entry.isIntersecting;
      if (!chunk.visible) continue;
      if (!chunk.rendered) this.renderChunk(Number(entry.target.dataset.chunk));
      else if (chunk.stale) {
        chunk.stale = false;
        const idx = [];
        for (let i = chunk.first; i <= chunk.last; i += 1) idx.push(i);
        this.drawStripes(idx);
      }
    }
  },

  renderChunk(c) {
    const chunk = this.chunks[c];
    if (!chunk || chunk.rendered) return;
    chunk.rendered = true;
    const frag = document.createDocumentFragment();
    const idx = [];
    for (let i = chunk.first; i <= chunk.last; i += 1) {
      frag.appendChild(this.renderRow(i));
      idx.push(i);
    }
    chunk.node.style.height = "";
    chunk.node.appendChild(frag);
    this.drawStripes(idx);
  },

  chunkOf(i) {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.chunks[mid].last < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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

  visibleCodings() {
    const coders = this.model.get("coder_filter") || [];
    const codes = new Set((this.model.get("code_filter") || []).flatMap((c) => this.descendants(c)));
    return (this.model.get("codings") || []).filter(
      (c) => (!coders.length || coders.includes(c.coder)) && (!codes.size || codes.has(c.code)),
    );
  },

  // Which codings and suggestions touch which paragraph, and each coding's stripe lane.
  // With ``full`` every lane is packed again (a new document, other filters); otherwise
  // codings keep their lanes and only new ones are placed, so stripes do not jump.
  index(full) {
    this.codings = new Map(this.visibleCodings().map((c) => [c.id, c]));
    this.suggs = new Map((this.model.get("suggestions") || []).map((s) => [s.key, s]));
    this.byPara = this.spread(this.codings.values());
    this.suggByPara = this.spread(this.suggs.values());
    const changed = full ? this.packLanes() : this.placeLanes();
    // The margin grows two lanes at a time, so the text seldom reflows.
    const shown = Math.max(2, Math.ceil(this.nLanes / 2) * 2);
    this.root.style.setProperty("--cw-lanes", `${shown * LANE_PX + 4}px`);
    const reflow = shown !== this.shownLanes;
    this.shownLanes = shown;
    return { changed, reflow };
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

  // Redraw what changed after codings, suggestions or filters changed.
  update(full) {
    const started = performance.now();
    const before = new Map([...this.codings].map(([k, v]) => [k, JSON.stringify(v)]));
    const beforeS = new Set(this.suggs.keys());
    const oldCodings = new Map(this.codings);
    const oldSuggs = new Map(this.suggs);
    const { changed: moved, reflow } = this.index(full);
    const touched = new Set();
    const mark = (item) => {
      for (let i = this.paraAt(item.start); i < this.paras.length && this.paras[i].offset < item.end; i += 1) touched.add(i);
    };
    for (const [id, c] of this.codings) if (before.get(id) !== JSON.stringify(c)) mark(c);
    for (const [id, c] of oldCodings) if (!this.codings.has(id) || before.get(id) !== JSON.stringify(this.codings.get(id))) mark(c);
    for (const [key, s] of this.suggs) if (!beforeS.has(key)) mark(s);
    for (const [key, s] of oldSuggs) if (!this.suggs.has(key)) mark(s);
    const redraw = [];
    for (const i of touched) {
      const old = this.rows[i];
      if (!old || !old.isConnected) continue;
      this.forgetRow(old);
      old.replaceWith(this.renderRow(i));
      redraw.push(i);
    }
    const restripe = new Set(redraw);
    for (const id of moved) {
      const c = this.codings.get(id);
      for (let i = this.paraAt(c.start); i < this.paras.length && this.paras[i].offset < c.end; i += 1) restripe.add(i);
    }
    // A wider or narrower margin reflows the text: every drawn stripe moves then.
    if (reflow || full) this.restripe();
    else this.stripeRows([...restripe]);
    this.updateSuggInfo();
    this.root.dataset.lastUpdateMs = (performance.now() - started).toFixed(1);
  },

  updateSuggInfo() {
    const n = this.suggs.size;
    this.suggInfo.textContent = n ? `${n} suggestion${n === 1 ? "" : "s"}` : "";
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
    const num = el("div", "cw-num", p.seg > 0 ? `¶${p.seg}` : "");
    const para = el("div", "cw-para");
    para.dataset.i = String(i);
    para.dataset.offset = String(p.offset);
    this.fillText(row, para, i);
    row.append(num, para, el("div", "cw-stripes"));
    if (p.seg < 0) row.classList.add("cw-cont");
    this.rows[i] = row;
    return row;
  },

  // The paragraph's text, cut into pieces where codings and suggestions begin and end.
  fillText(row, para, i) {
    const p = this.paras[i];
    const len = p.end - p.offset;
    const clamp = (x) => Math.max(0, Math.min(len, x - p.offset));
    const items = [];
    const cuts = new Set([0, len]);
    for (const c of this.byPara.get(i) || []) items.push({ a: clamp(c.start), b: clamp(c.end), c });
    for (const s of this.suggByPara.get(i) || []) items.push({ a: clamp(s.start), b: clamp(s.end), s });
    for (const it of items) cuts.add(it.a).add(it.b);
    const marks = [...cuts].sort((x, y) => x - y);
    row._ids = new Set();
    row._keys = new Set();
    for (let k = 0; k + 1 < marks.length; k += 1) {
      const a = marks[k];
      const b = marks[k + 1];
      const text = p.text.slice(pointsToUnits(p.text, a), pointsToUnits(p.text, b));
      const cover = items.filter((it) => it.a <= a && it.b >= b && it.a < it.b);
      if (!cover.length) {
        para.appendChild(document.createTextNode(text));
        continue;
      }
      const span = el("span", null, text);
      const ids = cover.filter((it) => it.c).map((it) => it.c.id);
      const keys = cover.filter((it) => it.s).map((it) => it.s.key);
      if (ids.length) span.classList.add("cw-c", ids.length > 1 ? "cw-c2" : "cw-c1");
      if (keys.length) {
        span.classList.add("cw-s");
        span.dataset.suggestion = keys[0];
        span.style.setProperty("--cw-sc", this.color(this.suggs.get(keys[0]).code));
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
      para.appendChild(span);
    }
  },
};
