// The find bar (search the text: words, lemma, regex; move between hits; code them) and
// the suggestion bar (show or hide, a score slider, one code, accept or reject all shown).
import { button, el, options } from "../common/dom.js";

export const toolbar = {
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
      this.hitCodeSelect,
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
      button("Accept shown", "Code every suggestion shown (one undoable action)",
        () => this.sendTimed({ action: "accept_shown" }, "accept-shown"), "cw-btn cw-accept-shown"),
      button("Reject shown", "Turn down every suggestion shown (one undoable action)",
        () => this.sendTimed({ action: "reject_shown" }, "reject-shown"), "cw-btn cw-reject-shown"),
      button("Next", "Scroll to the next suggestion", () => this.gotoSuggestion(), "cw-btn cw-sugg-next"),
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
    if (this.info) this.renderTree(); // the codes' own sliders show only with suggestions
  },

  updateSuggInfo() {
    const total = Number(this.model.get("suggestion_total") || 0);
    const shown = this.suggs ? this.suggs.size : 0;
    const on = Boolean(this.model.get("show_suggestions"));
    if (total < 0) this.suggInfo.textContent = "(hidden)"; // not made until shown
    else this.suggInfo.textContent = !total ? "(none open)" : on ? `${shown} of ${total} shown` : `(${total} hidden)`;
  },
};
