// casework Coder: a transcript with labelled coding stripes in the margin, a codebook tree
// with counts, suggestions, search, retrieval and a document list. Every string that comes
// from the model (transcript text, code names, memos, reasons, coder names) is inserted
// with textContent or as a DOM property, never parsed as HTML. The view is one class whose
// methods come from modules by job.
import { button, el, options } from "../common/dom.js";
import { keyboard } from "./keyboard.js";
import { menus } from "./menus.js";
import { panels } from "./panels.js";
import { rendering } from "./render.js";
import { selection } from "./selection.js";
import { similar } from "./similar.js";
import { stripes } from "./stripes.js";
import { toolbar } from "./toolbar.js";
import { tree } from "./tree.js";

class CoderView {
  constructor(model, host) {
    this.model = model;
    this.req = 0;
    this.timing = new Map(); // request number -> {t0, name}
    this.pending = null;
    this.docId = null;
    this.paras = [];
    this.rows = [];
    this.pieces = new Map(); // coding id -> spans
    this.suggPieces = new Map(); // suggestion key -> spans
    this.codings = new Map();
    this.suggs = new Map();
    this.hits = new Map(); // search hit key -> {key, start, end}
    this.byPara = new Map();
    this.suggByPara = new Map();
    this.hitsByPara = new Map();
    this.lanes = new Map();
    this.collapsed = new Set();
    this.dirty = new Set();
    this.focusDone = null;
    this.nextSugg = 0;
    this.hitAt = -1;
    this.root = el("div", "cw-coder cw-tinted");
    this.root.tabIndex = 0;
    // JupyterLab: no notebook shortcut (e.g. "1" = heading) fires while we have focus.
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
      tintLabel,
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
    this.root.append(bar, this.buildFindBar(), this.buildSuggestionBar(), main, this.statusEl, this.errorEl,
      this.retrievalEl, this.pop, this.tip);
    // "more like this" (similar.js): a free-text box in the find bar, a button under the
    // selection note, its list after the retrieval panel
    this.root.querySelector(".cw-findbar").append(this.buildSimilarQuery());
    this.selInfo.after(this.buildSimilarSelection());
    this.retrievalEl.after(this.buildSimilarPanel());
    this.applyHeight();
    // Stripes follow the text: draw them again when it reflows (and once attached).
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
      ["msg:custom", (msg) => this.onMessage(msg)],
    ];
    for (const [name, fn] of this.handlers) m.on(name, fn);
    this.scroll.addEventListener("mouseup", () => setTimeout(() => this.captureSelection(), 0));
    this.scroll.addEventListener("keyup", () => this.captureSelection());
    this.docEl.addEventListener("click", (event) => this.onDocClick(event));
    this.docEl.addEventListener("mouseover", (event) => this.onHover(event, true));
    this.docEl.addEventListener("mouseout", (event) => this.onHover(event, false));
    this.root.addEventListener("keydown", (event) => this.onKey(event));
    // Keep the notebook from taking focus away when text is selected in the widget.
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
    this.dirty = new Set();
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
    const codes = [...this.info.entries()].map(([id, c]) => [id, "\u00a0".repeat(2 * (c.depth - 1)) + c.name]);
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
}

Object.assign(CoderView.prototype, tree, toolbar, panels, rendering, stripes, selection, menus, keyboard, similar);

export default {
  render({ model, el: host }) {
    const view = new CoderView(model, host);
    return () => view.destroy();
  },
};
