// casework bundle; sources sha256 d55a55b9bb20a22f05fe92bef1b2d2134744b8b60b51afd28c2d517685fb6a9c

// src/casework/widgets/static/common/dom.js
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
    this.pop.append(this.similarButton(c));
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

// src/casework/widgets/static/coder/panels.js
var PREVIEW = 600;
var panels = {
  renderRetrieval() {
    const json = this.model.get("retrieval_json") || "";
    const got = json ? JSON.parse(json) : {};
    const box = this.retrievalEl;
    box.textContent = "";
    box.hidden = !got.code;
    if (!got.code) return;
    const passages = got.passages || [];
    const docs = new Set(passages.map((p) => p.doc));
    const head = el("div", "cw-retrieval-head");
    const swatch = el("span", "cw-swatch");
    swatch.style.backgroundColor = this.color(got.code);
    head.append(
      swatch,
      el("strong", null, got.name || got.code),
      el("span", "cw-muted", ` · ${passages.length} passages in ${docs.size} documents (with sub-codes)`),
      button("×", "Close", () => this.setTrait("retrieval_json", ""), "cw-close")
    );
    const list = el("ol", "cw-retrieval-list");
    list.addEventListener("click", (event) => {
      const show = event.target.closest && event.target.closest(".cw-show");
      if (!show) return;
      const p = passages[Number(show.parentNode.dataset.index)];
      this.sendTimed({ action: "show", doc: p.doc, start: p.start, end: p.end }, "show");
    });
    const frag = document.createDocumentFragment();
    passages.forEach((p, i) => {
      const item = el("li", "cw-passage");
      item.dataset.index = String(i);
      item.dataset.doc = p.doc;
      item.dataset.start = String(p.start);
      item.dataset.end = String(p.end);
      const text = p.text.length > PREVIEW ? `${p.text.slice(0, PREVIEW)} …` : p.text;
      const show = el("button", "cw-btn cw-show", "Show in document");
      show.type = "button";
      show.title = "Open the document at this passage";
      item.append(el("div", "cw-ref", `${p.reference} · ${p.doc}`), el("blockquote", "cw-quote", text), show);
      frag.appendChild(item);
    });
    list.appendChild(frag);
    box.append(head, list);
    const drawn = got.code;
    requestAnimationFrame(() => {
      this.root.dataset.retrieved = `${drawn}:${passages.length}`;
    });
  },
  renderDocuments() {
    const docs = this.model.get("documents") || [];
    const progress = this.model.get("progress") || {};
    const current = this.model.get("doc_id");
    this.docList.textContent = "";
    for (const doc of docs) {
      const p = progress[doc.id] || { paragraphs: 0, coded: 0, codings: 0, share: 0 };
      const row = button("", "Open this document", () => this.send({ action: "open", doc: doc.id }), "cw-doc-item");
      row.dataset.doc = doc.id;
      if (doc.id === current) row.classList.add("cw-doc-current");
      const bar = el("span", "cw-progress");
      const fill = el("span", "cw-progress-fill");
      fill.style.width = `${Math.round(100 * (Number(p.share) || 0))}%`;
      bar.appendChild(fill);
      row.append(
        el("span", "cw-doc-label", doc.label),
        bar,
        el("span", "cw-muted", `${p.coded}/${p.paragraphs} ¶ coded · ${p.codings} codings`)
      );
      row.title = `Your coding: ${p.coded} of ${p.paragraphs} paragraphs touched, ${p.codings} codings`;
      this.docList.appendChild(row);
    }
  }
};

// src/casework/widgets/static/coder/stripes.js
var LANE_PX = 7;
var LABEL_PX = 112;
var LABEL_LINE = 14;
var LANE_GAP = 100;
var stripes = {
  restripe() {
    this.drawStripes(this.rows.map((r, i) => r && r.isConnected ? i : -1).filter((i) => i >= 0));
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
      const last = this.paraAt(c.end + LANE_GAP);
      for (let i = this.paraAt(Math.max(0, c.start - LANE_GAP)); i <= last; i += 1) {
        for (const o of this.byPara.get(i) || []) {
          const lane2 = lanes.get(o.id);
          if (lane2 !== void 0 && o.start < c.end + LANE_GAP && c.start < o.end + LANE_GAP) taken.add(lane2);
        }
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
    const jobs = [];
    for (const [i, row] of rows) {
      const p = this.paras[i];
      const box = row.getBoundingClientRect();
      const para = row.children[1];
      for (const c of this.byPara.get(i) || []) {
        const spans = (this.pieces.get(c.id) || []).filter((s) => s.parentNode === para);
        let top = 0;
        let bottom = box.height;
        if (spans.length && c.start >= p.offset) top = spans[0].getBoundingClientRect().top - box.top;
        if (spans.length && c.end <= p.end) bottom = spans[spans.length - 1].getBoundingClientRect().bottom - box.top;
        jobs.push([row.lastChild, c, top, bottom, i === this.firstParaOf(c)]);
      }
    }
    for (const [, row] of rows) row.lastChild.textContent = "";
    const me = this.model.get("me");
    const labelled = /* @__PURE__ */ new Map();
    jobs.sort((x, y) => x[2] - y[2]);
    for (const [stripes2, c, top, bottom, first] of jobs) {
      const bar = el("div", "cw-bar");
      this.placeBar(bar, c.id);
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
      if (first && top >= (labelled.get(stripes2) ?? -LABEL_LINE)) {
        const label = el("div", "cw-label", this.codeName(c.code));
        label.style.top = `${top}px`;
        label.style.color = this.color(c.code);
        label.dataset.coding = c.id;
        label._coding = c.id;
        if (c.coder !== me) label.classList.add("cw-other");
        stripes2.appendChild(label);
        labelled.set(stripes2, top + LABEL_LINE);
      }
    }
  },
  placeBar(bar, id) {
    const width = this.laneWidth || LANE_PX;
    bar.style.left = `${(this.lanes.get(id) || 0) * width}px`;
    bar.style.width = width < LANE_PX ? `${Math.max(1, width - 1)}px` : "";
  },
  placeBars() {
    for (const bar of this.docEl.querySelectorAll(".cw-bar")) this.placeBar(bar, bar._coding);
  },
  onHover(event, on) {
    const bar = event.target.closest && event.target.closest(".cw-bar, .cw-label");
    if (!bar) return;
    const id = bar._coding;
    this.showTip(on ? this.codings.get(id) : null, bar);
    const color = this.color((this.codings.get(id) || {}).code);
    for (const span of this.pieces.get(id) || []) {
      span.classList.toggle("cw-hl", on);
      span.style.setProperty("--cw-hl", color);
    }
    for (const other of this.docEl.querySelectorAll(".cw-bar")) {
      if (other._coding === id) other.classList.toggle("cw-bar-hl", on);
    }
  },
  // The hovered stripe's code, coder and memo, next to it.
  showTip(c, anchor) {
    this.tip.hidden = !c;
    if (!c) return;
    this.tip.textContent = "";
    const swatch = el("span", "cw-swatch");
    swatch.style.backgroundColor = this.color(c.code);
    this.tip.append(swatch, el("strong", null, this.codeName(c.code)), el("span", "cw-muted", ` · ${c.coder}`));
    if (c.memo) this.tip.appendChild(el("div", "cw-memo-text", c.memo));
    const box = this.root.getBoundingClientRect();
    const at = anchor.getBoundingClientRect();
    this.tip.style.top = `${at.top - box.top}px`;
    this.tip.style.right = `${Math.max(0, box.right - at.left + 6)}px`;
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
function sameCoding(a, b) {
  return Boolean(a && b) && a.start === b.start && a.end === b.end && a.code === b.code && a.coder === b.coder && (a.memo || "") === (b.memo || "");
}
var rendering = {
  rebuild() {
    const started = performance.now();
    this.docId = this.model.get("doc_id");
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
    this.hitAt = -1;
    this.index(true);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < this.paras.length; i += 1) frag.appendChild(this.renderRow(i));
    this.docEl.appendChild(frag);
    this.restripe();
    this.scroll.scrollTop = 0;
    this.fillSelects();
    this.updateSuggInfo();
    const doc = this.docId;
    requestAnimationFrame(() => {
      this.root.dataset.openMs = (performance.now() - started).toFixed(1);
      this.root.dataset.doc = doc;
    });
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
  // The first paragraph an item touches (it may start in the gap before it).
  firstParaOf(item) {
    const i = this.paraAt(item.start);
    return this.paras[i].end <= item.start ? i + 1 : i;
  },
  visibleCodings() {
    const coders = this.model.get("coder_filter") || [];
    const codes = new Set((this.model.get("code_filter") || []).flatMap((c) => this.descendants(c)));
    return this.codingList().filter(
      (c) => (!coders.length || coders.includes(c.coder)) && (!codes.size || codes.has(c.code))
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
    const wanted = Math.max(4, Math.ceil(this.nLanes / 4) * 4);
    const shown = full || !this.shownLanes ? wanted : this.shownLanes;
    const laneWidth = Math.max(2, Math.min(LANE_PX, Math.floor(shown * LANE_PX / Math.max(1, this.nLanes))));
    const reflow = shown !== this.shownLanes;
    if (reflow) {
      this.root.style.setProperty("--cw-lanes", `${shown * LANE_PX + 4 + LABEL_PX}px`);
      this.root.style.setProperty("--cw-label-left", `${shown * LANE_PX + 4}px`);
    }
    const relane = laneWidth !== this.laneWidth;
    this.shownLanes = shown;
    this.laneWidth = laneWidth;
    return { changed, reflow, relane };
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
  // Redraw what changed after codings, suggestions, hits or filters changed.
  update(full) {
    const started = performance.now();
    const old = [this.codings, this.suggs, this.hits];
    const { changed: moved, reflow, relane } = this.index(full);
    const tIndex = performance.now();
    const touched = /* @__PURE__ */ new Set();
    const mark = (item) => {
      for (let i = this.paraAt(item.start); i < this.paras.length && this.paras[i].offset < item.end; i += 1) touched.add(i);
    };
    for (const [id, c] of this.codings) if (!sameCoding(old[0].get(id), c)) mark(c);
    for (const [id, c] of old[0]) if (!sameCoding(this.codings.get(id), c)) mark(c);
    for (const [now2, was] of [[this.suggs, old[1]], [this.hits, old[2]]]) {
      for (const [key, s] of now2) if (!was.has(key)) mark(s);
      for (const [key, s] of was) if (!now2.has(key)) mark(s);
    }
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
    if (reflow || full) this.restripe();
    else {
      if (relane) this.placeBars();
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
    row._ids = /* @__PURE__ */ new Set();
    row._keys = /* @__PURE__ */ new Set();
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
    row._ids = /* @__PURE__ */ new Set();
    row._keys = /* @__PURE__ */ new Set();
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
    const memos = this.memoKey(i);
    if (memos !== row._memos) {
      const num = row.children[0];
      num.textContent = "";
      this.fillNumber(num, i);
      row._memos = memos;
    }
  },
  memoKey(i) {
    return (this.byPara.get(i) || []).filter((c) => c.memo && i === this.firstParaOf(c)).map((c) => `${c.id}:${c.code}:${c.coder}:${c.memo}`).join("\n");
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
    const cuts = /* @__PURE__ */ new Set([0, len]);
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
      const narrowest = coded.reduce((x, y) => y.c.end - y.c.start < x.c.end - x.c.start ? y : x);
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
    if (focus.n === void 0 || focus.n === this.focusDone || !this.paras.length) return;
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
  }
};

// src/casework/widgets/static/coder/similar.js
var similar = {
  // The find bar's "passages about …" box.
  buildSimilarQuery() {
    const box = el("span", "cw-similar-query");
    this.similarInput = el("input", "cw-similar-text");
    this.similarInput.type = "search";
    this.similarInput.placeholder = "Passages about… (Enter)";
    this.similarInput.title = "Find passages in every document like these words (more like this)";
    const ask = () => {
      const text = this.similarInput.value.trim();
      if (!text) return this.flash("Type a few words to find passages about them.");
      this.askSimilar({ text });
    };
    this.similarInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        ask();
      }
    });
    box.append(this.similarInput, button("≈", "Find passages like these words", ask, "cw-btn cw-similar-ask"));
    return box;
  },
  // Under the selection note: more like the selected text.
  buildSimilarSelection() {
    return button("More like this", "Find passages in every document like the selected text", () => {
      if (!this.pending) return this.flash("Select some text first.");
      const { start, end } = this.pending;
      this.askSimilar({ doc: this.model.get("doc_id"), start, end });
    }, "cw-btn cw-similar-selection");
  },
  // In a coding's menu: more like this passage, offered as its code.
  similarButton(coding) {
    return button("More like this", "Find passages in every document like this one, offered as its code", () => {
      this.closePop();
      this.askSimilar({ doc: this.model.get("doc_id"), start: coding.start, end: coding.end, code: coding.code });
    }, "cw-btn cw-similar-coding");
  },
  // In the codebook tree: more like the passages you coded with this code.
  similarCodeButton(id) {
    const node = button("≈", "More like this code: passages like the ones you coded with it", () => this.askSimilar({ code: id }), "cw-similar-code");
    node.dataset.code = id;
    return node;
  },
  askSimilar(query) {
    this.sendTimed({ action: "similar", ...query }, "similar");
  },
  buildSimilarPanel() {
    this.similarEl = el("div", "cw-similar");
    this.similarEl.hidden = true;
    return this.similarEl;
  },
  renderSimilar() {
    const got = this.model.get("similar") || {};
    const box = this.similarEl;
    box.textContent = "";
    box.hidden = !got.rows;
    if (!got.rows) return;
    const rows = got.rows;
    const head = el("div", "cw-retrieval-head");
    head.append(el("strong", null, "More like this"), el("span", "cw-muted", ` · ${rows.length} passages ${got.label}`));
    const offer = el("select", "cw-similar-as");
    offer.title = "The code to offer these passages as";
    const codes = [...this.info.entries()].map(([id, c]) => [id, " ".repeat(2 * (c.depth - 1)) + c.name]);
    options(offer, [["", "Offer as… (pick a code)"], ...codes], got.code || "");
    offer.addEventListener("change", () => {
      if (offer.value) this.sendTimed({ action: "similar_code", code: offer.value }, "similar");
    });
    if (got.code) {
      const swatch = el("span", "cw-swatch");
      swatch.style.backgroundColor = this.color(got.code);
      head.append(swatch);
    }
    head.append(offer, button("×", "Close", () => this.send({ action: "close_similar" }), "cw-close"));
    const list = el("ol", "cw-retrieval-list cw-similar-list");
    const frag = document.createDocumentFragment();
    for (const p of rows) {
      const item = el("li", "cw-passage cw-similar-item");
      item.dataset.key = p.key;
      item.dataset.doc = p.doc;
      item.dataset.start = String(p.start);
      item.dataset.end = String(p.end);
      item.dataset.similarity = String(p.similarity);
      const score = el("span", "cw-similarity", Number(p.similarity).toFixed(2));
      score.title = "Similarity (cosine, 0–1) to what was asked";
      const meter = el("span", "cw-similarity-bar");
      meter.style.width = `${Math.round(40 * Math.max(0, Math.min(1, Number(p.similarity))))}px`;
      const ref = el("div", "cw-ref");
      ref.append(meter, score, el("span", null, ` · ${p.label} · ${p.start}–${p.end}`));
      const actions = el("div", "cw-pop-actions");
      const accept = button(
        "Accept",
        got.code ? `Code it as ${this.codeName(got.code)}` : "Pick a code first",
        () => this.sendTimed({ action: "accept_similar", key: p.key }, "accept-similar"),
        "cw-btn cw-accept"
      );
      const reject = button(
        "Reject",
        "Turn it down: it is not offered for this code again",
        () => this.sendTimed({ action: "reject_similar", key: p.key }, "reject-similar"),
        "cw-btn cw-reject"
      );
      accept.disabled = reject.disabled = !got.code;
      actions.append(accept, reject, button("Show in document", "Open the document at this passage", () => this.sendTimed({ action: "show", doc: p.doc, start: p.start, end: p.end }, "show"), "cw-btn cw-show"));
      item.append(ref, el("blockquote", "cw-quote", p.text), actions);
      frag.appendChild(item);
    }
    list.appendChild(frag);
    box.append(head, list);
    const drawn = `${got.code || ""}:${rows.length}`;
    requestAnimationFrame(() => {
      this.root.dataset.similar = drawn;
    });
  }
};

// src/casework/widgets/static/coder/toolbar.js
var toolbar = {
  buildFindBar() {
    const bar = el("div", "cw-findbar");
    this.searchInput = el("input", "cw-search");
    this.searchInput.type = "search";
    this.searchInput.placeholder = "Search the text (Enter)";
    this.searchInput.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.runSearch();
      }
    });
    this.searchMode = el("select", "cw-search-mode");
    this.searchMode.title = "Words: exact words or a phrase (support* for any ending); lemma: every form; regex: a regular expression";
    options(this.searchMode, [["words", "Words"], ["lemma", "Lemma"], ["regex", "Regex"]], "words");
    this.hitInfo = el("span", "cw-hit-info");
    this.hitCodeSelect = el("select", "cw-hit-code");
    this.hitCodeSelect.title = "Code every hit of this search with a code (one undoable action)";
    this.hitCodeSelect.addEventListener("change", () => {
      const code = this.hitCodeSelect.value;
      if (!code) return;
      this.hitCodeSelect.value = "";
      this.sendTimed({ action: "code_hits", code }, "code-hits");
    });
    bar.append(
      this.searchInput,
      this.searchMode,
      button("Find", "Search the open document", () => this.runSearch(), "cw-btn cw-find"),
      button("◀", "Previous hit", () => this.gotoHit(-1), "cw-btn cw-hit-prev"),
      button("▶", "Next hit (selects it: pick a code to code it)", () => this.gotoHit(1), "cw-btn cw-hit-next"),
      this.hitInfo,
      this.hitCodeSelect
    );
    return bar;
  },
  runSearch() {
    this.hitAt = -1;
    this.sendTimed({ action: "search", query: this.searchInput.value, mode: this.searchMode.value }, "search");
  },
  updateHitInfo() {
    const search = this.model.get("search") || {};
    const n = (search.hits || []).length;
    this.hitInfo.textContent = search.query ? `${n} hit${n === 1 ? "" : "s"}` : "";
    this.hitCodeSelect.disabled = !n;
  },
  buildSuggestionBar() {
    const bar = el("div", "cw-suggbar");
    this.suggToggle = el("input", "cw-sugg-toggle");
    this.suggToggle.type = "checkbox";
    this.suggToggle.addEventListener("change", () => this.setTrait("show_suggestions", this.suggToggle.checked));
    const label = el("label", "cw-check cw-sugg-label", "Suggestions");
    label.prepend(this.suggToggle);
    this.suggInfo = el("span", "cw-sugg-info");
    this.scoreSlider = el("input", "cw-score");
    this.scoreSlider.type = "range";
    this.scoreSlider.min = "0";
    this.scoreSlider.max = "1";
    this.scoreSlider.step = "0.05";
    this.scoreSlider.title = "Show suggestions scoring at least this (unscored ones only at 0)";
    this.scoreValue = el("span", "cw-score-value");
    this.scoreSlider.addEventListener("input", () => this.showScore(Number(this.scoreSlider.value)));
    this.scoreSlider.addEventListener("change", () => this.setTrait("min_score", Number(this.scoreSlider.value)));
    this.suggCodeSelect = el("select", "cw-sugg-code");
    this.suggCodeSelect.title = "Suggestions of one code (and its sub-codes)";
    this.suggCodeSelect.addEventListener("change", () => this.setTrait("suggest_code", this.suggCodeSelect.value));
    this.suggControls = el("span", "cw-sugg-controls");
    this.suggControls.append(
      el("span", "cw-muted", "score ≥"),
      this.scoreSlider,
      this.scoreValue,
      this.suggCodeSelect,
      button(
        "Accept shown",
        "Code every suggestion shown (one undoable action)",
        () => this.sendTimed({ action: "accept_shown" }, "accept-shown"),
        "cw-btn cw-accept-shown"
      ),
      button(
        "Reject shown",
        "Turn down every suggestion shown (one undoable action)",
        () => this.sendTimed({ action: "reject_shown" }, "reject-shown"),
        "cw-btn cw-reject-shown"
      ),
      button("Next", "Scroll to the next suggestion", () => this.gotoSuggestion(), "cw-btn cw-sugg-next")
    );
    bar.append(label, this.suggInfo, this.suggControls);
    this.syncSuggestionBar();
    return bar;
  },
  showScore(value) {
    this.scoreValue.textContent = value.toFixed(2);
  },
  syncSuggestionBar() {
    const on = Boolean(this.model.get("show_suggestions"));
    this.suggToggle.checked = on;
    this.suggControls.hidden = !on;
    const score = Number(this.model.get("min_score") || 0);
    this.scoreSlider.value = String(score);
    this.showScore(score);
    this.updateSuggInfo();
    if (this.info) this.renderTree();
  },
  updateSuggInfo() {
    const total = Number(this.model.get("suggestion_total") || 0);
    const shown = this.suggs ? this.suggs.size : 0;
    const on = Boolean(this.model.get("show_suggestions"));
    if (total < 0) this.suggInfo.textContent = "(hidden)";
    else this.suggInfo.textContent = !total ? "(none open)" : on ? `${shown} of ${total} shown` : `(${total} hidden)`;
  }
};

// src/casework/widgets/static/coder/tree.js
var tree = {
  buildSide() {
    this.side = el("div", "cw-side");
    const tabs = el("div", "cw-tabs");
    this.codesTab = button("Codes", "The codebook", () => this.showTab("codes"), "cw-tab cw-tab-codes");
    this.docsTab = button(
      "Documents",
      "Every document with your coding progress",
      () => this.showTab("docs"),
      "cw-tab cw-tab-docs"
    );
    tabs.append(this.codesTab, this.docsTab);
    this.codesPane = el("div", "cw-pane cw-codes-pane");
    this.selInfo = el("div", "cw-selection", "Select text with the mouse, then pick a code.");
    this.pinsEl = el("div", "cw-pins");
    this.filter = el("input", "cw-filter");
    this.filter.type = "search";
    this.filter.placeholder = "Filter codes ( / )";
    this.filter.addEventListener("input", () => this.renderTree());
    this.filter.addEventListener("keydown", (event) => this.filterKey(event));
    this.treeEl = el("div", "cw-tree");
    this.codesPane.append(this.selInfo, this.pinsEl, this.filter, this.treeEl, this.buildNewCode());
    this.docsPane = el("div", "cw-pane cw-docs-pane");
    this.docList = el("div", "cw-doc-list");
    this.docsPane.append(this.docList);
    this.side.append(tabs, this.codesPane, this.docsPane);
    this.showTab("codes");
    return this.side;
  },
  showTab(name) {
    this.codesPane.hidden = name !== "codes";
    this.docsPane.hidden = name !== "docs";
    this.codesTab.classList.toggle("cw-tab-on", name === "codes");
    this.docsTab.classList.toggle("cw-tab-on", name === "docs");
  },
  // A new code by name (its id is made from the name in Python); with text selected the
  // selection is coded with it at once.
  buildNewCode() {
    const box = el("div", "cw-new-code");
    this.newName = el("input", "cw-new-name");
    this.newName.placeholder = "New code name";
    this.parentSelect = el("select", "cw-new-parent");
    this.parentSelect.title = "Parent of the new code";
    const add = () => {
      const name = this.newName.value.trim();
      if (!name) return this.flash("Type a name for the new code.");
      const msg = { action: "new_code", name, parent: this.parentSelect.value || null };
      if (this.pending) Object.assign(msg, this.pending);
      this.sendTimed(msg, "new-code");
      this.newName.value = "";
      this.clearPending();
    };
    this.newName.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        add();
      }
    });
    box.append(this.newName, this.parentSelect, button(
      "Add",
      "Add the code (and code the selection with it)",
      add,
      "cw-btn cw-new-add"
    ));
    return box;
  },
  loadCodebook() {
    this.info = /* @__PURE__ */ new Map();
    let position = 0;
    const walk = (nodes, parent) => {
      for (const node of nodes || []) {
        this.info.set(node.id, {
          name: String(node.name || node.id),
          description: String(node.description || ""),
          color: safeColor(node.shade || node.color),
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
    const counts = this.model.get("counts") || {};
    const showing = Boolean(this.model.get("show_suggestions"));
    const scores = this.model.get("code_scores") || {};
    const general = Number(this.model.get("min_score") || 0);
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
      const hint = this.pending ? "Code the selection" : "List its passages in every document";
      const name = button(
        code.name,
        `${code.description || code.name}
(${hint})`,
        () => this.codeOrRetrieve(id),
        "cw-code-name"
      );
      name.dataset.code = id;
      const [own, ownDocs, all, allDocs] = counts[id] || [0, 0, 0, 0];
      const count = button(
        all ? String(all) : "",
        `${own} passages in ${ownDocs} documents; with sub-codes ${all} in ${allDocs}. Click to list them.`,
        () => this.retrieve(id),
        "cw-count"
      );
      count.dataset.code = id;
      count.dataset.passages = String(all);
      count.dataset.documents = String(allDocs);
      if (all) count.appendChild(el("span", "cw-count-docs", ` · ${allDocs}`));
      const slot = pinned.indexOf(id);
      const pin = button(
        slot >= 0 ? `★${slot + 1}` : "☆",
        slot >= 0 ? "Unpin" : "Pin to a number key",
        () => this.togglePin(id),
        "cw-pin"
      );
      row.append(caret, swatch, name, count, this.similarCodeButton(id), pin);
      if (showing) row.appendChild(this.scoreControl(id, scores, general));
      rows.set(id, row);
      this.treeEl.appendChild(row);
    }
    if (query && this.firstMatch) rows.get(this.firstMatch).classList.add("cw-first");
  },
  // The code's own suggestion threshold (a small slider on its row, while suggestions are
  // shown): faded while it follows its parent's or the general slider; × lets it follow again.
  scoreControl(id, scores, general) {
    let from = null;
    for (let at = this.info.get(id).parent; at && from === null; at = this.info.get(at).parent) {
      if (Object.prototype.hasOwnProperty.call(scores, at)) from = at;
    }
    const own = Object.prototype.hasOwnProperty.call(scores, id);
    const value = own ? Number(scores[id]) : from !== null ? Number(scores[from]) : general;
    const box = el("span", own ? "cw-code-score-box cw-own" : "cw-code-score-box");
    const range = el("input", "cw-code-score");
    range.type = "range";
    range.min = "0";
    range.max = "1";
    range.step = "0.05";
    range.value = String(value);
    range.dataset.code = id;
    const source = own ? "its own threshold" : from !== null ? `as ${this.codeName(from)}` : "the general slider";
    range.title = `Suggestions of ${this.codeName(id)} shown from a score of ${value.toFixed(2)} (${source}); move to set its own`;
    const shown = el("span", "cw-code-score-value", value.toFixed(2));
    range.addEventListener("input", () => {
      shown.textContent = Number(range.value).toFixed(2);
    });
    range.addEventListener("change", () => this.sendTimed({ action: "code_score", code: id, score: Number(range.value) }, "code-score"));
    box.append(range, shown);
    if (own) {
      box.appendChild(button(
        "×",
        `Let ${this.codeName(id)} follow ${from !== null ? this.codeName(from) : "the general slider"} again`,
        () => this.sendTimed({ action: "code_score", code: id, score: null }, "code-score"),
        "cw-code-score-clear"
      ));
    }
    return box;
  },
  // A click on a code codes the selection; with nothing selected it lists the passages.
  codeOrRetrieve(id) {
    if (this.pending) this.applyCode(id);
    else this.retrieve(id);
  },
  retrieve(id) {
    this.sendTimed({ action: "retrieve", code: id }, "retrieve");
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
    this.timing = /* @__PURE__ */ new Map();
    this.pending = null;
    this.docId = null;
    this.paras = [];
    this.rows = [];
    this.pieces = /* @__PURE__ */ new Map();
    this.suggPieces = /* @__PURE__ */ new Map();
    this.codings = /* @__PURE__ */ new Map();
    this.suggs = /* @__PURE__ */ new Map();
    this.hits = /* @__PURE__ */ new Map();
    this.byPara = /* @__PURE__ */ new Map();
    this.suggByPara = /* @__PURE__ */ new Map();
    this.hitsByPara = /* @__PURE__ */ new Map();
    this.lanes = /* @__PURE__ */ new Map();
    this.collapsed = /* @__PURE__ */ new Set();
    this.dirty = /* @__PURE__ */ new Set();
    this.focusDone = null;
    this.nextSugg = 0;
    this.hitAt = -1;
    this.root = el("div", "cw-coder cw-tinted");
    this.root.tabIndex = 0;
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    host.appendChild(this.root);
    this.build();
    this.listen();
    this.loadCodebook();
    this.rebuild();
    this.renderRetrieval();
    this.renderSimilar();
    this.showStatus();
  }
  build() {
    const bar = el("div", "cw-toolbar");
    this.docSelect = el("select", "cw-doc-select");
    this.docSelect.title = "Document";
    this.docSelect.addEventListener("change", () => this.send({ action: "open", doc: this.docSelect.value }));
    this.coderSelect = el("select", "cw-coder-filter");
    this.coderSelect.title = "Show the stripes of one coder";
    this.coderSelect.addEventListener("change", () => this.setFilter("coder_filter", this.coderSelect.value));
    this.codeSelect = el("select", "cw-code-filter");
    this.codeSelect.title = "Show (and tint) the codings of one code and its sub-codes";
    this.codeSelect.addEventListener("change", () => this.setFilter("code_filter", this.codeSelect.value));
    const tint = el("input", "cw-tint-toggle");
    tint.type = "checkbox";
    tint.checked = true;
    tint.addEventListener("change", () => this.root.classList.toggle("cw-tinted", tint.checked));
    const tintLabel = el("label", "cw-check", "Tint");
    tintLabel.title = "Tint coded text in its code's colour";
    tintLabel.prepend(tint);
    bar.append(
      button("◀", "Previous document", () => this.send({ action: "next", step: -1 }), "cw-btn cw-prev"),
      this.docSelect,
      button("▶", "Next document", () => this.send({ action: "next", step: 1 }), "cw-btn cw-next"),
      button("Undo", "Undo your last action (Ctrl+Z)", () => this.send({ action: "undo" }), "cw-btn cw-undo"),
      button("Redo", "Redo (Ctrl+Shift+Z)", () => this.send({ action: "redo" }), "cw-btn cw-redo"),
      this.coderSelect,
      this.codeSelect,
      tintLabel
    );
    const main = el("div", "cw-main");
    this.scroll = el("div", "cw-scroll");
    this.docEl = el("div", "cw-doc");
    this.scroll.appendChild(this.docEl);
    main.append(this.scroll, this.buildSide());
    this.statusEl = el("div", "cw-status");
    this.statusEl.setAttribute("role", "status");
    this.errorEl = el("div", "cw-error");
    this.errorEl.setAttribute("role", "alert");
    this.retrievalEl = el("div", "cw-retrieval");
    this.pop = el("div", "cw-pop");
    this.pop.hidden = true;
    this.tip = el("div", "cw-tip");
    this.tip.hidden = true;
    this.root.append(
      bar,
      this.buildFindBar(),
      this.buildSuggestionBar(),
      main,
      this.statusEl,
      this.errorEl,
      this.retrievalEl,
      this.pop,
      this.tip
    );
    this.root.querySelector(".cw-findbar").append(this.buildSimilarQuery());
    this.selInfo.after(this.buildSimilarSelection());
    this.retrievalEl.after(this.buildSimilarPanel());
    this.applyHeight();
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
    this.side.style.height = height;
  }
  listen() {
    const m = this.model;
    this.handlers = [
      ["change:paragraphs", () => this.schedule("doc")],
      ["change:doc_id", () => this.schedule("doc")],
      ["change:codings_json", () => this.schedule("codings")],
      ["change:codings_delta", () => this.schedule("codings")],
      ["change:suggestions", () => this.schedule("codings")],
      ["change:search", () => this.schedule("search")],
      ["change:coder_filter", () => this.schedule("filters")],
      ["change:code_filter", () => this.schedule("filters")],
      ["change:codebook", () => this.schedule("codebook")],
      ["change:counts", () => this.schedule("counts")],
      ["change:progress", () => this.schedule("progress")],
      ["change:pinned", () => this.renderPins()],
      ["change:coders", () => this.fillSelects()],
      ["change:documents", () => this.schedule("progress")],
      ["change:focus", () => this.schedule("focus")],
      ["change:retrieval_json", () => this.renderRetrieval()],
      ["change:similar", () => this.renderSimilar()],
      ["change:suggestion_total", () => this.updateSuggInfo()],
      ["change:show_suggestions", () => this.syncSuggestionBar()],
      ["change:min_score", () => this.syncSuggestionBar()],
      ["change:code_scores", () => this.renderTree()],
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
    else if (dirty.has("counts")) this.renderTree();
    if (dirty.has("doc") || this.model.get("doc_id") !== this.docId) this.rebuild();
    else if (dirty.has("filters")) this.update(true);
    else if (dirty.has("codings") || dirty.has("codebook") || dirty.has("search")) this.update(false);
    if (dirty.has("progress") || dirty.has("doc")) this.renderDocuments();
    if (dirty.has("search") || dirty.has("doc")) this.updateHitInfo();
    if (dirty.has("focus") || dirty.has("doc")) this.applyFocus();
  }
  send(message) {
    this.req += 1;
    this.model.send({ ...message, req: this.req });
    return this.req;
  }
  // Time an action from now to the frame after Python's reply (its changes drawn);
  // the figure goes to data-<name>-ms on the root (the benchmark reads it).
  sendTimed(message, name) {
    const t0 = performance.now();
    const req = this.send(message);
    this.timing.set(req, { t0, name });
    return req;
  }
  onMessage(msg) {
    if (!msg || msg.kind !== "done") return;
    const timing = this.timing.get(msg.req);
    if (!timing) return;
    this.timing.delete(msg.req);
    requestAnimationFrame(() => {
      const key = timing.name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
      this.root.dataset[`${key}Ms`] = (performance.now() - timing.t0).toFixed(1);
      this.root.dataset[`${key}Result`] = msg.ok ? String(Array.isArray(msg.result) ? msg.result.length : msg.result ?? "") : "error";
    });
  }
  showStatus() {
    this.statusEl.textContent = this.model.get("status") || "";
    const error = this.model.get("error") || "";
    this.errorEl.textContent = error;
    this.errorEl.hidden = !error;
  }
  fillSelects() {
    const docs = this.model.get("documents") || [];
    options(this.docSelect, docs.map((d) => [d.id, d.label]), this.model.get("doc_id"));
    const coders = (this.model.get("coders") || []).map((c) => [c, c]);
    options(this.coderSelect, [["", "All coders"], ...coders], (this.model.get("coder_filter") || [])[0] || "");
    const codes = [...this.info.entries()].map(([id, c]) => [id, " ".repeat(2 * (c.depth - 1)) + c.name]);
    options(this.codeSelect, [["", "All codes"], ...codes], (this.model.get("code_filter") || [])[0] || "");
    options(this.suggCodeSelect, [["", "Suggestions of all codes"], ...codes], this.model.get("suggest_code") || "");
    options(this.hitCodeSelect, [["", "Code all hits as…"], ...codes], "");
    options(this.parentSelect, [["", "(top level)"], ...codes], this.parentSelect.value || "");
  }
  // The open document's codings: the list Python last sent whole (one JSON string), with
  // the changes since (codings_delta: dropped ids, added rows) applied; parsed once each.
  codingList() {
    const text = this.model.get("codings_json") || "[]";
    const delta = this.model.get("codings_delta") || "";
    if (text !== this.codingsText) {
      this.codingsText = text;
      this.codingsBase = JSON.parse(text);
      this.deltaText = null;
    }
    if (delta !== this.deltaText) {
      this.deltaText = delta;
      if (!delta) this.codingsParsed = this.codingsBase;
      else {
        const { drop, add } = JSON.parse(delta);
        const gone = new Set(drop);
        for (const c of add) gone.add(c.id);
        this.codingsParsed = this.codingsBase.filter((c) => !gone.has(c.id)).concat(add);
      }
    }
    return this.codingsParsed;
  }
  setFilter(name, value) {
    this.model.set(name, value ? [value] : []);
    this.model.save_changes();
  }
  setTrait(name, value) {
    this.model.set(name, value);
    this.model.save_changes();
  }
  flash(text) {
    this.statusEl.textContent = text;
  }
};
Object.assign(CoderView.prototype, tree, toolbar, panels, rendering, stripes, selection, menus, keyboard, similar);
var index_default = {
  render({ model, el: host }) {
    const view = new CoderView(model, host);
    return () => view.destroy();
  }
};
export {
  index_default as default
};
