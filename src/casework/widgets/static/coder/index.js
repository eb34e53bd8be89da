// casework Coder: a transcript with coding stripes in the margin, a codebook tree and
// suggestions. Every string that comes from the model (transcript text, code names,
// memos, reasons, coder names) is inserted with textContent or as a DOM property, never
// parsed as HTML. The view is one class whose methods come from modules by job.
import { button, el, options } from "../shared/dom.js";
import { keyboard } from "./keyboard.js";
import { menus } from "./menus.js";
import { rendering } from "./render.js";
import { selection } from "./selection.js";
import { stripes } from "./stripes.js";
import { tree } from "./tree.js";

class CoderView {
  constructor(model, host) {
    this.model = model;
    this.req = 0;
    this.timing = null;
    this.pending = null;
    this.docId = null;
    this.paras = [];
    this.rows = [];
    this.chunks = [];
    this.pieces = new Map(); // coding id -> spans
    this.suggPieces = new Map(); // suggestion key -> spans
    this.codings = new Map();
    this.suggs = new Map();
    this.byPara = new Map();
    this.suggByPara = new Map();
    this.lanes = new Map();
    this.collapsed = new Set();
    this.dirty = new Set();
    this.focusDone = null;
    this.nextSugg = 0;
    this.root = el("div", "cw-coder");
    this.root.tabIndex = 0;
    // JupyterLab: no notebook shortcut (e.g. "1" = heading) fires while we have focus.
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
    this.docSelect.addEventListener("change", () =>
      this.send({ action: "open", doc: this.docSelect.value }),
    );
    this.coderSelect = el("select", "cw-coder-filter");
    this.coderSelect.title = "Show the stripes of one coder";
    this.coderSelect.addEventListener("change", () =>
      this.setFilter("coder_filter", this.coderSelect.value),
    );
    this.codeSelect = el("select", "cw-code-filter");
    this.codeSelect.title = "Show the stripes of one code (and its sub-codes)";
    this.codeSelect.addEventListener("change", () =>
      this.setFilter("code_filter", this.codeSelect.value),
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
      button("Next suggestion", "Scroll to the next suggestion", () => this.gotoSuggestion(), "cw-btn cw-sugg-next"),
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
      rootMargin: "1200px 0px",
    });
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
    this.dirty = new Set();
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
    const codes = [...this.info.entries()].map(([id, c]) => [id, "\u00a0".repeat(2 * (c.depth - 1)) + c.name]);
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
}

Object.assign(CoderView.prototype, tree, rendering, stripes, selection, menus, keyboard);

export default {
  render({ model, el: host }) {
    const view = new CoderView(model, host);
    return () => view.destroy();
  },
};
