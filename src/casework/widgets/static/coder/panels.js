// Panels: the passages of one code across documents (retrieval), each with "Show in
// document"; the document list with each document's coding progress.
import { button, el } from "../common/dom.js";

const PREVIEW = 600; // characters of a retrieved passage shown before "…"

export const panels = {
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
    head.append(swatch, el("strong", null, got.name || got.code),
      el("span", "cw-muted", ` · ${passages.length} passages in ${docs.size} documents (with sub-codes)`),
      button("×", "Close", () => this.setTrait("retrieval_json", ""), "cw-close"));
    const list = el("ol", "cw-retrieval-list");
    // One listener for the list, not one per passage.
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
      row.append(el("span", "cw-doc-label", doc.label), bar,
        el("span", "cw-muted", `${p.coded}/${p.paragraphs} ¶ coded · ${p.codings} codings`));
      row.title = `Your coding: ${p.coded} of ${p.paragraphs} paragraphs touched, ${p.codings} codings`;
      this.docList.appendChild(row);
    }
  },
};
