"""Building the demo's chapters: cold, unchanged, and after one case summary changed.

Prints, in one run, on a fresh copy of the demo study (14 interview summaries, 5
cases), wall-clock seconds and the ratio to a baseline measured in the same run:

- baseline: executing one empty notebook with nbclient (a kernel start and stop,
  nothing else): what one chapter would cost if every chapter had its own kernel;
- cold: ``export_chapters`` of the 6 chapters (A-E and cross-case) in HTML, Word and
  Markdown from an empty output folder (target <= 4x baseline: kernels are reused);
- unchanged: the same call again with nothing changed (target <= 0.5x baseline: no
  kernel starts, nothing converted), in this process and in a fresh one (``python -c``,
  imports included, as a second ``casework`` run would pay);
- one summary: after editing case C's summary of "impact" (target: only C rebuilt;
  the cross-case chapter is not fed by case summaries, so it is kept);
- cold, new process: the cold build of another copy in a fresh ``python -c`` (imports
  included, as a first ``casework export chapters`` pays them); no target, for reading.

It also prints the CPU seconds of the baseline and of the cold build (this process
and its children: kernels, pandoc), which a busy machine does not inflate as it does
wall-clock time.

The three builds and the baseline are interleaved over ``--runs`` rounds (each round
on a fresh copy) and the median is printed, with the load average before and after,
since the machine may be shared. PDF is left out (LaTeX dominates it).

Usage: python benchmarks/bench_build.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARTS = (
    "casework.toml",
    "cases.csv",
    "transcripts",
    "codebooks",
    "codings",
    "summaries",
    "notebooks",
)
FORMATS = ("html", "docx", "md")


def copy_demo(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in PARTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=shutil.ignore_patterns(".ipynb_*"))
        else:
            shutil.copy2(source, dest / name)
    return dest


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (kernels, pandoc)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(folder: Path) -> tuple[float, float]:
    """Execute one empty notebook with nbclient, in casework's kernel: wall and CPU
    seconds (its imports in this process left out)."""
    import nbformat
    from nbclient import NotebookClient

    from casework.chapters import KERNEL_NAME, VenvKernelManager

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell("pass"))
    started, cpu = time.perf_counter(), cpu_seconds()
    NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=VenvKernelManager,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return time.perf_counter() - started, cpu_seconds() - cpu


def in_new_process(root: Path, cold: bool) -> float:
    """Seconds for ``export_chapters`` in a fresh ``python -c`` (imports included); it
    must rebuild all six chapters (``cold``) or none."""
    expect = "len(r.rebuilt) == 6" if cold else "not r.rebuilt"
    code = (
        "import sys; from casework.chapters import export_chapters; "
        f"r = export_chapters({str(root)!r}, formats={list(FORMATS)!r}); "
        f"sys.exit(0 if r.ok and {expect} else 1)"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=os.environ.copy())
    return time.perf_counter() - started


def one_round(folder: Path) -> dict[str, float | list[str]]:
    from casework.chapters import export_chapters
    from casework.matrices import SummaryStore

    root = copy_demo(folder / "demo")
    found: dict[str, float | list[str]] = {}
    found["baseline"], found["baseline cpu"] = baseline(folder)
    for label in ("cold", "unchanged", "fresh process", "one summary", "cold, new process"):
        if label in ("fresh process", "cold, new process"):
            cold = label == "cold, new process"  # what a first `casework build` pays
            found[label] = in_new_process(copy_demo(folder / "other") if cold else root, cold)
            found[f"{label} rebuilt"] = ["all six"] if cold else []
            found[f"{label} kernels"] = ["1" if cold else "0"]
            continue
        if label == "one summary":
            store = SummaryStore(root / "summaries", coder="demo")
            old = store.get(("case", "C"), "impact")
            store.edit(("case", "C"), "impact", old["text"] + " (Checked again.)")
        started, cpu = time.perf_counter(), cpu_seconds()
        report = export_chapters(root, formats=FORMATS)
        found[label] = time.perf_counter() - started
        found[f"{label} cpu"] = cpu_seconds() - cpu
        if not report.ok:
            sys.exit(f"the build failed:\n{report}")
        found[f"{label} rebuilt"] = report.rebuilt
        found[f"{label} kernels"] = [str(report.kernel_starts)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )
    rounds = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench_build_") as tmp:
            rounds.append(one_round(Path(tmp)))
        print(
            f"  round {i + 1}: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in rounds[-1].items() if isinstance(v, float))
        )
    base = statistics.median(float(r["baseline"]) for r in rounds)
    print(f"\nbaseline (one empty notebook, nbclient): {base:.2f} s")
    targets: dict[str, float | str] = {
        "cold": 4.0,
        "unchanged": 0.5,
        "fresh process": 0.5,
        "one summary": "target: only C rebuilt",
        "cold, new process": "no target: imports included",
    }
    for label, target in targets.items():
        secs = statistics.median(float(r[label]) for r in rounds)
        rebuilt = rounds[-1][f"{label} rebuilt"]
        kernels = rounds[-1][f"{label} kernels"]
        goal = f"target <= {target}x" if isinstance(target, float) else target
        print(
            f"{label:>17}: {secs:6.2f} s = {secs / base:4.2f}x baseline ({goal}); "
            f"rebuilt {', '.join(rebuilt) or 'nothing'}; kernel starts {kernels[0]}"
        )
    base_cpu = statistics.median(float(r["baseline cpu"]) for r in rounds)
    cold_cpu = statistics.median(float(r["cold cpu"]) for r in rounds)
    print(
        f"CPU seconds (this process and its kernels, pandoc): baseline {base_cpu:.2f}, "
        f"cold {cold_cpu:.2f} = {cold_cpu / base_cpu:.2f}x (what load cannot hide)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
