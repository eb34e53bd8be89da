"""The chapter plan: the ``[chapters]`` section of ``casework.toml``, checked.

A plan says which cases get a chapter and in what order, the sections of a case
chapter and the codes that feed each, how quotes are labelled (by role, never by
name) and the sections of the cross-case chapter. Every code, case and field is
checked against the project, and a bad one names ``casework.toml`` and the field.
Without a ``[chapters]`` section the plan is one section per top-level theme.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casework.chapters._wording import readable
from casework.config import CONFIG_FILE
from casework.errors import ConfigError, UnknownName

LABEL_FIELDS = ("role", "role_group", "case_id", "participant_id")
"""What a quote label may show. ``name`` is never one of them."""

DEFAULT_TITLE = "Case study {case_id}: {title}"
DEFAULT_LABEL = "{role}, Case {case_id}"
DEFAULT_CROSS_TITLE = "Across the cases"
DEFAULT_CONCLUSIONS = "Conclusions"
CASE_FIGURES = ("coverage",)
"""Figures a case chapter can show in its body: ``coverage`` (participants × themes)."""
CROSS_FIGURES = ("cases",)
"""Figures the cross-case chapter can show in its body: ``cases`` (cases × elements)."""


@dataclass(frozen=True)
class Section:
    """One heading of a chapter and the codes (with their sub-codes) that feed it."""

    title: str
    codes: tuple[str, ...]
    subsections: bool = False  # one sub-heading per child code of each code
    quotes: int | None = None  # overrides the plan's quotes per section


@dataclass(frozen=True)
class ChapterPlan:
    """Which chapters to write and what goes in each."""

    cases: tuple[str, ...]
    sections: tuple[Section, ...]
    title: str = DEFAULT_TITLE
    context: tuple[tuple[str, str], ...] = ()  # (cases.csv column, label)
    quote_label: str = DEFAULT_LABEL
    quotes: int = 3
    drafts: bool = False
    cross_title: str = DEFAULT_CROSS_TITLE
    cross_sections: tuple[Section, ...] = ()
    cross_quotes: int = 1  # per case, per section
    coders: tuple[str, ...] = ()  # whose codings and summaries feed the chapters; () = all
    figures: tuple[str, ...] = ()  # case-chapter figures shown in the body (else appendix)
    cross_figures: tuple[str, ...] = ()  # cross-case figures shown in the body
    appendix: bool = True  # an appendix with the interviews and the figures not in the body
    conclusions: Section | None = None  # cross-case: study-wide summaries of these codes
    author: str = ""  # the Word chapters' author line
    date: str = ""  # their date line (default: the day they are built)

    def case_title(self, case: Mapping[str, Any]) -> str:
        """The case chapter's title, filled from the case's row of cases.csv."""
        return self.title.format_map(_Blank(case))

    def label(self, values: Mapping[str, Any]) -> str:
        """How a quote is attributed, e.g. ``Head Teacher, Case A``."""
        return self.quote_label.format_map(_Blank(values)).strip(" ,")


class _Blank(dict):  # type: ignore[type-arg]
    """Formatting values where a missing or empty field shows as nothing."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        super().__init__({k: "" if _missing(v) else v for k, v in values.items()})

    def __missing__(self, key: str) -> str:
        return ""


def _missing(value: Any) -> bool:
    try:
        return value is None or value != value  # NaN
    except (TypeError, ValueError):
        return False


def load_plan(project: Any) -> ChapterPlan:
    """The project's chapter plan, every code, case and field checked."""
    raw = project.config.get("chapters")
    where = _Where(Path(project.root) / CONFIG_FILE)
    if raw is None:
        return default_plan(project)
    if not isinstance(raw, Mapping):
        raise where.error("[chapters] must be a table", "chapters")
    known_codes = [str(c) for c in project.codes["code_id"]]
    case_ids = [str(c) for c in project.cases["case_id"]]
    sections = _sections(raw.get("sections"), "chapters.sections", known_codes, where)
    if not sections:
        sections = _top_level_sections(project)
    cross = raw.get("cross_case", {})
    if not isinstance(cross, Mapping):
        raise where.error("[chapters.cross_case] must be a table", "chapters.cross_case")
    cross_sections = _sections(
        cross.get("sections"), "chapters.cross_case.sections", known_codes, where
    ) or _top_level_sections(project, True)
    plan = ChapterPlan(
        cases=_cases(raw.get("cases"), case_ids, where),
        sections=sections,
        title=_text(raw, "title", DEFAULT_TITLE, "chapters", where),
        context=_context(raw.get("context"), list(project.cases.columns), where),
        quote_label=_label(raw.get("quote_label", DEFAULT_LABEL), where),
        quotes=_count(raw, "quotes", 3, "chapters", where),
        drafts=_flag(raw, "drafts", False, "chapters", where),
        cross_title=_text(cross, "title", DEFAULT_CROSS_TITLE, "chapters.cross_case", where),
        cross_sections=cross_sections,
        cross_quotes=_count(cross, "quotes", 1, "chapters.cross_case", where),
        coders=_coders(raw.get("coders", []), where),
        figures=_figures(raw, CASE_FIGURES, "chapters", where),
        cross_figures=_figures(cross, CROSS_FIGURES, "chapters.cross_case", where),
        appendix=_flag(raw, "appendix", True, "chapters", where),
        conclusions=_conclusions(cross.get("conclusions"), known_codes, where),
        author=_text(raw, "author", "-", "chapters", where).strip("-").strip(),
        date=_text(raw, "date", "-", "chapters", where).strip("-").strip(),
    )
    _check_title(plan.title, list(project.cases.columns), where)
    return plan


def default_plan(project: Any) -> ChapterPlan:
    """A plan for a project without ``[chapters]``: one section per top-level theme."""
    columns = [c for c in project.cases.columns if c not in ("case_id", "title")]
    return ChapterPlan(
        cases=tuple(str(c) for c in project.cases["case_id"]),
        sections=_top_level_sections(project),
        title=DEFAULT_TITLE if "title" in project.cases.columns else "Case study {case_id}",
        context=tuple((c, readable(c)) for c in columns),
        cross_sections=_top_level_sections(project, True),
    )


def _top_level_sections(project: Any, subsections: bool = False) -> tuple[Section, ...]:
    codes = project.codes
    top = codes[codes["parent_id"].isna()]
    return tuple(Section(str(r.name), (str(r.code_id),), subsections) for r in top.itertuples())


# --------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class _Where:
    path: Path

    def error(self, message: str, field: str, fix: str | None = None) -> ConfigError:
        return ConfigError(message, path=self.path, field=field, fix=fix)


def _coders(raw: Any, where: _Where) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise where.error("coders must be a list of coder names", "chapters.coders")
    return tuple(raw)


def _figures(
    raw: Mapping[str, Any], known: Sequence[str], field: str, where: _Where
) -> tuple[str, ...]:
    value = raw.get("figures", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        raise where.error(
            "figures must be a list of figure names",
            f"{field}.figures",
            f'Write figures = ["{known[0]}"], or figures = [] to keep figures in the appendix.',
        )
    for name in value:
        if name not in known:
            raise UnknownName("figure", name, known, path=where.path, field=f"{field}.figures")
    return tuple(dict.fromkeys(value))


def _conclusions(raw: Any, known: Sequence[str], where: _Where) -> Section | None:
    """``[chapters.cross_case.conclusions]``: title and the codes whose study-wide
    summaries (row ``study``) make the conclusions."""
    if raw is None:
        return None
    field = "chapters.cross_case.conclusions"
    if not isinstance(raw, Mapping):
        raise where.error(
            "conclusions must be a table",
            field,
            f'Write [{field}] with title = "Conclusions" and codes = ["…"].',
        )
    return _sections([{"title": DEFAULT_CONCLUSIONS, **raw}], field, known, where)[0]


def _sections(raw: Any, field: str, known: Sequence[str], where: _Where) -> tuple[Section, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, Mapping) for s in raw):
        raise where.error(
            "sections must be an array of tables",
            field,
            f"Write each section as [[{field}]] with title and codes.",
        )
    out, titles = [], set()
    for i, entry in enumerate(raw):
        here = f"{field}[{i}]"
        title = _text(entry, "title", None, here, where)
        if title in titles:
            raise where.error(
                f"two sections are titled '{title}'",
                f"{here}.title",
                "Give each section its own title.",
            )
        titles.add(title)
        codes = entry.get("codes")
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            raise where.error(
                "codes must be a non-empty list of code ids",
                f"{here}.codes",
                'Write codes = ["impact"] (the ids in the codebook).',
            )
        for code in codes:
            if code not in known:
                raise _unknown_code(code, known, where, f"{here}.codes")
        quotes = _count(entry, "quotes", None, here, where) if "quotes" in entry else None
        out.append(
            Section(title, tuple(codes), _flag(entry, "subsections", False, here, where), quotes)
        )
    return tuple(out)


def _unknown_code(code: str, known: Sequence[str], where: _Where, field: str) -> ConfigError:
    close = difflib.get_close_matches(code, known, n=3, cutoff=0.6)
    hint = f"Did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return where.error(
        f"unknown code '{code}'",
        field,
        f"{hint}Use code ids from the codebook named under [project].",
    )


def _cases(raw: Any, known: Sequence[str], where: _Where) -> tuple[str, ...]:
    if raw is None:
        return tuple(known)
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise where.error(
            "cases must be a list of case ids",
            "chapters.cases",
            'Write cases = ["A", "B"] (ids from cases.csv).',
        )
    for case in raw:
        if case not in known:
            raise UnknownName("case", case, known, path=where.path, field="chapters.cases")
    if len(set(raw)) != len(raw):
        raise where.error("a case is listed twice", "chapters.cases", "List each case once.")
    return tuple(raw)


def _context(raw: Any, columns: Sequence[str], where: _Where) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return tuple((c, readable(c)) for c in columns if c not in ("case_id", "title"))
    if isinstance(raw, list):
        raw = {c: readable(str(c)) for c in raw}
    if not isinstance(raw, Mapping):
        raise where.error("context must be a table of cases.csv column = label", "chapters.context")
    for column in raw:
        if column not in columns:
            raise UnknownName(
                "cases.csv column", column, columns, path=where.path, field="chapters.context"
            )
    return tuple((str(k), str(v)) for k, v in raw.items())


def _fields(template: str, field: str, where: _Where) -> list[str]:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as err:
        raise where.error(
            f"bad template: {err}", field, "Use {field} placeholders; write {{ and }} for braces."
        ) from None


def _label(raw: Any, where: _Where) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise where.error(
            "quote_label must be text",
            "chapters.quote_label",
            f'Write quote_label = "{DEFAULT_LABEL}".',
        )
    for name in _fields(raw, "chapters.quote_label", where):
        if name not in LABEL_FIELDS:
            raise ConfigError(
                f"quote labels may not show '{{{name}}}'"
                + (": participants are never named in chapters" if name == "name" else ""),
                path=where.path,
                field="chapters.quote_label",
                fix=f"Use only {', '.join('{' + f + '}' for f in LABEL_FIELDS)}.",
            )
    return raw


def _check_title(title: str, columns: Sequence[str], where: _Where) -> None:
    for name in _fields(title, "chapters.title", where):
        if name not in columns:
            raise UnknownName(
                "cases.csv column", name, columns, path=where.path, field="chapters.title"
            )


def _text(raw: Mapping[str, Any], key: str, default: str | None, field: str, where: _Where) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise where.error(f"{key} must be non-empty text", f"{field}.{key}")
    return value.strip()


def _count(raw: Mapping[str, Any], key: str, default: Any, field: str, where: _Where) -> Any:
    value = raw.get(key, default)
    if value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 50:
        raise where.error(f"{key} must be a whole number from 0 to 50", f"{field}.{key}")
    return value


def _flag(raw: Mapping[str, Any], key: str, default: bool, field: str, where: _Where) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise where.error(f"{key} must be true or false", f"{field}.{key}")
    return value
