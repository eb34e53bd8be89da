"""Zip archives from outside (``.qdpx``, ``.docx``): sizes checked before decompressing.

A zip's headers declare each entry's size; a bomb declares little and expands to a lot,
or declares a lot in a tiny file. So, before anything is decompressed:

- every entry must be stored or deflated (no encryption, no other compression method),
  and must not be named as an absolute path or with ``..``;
- the declared sizes must stay under the caller's total, and no entry, nor the archive
  as a whole, may expand more than :data:`MAX_RATIO` times its compressed size;

and while reading, an entry is never read past its declared size, nor past what is left
of the caller's budget, so a lying header cannot get through either. A corrupt deflate
stream, an encrypted entry or an unknown method is one :class:`SourceError` line.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from casework.errors import SourceError

MAX_RATIO = 100  # decompressed / compressed, per entry over SMALL and for the whole archive
SMALL = 1 << 20  # below 1 MiB anything may compress any amount (XML of empty elements)
_CHUNK = 1 << 20
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


def check_entries(
    archive: zipfile.ZipFile,
    path: str | Path,
    *,
    size_on_disk: int,
    max_total: int,
    max_entries: int = 100_000,
    fix: str,
) -> list[zipfile.ZipInfo]:
    """The archive's entries, after the checks above (nothing is decompressed)."""
    infos = archive.infolist()
    if len(infos) > max_entries:
        raise SourceError(
            f"the archive holds {len(infos):,} entries (limit {max_entries:,})", path=path, fix=fix
        )
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise SourceError(
                f"the archive entry '{info.filename}' points outside its folder "
                "(an absolute path or '..'); casework refuses such archives",
                path=path,
                fix="Do not open this file; ask its sender for a clean copy.",
            )
        if info.flag_bits & 0x1:
            raise SourceError(
                f"the archive entry '{info.filename}' is encrypted",
                path=path,
                fix="Save the file again without a password.",
            )
        if info.compress_type not in _METHODS:
            raise SourceError(
                f"the archive entry '{info.filename}' uses compression method "
                f"{info.compress_type}, which casework does not read",
                path=path,
                fix=fix,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > SMALL and ratio > MAX_RATIO:
            raise SourceError(
                f"the archive entry '{info.filename}' expands {ratio:,.0f} times "
                f"(limit {MAX_RATIO}); it looks like a zip bomb",
                path=path,
                fix="Do not open this file.",
            )
        total += info.file_size
    if total > max_total:
        raise SourceError(
            f"the archive expands to {total:,} bytes, over the {max_total:,}-byte limit",
            path=path,
            fix=fix,
        )
    if total > SMALL and total / max(size_on_disk, 1) > MAX_RATIO:
        raise SourceError(
            f"the archive expands {total / max(size_on_disk, 1):,.0f} times its size "
            f"(limit {MAX_RATIO}); it looks like a zip bomb",
            path=path,
            fix="Do not open this file.",
        )
    return infos


def read_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    path: str | Path,
    budget: list[int],
    *,
    fix: str,
    keep: bool = True,
) -> bytes:
    """One entry's bytes (or only its check, when not ``keep``), never more than its
    declared size nor ``budget[0]``, which is decreased by what was read."""
    if info.file_size > budget[0]:
        raise SourceError(
            f"'{info.filename}' would take the archive past its size limit "
            f"({info.file_size:,} bytes, {max(budget[0], 0):,} left)",
            path=path,
            fix=fix,
        )
    limit = info.file_size
    chunks: list[bytes] = []
    seen = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(min(_CHUNK, limit + 1 - seen))
                if not chunk:
                    break
                seen += len(chunk)
                if seen > limit:
                    raise SourceError(
                        f"'{info.filename}' expands beyond its declared size",
                        path=path,
                        fix="Do not open this file; it may be a zip bomb.",
                    )
                if keep:
                    chunks.append(chunk)
    except SourceError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ) as err:
        raise SourceError(
            f"cannot read '{info.filename}' from the archive: it is damaged "
            f"({type(err).__name__}: {err})",
            path=path,
            fix=fix,
        ) from None
    budget[0] -= seen
    return b"".join(chunks)


def verify_all(
    archive: zipfile.ZipFile,
    infos: Sequence[zipfile.ZipInfo],
    path: str | Path,
    max_total: int,
    *,
    fix: str,
) -> None:
    """Decompress every entry once, keeping nothing, so damage shows as one error."""
    budget = [max_total]
    for info in infos:
        if not info.is_dir():
            read_entry(archive, info, path, budget, fix=fix, keep=False)
