"""The spaCy pipeline a project uses, and a disk cache of the docs it parses.

The default pipeline is ``spacy.blank("en")`` with a sentencizer and a lookup lemmatizer
(tables from ``spacy-lookups-data``): it needs no download and works offline. A project may
name an installed pipeline instead (``[nlp] pipeline = "en_core_web_sm"`` in
``casework.toml``). Parsed docs are cached under ``.casework/docs/<pipeline id>/`` as one
DocBin file per text, named by the SHA-256 of the text, so a doc is parsed again only when
its text (or the pipeline) changes. A damaged cache file is parsed again and overwritten.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from casework.errors import MissingDependency
from casework.tables import TablesLike

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import Lemmatizer
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

DEFAULT = "default"
#: Bump when the default pipeline's annotations change, so old caches are not reused.
DEFAULT_VERSION = "1.0"
#: Runs of blank lines end a sentence too (headings, list items, speaker paragraphs).
PARAGRAPH_BREAKS = ("\n\n", "\n\n\n", "\n\n\n\n", "\n \n", "\n  \n")

#: Texts longer than this are parsed in pieces cut at paragraph breaks and joined back
#: into one Doc (spaCy refuses texts over ``nlp.max_length``, 1,000,000 by default).
CHUNK_CHARS = 200_000

_LOADED: dict[str, Language] = {}


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters that join back to it,
    each ending after a paragraph break (else a line break, else a space) when it can."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = max(window.rfind("\n\n"), 0) + 2
        if cut <= size // 2:
            cut = max(window.rfind("\n"), window.rfind(" ")) + 1
        if cut <= size // 2:
            cut = size  # a very long run without breaks: cut anywhere
        pieces.append(window[:cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def pipe_texts(
    nlp: Language, texts: Iterable[str], chunk_chars: int = CHUNK_CHARS
) -> Iterator[Doc]:
    """``nlp.pipe(texts)``, with texts over ``chunk_chars`` parsed in pieces and joined
    (``Doc.from_docs``), so a document of any length parses instead of failing."""
    from spacy.tokens import Doc

    limit = min(chunk_chars, nlp.max_length)
    short: list[str] = []
    order: list[str | None] = []  # None: the next short text; else a long text itself
    for text in texts:
        if len(text) > limit:
            order.append(text)
        else:
            short.append(text)
            order.append(None)
    parsed = iter(nlp.pipe(short))
    for item in order:
        if item is None:
            yield next(parsed)
        else:
            yield Doc.from_docs(list(nlp.pipe(chunks(item, limit))), ensure_whitespace=False)


def load_pipeline(name: str | None = None, *, fallback: bool = False) -> Language:
    """The pipeline called ``name`` (None or ``"default"``: the built-in offline one).

    A named pipeline must be an installed spaCy package or a pipeline folder. If it is not,
    :class:`MissingDependency` says how to install one; with ``fallback=True`` a warning is
    issued instead and the default pipeline is returned. Pipelines are loaded once per process.
    """
    key = DEFAULT if name in (None, "", DEFAULT) else str(name)
    if key in _LOADED:
        return _LOADED[key]
    if key == DEFAULT:
        nlp = _default_pipeline()
    else:
        try:
            nlp = _named_pipeline(key)
        except MissingDependency as err:
            if not fallback:
                raise
            warnings.warn(f"{err.one_line()} Using the default pipeline instead.", stacklevel=2)
            return load_pipeline(DEFAULT)
    _LOADED[key] = nlp
    return nlp


def _default_pipeline() -> Language:
    import spacy
    from spacy.pipeline import Sentencizer

    from casework.nlp._components import LEMMATIZER, SENTENCIZER

    nlp = spacy.blank("en")
    punct = list(Sentencizer.default_punct_chars) + list(PARAGRAPH_BREAKS)
    nlp.add_pipe(
        SENTENCIZER, name="sentencizer", config={"punct_chars": punct, "move_openers": True}
    )
    lemmatizer = cast(
        "Lemmatizer", nlp.add_pipe(LEMMATIZER, name="lemmatizer", config={"mode": "lookup"})
    )
    try:
        lemmatizer.initialize()
    except (ValueError, ImportError) as err:
        raise MissingDependency(
            f"the lemma tables of spacy-lookups-data are missing ({err})",
            fix="Install them with: pip install spacy-lookups-data",
        ) from err
    nlp.meta["name"] = "casework_default"
    nlp.meta["version"] = DEFAULT_VERSION
    return nlp


def _named_pipeline(name: str) -> Language:
    import spacy

    install = (
        f"Install it once with: python -m spacy download {name} (or pip install it), or set "
        'pipeline = "default" under [nlp] in casework.toml for the built-in offline pipeline.'
    )
    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise MissingDependency(
            f"the spaCy pipeline '{name}' is not installed", field="nlp.pipeline", fix=install
        ) from err
    except (ImportError, ValueError) as err:
        raise MissingDependency(
            f"the spaCy pipeline '{name}' could not be loaded ({' '.join(str(err).split())})",
            field="nlp.pipeline",
            fix=install,
        ) from err
    if not {"parser", "senter", "sentencizer"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer")
    return nlp


def pipeline_id(nlp: Language) -> str:
    """A file-name-safe id of the pipeline and the versions its output depends on."""
    from spacy import about

    meta = nlp.meta
    parts = [
        f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}",
        f"spacy{about.__version__}",
        "+".join(nlp.pipe_names),
    ]
    if meta.get("name") == "casework_default":
        parts.append(f"lookups{_version('spacy-lookups-data')}")
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", "-".join(parts))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "0"


def text_key(text: str) -> str:
    """The cache key of a text: its full SHA-256, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class CacheStats:
    """What one pass over the cache did."""

    reused: int = 0
    parsed: int = 0
    rebuilt: int = 0  # damaged files parsed again and overwritten


class DocCache:
    """Parsed docs on disk: ``<root>/<pipeline id>/<sha256 of text>.spacy``."""

    def __init__(self, root: str | Path, nlp: Language) -> None:
        self.folder = Path(root) / pipeline_id(nlp)
        self.vocab = nlp.vocab
        self.stats = CacheStats()
        self._attrs: list[int] | None = None
        self._names: dict[int, str] = {}

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.spacy"

    def load(self, key: str, text: str) -> Doc | None:
        """The cached doc of ``text``, or None when missing or damaged (counted in stats)."""
        from casework.nlp._docbin import decode

        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            doc = decode(data, self.vocab)
            if _n_chars(doc) != len(text):  # zlib's checksum catches damage; this, mix-ups
                raise ValueError("cached doc is not of this text")
        except Exception as err:  # any damage means: parse again; the cache is rebuildable
            log.warning("rebuilding damaged cache file %s (%s)", path, err)
            self.stats.rebuilt += 1
            return None
        self.stats.reused += 1
        return doc

    def save(self, key: str, doc: Doc) -> None:
        """Write atomically (temp file + rename); a cache that cannot be written is skipped."""
        from casework.nlp._docbin import attrs_for, encode

        if self._attrs is None and len(doc):
            self._attrs = attrs_for(doc)  # the same for every doc of this pipeline
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(encode(doc, self._attrs, self._names))
            os.replace(tmp, self.path(key))
        except OSError as err:
            log.warning("cannot write the doc cache in %s: %s", self.folder, err)


def _n_chars(doc: Doc) -> int:
    """Length of the doc's text, from its arrays (``doc.text`` builds the whole string)."""
    from spacy.attrs import IDX, LENGTH, SPACY

    if not len(doc):
        return 0
    last = doc.to_array([IDX, LENGTH, SPACY])[-1]
    return int(last[0] + last[1] + last[2])


def iter_parsed(
    items: Iterable[tuple[str, str]],
    nlp: Language,
    cache_dir: str | Path | None = None,
    *,
    batch_size: int = 32,
    progress: Callable[[int], Any] | None = None,
    cache: DocCache | None = None,
) -> Iterator[tuple[str, Doc]]:
    """Parse ``(doc_id, text)`` pairs lazily, in order, reusing and filling the cache.

    ``progress`` is called with the number of documents finished after each batch.
    """
    if cache is None and cache_dir is not None:
        cache = DocCache(cache_dir, nlp)
    batch: list[tuple[str, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            yield from _parse_batch(batch, nlp, cache)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        yield from _parse_batch(batch, nlp, cache)
        if progress:
            progress(len(batch))


def _parse_batch(
    batch: list[tuple[str, str]], nlp: Language, cache: DocCache | None
) -> Iterator[tuple[str, Doc]]:
    done: dict[int, Doc] = {}
    todo: list[tuple[int, str, str]] = []
    for i, (_, text) in enumerate(batch):
        key = text_key(text) if cache else ""
        doc = cache.load(key, text) if cache else None
        if doc is None:
            todo.append((i, key, text))
        else:
            done[i] = doc
    for (i, key, _), doc in zip(todo, pipe_texts(nlp, [t for _, _, t in todo]), strict=True):
        if cache:
            cache.save(key, doc)
            cache.stats.parsed += 1
        done[i] = doc
    for i, (doc_id, _) in enumerate(batch):
        yield doc_id, done[i]


def parse(
    tables_or_texts: Any,
    nlp: Language,
    cache_dir: str | Path | None = None,
    *,
    progress: Callable[[int], Any] | None = None,
) -> dict[str, Doc]:
    """Parsed docs by doc_id, for tables (all their documents) or a ``{doc_id: text}`` map."""
    return dict(iter_parsed(doc_texts(tables_or_texts), nlp, cache_dir, progress=progress))


def doc_texts(
    tables_or_texts: Any, doc_ids: Iterable[str] | None = None
) -> Iterator[tuple[str, str]]:
    """``(doc_id, text)`` pairs from tables, a mapping, or an iterable of pairs."""
    if isinstance(tables_or_texts, Mapping):
        pairs: Iterable[tuple[str, str]] = tables_or_texts.items()
    elif hasattr(tables_or_texts, "documents") and hasattr(tables_or_texts, "text"):
        ids = tables_or_texts.documents["doc_id"].tolist()
        pairs = ((str(d), tables_or_texts.text(d)) for d in ids)
    else:
        pairs = tables_or_texts
    wanted = None if doc_ids is None else set(doc_ids)
    for doc_id, text in pairs:
        if wanted is None or doc_id in wanted:
            yield str(doc_id), text


def project_setting(tables: TablesLike, key: str, default: Any = None) -> Any:
    """``[nlp] key`` from the tables' ``config`` (a Project has one), else ``default``."""
    config = getattr(tables, "config", None) or {}
    section = config.get("nlp", {}) if isinstance(config, Mapping) else {}
    return section.get(key, default) if isinstance(section, Mapping) else default


def pipeline_for(tables: TablesLike, *, fallback: bool = False) -> Language:
    """The pipeline the tables' project names under ``[nlp] pipeline`` (default if none)."""
    return load_pipeline(project_setting(tables, "pipeline"), fallback=fallback)


def cache_dir_for(tables: TablesLike) -> Path | None:
    """``<root>/.casework/docs`` when the tables come from a project folder, else None."""
    root = getattr(tables, "root", None)
    return Path(root) / ".casework" / "docs" if root is not None else None
