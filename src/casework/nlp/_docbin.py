"""Parsed-doc cache files in spaCy's DocBin format, written and read without the slow parts.

A cache file is what ``DocBin(attrs=…).to_bytes()`` writes for one doc (a zlib-compressed
msgpack message; its strings in the order of their hashes, not sorted), so
``DocBin().from_bytes(data).get_docs(vocab)`` reads it.
Two things in spaCy's own DocBin cost as much as parsing the text again: ``add`` walks every
token in Python to collect strings, and srsly's msgpack wrappers search the installed
packages' entry points on every call. Here strings are collected from the unique hashes of
the string-valued columns with numpy, msgpack is called directly, and zlib runs at level 1.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from spacy.attrs import HEAD, ORTH, SENT_START, SPACY, intify_attr
from spacy.tokens import Doc
from spacy.vocab import Vocab

if TYPE_CHECKING:
    from thinc.types import Ints2d  # how spaCy's annotations name a 2-d integer array

try:  # the compiled msgpack inside srsly, without the entry-point scan of srsly.msgpack_*
    from srsly.msgpack._packer import Packer as _Packer
    from srsly.msgpack._unpacker import unpackb as _unpackb

    def _pack(message: dict[str, Any]) -> bytes:
        return bytes(_Packer(use_bin_type=True).pack(message))

    def _unpack(data: bytes) -> dict[str, Any]:
        return dict(_unpackb(data, raw=False, use_list=True))

except ImportError:  # pragma: no cover - a future srsly without these modules
    import srsly

    def _pack(message: dict[str, Any]) -> bytes:
        return bytes(srsly.msgpack_dumps(message))

    def _unpack(data: bytes) -> dict[str, Any]:
        return dict(srsly.msgpack_loads(data))


#: Annotations a cached doc may carry; those the doc has are stored.
CANDIDATE_ATTRS = (
    "LEMMA",
    "SENT_START",
    "TAG",
    "POS",
    "MORPH",
    "DEP",
    "HEAD",
    "ENT_IOB",
    "ENT_TYPE",
    "ENT_KB_ID",
)
_STRING_ATTRS = {
    intify_attr(a) for a in ("ORTH", "LEMMA", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID")
}
_FORMAT_VERSION = "0.1"  # DocBin's own message version


def attrs_for(doc: Doc) -> list[int]:
    """The attribute ids worth storing for ``doc``, ORTH first, as DocBin orders them."""
    names = [a for a in CANDIDATE_ATTRS if doc.has_annotation(a)]
    ids = sorted({intify_attr(a) for a in names})
    if HEAD in ids and SENT_START in ids:
        ids.remove(SENT_START)  # sentences come from the parse
    return [ORTH, *ids]


def encode(doc: Doc, attrs: list[int] | None = None, names: dict[int, str] | None = None) -> bytes:
    """One doc as DocBin bytes.

    ``attrs`` (from :func:`attrs_for`) and ``names`` (a memo of id → string shared across
    calls) save work when many docs of one pipeline are written.
    """
    attrs = attrs or attrs_for(doc)
    names = {} if names is None else names
    wanted: list[int | str] = [*attrs, SPACY]
    table = np.ascontiguousarray(doc.to_array(wanted), dtype="uint64").reshape(
        len(doc), len(wanted)
    )
    tokens = np.ascontiguousarray(table[:, :-1])
    spaces = table[:, -1:].astype(bool)
    columns = [i for i, attr in enumerate(attrs) if attr in _STRING_ATTRS]
    hashes = np.unique(tokens[:, columns]).tolist()  # sorted: the strings' order is stable
    if hashes and hashes[0] == 0:
        hashes = hashes[1:]  # 0: no string
    strings = list(map(names.get, hashes))  # the memo, looked up without a Python loop
    if None in strings:
        store = doc.vocab.strings
        for i, h in enumerate(hashes):
            if strings[i] is None:
                strings[i] = names[h] = store[h]
    message = {
        "version": _FORMAT_VERSION,
        "attrs": attrs,
        "tokens": tokens.tobytes("C"),
        "spaces": spaces.tobytes("C"),
        "lengths": np.asarray([len(doc)], dtype="int32").tobytes("C"),
        "strings": strings,
        "cats": [dict(doc.cats)],
        "flags": [{"has_unknown_spaces": bool(doc.has_unknown_spaces)}],
        "span_groups": [doc.spans.to_bytes() if doc.spans else b""],
    }
    return zlib.compress(_pack(message), 1)


def decode(data: bytes, vocab: Vocab) -> Doc:
    """The one doc in DocBin bytes; raises (any exception) when the bytes are damaged."""
    message = _unpack(zlib.decompress(data))
    attrs: list[int | str] = [int(a) for a in message["attrs"]]
    if not attrs or attrs[0] != ORTH or len(message["lengths"]) != 4:
        raise ValueError("not a single-document casework cache file")
    for string in message["strings"]:
        vocab.strings.add(string)
    flat = np.frombuffer(message["tokens"], dtype="uint64")
    tokens = flat.reshape(flat.size // len(attrs), len(attrs))
    spaces = np.frombuffer(message["spaces"], dtype=bool)
    if len(spaces) != len(tokens):
        raise ValueError("token and space counts differ")
    doc = Doc(vocab, words=tokens[:, 0], spaces=spaces.tolist())  # type: ignore[arg-type]
    if len(attrs) > 1:
        doc.from_array(attrs[1:], cast("Ints2d", np.ascontiguousarray(tokens[:, 1:])))
    doc.cats = dict(message["cats"][0])
    groups = message["span_groups"][0]
    if groups:
        doc.spans.from_bytes(groups)
    return doc
