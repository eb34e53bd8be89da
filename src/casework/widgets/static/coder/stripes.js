// Coding stripes in the margin: one lane per coding along its whole extent, labelled with
// its code where the margin has room, and named in a tip on hover.
import { el } from "../common/dom.js";

export const LANE_PX = 7; // width of one stripe lane
export const LABEL_PX = 112; // width of the label column right of the lanes
const LABEL_LINE = 14; // height of one label
const LANE_GAP = 100; // characters between two codings that share a lane

export const stripes = {
  restripe() {
    this.drawStripes(this.rows.map((r, i) => (r && r.isConnected ? i : -1)).filter((i) => i >= 0));
  },

  // Stripe lanes: a coding keeps one lane through its whole extent; codings that neither
  // overlap nor sit on nearby lines share a lane, so the margin stays narrow.
  packLanes() {
    const pos = (id) => (this.info.has(id) ? this.info.get(id).position : 1e9);
    const order = [...this.codings.values()].sort((x, y) => x.start - y.start || y.end - x.end
      || pos(x.code) - pos(y.code) || (x.id < y.id ? -1 : 1));
    const ends = [];
    const lanes = new Map();
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
    const lanes = new Map();
    for (const id of this.codings.keys()) if (this.lanes.has(id)) lanes.set(id, this.lanes.get(id));
    const fresh = [...this.codings.values()].filter((c) => !lanes.has(c.id)).sort((x, y) => x.start - y.start);
    for (const c of fresh) {
      // Only codings near it can share its lane: those touching the paragraphs from
      // LANE_GAP characters before it to LANE_GAP after (byPara holds every coding).
      const taken = new Set();
      const last = this.paraAt(c.end + LANE_GAP);
      for (let i = this.paraAt(Math.max(0, c.start - LANE_GAP)); i <= last; i += 1) {
        for (const o of this.byPara.get(i) || []) {
          const lane = lanes.get(o.id);
          if (lane !== undefined && o.start < c.end + LANE_GAP && c.start < o.end + LANE_GAP) taken.add(lane);
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
    // Every position is read before anything is written: one layout, not one per row.
    const jobs = [];
    for (const [i, row] of rows) {
      const p = this.paras[i];
      const box = row.getBoundingClientRect();
      const para = row.children[1];
      for (const c of this.byPara.get(i) || []) {
        // Its pieces are in reading order: the first starts highest, the last ends lowest.
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
    const labelled = new Map(); // stripes box -> bottom of its last label
    jobs.sort((x, y) => x[2] - y[2]);
    for (const [stripes, c, top, bottom, first] of jobs) {
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
      stripes.appendChild(bar);
      // A label where the coding starts, unless it would cover the one above.
      if (first && top >= (labelled.get(stripes) ?? -LABEL_LINE)) {
        const label = el("div", "cw-label", this.codeName(c.code));
        label.style.top = `${top}px`;
        label.style.color = this.color(c.code);
        label.dataset.coding = c.id;
        label._coding = c.id;
        if (c.coder !== me) label.classList.add("cw-other");
        stripes.appendChild(label);
        labelled.set(stripes, top + LABEL_LINE);
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
  },
};
