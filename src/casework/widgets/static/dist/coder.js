// casework bundle; sources sha256 ebbbf0df4466a7258de1c3296a4163e4df78b90942d1a407dc14e370a6fc656d

// src/casework/widgets/static/shared/dom.js
var COLOR_RE = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== void 0 && text !== null) node.textContent = String(text);
  return node;
}
function button(label, title, onClick, cls = "cw-btn") {
  const node = el("button", cls, label);
  node.type = "button";
  if (title) node.title = title;
  node.addEventListener("click", (event) => {
    event.preventDefault();
    onClick(event);
  });
  return node;
}
function safeColor(value, fallback = "#888888") {
  return COLOR_RE.test(value || "") ? value : fallback;
}
function options(node, items, value) {
  node.textContent = "";
  for (const [v, label] of items) {
    const option = el("option", null, label);
    option.value = v;
    node.appendChild(option);
  }
  if (value !== void 0) node.value = value;
}

// src/casework/widgets/static/coder/keyboard.js
var keyboard = {
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
  }
};

// src/casework/widgets/static/coder/menus.js
var MAX_LIST = 40;
var menus = {
  onDocClick(event) {
    const bar = event.target.closest(".cw-bar");
    if (bar) {
      this.openCodingMenu(bar._coding, bar);
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
      }, "cw-btn cw-uncode")
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
        if (code === c.code || q && !`${code} ${info.name}`.toLowerCase().includes(q)) continue;
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
      const score = s.confidence === null || s.confidence === void 0 ? "" : ` · ${Number(s.confidence).toFixed(2)}`;
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
        }, "cw-btn cw-reject")
      );
      this.pop.append(actions);
    }
    this.placePop(anchor);
  }
};

// src/casework/widgets/static/coder/stripes.js
var LANE_PX = 7;
var LANE_GAP = 100;
var stripes = {
  // Draw the stripes of the given rows now if their chunk is near the screen; the others
  // are redrawn when their chunk comes near again (so a reflow costs one screen, not all).
  stripeRows(idx) {
    const now = [];
    for (const i of idx) {
      const chunk = this.chunks[this.chunkOf(i)];
      if (!chunk || !chunk.rendered) continue;
      if (chunk.visible) now.push(i);
      else chunk.stale = true;
    }
    this.drawStripes(now);
  },
  restripe() {
    this.stripeRows(this.rows.map((r, i) => r && r.isConnected ? i : -1).filter((i) => i >= 0));
  },
  // Stripe lanes: a coding keeps one lane through its whole extent; codings that neither
  // overlap nor sit on nearby lines share a lane, so the margin stays narrow.
  packLanes() {
    const pos = (id) => this.info.has(id) ? this.info.get(id).position : 1e9;
    const order = [...this.codings.values()].sort((x, y) => x.start - y.start || y.end - x.end || pos(x.code) - pos(y.code) || (x.id < y.id ? -1 : 1));
    const ends = [];
    const lanes = /* @__PURE__ */ new Map();
    for (const c of order) {
      let lane = ends.findIndex((end) => end + LANE_GAP <= c.start);
      if (lane < 0) lane = ends.push(0) - 1;
      ends[lane] = c.end;
      lanes.set(c.id, lane);
    }
    const changed = [...lanes].filter(([id, lane]) => this.lanes.get(id) !== lane).map(([id]) => id);
    this.lanes = lanes;
    this.nLanes = ends.length;
    return changed;
  },
  // Keep the lanes of known codings; put each new one in the lowest lane that is free
  // along its extent.
  placeLanes() {
    const lanes = /* @__PURE__ */ new Map();
    for (const id of this.codings.keys()) if (this.lanes.has(id)) lanes.set(id, this.lanes.get(id));
    const fresh = [...this.codings.values()].filter((c) => !lanes.has(c.id)).sort((x, y) => x.start - y.start);
    for (const c of fresh) {
      const taken = /* @__PURE__ */ new Set();
      for (const [id, lane2] of lanes) {
        const o = this.codings.get(id);
        if (o.start < c.end + LANE_GAP && c.start < o.end + LANE_GAP) taken.add(lane2);
      }
      let lane = 0;
      while (taken.has(lane)) lane += 1;
      lanes.set(c.id, lane);
    }
    this.lanes = lanes;
    this.nLanes = lanes.size ? Math.max(...lanes.values()) + 1 : 0;
    return fresh.map((c) => c.id);
  },
  // One bar per coding, in its code's lane, spanning the coded lines of each paragraph.
  drawStripes(idx) {
    const rows = idx.map((i) => [i, this.rows[i]]).filter(([, r]) => r && r.isConnected);
    for (const [, row] of rows) row.lastChild.textContent = "";
    const jobs = [];
    for (const [i, row] of rows) {
      const p = this.paras[i];
      const box = row.getBoundingClientRect();
      const para = row.children[1];
      for (const c of this.byPara.get(i) || []) {
        const spans = (this.pieces.get(c.id) || []).filter((s) => s.parentNode === para);
        let top = 0;
        let bottom = box.height;
        if (spans.length && c.start >= p.offset) top = Math.min(...spans.map((s) => s.getBoundingClientRect().top)) - box.top;
        if (spans.length && c.end <= p.end) bottom = Math.max(...spans.map((s) => s.getBoundingClientRect().bottom)) - box.top;
        jobs.push([row.lastChild, c, top, bottom]);
      }
    }
    const me = this.model.get("me");
    for (const [stripes2, c, top, bottom] of jobs) {
      const bar = el("div", "cw-bar");
      bar.style.left = `${(this.lanes.get(c.id) || 0) * LANE_PX}px`;
      bar.style.top = `${top}px`;
      bar.style.height = `${Math.max(4, bottom - top)}px`;
      bar.style.backgroundColor = this.color(c.code);
      bar.dataset.coding = c.id;
      bar.dataset.code = c.code;
      bar.title = `${this.codeName(c.code)} · ${c.coder}${c.memo ? " · memo" : ""}`;
      if (c.coder !== me) bar.classList.add("cw-other");
      if (c.memo) bar.classList.add("cw-memo");
      bar._coding = c.id;
      stripes2.appendChild(bar);
    }
  },
  onHover(event, on) {
    const bar = event.target.closest && event.target.closest(".cw-bar");
    if (!bar) return;
    const id = bar._coding;
    const color = this.color((this.codings.get(id) || {}).code);
    for (const span of this.pieces.get(id) || []) {
      span.classList.toggle("cw-hl", on);
      span.style.setProperty("--cw-hl", color);
    }
    for (const other of this.docEl.querySelectorAll(".cw-bar")) {
      if (other._coding === id) other.classList.toggle("cw-bar-hl", on);
    }
  }
};

// src/casework/widgets/static/coder/text.js
var SURROGATE = /[\uD800-\uDFFF]/;
function countPoints(text) {
  if (!SURROGATE.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
function unitsToPoints(text, units) {
  if (!SURROGATE.test(text)) return units;
  let points = 0;
  for (let i = 0; i < units; i += 1) {
    const c = text.charCodeAt(i);
    const low = c >= 56320 && c <= 57343;
    if (!(low && i > 0 && (text.charCodeAt(i - 1) & 64512) === 55296)) points += 1;
  }
  return points;
}
function pointsToUnits(text, points) {
  if (!SURROGATE.test(text)) return points;
  let units = 0;
  for (let p = 0; p < points && units < text.length; p += 1) {
    const c = text.charCodeAt(units);
    units += c >= 55296 && c <= 56319 && units + 1 < text.length ? 2 : 1;
  }
  return units;
}

// src/casework/widgets/static/coder/render.js
var CHUNK_CHARS = 6e3;
var rendering = {
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
      end: offset + countPoints(String(text))
    }));
    this.rows = new Array(this.paras.length);
    this.pieces.clear();
    this.suggPieces.clear();
    this.docEl.textContent = "";
    this.lanes = /* @__PURE__ */ new Map();
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
      const mid = lo + hi >> 1;
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
      const mid = lo + hi + 1 >> 1;
      if (this.paras[mid].offset <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  },
  visibleCodings() {
    const coders = this.model.get("coder_filter") || [];
    const codes = new Set((this.model.get("code_filter") || []).flatMap((c) => this.descendants(c)));
    return (this.model.get("codings") || []).filter(
      (c) => (!coders.length || coders.includes(c.coder)) && (!codes.size || codes.has(c.code))
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
    const shown = Math.max(2, Math.ceil(this.nLanes / 2) * 2);
    this.root.style.setProperty("--cw-lanes", `${shown * LANE_PX + 4}px`);
    const reflow = shown !== this.shownLanes;
    this.shownLanes = shown;
    return { changed, reflow };
  },
  spread(items) {
    const map = /* @__PURE__ */ new Map();
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
    const touched = /* @__PURE__ */ new Set();
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
    const cuts = /* @__PURE__ */ new Set([0, len]);
    for (const c of this.byPara.get(i) || []) items.push({ a: clamp(c.start), b: clamp(c.end), c });
    for (const s of this.suggByPara.get(i) || []) items.push({ a: clamp(s.start), b: clamp(s.end), s });
    for (const it of items) cuts.add(it.a).add(it.b);
    const marks = [...cuts].sort((x, y) => x - y);
    row._ids = /* @__PURE__ */ new Set();
    row._keys = /* @__PURE__ */ new Set();
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
  }
};

// src/casework/widgets/static/coder/selection.js
var selection = {
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
    const t0 = performance.now();
    const req = this.send({ action: "code", code, start, end });
    this.timing = { req, t0 };
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
  applyFocus() {
    const focus = this.model.get("focus") || {};
    if (focus.n === void 0 || focus.n === this.focusDone || !this.paras.length) return;
    this.focusDone = focus.n;
    const first = this.paraAt(focus.start);
    const last = this.paraAt(Math.max(focus.start, focus.end - 1));
    for (let c = this.chunkOf(first); c <= this.chunkOf(last); c += 1) this.renderChunk(c);
    this.rows[first].scrollIntoView({ block: "center" });
    const a = this.domPoint(focus.start);
    const b = this.domPoint(focus.end);
    if (a && b) {
      const range = document.createRange();
      range.setStart(a[0], a[1]);
      range.setEnd(b[0], b[1]);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
    this.setPending(focus.start, focus.end);
    this.rows[first].classList.add("cw-flash");
    setTimeout(() => this.rows[first] && this.rows[first].classList.remove("cw-flash"), 1500);
  },
  gotoSuggestion() {
    const list = [...this.suggs.values()].sort((a, b) => a.start - b.start);
    if (!list.length) return this.flash("No open suggestions in this document.");
    const s = list[this.nextSugg % list.length];
    this.nextSugg += 1;
    const i = this.paraAt(s.start);
    this.renderChunk(this.chunkOf(i));
    this.rows[i].scrollIntoView({ block: "center" });
    const span = (this.suggPieces.get(s.key) || [])[0];
    if (span) this.openSuggestionMenu([s.key], span);
  }
};

// src/casework/widgets/static/coder/tree.js
var tree = {
  loadCodebook() {
    this.info = /* @__PURE__ */ new Map();
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
          position: position++
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
    const rows = /* @__PURE__ */ new Map();
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
      const caret = button(code.children.length ? this.collapsed.has(id) ? "▸" : "▾" : "", "", () => {
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
      const pin = button(
        slot >= 0 ? `★${slot + 1}` : "☆",
        slot >= 0 ? "Unpin" : "Pin to a number key",
        () => this.togglePin(id),
        "cw-pin"
      );
      row.append(caret, swatch, name, pin);
      rows.set(id, row);
      this.treeEl.appendChild(row);
    }
    if (query && this.firstMatch) rows.get(this.firstMatch).classList.add("cw-first");
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
    const pinned = [...this.model.get("pinned") || []];
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
  }
};

// src/casework/widgets/static/coder/index.js
var CoderView = class {
  constructor(model, host) {
    this.model = model;
    this.req = 0;
    this.timing = null;
    this.pending = null;
    this.docId = null;
    this.paras = [];
    this.rows = [];
    this.chunks = [];
    this.pieces = /* @__PURE__ */ new Map();
    this.suggPieces = /* @__PURE__ */ new Map();
    this.codings = /* @__PURE__ */ new Map();
    this.suggs = /* @__PURE__ */ new Map();
    this.byPara = /* @__PURE__ */ new Map();
    this.suggByPara = /* @__PURE__ */ new Map();
    this.lanes = /* @__PURE__ */ new Map();
    this.collapsed = /* @__PURE__ */ new Set();
    this.dirty = /* @__PURE__ */ new Set();
    this.focusDone = null;
    this.nextSugg = 0;
    this.root = el("div", "cw-coder");
    this.root.tabIndex = 0;
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    host.appendChild(this.root);
    this.build();
    this.listen();
    this.loadCodebook();
    this.rebuild();
    this.showStatus();
  }
  build() {
    const bar = el("div", "cw-toolbar");
    this.docSelect = el("select", "cw-doc-select");
    this.docSelect.title = "Document";
    this.docSelect.addEventListener(
      "change",
      () => this.send({ action: "open", doc: this.docSelect.value })
    );
    this.coderSelect = el("select", "cw-coder-filter");
    this.coderSelect.title = "Show the stripes of one coder";
    this.coderSelect.addEventListener(
      "change",
      () => this.setFilter("coder_filter", this.coderSelect.value)
    );
    this.codeSelect = el("select", "cw-code-filter");
    this.codeSelect.title = "Show the stripes of one code (and its sub-codes)";
    this.codeSelect.addEventListener(
      "change",
      () => this.setFilter("code_filter", this.codeSelect.value)
    );
    this.suggInfo = el("span", "cw-sugg-info");
    bar.append(
      button("◀", "Previous document", () => this.send({ action: "next", step: -1 }), "cw-btn cw-prev"),
      this.docSelect,
      button("▶", "Next document", () => this.send({ action: "next", step: 1 }), "cw-btn cw-next"),
      button("Undo", "Undo your last action (Ctrl+Z)", () => this.send({ action: "undo" }), "cw-btn cw-undo"),
      button("Redo", "Redo (Ctrl+Shift+Z)", () => this.send({ action: "redo" }), "cw-btn cw-redo"),
      this.coderSelect,
      this.codeSelect,
      this.suggInfo,
      button("Next suggestion", "Scroll to the next suggestion", () => this.gotoSuggestion(), "cw-btn cw-sugg-next")
    );
    const main = el("div", "cw-main");
    this.scroll = el("div", "cw-scroll");
    this.docEl = el("div", "cw-doc");
    this.scroll.appendChild(this.docEl);
    const side = el("div", "cw-side");
    this.selInfo = el("div", "cw-selection", "Select text with the mouse, then pick a code.");
    this.pinsEl = el("div", "cw-pins");
    this.filter = el("input", "cw-filter");
    this.filter.type = "search";
    this.filter.placeholder = "Filter codes ( / )";
    this.filter.addEventListener("input", () => this.renderTree());
    this.filter.addEventListener("keydown", (event) => this.filterKey(event));
    this.treeEl = el("div", "cw-tree");
    side.append(this.selInfo, this.pinsEl, this.filter, this.treeEl);
    main.append(this.scroll, side);
    this.statusEl = el("div", "cw-status");
    this.statusEl.setAttribute("role", "status");
    this.errorEl = el("div", "cw-error");
    this.errorEl.setAttribute("role", "alert");
    this.pop = el("div", "cw-pop");
    this.pop.hidden = true;
    this.root.append(bar, main, this.statusEl, this.errorEl, this.pop);
    this.applyHeight();
    this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), {
      root: this.scroll,
      rootMargin: "1200px 0px"
    });
    this.width = 0;
    this.resizer = new ResizeObserver(() => {
      const width = this.docEl.clientWidth;
      if (width && width !== this.width) {
        this.width = width;
        this.restripe();
      }
    });
    this.resizer.observe(this.docEl);
  }
  applyHeight() {
    const height = String(this.model.get("height") || "620px");
    this.scroll.style.height = height;
    this.treeEl.parentElement.style.height = height;
  }
  listen() {
    const m = this.model;
    this.handlers = [
      ["change:paragraphs", () => this.schedule("doc")],
      ["change:doc_id", () => this.schedule("doc")],
      ["change:codings", () => this.schedule("codings")],
      ["change:suggestions", () => this.schedule("codings")],
      ["change:coder_filter", () => this.schedule("filters")],
      ["change:code_filter", () => this.schedule("filters")],
      ["change:codebook", () => this.schedule("codebook")],
      ["change:pinned", () => this.renderPins()],
      ["change:coders", () => this.fillSelects()],
      ["change:documents", () => this.fillSelects()],
      ["change:focus", () => this.schedule("focus")],
      ["change:status", () => this.showStatus()],
      ["change:error", () => this.showStatus()],
      ["change:height", () => this.applyHeight()],
      ["msg:custom", (msg) => this.onMessage(msg)]
    ];
    for (const [name, fn] of this.handlers) m.on(name, fn);
    this.scroll.addEventListener("mouseup", () => setTimeout(() => this.captureSelection(), 0));
    this.scroll.addEventListener("keyup", () => this.captureSelection());
    this.docEl.addEventListener("click", (event) => this.onDocClick(event));
    this.docEl.addEventListener("mouseover", (event) => this.onHover(event, true));
    this.docEl.addEventListener("mouseout", (event) => this.onHover(event, false));
    this.root.addEventListener("keydown", (event) => this.onKey(event));
    this.root.addEventListener("mousedown", (event) => {
      if (!this.pop.hidden && !this.pop.contains(event.target)) this.closePop();
      event.stopPropagation();
    });
  }
  destroy() {
    this.observer.disconnect();
    this.resizer.disconnect();
    for (const [name, fn] of this.handlers) this.model.off(name, fn);
  }
  schedule(kind) {
    this.dirty.add(kind);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }
  flush() {
    const dirty = this.dirty;
    this.dirty = /* @__PURE__ */ new Set();
    this.scheduled = false;
    if (dirty.has("codebook")) this.loadCodebook();
    if (dirty.has("doc") || this.model.get("doc_id") !== this.docId) this.rebuild();
    else if (dirty.has("filters")) this.update(true);
    else if (dirty.has("codings") || dirty.has("codebook")) this.update(false);
    if (dirty.has("focus") || dirty.has("doc")) this.applyFocus();
  }
  send(message) {
    this.req += 1;
    this.model.send({ ...message, req: this.req });
    return this.req;
  }
  onMessage(msg) {
    if (!msg || msg.kind !== "done") return;
    const timing = this.timing;
    if (timing && msg.req === timing.req) {
      this.timing = null;
      requestAnimationFrame(() => {
        this.root.dataset.lastCodeMs = (performance.now() - timing.t0).toFixed(1);
        this.root.dataset.lastResult = msg.ok ? String(msg.result || "") : "error";
      });
    }
  }
  showStatus() {
    this.statusEl.textContent = this.model.get("status") || "";
    const error = this.model.get("error") || "";
    this.errorEl.textContent = error;
    this.errorEl.hidden = !error;
  }
  fillSelects() {
    const docs = this.model.get("documents") || [];
    this.docSelect.textContent = "";
    for (const doc of docs) {
      const option = el("option", null, doc.label);
      option.value = doc.id;
      this.docSelect.appendChild(option);
    }
    this.docSelect.value = this.model.get("doc_id");
    const coders = (this.model.get("coders") || []).map((c) => [c, c]);
    options(this.coderSelect, [["", "All coders"], ...coders]);
    this.coderSelect.value = (this.model.get("coder_filter") || [])[0] || "";
    const codes = [...this.info.entries()].map(([id, c]) => [id, " ".repeat(2 * (c.depth - 1)) + c.name]);
    options(this.codeSelect, [["", "All codes"], ...codes]);
    this.codeSelect.value = (this.model.get("code_filter") || [])[0] || "";
  }
  setFilter(name, value) {
    this.model.set(name, value ? [value] : []);
    this.model.save_changes();
  }
  flash(text) {
    this.statusEl.textContent = text;
  }
};
Object.assign(CoderView.prototype, tree, rendering, stripes, selection, menus, keyboard);
var index_default = {
  render({ model, el: host }) {
    const view = new CoderView(model, host);
    return () => view.destroy();
  }
};
export {
  index_default as default
};
