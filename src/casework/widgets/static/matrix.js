// casework matrix explorer: a framework matrix whose cells open onto their passages and
// summary. Every string from the model is inserted with textContent, never as HTML.

import { button as makeButton, el, options, safeColor, select } from "./shared/dom.js";

const FOLD = 200; // characters shown in a cell before it is folded
const button = (label, title, onClick, cls = "cwm-btn") => makeButton(label, title, onClick, cls);

class MatrixView {
  constructor(model, host) {
    this.model = model;
    this.req = 0;
    this.root = el("div", "cwm");
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    const bar = el("div", "cwm-toolbar");
    this.rowsSel = select("cwm-rows", "Rows", (v) => this.set("rows", v));
    this.themeSel = select("cwm-theme", "Theme: its sub-themes become the columns", (v) => this.set("theme", v));
    this.cellSel = select("cwm-cell-kind", "What each cell shows", (v) => this.set("cell", v));
    bar.append(el("label", null, "Rows"), this.rowsSel, el("label", null, "Theme"), this.themeSel,
      el("label", null, "Cells"), this.cellSel,
      button("Refresh", "Chart again", () => this.send({ action: "refresh" })));
    this.tableBox = el("div", "cwm-table-box");
    this.statusEl = el("div", "cwm-status");
    this.statusEl.setAttribute("role", "status");
    this.errorEl = el("div", "cwm-error");
    this.errorEl.setAttribute("role", "alert");
    this.detailEl = el("div", "cwm-detail");
    this.root.append(bar, this.tableBox, this.statusEl, this.errorEl, this.detailEl);
    host.appendChild(this.root);
    this.handlers = [
      ["change:table", () => this.renderTable()],
      ["change:themes", () => this.renderControls()],
      ["change:rows", () => this.renderControls()],
      ["change:theme", () => this.renderControls()],
      ["change:cell", () => this.renderControls()],
      ["change:detail", () => this.renderDetail()],
      ["change:status", () => this.renderStatus()],
      ["change:error", () => this.renderStatus()],
    ];
    for (const [name, fn] of this.handlers) model.on(name, fn);
    this.renderControls();
    this.renderTable();
    this.renderDetail();
    this.renderStatus();
  }

  destroy() {
    for (const [name, fn] of this.handlers) this.model.off(name, fn);
  }

  send(message) {
    this.req += 1;
    this.model.send({ ...message, req: this.req });
  }

  set(name, value) {
    this.model.set(name, value);
    this.model.save_changes();
  }

  renderControls() {
    const m = this.model;
    options(this.rowsSel, [["participant", "Participants"], ["case", "Cases"]], m.get("rows"));
    const themes = (m.get("themes") || []).map((t) => [t.id, t.name.replace(/^ +/, (s) => "\u00a0".repeat(s.length))]);
    options(this.themeSel, [["", "All themes"], ...themes], m.get("theme"));
    const kinds = [["excerpts", "Excerpts"], ["summary", "Summaries"], ["count", "Codings"],
      ["documents", "Documents"], ["coverage", "Coverage"]];
    options(this.cellSel, kinds, m.get("cell"));
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
    let lastCase = null;
    rows.forEach((row, i) => {
      const tr = el("tr");
      if (row.case !== lastCase) tr.classList.add("cwm-case-start");
      lastCase = row.case;
      tr.appendChild(el("th", "cwm-row-label", row.label));
      (cells[i] || []).forEach((value, j) => {
        const text = String(value || "");
        const td = el("td", "cwm-cell", text.length > FOLD ? `${text.slice(0, FOLD)} …` : text);
        td.dataset.row = String(i);
        td.dataset.col = String(j);
        td.title = "Open this cell";
        if (!text) td.classList.add("cwm-empty");
        if (numeric && maxValue > 0) {
          const share = (parseFloat(text) || 0) / maxValue;
          td.style.backgroundColor = `rgba(78, 121, 167, ${(0.08 + 0.5 * share).toFixed(3)})`;
        }
        td.addEventListener("click", () => {
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
    if (d.code === undefined) {
      this.detailEl.appendChild(el("div", "cwm-muted", "Click a cell to read its passages and summary."));
      return;
    }
    const readOnly = this.model.get("read_only");
    this.detailEl.appendChild(el("h4", "cwm-title", `${d.row_label} × ${d.code_name}`));
    this.detailEl.appendChild(this.summaryBox(d, readOnly));
    const list = el("ol", "cwm-passages");
    (d.passages || []).forEach((p, i) => {
      const item = el("li", "cwm-passage");
      item.dataset.doc = p.doc_id;
      item.dataset.start = String(p.start);
      item.dataset.end = String(p.end);
      item.dataset.codings = (p.coding_ids || []).join(" ");
      item.append(el("div", "cwm-ref", p.reference), el("blockquote", "cwm-text", p.text));
      const linked = this.model.get("linked") && !readOnly;
      item.appendChild(button(linked ? "Show in Coder" : "Show in context",
        linked ? "Scroll the Coder to this passage" : "Show the passage in its paragraph",
        () => this.send({ action: "goto", passage: i }), "cwm-btn cwm-goto"));
      if (d.context && d.context.index === i) item.appendChild(this.contextBox(d.context));
      list.appendChild(item);
    });
    if (!(d.passages || []).length) this.detailEl.appendChild(el("div", "cwm-muted", "Nothing is coded in this cell."));
    this.detailEl.appendChild(list);
  }

  summaryBox(d, readOnly) {
    const box = el("div", "cwm-summary");
    const s = d.summary;
    if (readOnly) {
      box.appendChild(el("div", "cwm-label", s ? `Summary (${s.coder}${s.draft ? ", draft" : ""})` : "No summary yet."));
      if (s) box.appendChild(el("div", "cwm-summary-text", s.text));
      return box;
    }
    box.appendChild(el("div", "cwm-label", s && !s.mine ? `Latest summary by ${s.coder}; yours:` : s && s.draft ? "Summary (draft):" : "Summary:"));
    if (s && !s.mine) box.appendChild(el("div", "cwm-summary-text", s.text));
    const text = el("textarea", "cwm-summary-input");
    text.value = s && s.mine ? s.text : "";
    text.placeholder = "Summarise what this row says about this theme (Markdown).";
    const actions = el("div", "cwm-actions");
    actions.append(
      button("Save summary", "Save (an empty text removes your summary)", () => this.send({ action: "save", text: text.value }), "cwm-btn cwm-save"),
      button("Draft from excerpts", "Propose a draft from the cell's excerpts", () => this.send({ action: "propose" }), "cwm-btn cwm-propose"),
    );
    box.append(text, actions);
    return box;
  }

  contextBox(context) {
    const box = el("div", "cwm-context");
    box.append(el("span", "cwm-before", context.before), el("mark", "cwm-here", context.passage),
      el("span", "cwm-after", context.after));
    return box;
  }
}

export default {
  render({ model, el: host }) {
    const view = new MatrixView(model, host);
    return () => view.destroy();
  },
};
