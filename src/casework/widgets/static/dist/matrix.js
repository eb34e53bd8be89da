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
function select(cls, title, onChange) {
  const node = el("select", cls);
  node.title = title;
  node.addEventListener("change", () => onChange(node.value));
  return node;
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

// src/casework/widgets/static/matrix.js
var FOLD = 200;
var button2 = (label, title, onClick, cls = "cwm-btn") => button(label, title, onClick, cls);
var KINDS = [
  ["excerpts", "Excerpts"],
  ["summary", "Summaries"],
  ["count", "Codings"],
  ["documents", "Documents"],
  ["coverage", "Coverage"]
];
var TYPING_PAUSE = 300;
function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
var MatrixView = class {
  constructor(model, host) {
    this.model = model;
    this.req = 0;
    this.loaded = -1;
    this.typing = null;
    this.root = el("div", "cwm");
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    if (model.get("read_only")) this.root.classList.add("cwm-review");
    this.head = el("header", "cwm-head");
    const bar = el("div", "cwm-toolbar");
    this.rowsSel = select("cwm-rows", "Rows", (v) => this.set("rows", v));
    this.themeSel = select("cwm-theme", "Theme: its sub-themes become the columns", (v) => this.set("theme", v));
    this.cellSel = select("cwm-cell-kind", "What each cell shows", (v) => this.set("cell", v));
    this.caseSel = select("cwm-case", "Show one case", (v) => this.set("case", v));
    this.coderSel = select("cwm-coder", "Show one coder's codings and summaries", (v) => this.set("by_coder", v));
    this.draftsBox = el("input", "cwm-drafts");
    this.draftsBox.type = "checkbox";
    this.draftsBox.title = "Show summaries still marked as drafts";
    this.draftsBox.addEventListener("change", () => this.set("drafts", this.draftsBox.checked));
    const drafts = el("label", "cwm-drafts-label");
    drafts.append(this.draftsBox, document.createTextNode(" Drafts"));
    bar.append(
      el("label", null, "Rows"),
      this.rowsSel,
      el("label", null, "Theme"),
      this.themeSel,
      el("label", null, "Cells"),
      this.cellSel,
      el("label", null, "Case"),
      this.caseSel,
      el("label", null, "Coder"),
      this.coderSel,
      drafts,
      button2("Refresh", "Chart again", () => this.send({ action: "refresh" })),
      button2("Excel", "Download the matrix as shown (xlsx)", () => this.send({ action: "download", format: "xlsx" }), "cwm-btn cwm-download-xlsx"),
      button2("HTML", "Download the matrix as shown (HTML)", () => this.send({ action: "download", format: "html" }), "cwm-btn cwm-download-html"),
      button2("Print view", "Show the matrix for printing (every cell in full)", () => this.togglePrint(true), "cwm-btn cwm-print-view")
    );
    this.printBar = el("div", "cwm-print-bar");
    this.printBar.append(
      button2("Print…", "Print this view", () => window.print(), "cwm-btn cwm-print"),
      button2("Back", "Back to the interactive matrix", () => this.togglePrint(false), "cwm-btn cwm-print-back")
    );
    this.filtersEl = el("div", "cwm-filters");
    this.tableBox = el("div", "cwm-table-box");
    this.statusEl = el("div", "cwm-status");
    this.statusEl.setAttribute("role", "status");
    this.errorEl = el("div", "cwm-error");
    this.errorEl.setAttribute("role", "alert");
    this.detailEl = el("div", "cwm-detail");
    this.root.append(
      this.head,
      bar,
      this.printBar,
      this.filtersEl,
      this.tableBox,
      this.statusEl,
      this.errorEl,
      this.detailEl
    );
    host.appendChild(this.root);
    this.handlers = [
      ["change:table", () => this.renderTable()],
      ["change:themes", () => this.renderControls()],
      ["change:cases", () => this.renderControls()],
      ["change:coders", () => this.renderControls()],
      ["change:rows", () => this.renderControls()],
      ["change:theme", () => this.renderControls()],
      ["change:cell", () => this.renderControls()],
      ["change:case", () => this.renderControls()],
      ["change:by_coder", () => this.renderControls()],
      ["change:drafts", () => this.renderControls()],
      ["change:detail", () => this.renderDetail()],
      ["change:editor", () => this.renderEditor()],
      ["change:status", () => this.renderStatus()],
      ["change:error", () => this.renderStatus()],
      ["change:title", () => this.renderHead()],
      ["change:subtitle", () => this.renderHead()],
      ["msg:custom", (msg, buffers) => this.onMessage(msg, buffers)]
    ];
    for (const [name, fn] of this.handlers) model.on(name, fn);
    this.renderHead();
    this.renderControls();
    this.renderTable();
    this.renderDetail();
    this.renderStatus();
  }
  destroy() {
    for (const [name, fn] of this.handlers) this.model.off(name, fn);
    clearTimeout(this.typing);
  }
  send(message) {
    if (message.action !== "type") this.flushTyping();
    this.req += 1;
    this.model.send({ ...message, req: this.req });
  }
  set(name, value) {
    this.flushTyping();
    this.model.set(name, value);
    this.model.save_changes();
  }
  onMessage(msg, buffers) {
    if (!msg || msg.kind !== "download" || !buffers || !buffers.length) return;
    const blob = new Blob([buffers[0]], { type: String(msg.mime || "application/octet-stream") });
    const url = URL.createObjectURL(blob);
    const link = el("a");
    link.href = url;
    link.download = String(msg.name || "matrix");
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1e4);
  }
  togglePrint(on) {
    this.root.classList.toggle("cwm-printing", on);
    this.renderTable();
  }
  renderHead() {
    const title = this.model.get("title") || "";
    const subtitle = this.model.get("subtitle") || "";
    this.head.textContent = "";
    this.head.hidden = !title;
    if (!title) return;
    document.title = title;
    this.head.append(el("h1", "cwm-page-title", title));
    if (subtitle) this.head.append(el("div", "cwm-subtitle", subtitle));
  }
  renderControls() {
    const m = this.model;
    options(this.rowsSel, [["participant", "Participants"], ["case", "Cases"]], m.get("rows"));
    const themes = (m.get("themes") || []).map((t) => [t.id, t.name.replace(/^ +/, (s) => " ".repeat(s.length))]);
    options(this.themeSel, [["", "All themes"], ...themes], m.get("theme"));
    options(this.cellSel, KINDS, m.get("cell"));
    const cases = (m.get("cases") || []).map((c) => [c.id, c.title ? `${c.id} — ${c.title}` : c.id]);
    options(this.caseSel, [["", "All cases"], ...cases], m.get("case"));
    const coders = (m.get("coders") || []).map((c) => [c, c]);
    options(this.coderSel, [["", "All coders"], ...coders], m.get("by_coder"));
    this.draftsBox.checked = Boolean(m.get("drafts"));
  }
  renderStatus() {
    this.statusEl.textContent = this.model.get("status") || "";
    const error = this.model.get("error") || "";
    this.errorEl.textContent = error;
    this.errorEl.hidden = !error;
  }
  renderTable() {
    const table = this.model.get("table") || {};
    const columns = table.columns || [];
    const rows = table.rows || [];
    const cells = table.cells || [];
    const printing = this.root.classList.contains("cwm-printing");
    this.filtersEl.textContent = table.filters || "";
    const numeric = ["count", "documents", "coverage"].includes(table.kind);
    const grid = el("table", `cwm-table cwm-kind-${numeric ? "number" : "text"}`);
    const head = el("tr");
    head.appendChild(el("th", "cwm-corner", ""));
    for (const column of columns) {
      const th = el("th", null, column.name);
      th.title = column.id;
      th.style.borderTopColor = safeColor(column.color, "#999");
      head.appendChild(th);
    }
    grid.appendChild(el("thead")).appendChild(head);
    const body = grid.appendChild(el("tbody"));
    let maxValue = 0;
    if (numeric) for (const r of cells) for (const v of r) maxValue = Math.max(maxValue, parseFloat(v) || 0);
    const byParticipant = this.model.get("rows") === "participant";
    let lastCase = null;
    rows.forEach((row, i) => {
      if (byParticipant && row.case !== lastCase) {
        const caseRow = el("tr", "cwm-case-row");
        const th = el("th", "cwm-case-label", row.case_label || row.case);
        th.colSpan = columns.length + 1;
        caseRow.appendChild(th);
        body.appendChild(caseRow);
      }
      const tr = el("tr");
      if (row.case !== lastCase) tr.classList.add("cwm-case-start");
      lastCase = row.case;
      tr.appendChild(el("th", "cwm-row-label", row.label));
      (cells[i] || []).forEach((value, j) => {
        const text = String(value || "");
        const folded = !printing && text.length > FOLD;
        const td = el("td", "cwm-cell", folded ? `${text.slice(0, FOLD)} …` : text);
        td.dataset.row = String(i);
        td.dataset.col = String(j);
        td.title = "Open this cell";
        if (!text) td.classList.add("cwm-empty");
        if (numeric && maxValue > 0) {
          const share = (parseFloat(text) || 0) / maxValue;
          td.style.backgroundColor = `rgba(78, 121, 167, ${(0.08 + 0.5 * share).toFixed(3)})`;
        }
        td.addEventListener("click", () => {
          if (this.root.classList.contains("cwm-printing")) return;
          for (const other of grid.querySelectorAll(".cwm-selected")) other.classList.remove("cwm-selected");
          td.classList.add("cwm-selected");
          this.send({ action: "open", row: i, col: j });
        });
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    this.tableBox.textContent = "";
    this.tableBox.appendChild(grid);
  }
  renderDetail() {
    const d = this.model.get("detail") || {};
    this.detailEl.textContent = "";
    this.editorEl = null;
    if (d.code === void 0) {
      this.detailEl.appendChild(el("div", "cwm-muted", "Click a cell to read its passages and summary."));
      return;
    }
    const readOnly = this.model.get("read_only");
    this.detailEl.appendChild(el("h4", "cwm-title", `${d.row_label} × ${d.code_name}`));
    this.detailEl.appendChild(this.summaryBox(d, readOnly));
    const list = el("ol", "cwm-passages");
    this.passageAdders = [];
    (d.passages || []).forEach((p, i) => {
      const item = el("li", "cwm-passage");
      item.dataset.doc = p.doc_id;
      item.dataset.start = String(p.start);
      item.dataset.end = String(p.end);
      item.dataset.codings = (p.coding_ids || []).join(" ");
      item.append(el("div", "cwm-ref", p.reference), el("blockquote", "cwm-text", p.text));
      const actions = el("div", "cwm-passage-actions");
      const linked = this.model.get("linked") && !readOnly;
      actions.appendChild(button2(
        linked ? "Show in Coder" : "Show in context",
        linked ? "Scroll the Coder to this passage" : "Show the passage in its paragraph",
        () => this.send({ action: "goto", passage: i }),
        "cwm-btn cwm-goto"
      ));
      if (!readOnly) {
        const add = select(
          "cwm-ev-add",
          "Make this passage evidence for a paragraph of your summary",
          (v) => {
            if (v) this.send({ action: "link", passage: i, paragraph: Number(v) });
          }
        );
        this.passageAdders.push(add);
        actions.appendChild(add);
      }
      item.appendChild(actions);
      if (d.context && d.context.index === i) item.appendChild(this.contextBox(d.context));
      list.appendChild(item);
    });
    if (!(d.passages || []).length) this.detailEl.appendChild(el("div", "cwm-muted", "Nothing is coded in this cell."));
    this.detailEl.appendChild(list);
    this.renderEditor();
  }
  summaryBox(d, readOnly) {
    const box = el("div", "cwm-summary");
    const s = d.summary;
    const study = d.study;
    const across = `${d.code_name} across all cases`;
    if (readOnly) {
      box.appendChild(el("div", "cwm-label", s ? `Summary (${s.coder}${s.draft ? ", draft" : ""})` : "No summary yet."));
      if (s) box.appendChild(el("div", "cwm-summary-text", s.text));
      if (study) {
        box.appendChild(el("div", "cwm-label cwm-study-label", `${across} (${study.coder}${study.draft ? ", draft" : ""})`));
        box.appendChild(el("div", "cwm-summary-text cwm-study-text", study.text));
      }
      return box;
    }
    if (s && !s.mine) {
      box.appendChild(el("div", "cwm-label", `Latest summary by ${s.coder}:`));
      box.appendChild(el("div", "cwm-summary-text", s.text));
    }
    if (study && !study.mine) {
      box.appendChild(el("div", "cwm-label cwm-study-label", `Latest summary of ${across} by ${study.coder}:`));
      box.appendChild(el("div", "cwm-summary-text cwm-study-text", study.text));
    }
    this.acrossName = across;
    this.editorLabel = el("div", "cwm-label cwm-editor-label", "Your summary:");
    const key = `${d.row_label}\0${d.code}`;
    if (this.textArea && this.cellKey === key) {
      box.append(this.scopeEl, this.editorLabel, this.textArea, this.actionsEl, this.evidenceEl);
      this.editorEl = box;
      return box;
    }
    this.cellKey = key;
    this.scopeEl = el("div", "cwm-scope");
    this.scopeEl.setAttribute("role", "group");
    this.scopeEl.setAttribute("aria-label", "Which summary to edit");
    this.scopeButtons = {
      cell: button2(
        `This cell: ${d.row_label}`,
        "Edit this row's summary of the code",
        () => this.send({ action: "scope", scope: "cell" }),
        "cwm-btn cwm-scope-btn cwm-scope-cell"
      ),
      study: button2(
        "Across cases",
        `Edit your summary of ${across}: the cross-case chapter shows it under this element`,
        () => this.send({ action: "scope", scope: "study" }),
        "cwm-btn cwm-scope-btn cwm-scope-study"
      )
    };
    this.scopeEl.append(el("span", "cwm-scope-label", "Summary of"), this.scopeButtons.cell, this.scopeButtons.study);
    this.textArea = el("textarea", "cwm-summary-input");
    this.textArea.placeholder = "Summarise what this row says about this theme (Markdown). A blank line starts a new paragraph; each paragraph can have its own evidence.";
    this.textArea.addEventListener("input", () => {
      clearTimeout(this.typing);
      this.typing = setTimeout(() => this.flushTyping(), TYPING_PAUSE);
    });
    this.loaded = -1;
    const actions = el("div", "cwm-actions");
    actions.append(
      button2("Save summary", "Save exactly what is typed, with the evidence shown below (an empty text removes your summary)", () => this.send({ action: "save", text: this.textArea.value }), "cwm-btn cwm-save"),
      button2("Draft from excerpts", "Put a draft made from the cell's excerpts in the editor (saved only when you Save)", () => this.send({ action: "propose" }), "cwm-btn cwm-propose"),
      button2("Discard changes", "Go back to the saved summary", () => this.send({ action: "discard" }), "cwm-btn cwm-discard")
    );
    this.dirtyEl = el("span", "cwm-dirty", "");
    actions.appendChild(this.dirtyEl);
    this.evidenceEl = el("div", "cwm-evidence");
    this.actionsEl = actions;
    box.append(this.scopeEl, this.editorLabel, this.textArea, actions, this.evidenceEl);
    this.editorEl = box;
    return box;
  }
  flushTyping() {
    if (this.typing === null) return;
    clearTimeout(this.typing);
    this.typing = null;
    if (this.textArea && this.textArea.isConnected) this.send({ action: "type", text: this.textArea.value });
  }
  renderEditor() {
    const e = this.model.get("editor") || {};
    if (!this.editorEl || !this.editorEl.isConnected || e.text === void 0) return;
    if (e.load !== this.loaded) {
      this.textArea.value = e.text;
      this.loaded = e.load;
    }
    const study = e.scope === "study";
    for (const [scope, node] of Object.entries(this.scopeButtons || {})) {
      node.classList.toggle("cwm-on", scope === (study ? "study" : "cell"));
      node.setAttribute("aria-pressed", String(scope === (study ? "study" : "cell")));
    }
    const whose = study ? `Your summary of ${this.acrossName} (the cross-case chapter shows it under this element)` : "Your summary";
    this.editorLabel.textContent = e.draft ? `${whose} (a draft from the excerpts: edit it to make it yours):` : `${whose}:`;
    this.editorEl.classList.toggle("cwm-editing-study", study);
    this.dirtyEl.textContent = e.dirty ? "Unsaved changes" : "";
    const paras = e.paragraphs || [];
    const links = e.links || [];
    for (const add of this.passageAdders || []) {
      options(add, [["", "Evidence for…"], ...paras.map((p) => [String(p.number), `¶${p.number}`])], "");
      add.disabled = !paras.length;
    }
    const box = this.evidenceEl;
    box.textContent = "";
    box.appendChild(el("div", "cwm-label", "Evidence for each paragraph"));
    if (!paras.length && !links.length) {
      box.appendChild(el("div", "cwm-muted", "Write a paragraph, then link passages to it with “Evidence for…”."));
      return;
    }
    paras.forEach((p) => {
      const group = el("div", "cwm-ev-para");
      group.dataset.paragraph = String(p.number);
      group.appendChild(el("div", "cwm-ev-head", `¶${p.number} “${p.preview}”`));
      const mine = links.filter((l) => l.paragraph === p.number);
      if (!mine.length) group.appendChild(el("div", "cwm-muted", "No evidence linked."));
      for (const link of mine) group.appendChild(this.linkRow(link, paras));
      box.appendChild(group);
    });
    const lost = links.filter((l) => l.paragraph === null || l.paragraph === void 0);
    if (lost.length) {
      const group = el("div", "cwm-ev-unplaced");
      group.appendChild(el(
        "div",
        "cwm-ev-head",
        `${plural(lost.length, "piece")} of evidence lost ${lost.length === 1 ? "its" : "their"} paragraph (deleted or rewritten). Choose a paragraph for each, or drop it; only linked evidence is saved.`
      ));
      for (const link of lost) group.appendChild(this.linkRow(link, paras));
      box.appendChild(group);
    }
  }
  linkRow(link, paras) {
    const row = el("div", "cwm-ev-link");
    row.dataset.coding = link.coding;
    row.dataset.index = String(link.index);
    const quote = link.missing ? `(coding ${link.coding} no longer exists)` : link.quote;
    row.append(el("span", "cwm-ev-ref", link.reference || ""), el("span", "cwm-ev-quote", quote));
    const move = select(
      "cwm-ev-move",
      "Make this the evidence of another paragraph",
      (v) => {
        if (v) this.send({ action: "relink", link: link.index, paragraph: Number(v) });
      }
    );
    const choices = paras.filter((p) => p.number !== link.paragraph).map((p) => [String(p.number), `Move to ¶${p.number}`]);
    options(move, [["", link.paragraph ? "Move to…" : "Link to…"], ...choices.map(([v, l]) => [v, link.paragraph ? l : l.replace("Move to", "Link to")])], "");
    move.disabled = !choices.length;
    row.append(move, button2("Drop", "This passage is no longer evidence for the summary", () => this.send({ action: "drop", link: link.index }), "cwm-btn cwm-ev-drop"));
    return row;
  }
  contextBox(context) {
    const box = el("div", "cwm-context");
    box.append(
      el("span", "cwm-before", context.before),
      el("mark", "cwm-here", context.passage),
      el("span", "cwm-after", context.after)
    );
    return box;
  }
};
var matrix_default = {
  render({ model, el: host }) {
    const view = new MatrixView(model, host);
    return () => view.destroy();
  }
};
export {
  matrix_default as default
};
