"""Read a REFI-QDA ``Project`` or ``CodeBook`` element tree into plain records.

Tolerant of what real tools write: any namespace (or none), GUIDs in any case and with
or without braces, empty elements, missing optional attributes. Strict where the data
would otherwise be wrong: a ``Coding`` whose ``CodeRef`` names no code in the codebook
is an error that names the coding, the GUID and the selection and source it sits in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from casework.errors import ProjectError
from casework.refi._common import (
    Tally,
    kid,
    kid_text,
    kids,
    local,
    norm_guid,
    parse_variable,
)

SOURCE_KINDS = ("TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource")
_KIND_LABELS = {
    "TextSource": "text sources",
    "PDFSource": "PDF sources",
    "PictureSource": "picture sources",
    "AudioSource": "audio sources",
    "VideoSource": "video sources",
}


@dataclass
class RCode:
    guid: str
    name: str
    parent: str | None
    description: str
    color: str | None


@dataclass
class RCoding:
    guid: str
    code: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class RSelection:
    guid: str
    name: str
    start: int
    end: int
    user: str | None
    created: str | None
    description: str
    codings: list[RCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RSource:
    guid: str
    name: str
    kind: str
    path: str  # plainTextPath (text) or path (media), "" when inline or absent
    content: str | None  # PlainTextContent, when the text is inline
    description: str
    user: str | None
    selections: list[RSelection] = field(default_factory=list)
    whole: list[RCoding] = field(default_factory=list)  # codings of the whole source
    variables: dict[str, Any] = field(default_factory=dict)  # variable guid → value
    notes: list[str] = field(default_factory=list)
    media_codings: int = 0  # codings on pictures, PDF regions, audio/video, transcripts


@dataclass
class RNote:
    guid: str
    name: str
    text: str
    description: str
    user: str | None
    created: str | None


@dataclass
class RCase:
    guid: str
    name: str
    description: str
    variables: dict[str, Any]
    sources: list[str]
    selections: list[str]
    codes: list[str]


@dataclass
class RProject:
    name: str = ""
    origin: str = ""
    user: str | None = None
    users: dict[str, str] = field(default_factory=dict)
    codes: list[RCode] = field(default_factory=list)
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid → (name, kind)
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    notes: dict[str, RNote] = field(default_factory=dict)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (name, origin, target)
    sets: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, member guids)
    note_refs: list[tuple[str, str]] = field(default_factory=list)  # (note, "code 'x'"…)
    found: Tally = field(default_factory=Tally)


def _guid(el: Element, attr: str = "guid") -> str:
    return norm_guid(el.get(attr))


def _int(el: Element, attr: str) -> int:
    try:
        return int(str(el.get(attr, "")).strip())
    except ValueError:
        return -1


def parse(root: Element, kind: str, path: Path) -> RProject:
    """The records of a ``Project`` (``kind="project"``) or ``CodeBook`` element."""
    model = RProject(
        name=root.get("name", ""),
        origin=root.get("origin", ""),
        user=norm_guid(root.get("creatingUserGUID")) or None,
    )
    if kind == "codebook":
        _codes(kid(root, "Codes"), None, model)
        model.found.add("codes", len(model.codes))
        return model
    for user in kids(kid(root, "Users") or Element("x"), "User"):
        model.users[_guid(user)] = user.get("name") or user.get("id") or _guid(user)[:8]
    book = kid(root, "CodeBook")
    _codes(kid(book, "Codes") if book is not None else None, None, model)
    for var in kids(kid(root, "Variables") or Element("x"), "Variable"):
        model.variables[_guid(var)] = (var.get("name", ""), var.get("typeOfVariable", "Text"))
    for case in kids(kid(root, "Cases") or Element("x"), "Case"):
        model.cases.append(_case(case, model))
    for source in kid(root, "Sources") or Element("x"):
        if local(source.tag) in SOURCE_KINDS:
            model.sources.append(_source(source, model, path))
    for note in kids(kid(root, "Notes") or Element("x"), "Note"):
        model.notes[_guid(note)] = _note(note)
    for link in kids(kid(root, "Links") or Element("x"), "Link"):
        model.links.append(
            (link.get("name", ""), _guid(link, "originGUID"), _guid(link, "targetGUID"))
        )
    for item in kids(kid(root, "Sets") or Element("x"), "Set"):
        members = [_guid(m, "targetGUID") for m in item if local(m.tag).startswith("Member")]
        model.sets.append((item.get("name", ""), members))
    for ref in kids(root, "NoteRef"):
        model.note_refs.append((_guid(ref, "targetGUID"), "the project"))
    _count(root, model)
    return model


def _count(root: Element, model: RProject) -> None:
    found = model.found
    found.add("users", len(model.users))
    found.add("codes", len(model.codes))
    found.add("sources", len(model.sources))
    for kind in SOURCE_KINDS:
        n = sum(1 for s in model.sources if s.kind == kind)
        if n:
            found.add(_KIND_LABELS[kind], n)
    found.add("selections", sum(len(s.selections) for s in model.sources if s.kind == "TextSource"))
    found.add("codings", sum(1 for el in root.iter() if local(el.tag) == "Coding"))
    for label, n in (
        ("notes", len(model.notes)),
        ("cases", len(model.cases)),
        ("variables", len(model.variables)),
        ("links", len(model.links)),
        ("sets", len(model.sets)),
        ("graphs", len(list(kids(kid(root, "Graphs") or Element("x"), "Graph")))),
    ):
        found.add(label, n)


def _codes(parent: Element | None, parent_guid: str | None, model: RProject) -> None:
    if parent is None:
        return
    for code in kids(parent, "Code"):
        guid = _guid(code)
        model.codes.append(
            RCode(
                guid,
                code.get("name", ""),
                parent_guid,
                kid_text(code, "Description"),
                code.get("color"),
            )
        )
        for ref in kids(code, "NoteRef"):
            model.note_refs.append((_guid(ref, "targetGUID"), f"code '{code.get('name', '')}'"))
        _codes(code, guid, model)


def _case(case: Element, model: RProject) -> RCase:
    def refs(tag: str) -> list[str]:
        return [_guid(r, "targetGUID") for r in kids(case, tag)]

    return RCase(
        _guid(case),
        case.get("name") or _guid(case)[:8],
        kid_text(case, "Description"),
        _values(case, model),
        refs("SourceRef"),
        refs("SelectionRef"),
        refs("CodeRef"),
    )


def _values(owner: Element, model: RProject) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for value in kids(owner, "VariableValue"):
        ref = kid(value, "VariableRef")
        target = _guid(ref, "targetGUID") if ref is not None else ""
        kind = model.variables.get(target, ("", "Text"))[1]
        for child in value:
            if local(child.tag).endswith("Value") and child.text and child.text.strip():
                out[target] = parse_variable(kind, child.text)
    return out


def _note(note: Element) -> RNote:
    text = kid_text(note, "PlainTextContent")
    return RNote(
        _guid(note),
        note.get("name", ""),
        text,
        kid_text(note, "Description"),
        norm_guid(note.get("creatingUser")) or None,
        note.get("creationDateTime"),
    )


def _codings(owner: Element, model: RProject, where: str, path: Path) -> list[RCoding]:
    known = {c.guid for c in model.codes}
    out = []
    for coding in kids(owner, "Coding"):
        ref = kid(coding, "CodeRef")
        target = _guid(ref, "targetGUID") if ref is not None else ""
        if target not in known:
            raise ProjectError(
                f"the coding {coding.get('guid', '(no guid)')} on {where} refers to code "
                + (f"{ref.get('targetGUID')}" if ref is not None else "(no CodeRef)")
                + ", which is not in the codebook",
                path=path,
                field="CodeRef",
                fix="The export is incomplete; export it again, or remove that coding.",
            )
        out.append(
            RCoding(
                _guid(coding),
                target,
                norm_guid(coding.get("creatingUser")) or None,
                coding.get("creationDateTime"),
                [_guid(n, "targetGUID") for n in kids(coding, "NoteRef")],
            )
        )
    return out


def _source(el: Element, model: RProject, path: Path) -> RSource:
    kind = local(el.tag)
    named_path = el.get("plainTextPath") or el.get("path") or ""
    name = el.get("name") or Path(named_path.split("//")[-1]).stem or _guid(el)[:8]
    where = f"{kind} '{name}' ({el.get('guid')})"
    content = kid(el, "PlainTextContent")
    source = RSource(
        guid=_guid(el),
        name=name,
        kind=kind,
        path=el.get("plainTextPath") or el.get("path") or "",
        content=(content.text or "") if content is not None else None,
        description=kid_text(el, "Description"),
        user=norm_guid(el.get("creatingUser")) or None,
        variables=_values(el, model),
        whole=_codings(el, model, where, path),
        notes=[_guid(n, "targetGUID") for n in kids(el, "NoteRef")],
    )
    for child in el.iter():
        tag = local(child.tag)
        if child is el or not tag.endswith("Selection"):
            continue
        sel_where = f"{tag} '{child.get('name', '')}' ({child.get('guid')}) in {where}"
        codings = _codings(child, model, sel_where, path)
        if kind == "TextSource" and tag == "PlainTextSelection":
            source.selections.append(
                RSelection(
                    _guid(child),
                    child.get("name", ""),
                    _int(child, "startPosition"),
                    _int(child, "endPosition"),
                    norm_guid(child.get("creatingUser")) or None,
                    child.get("creationDateTime"),
                    kid_text(child, "Description"),
                    codings,
                    [_guid(n, "targetGUID") for n in kids(child, "NoteRef")],
                )
            )
        else:
            source.media_codings += len(codings)
    if kind != "TextSource":
        source.media_codings += len(source.whole)
        source.whole = []
    return source
