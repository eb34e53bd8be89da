"""Open a REFI-QDA file safely: a ``.qdpx`` zip, a ``.qdc`` codebook or a bare ``.qde``.

Archives are untrusted. Nothing is ever extracted by its own name: entries are read into
memory, by the names the project XML gives, after these checks, so no entry can land
outside the target folder:

- every entry name is relative and has no ``..`` part (else the archive is refused);
- at most :data:`MAX_ENTRIES` entries and :data:`MAX_TOTAL_BYTES` uncompressed in all
  (1 GiB, media included, which is never read); no entry, nor the whole archive, expands
  more than ``MAX_RATIO`` times (zip bombs); what is read (the project XML and text
  sources) may total :data:`MAX_READ_BYTES`, checked against each entry's declared size
  *before* decompressing it and while reading (see :mod:`casework.util`);
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
from casework.refi._common import local, parse_xml
from casework.util import check_entries, read_entry

MAX_TOTAL_BYTES = 1 << 30
MAX_READ_BYTES = 256 << 20
MAX_ENTRIES = 100_000
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
    budget: list[int] = field(default_factory=lambda: [MAX_READ_BYTES])

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
        raise SourceError(
            f"cannot read the file: {err.strerror or err}", path=path, fix="Check the path."
        ) from None
    with handle:
        head = handle.read(4)
    if head.startswith(b"PK"):
        return _open_zip(path)
    if path.suffix.lower() == ".qdpx":
        raise SourceError(
            "not a zip archive, so not a .qdpx project",
            path=path,
            fix="A .qdpx is a zip of project.qde and sources/; " + _EXPORT_AGAIN,
        )
    data = _read_plain(path)
    root = parse_xml(data, str(path))
    return Opened(path, root, _kind(root, path), bare=True)


def _read_plain(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_READ_BYTES:
        raise SourceError(
            f"the file is {size:,} bytes, over the {MAX_READ_BYTES:,}-byte limit",
            path=path,
            fix="Split the project or remove media.",
        )
    return path.read_bytes()


def _kind(root: Element, path: Path) -> str:
    name = local(root.tag)
    if name == "Project":
        return "project"
    if name == "CodeBook":
        return "codebook"
    raise SourceError(
        f"the XML's root element is <{name}>, not <Project> or <CodeBook>",
        path=path,
        fix="Give casework a REFI-QDA .qdpx, .qdc or .qde file.",
    )


def _open_zip(path: Path) -> Opened:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise SourceError(f"a damaged zip archive ({err})", path=path, fix=_EXPORT_AGAIN) from None
    try:
        infos = check_entries(
            archive,
            path,
            size_on_disk=path.stat().st_size,
            max_total=MAX_TOTAL_BYTES,
            max_entries=MAX_ENTRIES,
            fix=_EXPORT_AGAIN,
        )
        qde = _project_entry(infos, path)
        budget = [MAX_READ_BYTES]
        root = parse_xml(_read_entry(archive, qde, path, budget), f"{path}!{qde.filename}")
        names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:  # files in sources/ win over same-named files elsewhere
            entry = PurePosixPath(info.filename.replace("\\", "/"))
            in_sources = entry.parent.name.lower() == "sources"
            if (
                info is not qde
                and not info.is_dir()
                and (in_sources or entry.name.lower() not in names)
            ):
                names[entry.name.lower()] = info
        return Opened(
            path, root, _kind(root, path), bare=False, names=names, archive=archive, budget=budget
        )
    except BaseException:
        archive.close()
        raise


def _project_entry(infos: list[zipfile.ZipInfo], path: Path) -> zipfile.ZipInfo:
    top = [i for i in infos if i.filename.lower() == "project.qde"]
    anywhere = [i for i in infos if i.filename.lower().endswith(".qde") and not i.is_dir()]
    found = top or (anywhere if len(anywhere) == 1 else [])
    if not found:
        listed = ", ".join(i.filename for i in infos[:8]) + (", …" if len(infos) > 8 else "")
        raise SourceError(
            "the archive has no project.qde"
            + (f" (it holds: {listed})" if infos else " (it is empty)"),
            path=path,
            fix="A .qdpx must hold project.qde at its top; " + _EXPORT_AGAIN,
        )
    return found[0]


def _read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: list[int]
) -> bytes:
    """Read one entry, never more than its declared size nor the remaining budget."""
    return read_entry(archive, info, path, budget, fix=_EXPORT_AGAIN)
