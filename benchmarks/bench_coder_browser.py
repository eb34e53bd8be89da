"""The Coder in a real browser: coding latency and opening a 300,000-character transcript.

Starts JupyterLab on a copy of the demo study (plus one synthetic 300,000-character
interview with 1,000 codings), drives Debian's chromium headless with playwright, and
prints, in one run:

- select text, choose a code -> the coding saved (fsynced in codings/<coder>.jsonl) and its
  stripe drawn, timed inside the page from the click to the frame after the stripe exists
  (target < 150 ms); next to the bare ipywidgets round trip (a Button whose Python
  callback sets a Label, click to the new text painted) and the library call alone;
- open the 300,000-character transcript, from choosing it in the document list to the
  first screen painted (target < 2 s); next to a plain HTML page that paints the same
  paragraphs all at once with nothing else running;
- scrolling through it: the time per scroll step while lazy chunks render.

Usage: python benchmarks/bench_coder_browser.py [--runs 20] [--dir PATH]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from _synthetic import interview

import casework
from casework.widgets import _payload

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
from _browser import CHROMIUM, CHROMIUM_ARGS, jupyter_lab  # noqa: E402

LONG_DOC = "A/long_interview"
KEEP = {"casework.toml", "cases.csv", "transcripts", "codebooks", "codings"}

SELECT = """([offset, a, b]) => {
  const para = document.querySelector(`.cw-para[data-offset='${offset}']`);
  para.scrollIntoView({block: "center"});
  const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
  let node = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!node || n.data.length > node.data.length) node = n;
    if (n.data.length >= b) { node = n; break; }
  }
  b = Math.min(b, node.data.length);
  a = Math.min(a, b - 1);
  const range = document.createRange();
  range.setStart(node, a);
  range.setEnd(node, b);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
  document.querySelector('.cw-scroll').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""

OPEN = """(doc) => new Promise((resolve) => {
  const root = document.querySelector('.cw-coder');
  const select = root.querySelector('.cw-doc-select');
  const t0 = performance.now();
  const watch = new MutationObserver(() => {
    if (root.dataset.doc === doc) { watch.disconnect(); resolve(performance.now() - t0); }
  });
  watch.observe(root, {attributes: true, attributeFilter: ['data-doc']});
  select.value = doc;
  select.dispatchEvent(new Event('change'));
})"""

PING = """() => new Promise((resolve) => {
  const button = document.querySelector('.bench-ping button, button.bench-ping');
  const label = [...document.querySelectorAll('.widget-label')]
    .find(n => /^\\d+$/.test(n.textContent));
  const before = label.textContent;
  let t0 = 0;
  const watch = new MutationObserver(() => {
    if (label.textContent !== before) {
      watch.disconnect();
      requestAnimationFrame(() => resolve(performance.now() - t0));
    }
  });
  watch.observe(label, {childList: true, characterData: true, subtree: true});
  t0 = performance.now();
  button.click();
})"""

SCROLL = """async () => {
  const box = document.querySelector('.cw-scroll');
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const steps = [];
  box.scrollTop = 0;
  await frame();
  while (box.scrollTop + box.clientHeight < box.scrollHeight - 2) {
    const t0 = performance.now();
    box.scrollTop += box.clientHeight * 0.9;
    await frame();
    steps.push(performance.now() - t0);
  }
  return {steps, rows: document.querySelectorAll('.cw-row').length};
}"""

PLAIN = """(paras) => new Promise((resolve) => {
  const t0 = performance.now();
  const box = document.createElement('div');
  box.style.cssText =
    'height:600px;overflow:auto;font:14px Georgia;line-height:1.55;max-width:62em';
  for (const [offset, text] of paras) {
    const p = document.createElement('p');
    p.dataset.offset = offset;
    p.textContent = text;
    box.appendChild(p);
  }
  document.body.appendChild(box);
  requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
})"""


def prepare(root: Path, runs: int) -> None:
    """A demo copy with a 300,000-character interview, its codings and a bench notebook."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO, root, ignore=lambda d, names: [
        n for n in names if Path(d) == REPO and n not in KEEP])  # fmt: skip
    rng = random.Random(5)
    text = interview(rng, 48_000)[:300_000].rsplit(" ", 1)[0] + "."
    (root / "transcripts" / "A" / "long_interview.md").write_text(
        f"---\nparticipant: A-LONG\nrole: Long interview\ncase: A\n---\n{text}\n", "utf-8")
    project = casework.open_project(root, coder="bulk")
    text = project.text(LONG_DOC)
    codes = [c for c in project.codebook.ids if "." in c]
    rows = []
    for i in range(1000):
        start = rng.randrange(0, len(text) - 400)
        rows.append({"doc_id": LONG_DOC, "code_id": codes[i % len(codes)], "start": start,
                     "end": start + rng.randint(40, 400)})  # fmt: skip
    project.code_many(rows)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (
        "import casework, ipywidgets as w\nfrom casework.widgets import Coder\n"
        "project = casework.open_project('.', coder='bench')",
        "coder = Coder(project, doc='A/la_lead', height='600px')\ncoder",
        "button = w.Button(description='ping')\nbutton.add_class('bench-ping')\n"
        "label = w.Label('0')\n"
        "button.on_click(lambda _b: setattr(label, 'value', str(int(label.value) + 1)))\n"
        "w.HBox([button, label])",
    )]  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}  # fmt: skip
    nbformat.write(nb, root / "bench.ipynb")


def library_call(root: Path, runs: int) -> list[float]:
    project = casework.open_project(root, coder="bench-lib")
    len(project.codings)
    out = []
    for i in range(runs):
        t0 = time.perf_counter()
        project.code("A/la_lead", "context", 10 + i, 40 + i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def coding_latency(page: Any, root: Path, runs: int,
                   doc: str = "A/la_lead") -> tuple[list[float], list[float]]:  # fmt: skip
    """Click-to-drawn times, and the part of each spent redrawing in the browser."""
    project = casework.open_project(root)
    paras = project.segments.query("doc_id == @doc and end - start > 80")
    codes = ["context.needs", "impact.practice", "challenges.capacity", "reflections.overall"]
    out, draw = [], []
    for i in range(runs):
        para = paras.iloc[i % len(paras)]
        before = page.eval_on_selector(".cw-coder", "n => n.dataset.lastResult || ''")
        page.evaluate(SELECT, [int(para["start"]), 5 + i % 20, 45 + i % 20])
        page.wait_for_function("() => !!document.querySelector('.cw-coder').dataset.pending")
        page.click(f".cw-code-name[data-code='{codes[i % len(codes)]}']")
        page.wait_for_function(f"() => (document.querySelector('.cw-coder').dataset.lastResult"
                               f" || '') !== {before!r}")  # fmt: skip
        result = page.eval_on_selector(".cw-coder", "n => n.dataset.lastResult")
        page.wait_for_selector(f".cw-bar[data-coding='{result}']")
        out.append(float(page.eval_on_selector(".cw-coder", "n => n.dataset.lastCodeMs")))
        draw.append(float(page.eval_on_selector(".cw-coder", "n => n.dataset.lastUpdateMs")))
    saved = casework.open_project(root).codings.query("coder == 'bench' and doc_id == @doc")
    assert len(saved) == runs, f"{len(saved)} codings saved in {doc}, expected {runs}"
    return out, draw


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"{statistics.median(values):8.1f} {p90:8.1f} {max(values):8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="casework-bench-coder-"))
    root = base / "study"
    prepare(root, args.runs)
    lib = library_call(root, args.runs)
    from playwright.sync_api import sync_playwright

    with jupyter_lab(root, base / "lab") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{server.url}/lab/tree/bench.ipynb?reset&token={server.token}")
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
        for _ in range(4):
            page.get_by_role("menuitem", name="Run").click()
            page.get_by_text("Run All Cells", exact=True).click()
            try:
                page.wait_for_selector(".bench-ping", timeout=20_000)
                break
            except Exception:
                continue
        page.wait_for_selector(".cw-coder .cw-para")
        code, draw = coding_latency(page, root, args.runs)
        ping = [page.evaluate(PING) for _ in range(args.runs)]
        opens = []
        for _ in range(3):
            opens.append(page.evaluate(OPEN, LONG_DOC))
            page.evaluate(OPEN, "A/la_lead")
        page.evaluate(OPEN, LONG_DOC)
        scroll = page.evaluate(SCROLL)
        page.eval_on_selector(".cw-scroll", "n => { n.scrollTop = 0; }")
        long_code, _ = coding_latency(page, root, args.runs, LONG_DOC)
        opened = casework.open_project(root)
        paras = _payload.paragraphs(opened.text(LONG_DOC),
                                    opened.segments.query("doc_id == @LONG_DOC"))
        plain_page = browser.new_page(viewport={"width": 1400, "height": 1000})
        plain = [plain_page.evaluate(PLAIN, paras) for _ in range(3)]
        version = browser.version
        browser.close()
    n_chars = len(casework.open_project(root).text(LONG_DOC))
    print(f"Coder in JupyterLab, chromium {version} headless; {args.runs} runs; times in ms")
    print(f"{'':52} {'median':>8} {'p90':>8} {'max':>8}   target")
    print(f"{'select + choose code -> saved and stripe drawn':52} {summary(code)}   < 150")
    print(f"{'  baseline: ipywidgets Button -> Label round trip':52} {summary(ping)}")
    print(f"{'  of which: redrawing the paragraph and stripes':52} {summary(draw)}")
    print(f"{'  the library call project.code() alone':52} {summary(lib)}")
    print(f"{'  the same in the long transcript (1,000+ codings)':52} {summary(long_code)}   < 150")
    print(f"{f'open a {n_chars:,}-char transcript (1,000 codings)':52} {summary(opens)}   < 2000")
    print(f"{'  baseline: plain HTML page, same paragraphs':52} {summary(plain)}")
    print(f"{'scroll step (0.9 screen, lazy chunks render)':52} {summary(scroll['steps'])}"
          f"   ({len(scroll['steps'])} steps, {scroll['rows']} rows drawn)")  # fmt: skip


if __name__ == "__main__":
    main()
