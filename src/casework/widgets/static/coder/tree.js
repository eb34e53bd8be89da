// The side panel: the codebook tree (names, shades, counts, pins, the type-to-filter box,
// a new code by name) and, on its other tab, the document list.
import { button, el, safeColor } from "../common/dom.js";

export const tree = {
  buildSide() {
    this.side = el("div", "cw-side");
    const tabs = el("div", "cw-tabs");
    this.codesTab = button("Codes", "The codebook", () => this.showTab("codes"), "cw-tab cw-tab-codes");
    this.docsTab = button("Documents", "Every document with your coding progress", () => this.showTab("docs"),
      "cw-tab cw-tab-docs");
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
    box.append(this.newName, this.parentSelect, button("Add", "Add the code (and code the selection with it)", add,
      "cw-btn cw-new-add"));
    return box;
  },

  loadCodebook() {
    this.info = new Map();
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
    const counts = this.model.get("counts") || {};
    const showing = Boolean(this.model.get("show_suggestions"));
    const scores = this.model.get("code_scores") || {};
    const general = Number(this.model.get("min_score") || 0);
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
      const hint = this.pending ? "Code the selection" : "List its passages in every document";
      const name = button(code.name, `${code.description || code.name}\n(${hint})`, () => this.codeOrRetrieve(id),
        "cw-code-name");
      name.dataset.code = id;
      const [own, ownDocs, all, allDocs] = counts[id] || [0, 0, 0, 0];
      const count = button(all ? String(all) : "", `${own} passages in ${ownDocs} documents; with sub-codes ${all} in ${allDocs}. Click to list them.`,
        () => this.retrieve(id), "cw-count");
      count.dataset.code = id;
      count.dataset.passages = String(all);
      count.dataset.documents = String(allDocs);
      if (all) count.appendChild(el("span", "cw-count-docs", ` · ${allDocs}`));
      const slot = pinned.indexOf(id);
      const pin = button(slot >= 0 ? `★${slot + 1}` : "☆", slot >= 0 ? "Unpin" : "Pin to a number key", () =>
        this.togglePin(id),
      "cw-pin");
      row.append(caret, swatch, name, count, this.similarCodeButton(id), pin); // ≈: similar.js
      if (showing) row.appendChild(this.scoreControl(id, scores, general));
      rows.set(id, row);
      this.treeEl.appendChild(row);
    }
    if (query && this.firstMatch) rows.get(this.firstMatch).classList.add("cw-first"); // Enter applies it
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
    range.addEventListener("input", () => { shown.textContent = Number(range.value).toFixed(2); });
    range.addEventListener("change", () =>
      this.sendTimed({ action: "code_score", code: id, score: Number(range.value) }, "code-score"));
    box.append(range, shown);
    if (own) {
      box.appendChild(button("×", `Let ${this.codeName(id)} follow ${from !== null ? this.codeName(from) : "the general slider"} again`,
        () => this.sendTimed({ action: "code_score", code: id, score: null }, "code-score"), "cw-code-score-clear"));
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
