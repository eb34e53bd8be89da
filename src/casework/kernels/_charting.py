"""The vectorised core under every matrix: rows, columns and coded spans as arrays.

:func:`chart` turns tables into a :class:`Charting`: the selected documents in row
order, the matrix columns (codes, each rolled up with its descendants) and one entry
per (coding, column) pair as parallel numpy arrays. Every cell kind is then a few
``bincount``/``accumulate`` calls over those arrays, so a million codings chart in
about the time pandas takes to pivot them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casework.codebook import code_tree
from casework.errors import ProjectError, UnknownName
from casework.tables import TablesLike

ROW_KINDS = ("participant", "case")
MISSING = "(missing)"
PRIVATE_ATTRIBUTES = frozenset({"name"})


@dataclass
class Charting:
    """Selected documents, matrix rows and columns, and the coded spans behind cells."""

    codebook: pd.DataFrame  # every code, in display order
    docs: pd.DataFrame  # selected documents, rows contiguous, positional index
    rows: pd.Index  # row labels
    row_of_doc: np.ndarray  # row position of each doc
    columns: list[str]  # code ids
    doc: np.ndarray  # per (coding, column): doc position
    col: np.ndarray  # column position
    start: np.ndarray
    end: np.ndarray
    src: np.ndarray  # position of the coding in ``codings``
    codings: pd.DataFrame

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.columns)

    def cell_of(self) -> np.ndarray:
        """Flat cell number (row * n_columns + column) of each entry."""
        cells: np.ndarray = self.row_of_doc[self.doc] * len(self.columns) + self.col
        return cells

    def row_chars(self) -> np.ndarray:
        """Characters in each row's documents."""
        chars = self.docs["n_chars"].to_numpy(dtype=np.float64)
        return np.bincount(self.row_of_doc, weights=chars, minlength=len(self.rows))


def as_row(row: Sequence[str]) -> tuple[str, str]:
    """Check a row given as ``("participant", id)`` or ``("case", id)``."""
    if not isinstance(row, (tuple, list)) or len(row) != 2 or row[0] not in ROW_KINDS:
        kind = row[0] if isinstance(row, (tuple, list)) and row else row
        raise UnknownName("row kind", kind, ROW_KINDS, field="row")
    return str(row[0]), str(row[1])


# --------------------------------------------------------------------------- codebook
def codebook_of(tables: TablesLike) -> pd.DataFrame:
    """The codes table in display order; an empty codebook is an error."""
    codes = tables.codes
    if codes is None or len(codes) == 0:
        raise ProjectError(
            "the codebook has no codes",
            field="codes",
            fix="Add codes to the codebook named in casework.toml before charting.",
        )
    if "position" in codes.columns:
        codes = codes.sort_values("position", kind="stable")
    return codes.reset_index(drop=True)


def children(codebook: pd.DataFrame, code_id: str | None) -> list[str]:
    """Direct children of ``code_id`` (top-level codes for None), in display order."""
    return list(code_tree(codebook).children.get(code_id, []))


def check_codes(codebook: pd.DataFrame, names: Iterable[str], field: str) -> list[str]:
    known = set(codebook["code_id"].astype(str))
    out = []
    for name in names:
        if str(name) not in known:
            raise UnknownName("code", name, known, field=field)
        out.append(str(name))
    return out


def choose_columns(
    codebook: pd.DataFrame, *, theme: str | None = None, codes: Sequence[str] | None = None
) -> list[str]:
    """Matrix columns: ``codes``, or ``theme``'s sub-themes, or the top-level themes."""
    if theme is not None and codes is not None:
        raise ProjectError(
            "both theme= and codes= were given",
            field="theme",
            fix="Give theme= for a theme's sub-themes or codes= for a list of codes, not both.",
        )
    if codes is not None:
        chosen = check_codes(codebook, [codes] if isinstance(codes, str) else codes, "codes")
        if not chosen:
            raise ProjectError("codes= is empty", field="codes", fix="Name at least one code.")
        return list(dict.fromkeys(chosen))
    if theme is None:
        return children(codebook, None)
    (theme,) = check_codes(codebook, [theme], "theme")
    subs = children(codebook, theme)
    if not subs:
        parents = sorted(c for c, kids in code_tree(codebook).children.items() if c and kids)
        raise ProjectError(
            f"theme '{theme}' has no sub-themes",
            field="theme",
            fix=f"Use codes=['{theme}'] to chart it alone, or a theme with sub-themes: "
            + ", ".join(parents)
            + ".",
        )
    return subs


def rollup_csr(
    codebook: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """For every code, the columns it counts towards (itself and its ancestors), as CSR."""
    tree = code_tree(codebook)  # the codebook's own walk (ancestors, loops cut)
    where = {c: i for i, c in enumerate(columns)}
    indptr, indices = [0], []
    for code in tree.index:
        indices += [where[n] for n in (code, *tree.ancestors(code)) if n in where]
        indptr.append(len(indices))
    return pd.Index(list(tree.index)), np.asarray(indptr), np.asarray(indices, dtype=np.int64)


# --------------------------------------------------------------------------- documents
def _blank(value: Any) -> bool:
    return (
        value is None
        or (not isinstance(value, str) and bool(pd.isna(value)))
        or (isinstance(value, str) and not value.strip())
    )


def _as_text(value: Any) -> str:
    """How attribute values compare: as text, with 58.0 the same as 58."""
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _case_table(tables: TablesLike) -> pd.DataFrame | None:
    cases = getattr(tables, "cases", None)
    if cases is None or not len(cases) or "case_id" not in cases.columns:
        return None
    return cases


def known_attributes(tables: TablesLike) -> list[str]:
    """Attributes ``where``/``by`` can name: document then case columns, never ``name``.

    A participant's name must not reach an output, and filter values show up in row
    labels and in error messages, so names cannot be filtered or charted by.
    """
    cases = _case_table(tables)
    columns = [*tables.documents.columns, *([] if cases is None else cases.columns)]
    return [c for c in dict.fromkeys(columns) if c not in PRIVATE_ATTRIBUTES]


def attributes_of(tables: TablesLike, wanted: Iterable[str] = ()) -> pd.DataFrame:
    """Documents, plus the ``wanted`` case attributes (document columns win)."""
    docs = tables.documents
    if docs is None or len(docs) == 0:
        raise ProjectError(
            "the project has no documents",
            field="documents",
            fix="Add transcripts under transcripts/<case>/ and open the project again.",
        )
    docs = docs.reset_index(drop=True)
    cases = _case_table(tables)
    extra = (
        []
        if cases is None
        else [
            c
            for c in cases.columns
            if c in set(wanted) and c != "case_id" and c not in docs.columns
        ]
    )
    if extra and cases is not None:
        table = cases.drop_duplicates("case_id").set_index(cases["case_id"].astype(str))
        key = docs["case_id"].astype(str)
        docs = docs.assign(**{c: key.map(table[c]).to_numpy() for c in extra})
    if "n_chars" not in docs.columns or docs["n_chars"].isna().any():
        docs["n_chars"] = [len(tables.text(d)) for d in docs["doc_id"]]
    return docs


def select_documents(
    tables: TablesLike, where: Mapping[str, Any] | None = None, also: Iterable[str] = ()
) -> pd.DataFrame:
    """Documents whose document or case attributes match ``where`` (a value or a list).

    A value matches when it equals the attribute or its text (``58`` matches ``"58"``).
    ``also`` names more case attributes to carry (e.g. matrix-query rows).
    """
    where = dict(where or {})
    known = known_attributes(tables)
    for attr in where:
        if attr not in known:
            raise UnknownName("attribute", attr, known, field="where")
    docs = attributes_of(tables, [*where, *also])
    mask = np.ones(len(docs), dtype=bool)
    for attr, wanted in where.items():
        values = list(wanted) if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]
        texts = [_as_text(c) for c in docs[attr].tolist()]
        for value in values:
            if _as_text(value) not in texts:
                shown = {t for t in texts if t}
                raise UnknownName(f"value of '{attr}'", value, shown, field=f"where.{attr}")
        chosen = {_as_text(v) for v in values}
        mask &= np.fromiter((t in chosen and t != "" for t in texts), bool, len(texts))
    return docs[mask].reset_index(drop=True)


def _case_order(tables: TablesLike, docs: pd.DataFrame) -> dict[str, int]:
    cases = _case_table(tables)
    listed = [] if cases is None else [str(c) for c in cases["case_id"]]
    rest = sorted(set(docs["case_id"].astype(str)) - set(listed))
    return {c: i for i, c in enumerate(dict.fromkeys([*listed, *rest]))}


def participant_ids(docs: pd.DataFrame) -> list[str]:
    """participant_id, or the doc_id where a document has none."""
    ids: list[str] = docs["doc_id"].astype(str).tolist()
    if "participant_id" not in docs.columns:
        return ids
    return [d if _blank(p) else str(p) for p, d in zip(docs["participant_id"], ids, strict=True)]


def role_label(role: Any, participant_id: Any) -> str:
    """How a person is labelled: their role, else "Participant 3" for id ``P03`` (else
    the id itself); never a name or a path."""
    if not _blank(role):
        return str(role)
    pid = "" if _blank(participant_id) else str(participant_id)
    number = re.fullmatch(r"P0*(\d+)", pid)
    return f"Participant {number[1]}" if number else (pid or "Participant")


def role_labels(docs: pd.DataFrame) -> list[str]:
    """How quotes are labelled: role, else "Participant N" (never the name)."""
    pids = participant_ids(docs)
    roles = docs["role"].tolist() if "role" in docs.columns else [None] * len(pids)
    return [role_label(r, p) for r, p in zip(roles, pids, strict=True)]


def assign_rows(
    tables: TablesLike, docs: pd.DataFrame, rows: Rows
) -> tuple[pd.DataFrame, pd.Index, np.ndarray]:
    """Order documents so each row's are contiguous; return docs, row labels, row of doc.

    Cases come in ``cases`` table order; participants in the order their first
    document appears; attribute values sorted, ``(missing)`` for none.
    """
    docs = docs.assign(
        case_id=docs["case_id"].astype(str),
        participant_id=participant_ids(docs),
        role_label=role_labels(docs),
    )
    if rows in ROW_KINDS:
        keys = ["case_id", "participant_id"] if rows == "participant" else ["case_id"]
        rank = _case_order(tables, docs)
        labels = list(zip(*[docs[k].tolist() for k in keys], strict=True))
        first: dict[tuple[str, ...], int] = {}
        for i, label in enumerate(labels):
            first.setdefault(label, i)
        order = sorted(range(len(docs)), key=lambda i: (rank[labels[i][0]], first[labels[i]], i))
    else:
        keys = [rows] if isinstance(rows, str) else list(rows)
        for key in keys:
            if key not in docs.columns or key in PRIVATE_ATTRIBUTES:
                raise UnknownName("attribute", key, known_attributes(tables), field="by")
        docs = docs.assign(**{k: docs[k].astype("string").fillna(MISSING) for k in keys})
        labels = list(zip(*[docs[k].astype(str).tolist() for k in keys], strict=True))
        order = sorted(range(len(docs)), key=lambda i: (labels[i], i))
    docs = docs.iloc[order].reset_index(drop=True)
    position: dict[tuple[str, ...], int] = {}
    row_of_doc = np.fromiter(
        (position.setdefault(labels[i], len(position)) for i in order),
        dtype=np.int64,
        count=len(order),
    )
    if len(keys) > 1:
        index: pd.Index = pd.MultiIndex.from_tuples(list(position), names=keys)
    else:
        index = pd.Index([k[0] for k in position], name=keys[0], dtype=object)
    return docs, index, row_of_doc


# --------------------------------------------------------------------------- codings
def lookup(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value in ``index`` (-1 when absent); one hash pass over values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values)
    if len(uniques) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    pos = index.get_indexer(pd.Index(uniques).astype(str))
    return np.where(codes >= 0, pos[codes], -1).astype(np.int64)


def coder_mask(codings: pd.DataFrame, coders: Coders) -> np.ndarray | None:
    if coders is None:
        return None
    wanted = [coders] if isinstance(coders, str) else list(coders)
    known = set(codings["coder"].dropna().astype(str)) if "coder" in codings else set()
    for coder in wanted:
        if coder not in known:
            raise UnknownName("coder", coder, known, field="coders")
    mask: np.ndarray = codings["coder"].isin(wanted).to_numpy(dtype=bool)
    return mask


# The selection every matrix-shaped function takes (framework matrices, passages, queries,
# cell views, figures, workbooks): rows, then theme / codes / where / coders; one meaning,
# given by :func:`chart`.
Rows = str | Sequence[str]
Codes = Sequence[str] | None
Where = Mapping[str, Any] | None
Coders = str | Sequence[str] | None


def chart(
    tables: TablesLike,
    rows: Rows = "participant",
    *,
    theme: str | None = None,
    codes: Codes = None,
    where: Where = None,
    coders: Coders = None,
    spans: bool = True,
    rollup: bool = True,
) -> Charting:
    """Select documents and codes and lay the codings out as arrays (see module doc).

    With ``spans=False`` only rows and columns are worked out (for summary cells); with
    ``rollup=False`` a coding counts only at its own code, not at its ancestors.
    """
    codebook = codebook_of(tables)
    columns = choose_columns(codebook, theme=theme, codes=codes)
    by = [] if rows in ROW_KINDS else [rows] if isinstance(rows, str) else list(rows)
    docs, index, row_of_doc = assign_rows(tables, select_documents(tables, where, by), rows)
    codings = tables.codings
    if not spans:
        if coders is not None and codings is not None:
            coder_mask(codings, coders)  # an unknown coder is an error in every mode
        codings = None
    if codings is None or len(codings) == 0:
        empty = np.zeros(0, dtype=np.int64)
        codings = codings if codings is not None else pd.DataFrame()
        return Charting(
            codebook, docs, index, row_of_doc, columns, empty, empty, empty, empty, empty, codings
        )
    codings = codings.reset_index(drop=True)
    if rollup:
        code_index, indptr, indices = rollup_csr(codebook, columns)
    else:
        code_index = pd.Index(columns)
        indptr, indices = np.arange(len(columns) + 1), np.arange(len(columns), dtype=np.int64)
    code_pos = lookup(codings["code_id"], code_index)
    per_code = np.diff(indptr)
    k = np.where(code_pos >= 0, per_code[code_pos], 0)
    doc_pos = lookup(codings["doc_id"], pd.Index(docs["doc_id"].astype(str)))
    keep = (doc_pos >= 0) & (k > 0)
    mask = coder_mask(codings, coders)
    if mask is not None:
        keep &= mask
    src = np.flatnonzero(keep)
    k, first = k[src], indptr[code_pos[src]]
    if len(k) and k.max() > 1:
        offsets = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
        src, first = np.repeat(src, k), np.repeat(first, k) + offsets
    doc = doc_pos[src]
    limit = docs["n_chars"].to_numpy(dtype=np.int64)[doc]  # spans never reach past the text
    start = np.clip(codings["start"].to_numpy(dtype=np.int64)[src], 0, limit)
    end = np.clip(codings["end"].to_numpy(dtype=np.int64)[src], start, limit)
    return Charting(
        codebook,
        docs,
        index,
        row_of_doc,
        columns,
        doc,
        indices[first],
        start,
        end,
        src,
        codings,
    )
