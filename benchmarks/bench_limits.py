"""How long the largest input each of casework's limits accepts takes (issue 18).

Each limit refuses what is over it in one line; this script builds an input just under
it and times, wall-clock, what a researcher would run on it:

- a transcript of 10,000,000 characters (``MAX_SOURCE_CHARS``): read, then parsed with
  the default pipeline in 200,000-character pieces (spaCy alone refuses over 1,000,000);
- front matter expanding to just under 100,000 values through aliases (``MAX_YAML_NODES``);
- a caption line of 5 MB of ``<`` (the tag scan is linear);
- a ``.docx`` expanding to just under 256 MiB (``MAX_DOCX_BYTES``; every part is
  decompressed once, keeping nothing, before python-docx reads it), within the 64 MB a
  transcript file may take on disk (``MAX_SOURCE_BYTES``);
- a ``.qdpx`` whose text sources total just under 256 MiB (``MAX_READ_BYTES``), imported;
- validate's full SHA-256 check of a 100 MB log's snapshot.

The load average is printed beside every figure.

    python benchmarks/bench_limits.py [--only NAME] [--dir PATH]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from casework.sources import read_source  # noqa: E402

PARA = (
    "Parent: We went to the group every week and it helped a lot with my confidence, "
    "and the staff knew the children by name."
)


def timed(label: str, work: Callable[[], object]) -> None:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    load = os.getloadavg()[0]
    print(f"{label:<62} {seconds:8.1f} s   (load {load:.1f})", flush=True)


def long_transcript(tmp: Path) -> None:
    from casework.nlp.pipeline import load_pipeline, pipe_texts
    from casework.sources import MAX_SOURCE_CHARS

    n = MAX_SOURCE_CHARS // (len(PARA) + 2) - 1
    path = tmp / "long.txt"
    path.write_text("\n\n".join([PARA] * n))
    source = read_source(path)
    timed(f"read a {len(source.text):,}-character transcript", lambda: read_source(path))
    nlp = load_pipeline()
    timed("parse it (default pipeline, in pieces)", lambda: next(pipe_texts(nlp, [source.text])))


def yaml_aliases(tmp: Path) -> None:
    # 9 leaves, then levels of 9 aliases each: 9**5 = 59,049 values (+ the lists), under
    # the 100,000 limit; one level more would be refused.
    lines = ["---", "case: A", "a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcd", "bcde", strict=False):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    path = tmp / "front.md"
    path.write_text("\n".join(lines) + "\n---\nText.\n")
    timed("front matter expanding to ~66,000 values", lambda: read_source(path))


def caption_line(tmp: Path) -> None:
    path = tmp / "x.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n" + "<" * 5_000_000 + "\n")
    timed("a .vtt cue line of 5,000,000 '<'", lambda: read_source(path))


def big_docx(tmp: Path) -> None:
    import docx
    import numpy as np

    from casework.sources.docx import MAX_DOCX_BYTES

    buffer = io.BytesIO()
    document = docx.Document()
    for _ in range(200):
        document.add_paragraph(PARA)
    document.save(buffer)
    path = tmp / "big.docx"
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for info in src.infolist():
            dest.writestr(info, src.read(info))
        used = sum(i.file_size for i in src.infolist())
        # Random 'a'/'b': about 8 times smaller deflated, so under the 64 MB file limit
        # and the 100x ratio limit alike.
        size = MAX_DOCX_BYTES - used - 4096
        filler = (np.frombuffer(os.urandom(size), dtype=np.uint8) & 1) + ord("a")
        dest.writestr("word/media/data.bin", filler.astype(np.uint8).tobytes())
    timed("a .docx expanding to just under 256 MiB", lambda: read_source(path))


def big_qdpx(tmp: Path) -> None:
    import _corpus  # realistic interview text (compresses about 3x, as transcripts do)

    from casework.refi import MAX_READ_BYTES, import_refi

    size = 1 << 20
    count = MAX_READ_BYTES // size - 2
    base = _corpus.interview(7, 200_000)
    text = (base * (size // len(base) + 1))[: size - 1000]
    sources = "".join(
        f'<TextSource guid="C1B2C3D4-0000-4000-8000-{i:012d}" name="s{i}" '
        f'plainTextPath="internal://s{i}.txt"/>'
        for i in range(count)
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'name="Big" origin="bench"><Sources>{sources}</Sources></Project>'
    )
    path = tmp / "big.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("project.qde", qde)
        for i in range(count):
            cut = (i * 7919) % (len(text) - 1)  # every source different
            z.writestr(f"sources/s{i}.txt", text[cut:] + text[:cut])
    timed(
        f"import a .qdpx of {count} sources, {count * (size - 1000) / 2**20:.0f} MiB of text",
        lambda: import_refi(path, tmp / "imported"),
    )


def snapshot_hash(tmp: Path) -> None:
    from casework.store import _snapshot, append_records, read_log

    log, cache = tmp / "c.jsonl", tmp / "cache"
    row = {
        "eid": "0",
        "event": "code",
        "id": "x",
        "doc": "A/a",
        "code": "k",
        "start": 0,
        "end": 5,
        "quote": "hello",
        "pad": "z" * 60,
    }
    for _ in range(100):
        append_records(log, [row] * 8000)
    read_log(log, cache_dir=cache)  # writes the snapshot
    mb = log.stat().st_size / 1e6
    timed(
        f"validate's full hash of a {mb:.0f} MB log's snapshot", lambda: _snapshot.check(cache, log)
    )


CASES = {
    "transcript": long_transcript,
    "yaml": yaml_aliases,
    "captions": caption_line,
    "docx": big_docx,
    "qdpx": big_qdpx,
    "snapshot": snapshot_hash,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(CASES))
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="casework-limits-", dir=args.dir))
    try:
        for name, case in CASES.items():
            if args.only in (None, name):
                folder = base / name
                folder.mkdir()
                case(folder)
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
