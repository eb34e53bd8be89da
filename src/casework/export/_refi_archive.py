"""Open a REFI-QDA file safely: a ``.qdpx`` zip, a ``.qdc`` codebook or a bare ``.qde``.

Archives are untrusted. Nothing is ever extracted by its own name: entries are read into
memory, by the names the project XML gives, after these checks, so no entry can land
outside the target folder:

- every entry name is relative and has no ``..`` part (else the archive is refused);
- at most :data:`MAX_ENTRIES` entries and :data:`MAX_TOTAL_BYTES` uncompressed in all
  (1 GiB), and no entry expands more than :data:`MAX_RATIO` times (zip bombs); sizes are
  checked while reading too, not just trusted from the headers;
- the XML is parsed without DTDs, entities or external references.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from xml.etree.ElementTree import Element

from casework.errors import SourceError
from casework.export._refi_common import local, parse_xml

MAX_TOTAL_BYTES = 1 << 30
MAX_RATIO = 200
MAX_ENTRIES = 100_000
_SMALL = 1 << 20  # entries below 1 MiB may compress any amount (XML of empty elements)
_SCHEMES = re.compile(r"^(internal|relative|absolute|file)://", re.IGNORECASE)
_EXPORT_AGAIN = "Export the project again from its program (File → Export → REFI-QDA)."


@dataclass
class Opened:
    """A parsed REFI file: its root element, kind, and the archive's files, if any."""

    path: Path
    root: Element
    kind: str  # "project" or "codebook"
    bare: bool  # a project without its sources (a .qde on its own)
    names: dict[str, zipfile.ZipInfo] = field(default_factory=dict)  # lower-case base name
    archive: zipfile.ZipFile | None = None
    budget: list[int] = field(default_factory=lambda: [MAX_TOTAL_BYTES])

    def read_source(self, ref: str) -> bytes | None:
        """The bytes of a source file a path in the XML names, or None when absent.

        ``internal://x.txt``, ``x.txt`` and ``sources/x.txt`` all name ``sources/x.txt``
        (any letter case); ``relative://`` and ``absolute://`` files are outside the
        archive and never read.
        """
        if self.archive is None:
            return None
        scheme = _SCHEMES.match(ref.strip())
        if scheme and scheme.group(1).lower() != "internal":
            return None
        name = _SCHEMES.sub("", ref.strip()).replace("\\", "/")
        info = self.names.get(PurePosixPath(name).name.lower())
        if info is None:
            return None
        return _read_entry(self.archive, info, self.path, self.budget)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def open_refi(path: str | Path) -> Opened:
    """Open ``path`` (.qdpx, .qdc or .qde, told apart by content), or raise SourceError."""
    path = Path(path)
    try:
        handle: BinaryIO = path.open("rb")
    except OSError as err:
        raise SourceError(f"cannot read the file: {err.strerror or err}", path=path,
                          fix="Check the path.") from None  # fmt: skip
    with handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        return _open_zip(path)
    if path.suffix.lower() == ".qdpx":
        raise SourceError(
            "not a zip archive, so not a .qdpx project", path=path,
            fix="A .qdpx is a zip of project.qde and sources/; " + _EXPORT_AGAIN,
        )  # fmt: skip
    data = _read_plain(path)
    root = parse_xml(data, str(path))
    return Opened(path, root, _kind(root, path), bare=True)


def _read_plain(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_TOTAL_BYTES:
        raise SourceError(f"the file is {size:,} bytes, over the {MAX_TOTAL_BYTES:,}-byte "
                          "limit", path=path, fix="Split the project or remove media.")  # fmt: skip
    return path.read_bytes()


def _kind(root: Element, path: Path) -> str:
    name = local(root.tag)
    if name == "Project":
        return "project"
    if name == "CodeBook":
        return "codebook"
    raise SourceError(
        f"the XML's root element is <{name}>, not <Project> or <CodeBook>", path=path,
        fix="Give casework a REFI-QDA .qdpx, .qdc or .qde file.",
    )  # fmt: skip


def _open_zip(path: Path) -> Opened:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise SourceError(f"a damaged zip archive ({err})", path=path, fix=_EXPORT_AGAIN) from None
    try:
        infos = _checked_entries(archive, path)
        qde = _project_entry(infos, path)
        budget = [MAX_TOTAL_BYTES]
        root = parse_xml(_read_entry(archive, qde, path, budget), f"{path}!{qde.filename}")
        names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:  # files in sources/ win over same-named files elsewhere
            entry = PurePosixPath(info.filename.replace("\\", "/"))
            in_sources = entry.parent.name.lower() == "sources"
            if info is not qde and not info.is_dir() and (in_sources or entry.name.lower()
                                                          not in names):  # fmt: skip
                names[entry.name.lower()] = info
        return Opened(path, root, _kind(root, path), bare=False, names=names, archive=archive,
                      budget=budget)  # fmt: skip
    except BaseException:
        archive.close()
        raise


def _checked_entries(archive: zipfile.ZipFile, path: Path) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise SourceError(f"the archive holds {len(infos):,} entries (limit {MAX_ENTRIES:,})",
                          path=path, fix=_EXPORT_AGAIN)  # fmt: skip
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise SourceError(
                f"the archive entry '{info.filename}' points outside its folder "
                "(an absolute path or '..'); casework refuses such archives",
                path=path, fix="Do not import this file; ask its sender for a clean export.",
            )  # fmt: skip
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _SMALL and ratio > MAX_RATIO:
            raise SourceError(
                f"the archive entry '{info.filename}' expands {ratio:,.0f} times "
                f"(limit {MAX_RATIO}); it looks like a zip bomb", path=path,
                fix="Do not import this file.",
            )  # fmt: skip
    if total > MAX_TOTAL_BYTES:
        raise SourceError(
            f"the archive expands to {total:,} bytes, over the {MAX_TOTAL_BYTES:,}-byte limit",
            path=path, fix="Export without media files, or split the project.",
        )  # fmt: skip
    return infos


def _project_entry(infos: list[zipfile.ZipInfo], path: Path) -> zipfile.ZipInfo:
    top = [i for i in infos if i.filename.lower() == "project.qde"]
    anywhere = [i for i in infos if i.filename.lower().endswith(".qde") and not i.is_dir()]
    found = top or (anywhere if len(anywhere) == 1 else [])
    if not found:
        listed = ", ".join(i.filename for i in infos[:8]) + (", …" if len(infos) > 8 else "")
        raise SourceError(
            "the archive has no project.qde" + (f" (it holds: {listed})" if infos else
                                                " (it is empty)"),
            path=path, fix="A .qdpx must hold project.qde at its top; " + _EXPORT_AGAIN,
        )  # fmt: skip
    return found[0]


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                budget: list[int]) -> bytes:  # fmt: skip
    """Read one entry, never more than its declared size nor the remaining budget."""
    limit = min(info.file_size, budget[0])
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as err:
        raise SourceError(f"cannot read '{info.filename}' from the archive ({err})",
                          path=path, fix=_EXPORT_AGAIN) from None  # fmt: skip
    if len(data) > limit:
        raise SourceError(
            f"'{info.filename}' expands beyond its declared size or the size limit",
            path=path, fix="Do not import this file; it may be a zip bomb.",
        )  # fmt: skip
    budget[0] -= len(data)
    return data
