// "More like this": ask for passages like a coding (its menu), like the selection, like a
// code's passages (the ≈ button in the tree) or about a free text (the find bar's second
// box); the answer is listed best first with its similarity, each passage accepted,
// rejected (never offered again for that code) or shown in its document.
import { button, el, options } from "../common/dom.js";

export const similar = {
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
    const node = button("≈", "More like this code: passages like the ones you coded with it", () =>
      this.askSimilar({ code: id }), "cw-similar-code");
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
    // The code the passages are offered as; another one asks again (leaving out what
    // was coded or rejected with it).
    const offer = el("select", "cw-similar-as");
    offer.title = "The code to offer these passages as";
    const codes = [...this.info.entries()].map(([id, c]) => [id, "\u00a0".repeat(2 * (c.depth - 1)) + c.name]);
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
      const accept = button("Accept", got.code ? `Code it as ${this.codeName(got.code)}` : "Pick a code first",
        () => this.sendTimed({ action: "accept_similar", key: p.key }, "accept-similar"), "cw-btn cw-accept");
      const reject = button("Reject", "Turn it down: it is not offered for this code again",
        () => this.sendTimed({ action: "reject_similar", key: p.key }, "reject-similar"), "cw-btn cw-reject");
      accept.disabled = reject.disabled = !got.code;
      actions.append(accept, reject, button("Show in document", "Open the document at this passage", () =>
        this.sendTimed({ action: "show", doc: p.doc, start: p.start, end: p.end }, "show"), "cw-btn cw-show"));
      item.append(ref, el("blockquote", "cw-quote", p.text), actions);
      frag.appendChild(item);
    }
    list.appendChild(frag);
    box.append(head, list);
    const drawn = `${got.code || ""}:${rows.length}`;
    requestAnimationFrame(() => {
      this.root.dataset.similar = drawn;
    });
  },
};
