"""Bundle the widgets' JavaScript: one ES module file per widget, as anywidget loads it.

The sources are ES modules by job under ``src/casework/widgets/static/`` (``coder/``,
``matrix.js``, the DOM helpers both share in ``common/``); esbuild (from npm, pinned in
package.json) bundles each widget into ``static/dist/<widget>.js``, minified, which the
package ships (minified, the generated copy is not read as a second copy of the sources). Each bundle's first line records a digest of every source, so a test can tell
that the shipped bundles are current without node.

    python scripts/build_js.py           # build (needs `npm ci --ignore-scripts` first)
    python scripts/build_js.py --check   # exit 1 if a bundle is older than its sources
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "src" / "casework" / "widgets" / "static"
DIST = STATIC / "dist"
ENTRIES = {"coder": "coder/index.js", "matrix": "matrix.js"}
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
MARK = "// casework bundle; sources sha256 "


def sources_digest(static: Path = STATIC) -> str:
    """sha256 over the path and bytes of every source module (the bundles excluded)."""
    digest = hashlib.sha256()
    for path in sorted(static.rglob("*.js")):
        rel = path.relative_to(static).as_posix()
        if rel.startswith("dist/"):
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stale(static: Path = STATIC) -> list[str]:
    """The bundles whose recorded digest differs from the sources' (or that are missing)."""
    want = MARK + sources_digest(static)
    out = []
    for name in ENTRIES:
        bundle = static / "dist" / f"{name}.js"
        first = bundle.read_text("utf-8").split("\n", 1)[0] if bundle.exists() else ""
        if first != want:
            out.append(bundle.relative_to(static).as_posix())
    return out


def build() -> None:
    if not ESBUILD.exists():
        sys.exit(f"{ESBUILD} is missing: run `npm ci --ignore-scripts` in {ROOT} first.")
    banner = MARK + sources_digest()
    for name, entry in ENTRIES.items():
        subprocess.run(
            [str(ESBUILD), str(STATIC / entry), "--bundle", "--format=esm", "--target=es2020",
             "--charset=utf8", "--legal-comments=none", "--minify", f"--banner:js={banner}",
             f"--outfile={DIST / f'{name}.js'}", "--log-level=warning"],
            check=True,
            cwd=ROOT,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the bundles")
    if parser.parse_args().check:
        old = stale()
        if old:
            sys.exit(f"stale bundles: {', '.join(old)}; run `python scripts/build_js.py`.")
        print("bundles are current")
        return
    build()
    print(f"built {', '.join(f'dist/{n}.js' for n in ENTRIES)}")


if __name__ == "__main__":
    main()
