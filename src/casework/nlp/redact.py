"""A pseudonymised copy of a project, with the key kept beside it.

``redact_project(src, dest, names)`` copies a project folder and, on the way, replaces
names from the researcher's list (and every transcript's front-matter ``name``), e-mail
addresses, UK phone numbers and postcodes, and PERSON/ORG/GPE entities when the project's
pipeline has NER, by pseudonyms that are the same everywhere ("Person 1", "Place 2").
Codings are carried over: their offsets, quotes and context are rewritten for the new text.
The key (original → pseudonym) is written to ``<dest>.key.csv``, beside the copy and never
inside it. Files that are not text are copied unchanged; notebooks lose their outputs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from casework.errors import CaseworkError, ProjectError
from casework.nlp._pseudonyms import Edit, Entity, Pseudonymiser, map_offset, read_names
from casework.util import to_csv_safe

SKIP_DIRS = {
    ".git",
    ".casework",
    "exports",
    ".venv",
    "venv",
    "__pycache__",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".hypothesis",
    "node_modules",
    ".mypy_cache",
    ".ruff_cache",
}
TEXT_SUFFIXES = {".md", ".txt", ".csv", ".tsv", ".yaml", ".yml", ".toml", ".json", ".html"}
KEPT_KEYS = {
    "eid",
    "id",
    "target",
    "event",
    "coder",
    "at",
    "batch",
    "sha",
    "doc",
    "code",
    "start",
    "end",
    "source",
    "confidence",
    "status",
    "case",
    "theme",
    "row",
}
NAMES_FILE = "redact.txt"


@dataclass
class RedactionResult:
    """What :func:`redact_project` wrote."""

    dest: Path
    key_path: Path
    key: pd.DataFrame
    documents: int = 0
    replacements: int = 0
    codings: int = 0  # codings in the copy (after every uncode and undo), all coders
    rejections: int = 0  # rejected suggestions in the copy
    orphans: int = 0  # events whose quote could not be found (their text was redacted only)
    renamed: int = 0  # transcripts whose file name carried a name (new name and doc id)
    dropped_lines: int = 0  # log lines that were not JSON (left out of the copy)
    converted: list[str] = field(default_factory=list)  # .docx/.vtt/.srt written as .md
    ner: bool = False


@dataclass
class _Doc:
    old: str
    new: str
    edits: list[Edit]
    doc_id: str = ""  # the document's id in the copy


def redact_project(
    src_root: str | Path,
    dest_root: str | Path,
    names: Iterable[str] | str | Path | None = None,
    *,
    patterns: bool = True,
    ner: bool = True,
    nlp: Any = None,
) -> RedactionResult:
    """Write a pseudonymised copy of the project at ``src_root`` to ``dest_root``.

    ``names``: a names file (default ``<src>/redact.txt`` if it exists) or lines in its
    format (see :func:`casework.nlp._pseudonyms.read_names`). ``patterns`` hides e-mail
    addresses, UK phone numbers and postcodes; ``ner`` uses the pipeline's entities if it
    has NER (the default offline pipeline has none). ``nlp`` overrides the pipeline.
    """
    src, dest = Path(src_root).resolve(), Path(dest_root).resolve()
    key_path = dest.with_name(dest.name + ".key.csv")
    _check_folders(src, dest, key_path)
    names_path, entities = _entities(src, names)
    model = _ner_pipeline(src, nlp) if ner else None
    transcripts = _transcripts(src)
    pz = Pseudonymiser(_people(src, entities), patterns=patterns)
    result = RedactionResult(dest, key_path, pd.DataFrame(), ner=model is not None)
    dest.mkdir(parents=True, exist_ok=True)
    new_paths = _new_paths(src, transcripts, pz, result)
    docs = {
        doc_id: _redact_transcript(src, dest, path, new_paths[doc_id], pz, model, result)
        for doc_id, path in transcripts.items()
    }
    handled = set(transcripts.values()) | ({names_path} if names_path else set())
    for path in _files(src):
        if path not in handled:
            _copy(src, dest, path, pz, docs, result)
    _count(dest, result)
    result.key = pz.key()
    result.replacements = int(result.key["occurrences"].sum())
    _write_private(key_path, to_csv_safe(result.key) or "")
    return result


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (mode 0600), whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)


def _count(dest: Path, result: RedactionResult) -> None:
    """The codings and rejections the copy's logs add up to (not log lines)."""
    from casework.store import FileStore, replay

    try:
        events = FileStore(dest).read("codings").frame
    except CaseworkError:
        return
    if len(events):
        state = replay(events)
        result.codings, result.rejections = len(state.codings), len(state.rejections)


def _people(src: Path, listed: list[Entity]) -> list[Entity]:
    """The names list, plus every person the project knows (front matter ``name``,
    ``.docx`` author, private fields, named speakers), each with its parts as variants
    so that "Priya" and "Raman" get the same pseudonym as "Priya Raman"."""
    from types import SimpleNamespace

    from casework.privacy import project_names
    from casework.sources import load_corpus

    corpus = load_corpus(src)
    found = project_names(
        SimpleNamespace(private=corpus.private, speakers=corpus.speakers, root=None)
    )
    known = {v for e in listed for v in e.variants}
    people: dict[str, list[str]] = {}
    for value in found:
        for person in value.replace(" and ", ",").split(","):
            name = " ".join(person.split())
            if len(name) > 1 and "@" not in name and name not in known:
                people.setdefault(name, [name])
    singles = [n for n in people if " " not in n]
    for name in [n for n in people if " " in n]:
        for part in name.split():
            if len(part) > 1 and part[0].isupper() and part not in known:
                people[name].append(part)
                if part in singles:
                    people.pop(part, None)
    entities = [
        Entity("person", name, tuple(dict.fromkeys(v)), "project") for name, v in people.items()
    ]
    return listed + entities


def _new_paths(
    src: Path, transcripts: dict[str, Path], pz: Pseudonymiser, result: RedactionResult
) -> dict[str, Path]:
    """Each transcript's path in the copy: folders redacted like any text; a file name
    that carries a name becomes D01, D02… (so its document id does too)."""
    forms = {form.lower() for form in pz.name_forms()}
    out: dict[str, Path] = {}
    number = 0
    taken: set[Path] = set()
    for doc_id, path in transcripts.items():
        rel = path.relative_to(src)
        folders = [pz.redact(part)[0] for part in rel.parts[:-1]]
        stem = path.stem
        words = {w.lower() for w in re.split(r"[\W_]+", stem) if w}
        if words & forms or any(f in stem.lower() for f in forms if " " in f):
            number += 1
            while Path(*folders, f"D{number:02d}{path.suffix}") in taken:
                number += 1
            stem = f"D{number:02d}"
            result.renamed += 1
        new = Path(*folders, stem + path.suffix)
        taken.add(new)
        out[doc_id] = new
    return out


def _check_folders(src: Path, dest: Path, key_path: Path) -> None:
    if not src.is_dir() or not ((src / "casework.toml").exists() or (src / "transcripts").is_dir()):
        raise ProjectError(
            "not a casework project folder",
            path=src,
            fix="Give the folder that holds casework.toml and transcripts/.",
        )
    if dest == src or src in dest.parents or dest in src.parents:
        raise ProjectError(
            "the copy must be outside the project (and not contain it)",
            path=dest,
            fix="Choose a destination folder next to the project, not in it.",
        )
    if dest.exists() and any(dest.iterdir()):
        raise ProjectError(
            "the destination folder is not empty",
            path=dest,
            fix="Choose a new folder, or empty this one first.",
        )
    if key_path.exists():
        raise ProjectError(
            "a key file is already there",
            path=key_path,
            fix="Move the old key somewhere safe first; it is never overwritten.",
        )


def _entities(
    src: Path, names: Iterable[str] | str | Path | None
) -> tuple[Path | None, list[Entity]]:
    if names is None:
        default = src / NAMES_FILE
        names = default if default.exists() else []
    if isinstance(names, (str, Path)):
        path = Path(names)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except OSError as err:
            raise CaseworkError(
                f"cannot read the names list: {err.strerror or err}",
                path=path,
                fix="Give a UTF-8 text file with one name a line.",
            ) from err
        return path.resolve(), read_names(lines, path)
    return None, read_names(list(names))


def _ner_pipeline(src: Path, nlp: Any) -> Any:
    from casework.config import read_config
    from casework.nlp.pipeline import DEFAULT, load_pipeline

    if nlp is None:
        name = read_config(src).get("nlp", {}).get("pipeline", DEFAULT)
        if name in (None, "", DEFAULT):
            return None  # the offline default has no NER
        nlp = load_pipeline(str(name), fallback=True)
    return nlp if "ner" in nlp.pipe_names else None


def _transcripts(src: Path) -> dict[str, Path]:
    from casework.sources import doc_id_for, transcript_files

    return {doc_id_for(src, path): path for path in transcript_files(src)}


def _redact_transcript(
    src: Path,
    dest: Path,
    path: Path,
    rel: Path,
    pz: Pseudonymiser,
    nlp: Any,
    result: RedactionResult,
) -> _Doc:
    from casework.sources import doc_id_for, read_source

    source = read_source(path)
    from casework.nlp.pipeline import pipe_texts

    entities = (
        [(e.start_char, e.end_char, e.label_) for e in next(pipe_texts(nlp, [source.text])).ents]
        if nlp
        else []
    )
    new, edits = pz.redact(source.text, entities)
    if path.suffix.lower() not in (".md", ".txt"):  # a format we cannot write back
        rel = rel.with_suffix(".md")
        result.converted.append(str(rel))
    # Front matter rewritten from the attributes: metadata that names people (author,
    # the private fields, a .docx title) is left out; a header line's date stays.
    out = _with_front(_attributes_yaml(source.attributes, pz), new)
    target = dest / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(out, encoding="utf-8")
    if read_source(target).text != new:
        raise CaseworkError(
            "the redacted transcript does not read back as written",
            path=target,
            fix="This is a bug in casework; please report it.",
        )
    result.documents += 1
    return _Doc(source.text, new, edits, doc_id_for(dest, target))


def _with_front(front: str | None, body: str) -> str:
    if front is None:
        return body + "\n"
    return f"---\n{front.strip(chr(10))}\n---\n\n{body}\n"


#: Attributes never copied: they name people or the original file.
STRIPPED = {"author", "private", "title"}


def _attributes_yaml(attributes: dict[str, Any], pz: Pseudonymiser) -> str | None:
    import yaml

    kept = {k: v for k, v in attributes.items() if k not in STRIPPED}
    plain = {k: _redact_value(v, pz) for k, v in kept.items()}
    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True) if plain else None


def _files(src: Path) -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        out += [Path(folder) / f for f in sorted(files) if not f.endswith(".key.csv")]
    return out


def _copy(
    src: Path,
    dest: Path,
    path: Path,
    pz: Pseudonymiser,
    docs: dict[str, _Doc],
    result: RedactionResult,
) -> None:
    rel = path.relative_to(src)
    target = dest / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".jsonl" and rel.parts[0] in ("codings", "summaries"):
        target.write_text(_redact_log(path, pz, docs, result), encoding="utf-8")
    elif suffix == ".ipynb":
        target.write_text(_redact_notebook(path, pz), encoding="utf-8")
    elif suffix in TEXT_SUFFIXES and _is_text(path):
        text = path.read_text(encoding="utf-8-sig")
        target.write_text(
            _redact_csv(text, pz) if suffix == ".csv" else pz.redact(text)[0], encoding="utf-8"
        )
    else:
        shutil.copy2(path, target)


def _is_text(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError):
        return False
    return True


def _redact_csv(text: str, pz: Pseudonymiser) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, row in enumerate(rows):
        writer.writerow(row if number == 0 else [pz.redact(cell)[0] for cell in row])
    return out.getvalue()


def _redact_log(
    path: Path, pz: Pseudonymiser, docs: dict[str, _Doc], result: RedactionResult
) -> str:
    from casework.store import encode_records

    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            result.dropped_lines += 1  # a torn or broken line could hold anything
            continue
        if not isinstance(record, dict):
            result.dropped_lines += 1
            continue
        records.append(_redact_event(record, pz, docs, result))
    return encode_records(records).decode("utf-8")


def _redact_event(
    record: dict[str, Any], pz: Pseudonymiser, docs: dict[str, _Doc], result: RedactionResult
) -> dict[str, Any]:
    moved = False
    doc = docs.get(str(record.get("doc")))
    if doc is not None:
        record["doc"] = doc.doc_id  # the document may have a new name in the copy
    if record.get("event") in ("code", "reject") and doc is not None:
        moved = _move_span(record, doc)
        result.orphans += not moved
    skip = KEPT_KEYS | ({"quote", "prefix", "suffix"} if moved else set())
    return {k: _redact_value(v, pz) if k not in skip else v for k, v in record.items()}


def _move_span(record: dict[str, Any], doc: _Doc) -> bool:
    from casework.store import Anchor, make_anchor, reanchor, text_sha

    try:
        start, end = int(record["start"]), int(record["end"])
    except (KeyError, TypeError, ValueError):
        return False
    quote = record.get("quote")
    if isinstance(quote, str) and doc.old[start:end] != quote:
        found = reanchor(
            doc.old,
            Anchor(
                start, end, quote, str(record.get("prefix") or ""), str(record.get("suffix") or "")
            ),
        )
        if found is None:
            return False
        start, end = found
    new_start, new_end = map_offset(doc.edits, start), map_offset(doc.edits, end, end=True)
    anchor = make_anchor(doc.new, new_start, new_end)
    record.update(start=new_start, end=new_end, quote=anchor.quote)
    if "prefix" in record or record.get("event") == "code":
        record.update(prefix=anchor.prefix, suffix=anchor.suffix)
    if "sha" in record:
        record["sha"] = text_sha(doc.new)
    return True


def _redact_value(value: Any, pz: Pseudonymiser) -> Any:
    if isinstance(value, str):
        return pz.redact(value)[0]
    if isinstance(value, list):
        return [_redact_value(v, pz) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, pz) for k, v in value.items()}
    return value


def _redact_notebook(path: Path, pz: Pseudonymiser) -> str:
    try:
        book = json.loads(path.read_text(encoding="utf-8"))
        cells = book["cells"]
    except (json.JSONDecodeError, KeyError, TypeError, UnicodeDecodeError) as err:
        raise CaseworkError(
            f"cannot read the notebook ({err})",
            path=path,
            fix="Repair or remove the notebook, then redact again.",
        ) from err
    for cell in cells:
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell["source"] = pz.redact(text)[0].splitlines(keepends=True)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return json.dumps(book, indent=1, ensure_ascii=False) + "\n"
