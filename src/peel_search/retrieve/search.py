"""A loaded index and hybrid search over it.

A query is scored three ways over every passage: BM25 on stemmed words (with the
report's acronyms expanded both ways), cosine similarity of the passage vector, and
the best cosine similarity of any one of its sentences (MaxSim). The three rankings
are fused with reciprocal rank fusion; filters restrict the candidates; near-duplicate
passages are collapsed to the better-cited copy.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexCorruptError, IndexUnusableError, QueryError
from ..index import store
from ..index.build import better_cited
from ..index.interaction import content_positions, idf_weights, maxsim_scores, normalise_rows, similarities
from ..index.lexical import tokenize
from ..index.represent import lexical_text
from ..ingest.acronyms import expand_query
from ..ingest.questions import without_frame
from ..types import Chunk, CompareResult, CompareRow, Hit, ReportMeta, SearchResult, Span
from .answerability import CHECKS, Evidence, Scope, answer_type, question_years, unanswered_reason
from .backend import Backend
from .candidates import (
    DEFAULT_DEPTH,
    WHOLE_SCOPE,
    FirstStage,
    FirstStageQuery,
    LocalFirstStage,
    entity_key,
    section_key,
    union,
)
from .fusion import max_pool, reciprocal_rank_fusion, weighted_sum
from .vectors import PartedRows, ranges_to_rows

#: Longest query accepted; longer ones are cut and the cut is reported.
MAX_QUERY_CHARS = 1000
#: Late-interaction score (see :mod:`peel_search.index.interaction`) of the best passage below
#: which the report is taken not to answer, whatever the question: evidence this weak
#: is rare for answerable questions (2 of 75 in the dev and calibration sets).
IN_REPORT_THRESHOLD = 0.40
#: A word absent from the report still counts as present when a word of the report is
#: this close to it in the model's word-piece space ("kids" ~ "children" 0.77,
#: "fall" ~ "fell" 0.63; "knife" ~ "cutting" 0.37, "drones" ~ "cameras" 0.25).
NEAR_WORD_SIMILARITY = 0.6
SIGNALS = ("bm25", "dense", "sentence", "tokens")
NO_CLOSE_MATCH = "no passage matches the question closely"


@dataclass(frozen=True, slots=True)
class RankConfig:
    """How the per-passage signals become one ranking (see ``bench/quality.py``).

    ``weights`` go with ``signals``: BM25, passage vector, best-sentence vector,
    token-level late interaction (see :mod:`peel_search.index.interaction`). With
    ``adaptive_bm25`` the BM25 weight is scaled by the share of the query's words
    the report's vocabulary holds: a question put in the report's own words leans on
    exact matching, a paraphrase ("takeaway shops" for "fast food outlets") on meaning.
    ``fusion`` is ``"rrf"`` (reciprocal rank fusion with constant ``rrf_k``) or
    ``"sum"`` (weighted sum of min-max normalised scores).
    """

    signals: tuple[str, ...] = SIGNALS
    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 2.0)
    rrf_k: float = 60.0
    fusion: str = "rrf"
    expand_acronyms: bool = True
    collapse_duplicates: bool = True
    adaptive_bm25: bool = True

    def __post_init__(self) -> None:
        if not self.signals or set(self.signals) - set(SIGNALS):
            raise ValueError(f"signals must be drawn from {SIGNALS}")
        if len(self.weights) != len(self.signals):
            raise ValueError("one weight per signal")
        if self.fusion not in {"rrf", "sum"}:
            raise ValueError("fusion is 'rrf' or 'sum'")


DEFAULT_RANKING = RankConfig()

_CONTROL_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
_ENTITY_FILTER_RE = re.compile(r"^([A-Za-z_]+)\s*:(.*)$")


@dataclass(frozen=True, slots=True)
class EntityFilter:
    """``label`` may be empty (any label); ``text`` is matched case-insensitively."""

    label: str
    text: str

    def __str__(self) -> str:
        return f"{self.label}:{self.text}" if self.label else self.text


def clean_query(query: object) -> tuple[str, list[str]]:
    """The query as searched, and notices about what was changed.

    Raises :class:`QueryError` for a query that is not text or is empty once control
    characters and white space are removed.
    """
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, not {type(query).__name__}")
    notices: list[str] = []
    text = _SURROGATE_RE.sub("", query)
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL_RE.sub(" ", text)
    text = " ".join(text.split())
    if not text:
        raise QueryError('the query is empty: type a question, e.g. "how does the force assess risk?"')
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
        notices.append(
            f"the query was cut to its first {len(cut)} characters (the limit is {MAX_QUERY_CHARS})"
        )
        text = cut
    return text, notices


def parse_k(k: object, size: int) -> int:
    """``k`` as a whole number of at least 1, bounded by ``size`` (the passages there are)."""
    message = "k must be a whole number of at least 1"
    if isinstance(k, bool):
        raise QueryError(message)
    if isinstance(k, float) and k.is_integer():
        k = int(k)
    if isinstance(k, str):
        text = k.strip()
        try:
            k = int(text)
        except ValueError:
            raise QueryError(f"{message}, not {text[:20]!r}") from None
    if not isinstance(k, int):
        raise QueryError(message)
    if k < 1:
        raise QueryError(f"{message}, not {k}")
    return min(k, size)


def parse_entity_filter(spec: str, labels: Iterable[str]) -> EntityFilter:
    """``"ORG:Victim Support"`` or ``"Victim Support"``; labels are checked against the index."""
    if not isinstance(spec, str):
        raise QueryError("an entity filter must be text such as ORG:HMIC or Wolverhampton")
    spec = " ".join(_CONTROL_RE.sub(" ", spec).split())
    if not spec:
        raise QueryError("an entity filter is empty: use LABEL:TEXT (e.g. GPE:Wolverhampton) or TEXT")
    known = sorted(set(labels))
    m = _ENTITY_FILTER_RE.match(spec)
    if m and (m.group(1).upper() in known or m.group(1).isupper()):
        label, text = m.group(1).upper(), m.group(2).strip()
        if label not in known:
            raise QueryError(f"unknown entity label {label!r}: use one of {', '.join(known)}")
        if not text:
            raise QueryError(f"the entity filter {spec!r} has no text after the label: use {label}:TEXT")
        return EntityFilter(label, text)
    return EntityFilter("", spec)


def _meta_from_record(record: dict[str, Any]) -> ReportMeta:
    return ReportMeta(
        report_id=record["report_id"],
        file=record.get("file", ""),
        force=record.get("force", ""),
        programme=record.get("programme", ""),
        pillar=record.get("pillar", ""),
        period=record.get("period", ""),
        year=record.get("year"),
        published=record.get("published", ""),
        origin=tuple(sorted(record.get("origin", {}).items())),
    )


def _as_list(value: object) -> list[str]:
    """A filter given as one value or several, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise QueryError(f"a report filter must be text or a list of texts, not {type(value).__name__}")
    return [" ".join(_CONTROL_RE.sub(" ", str(v)).split()) for v in value if str(v).strip()]


@dataclass(frozen=True, slots=True)
class _Query:
    """A query encoded once for every signal: ``lexical`` is what BM25 matches (with
    acronym expansions), ``vector`` the pooled vector, ``pieces`` and ``tokens`` its
    content word-pieces and their normalised vectors."""

    text: str
    lexical: str
    vector: np.ndarray
    pieces: list[str]
    tokens: np.ndarray


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Which reports a request covers: ids, forces and years, each repeatable. Values
    of one kind are alternatives; kinds combine (``force=Kent, year=2016`` is Kent's
    2016 report). Empty: every report."""

    reports: tuple[str, ...] = ()
    forces: tuple[str, ...] = ()
    years: tuple[str, ...] = ()

    @classmethod
    def of(cls, reports: object = None, forces: object = None, years: object = None) -> ReportScope:
        return cls(tuple(_as_list(reports)), tuple(_as_list(forces)), tuple(_as_list(years)))

    def __bool__(self) -> bool:
        return bool(self.reports or self.forces or self.years)


class SearchIndex:
    """An index loaded from disk. Thread-safe for searching."""

    def __init__(
        self,
        folder: Path,
        manifest: store.Manifest,
        rows: list[dict[str, Any]],
        reports: list[dict[str, Any]],
        dense: PartedRows,
        windows: PartedRows,
        sentences: PartedRows,
        lexical: Any,
        tokens: PartedRows,
        token_offsets: np.ndarray,
        token_df: dict[str, Any],
    ) -> None:
        self.folder = folder
        self.manifest = manifest
        self.chunks: list[Chunk] = [store.chunk_from_row(r) for r in rows]
        self.citations: list[str] = [r["citation"] for r in rows]
        self.sentence_spans: list[list[Span]] = [[(int(a), int(b)) for a, b in r["sentences"]] for r in rows]
        self.reports = reports
        #: Every vector stays on disk, read for the passages a query scores closely; the
        #: first stage keeps its own compact copy of the passage and sentence-in-context
        #: vectors (see :class:`.candidates.LocalFirstStage`).
        self._dense = dense
        self._windows = windows
        self._sentences = sentences
        self._lexical = lexical
        self._tokens = tokens
        self._token_offsets = np.asarray(token_offsets, dtype=np.int64)
        self._token_df: dict[str, int] = token_df["df"]
        self._token_docs = int(token_df["documents"])
        self._position = {c.id: i for i, c in enumerate(self.chunks)}
        self._canonical = [self._position.get(r.get("duplicate_of") or "", i) for i, r in enumerate(rows)]
        #: Each duplicate group's members, best cited first (see :func:`better_cited`).
        self._members: dict[int, list[int]] = {}
        for i, group in enumerate(self._canonical):
            self._members.setdefault(group, []).append(i)
        for members in self._members.values():
            members.sort(key=lambda m: (m != self._canonical[m], better_cited(self.chunks[m])))
        self.metas: list[ReportMeta] = [_meta_from_record(r) for r in reports]
        self._report_number = {m.report_id: n for n, m in enumerate(self.metas)}
        self._chunk_report = np.asarray(
            [self._report_number.get(c.report_id, -1) for c in self.chunks], dtype=np.int64
        )
        owners = [i for i, spans in enumerate(self.sentence_spans) for _ in spans]
        self._sentence_owner = np.asarray(owners, dtype=np.int64)
        self._sentence_first = np.zeros(len(self.chunks) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in self.sentence_spans], out=self._sentence_first[1:])
        self._acronyms: dict[str, str] = {}
        for r in reports:
            for k, v in r.get("acronyms", {}).items():
                self._acronyms.setdefault(k, v)
        self._word_sets: dict[int, set[str]] = {}
        self._labels: list[str] | None = None
        self._vocabulary_vectors: Any = None
        self._vocabulary_words: list[str] = []
        self._scope_word_cache: dict[bytes, set[str]] = {}
        self._scope_cache: dict[tuple[int, ...], Scope] = {}
        self._designated_cache: dict[str, list[int]] = {}
        #: Each report's word-piece document counts, in report order (set by :meth:`load`).
        self._part_token_df: list[dict[str, Any]] = []
        self._sentence_word_cache: dict[int, set[str]] = {}
        self._embedder: Any = None
        self._embedder_lock = threading.Lock()
        if (
            len(self._dense) != len(self.chunks)
            or len(sentences) != len(owners)
            or len(self._windows) != len(owners)
            or len(self._token_offsets) != len(self.chunks) + 1
            or int(self._token_offsets[-1]) != len(self._tokens)
        ):
            raise IndexCorruptError(f"{folder}: vector counts do not match the passages", store.REBUILD)
        self._first_stage: FirstStage = LocalFirstStage(
            lexical, _everything(dense), _everything(windows), self._sentence_owner
        )
        #: Passages each first-stage source contributes; ``None`` scores every passage in
        #: scope (exact, and the cost grows with the library). See :mod:`.candidates`.
        self.first_stage_depth: int | None = DEFAULT_DEPTH
        #: A scope of no more passages than this is scored whole, exactly (one report, two).
        self.whole_scope: int = WHOLE_SCOPE
        #: The engine behind :attr:`first_stage` (see :mod:`.backend`).
        self.backend = Backend()

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: str | Path = "index", corpus: str | Path | None = None) -> SearchIndex:
        """Load and check the index in ``folder``.

        With ``corpus``, also check that the index was built from that folder's
        current files. Raises :class:`IndexMissingError`, :class:`IndexStaleError`
        or :class:`IndexCorruptError` with a message saying how to fix it.
        """
        from ..index.build import assembly_fingerprint, pipeline_fingerprint
        from ..index.lexical import LexicalIndex
        from ..ingest.corpus import corpus_fingerprint
        from ..models import EMBEDDING_DIM, EMBEDDING_MODEL, spacy_model_id

        folder = Path(folder)
        manifest = store.read_manifest(folder)
        seen = corpus_fingerprint(Path(corpus)) if corpus is not None else None
        reason = store.staleness(manifest, seen, EMBEDDING_MODEL, EMBEDDING_DIM, spacy_model_id())
        if not reason and (
            manifest.settings.get("pipeline") != pipeline_fingerprint()
            or manifest.settings.get("assembly") != assembly_fingerprint()
        ):
            reason = "it was built by another version of peel-search's indexing code"
        if reason:
            from ..errors import IndexStaleError

            raise IndexStaleError(f"the index in {folder} is out of date: {reason}", store.REBUILD)
        store.verify_files(folder, manifest)
        try:
            rows = store.read_jsonl(folder / store.CHUNKS)
            reports = json.loads((folder / store.REPORTS).read_text(encoding="utf-8"))
            parts = [folder / part for part in store.part_folders(manifest)]

            def on_disk(name: str) -> PartedRows:
                return PartedRows([part / name for part in parts], manifest.embedding_dim)

            offsets = [np.zeros(1, dtype=np.int64)]
            for part in parts:
                local = np.load(part / store.TOKEN_OFFSETS, allow_pickle=False).astype(np.int64)
                offsets.append(local[1:] + offsets[-1][-1])
            loaded = cls(
                folder,
                manifest,
                rows,
                reports,
                on_disk(store.DENSE),
                on_disk(store.WINDOWS),
                on_disk(store.SENTENCES),
                LexicalIndex.load(folder / store.BM25_DIR),
                on_disk(store.TOKENS),
                np.concatenate(offsets),
                json.loads((folder / store.TOKEN_DF).read_text(encoding="utf-8")),
            )
            loaded._part_token_df = [
                json.loads((part / store.TOKEN_DF).read_text(encoding="utf-8")) for part in parts
            ]
            return loaded
        except IndexUnusableError:
            raise
        except Exception as exc:
            raise IndexCorruptError(f"the index in {folder} will not load ({exc})", store.REBUILD) from exc

    def use_embedder(self, embedder: Any) -> None:
        """Search with this embedder instead of loading the default one."""
        self._embedder = embedder

    def _embedder_or_load(self) -> Any:
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    from ..models import get_embedder

                    self._embedder = get_embedder()
        return self._embedder

    def _encode(self, text: str) -> tuple[np.ndarray, list[str], np.ndarray]:
        """The query's vector, word-pieces and word-piece vectors (one model pass)."""
        return self._embedder_or_load().encode_tokens([text])[0]

    def warm_up(self) -> None:
        """Load the embedding model and the word tables now rather than on the first query."""
        self._encode("warm up")
        self._word_present("warm")

    # -- metadata --------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.chunks)

    @property
    def acronyms(self) -> dict[str, str]:
        return dict(self._acronyms)

    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = sorted({e.label for c in self.chunks for e in c.entities})
        return list(self._labels)

    def _words(self, i: int) -> set[str]:
        """The stemmed words of a passage and its headings (cached)."""
        words = self._word_sets.get(i)
        if words is None:
            words = self._word_sets[i] = set(tokenize(lexical_text(self.chunks[i])))
        return words

    def _word_present(self, word: str, mask: np.ndarray | None = None) -> bool:
        """Whether the report has ``word``, an acronym for it, or a word close to it;
        with ``mask``, whether the passages in it do (the reports in scope)."""
        scoped = mask is not None and not bool(mask.all())
        words_in_scope = self._scope_words(mask) if scoped and mask is not None else None

        def has(term: str) -> bool:
            terms = tokenize(term)
            return (
                bool(terms) and all(t in words_in_scope for t in terms)
                if words_in_scope is not None
                else False
            )

        if has(word) if scoped else self._lexical.knows(word):
            return True
        if any(has(x) if scoped else True for x in expand_query(word, self._acronyms)):
            return True
        if self._vocabulary_vectors is None:
            import torch

            text = " ".join(lexical_text(c).lower() for c in self.chunks)
            self._vocabulary_words = sorted(set(re.findall(r"[a-z][a-z'’\-]+", text)))
            self._vocabulary_vectors = torch.from_numpy(
                self._embedder_or_load().word_vectors(self._vocabulary_words)
            )
        if not len(self._vocabulary_vectors):
            return False
        query = self._embedder_or_load().word_vectors([word])[0]
        # On torch's thread pool, like every other product on the query path (see interaction.py).
        close = similarities(query[None, :], self._vocabulary_vectors).reshape(-1)
        if not scoped:
            return float(close.max()) >= NEAR_WORD_SIMILARITY
        return any(
            has(self._vocabulary_words[int(i)])
            for i in np.flatnonzero(np.asarray(close) >= NEAR_WORD_SIMILARITY)
        )

    def _scope_words(self, mask: np.ndarray) -> set[str]:
        """The stemmed words of the passages in ``mask`` (the last few scopes cached)."""
        key = np.packbits(mask).tobytes()
        words = self._scope_word_cache.get(key)
        if words is None:
            words = set().union(*(self._words(int(i)) for i in np.flatnonzero(mask)))
            if len(self._scope_word_cache) > 16:
                self._scope_word_cache = {}  # a new dict: readers holding the old one are unaffected
            self._scope_word_cache[key] = words
        return words

    def _sentence_words(self, n: int, sentence: str) -> set[str]:
        """The stemmed words of sentence ``n`` (cached)."""
        words = self._sentence_word_cache.get(n)
        if words is None:
            words = self._sentence_word_cache[n] = set(tokenize(sentence))
        return words

    def chunk(self, chunk_id: str) -> Chunk:
        return self.chunks[self._position[chunk_id]]

    def citation(self, chunk: Chunk) -> str:
        return self.citations[self._position[chunk.id]]

    # -- reports ---------------------------------------------------------------------------

    def report_numbers(self, scope: ReportScope | None = None) -> list[int]:
        """Positions in :attr:`metas` of the reports ``scope`` covers, in index order.

        Raises :class:`QueryError` naming the valid values when a report id, force or
        year matches no report, or when together they match none.
        """
        chosen = set(range(len(self.metas)))
        if not scope:
            return sorted(chosen)

        def pick(
            values: Sequence[str], matches: Callable[[str, ReportMeta], bool], unknown: Callable[[str], str]
        ) -> None:
            nonlocal chosen
            if not values:
                return
            found: set[int] = set()
            for value in values:
                hits = {n for n, m in enumerate(self.metas) if matches(value.casefold(), m)}
                if not hits:
                    raise QueryError(unknown(value))
                found |= hits
            chosen &= found

        ids = ", ".join(m.report_id for m in self.metas)
        pick(
            scope.reports,
            lambda want, m: want in {m.report_id.casefold(), m.file.casefold(), Path(m.file).stem.casefold()},
            lambda want: (
                f"no report {want[:80]!r} in the index: use one of {ids} (see `peel-search reports`)"
            ),
        )
        forces = ", ".join(sorted({m.force for m in self.metas if m.force}))
        pick(
            scope.forces,
            lambda want, m: bool(m.force) and want in m.force.casefold(),
            lambda want: (
                f"no report about a force named like {want[:80]!r}: the index has {forces or 'no force names'}"
            ),
        )
        for year in scope.years:
            if not re.fullmatch(r"(?:19|20)\d{2}", year):
                raise QueryError(f"a year is four digits, e.g. 2015, not {year[:20]!r}")
        years = ", ".join(sorted({str(m.year) for m in self.metas if m.year}))
        pick(
            scope.years,
            lambda want, m: m.year == int(want),
            lambda want: f"no report from {want}: the index has reports from {years or 'no known year'}",
        )
        if not chosen:
            raise QueryError(
                "no report matches all of " + _describe(scope) + ": list them with `peel-search reports`"
            )
        return sorted(chosen)

    def report_mask(self, scope: ReportScope | None = None) -> np.ndarray:
        """Which passages belong to the reports ``scope`` covers."""
        if not scope:
            return np.ones(self.size, dtype=bool)
        return np.isin(self._chunk_report, self.report_numbers(scope))

    def report_list(self, scope: ReportScope | None = None) -> list[ReportMeta]:
        """The metadata of the reports ``scope`` covers, in index order."""
        return [self.metas[n] for n in self.report_numbers(scope)]

    def judgments(self, scope: ReportScope | None = None) -> list[dict[str, Any]]:
        """The judgments of the reports in scope, each with a citation and its report."""
        from ..citation import format_citation
        from ..types import Citation

        out = []
        for n in self.report_numbers(scope):
            r, meta = self.reports[n], self.metas[n]
            for j in r["judgments"]:
                cite = format_citation(
                    Citation(meta.title, meta.force, tuple(j["section"]), j["page"], 0, "text")
                ).rsplit(", ¶", 1)[0]
                out.append({**j, "report_id": meta.report_id, "report": meta.label, "citation": cite})
        return out

    def grades_matrix(self, scope: ReportScope | None = None) -> Any:
        """The reports in scope by their graded questions, aligned across reports by
        meaning (see :mod:`peel_search.ingest.questions`): a ``GradesMatrix``."""
        from ..ingest.questions import GradedArea, ReportGrades, grades_matrix

        graded = []
        for n in self.report_numbers(scope):
            record, meta = self.reports[n], self.metas[n]
            areas = tuple(
                GradedArea(
                    j["area"], j["grade"], j["sentence"], tuple(j["section"]), j["page"], j["start"], j["end"]
                )
                for j in record["judgments"]
            )
            graded.append(ReportGrades(meta.report_id, meta.label, areas))
        return grades_matrix(graded)

    def entity_counts(
        self, label: str | None = None, scope: ReportScope | None = None
    ) -> list[tuple[str, str, int]]:
        """``(label, name, passages mentioning it)`` in the reports in scope, most mentioned first."""
        if label is not None:
            label = label.upper()
            if label not in self.labels():
                raise QueryError(f"unknown entity label {label!r}: use one of {', '.join(self.labels())}")
        counts: Counter[tuple[str, str]] = Counter()
        names: dict[tuple[str, str], Counter[str]] = {}
        in_scope = self.report_mask(scope)
        for c in (c for n, c in enumerate(self.chunks) if in_scope[n]):
            keys = set()
            for e in c.entities:
                if label is not None and e.label != label:
                    continue
                key = (e.label, (e.canonical or e.text).casefold())
                names.setdefault(key, Counter())[e.canonical or e.text] += 1
                keys.add(key)
            counts.update(keys)
        rows = [(lab, names[(lab, k)].most_common(1)[0][0], n) for (lab, k), n in counts.items()]
        return sorted(rows, key=lambda r: (-r[2], r[0], r[1].casefold()))

    # -- filters ---------------------------------------------------------------------------

    def _entity_texts(self, f: EntityFilter) -> set[str]:
        """What an entity filter matches (case folded): its text, and the acronym or
        expansion the reports define for it."""
        want = f.text.casefold()
        expanded = {want}
        for short, long_form in self._acronyms.items():
            if short.casefold() == want:
                expanded.add(long_form.casefold())
            elif long_form.casefold() == want:
                expanded.add(short.casefold())
        return expanded

    def _entity_keys(self, f: EntityFilter) -> tuple[str, ...]:
        """The keys (see :func:`.candidates.entity_key`) any of which a passage passing ``f`` carries."""
        return tuple(sorted(entity_key(f.label, text) for text in self._entity_texts(f)))

    def _entity_mask(self, filters: Sequence[EntityFilter]) -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        for f in filters:
            expanded = self._entity_texts(f)
            hit = np.array(
                [
                    any(
                        (not f.label or e.label == f.label)
                        and (e.text.casefold() in expanded or e.canonical.casefold() in expanded)
                        for e in c.entities
                    )
                    for c in self.chunks
                ],
                dtype=bool,
            )
            mask &= hit
        return mask

    def _section_mask(self, section: str) -> np.ndarray:
        want = " ".join(_CONTROL_RE.sub(" ", section).split()).casefold()
        if not want:
            raise QueryError('the section filter is empty: give part of a heading, e.g. "digital evidence"')
        parts = [p.strip() for p in re.split(r"\s*(?:›|>)\s*", want) if p.strip()]

        def matches(path: tuple[str, ...]) -> bool:
            """Each part is in some heading, in order; levels between may be skipped
            (a citation shows only the top and the innermost heading)."""
            level = 0
            for part in parts:
                while level < len(path) and part not in path[level].casefold():
                    level += 1
                if level == len(path):
                    return False
                level += 1
            return True

        mask = np.array([matches(c.section) for c in self.chunks], dtype=bool)
        if not mask.any():
            raise QueryError(
                f"no section heading contains {section[:80]!r}: list them with `peel-search sections`"
            )
        return mask

    def judgment_areas(self) -> list[str]:
        return [j["area"] for r in self.reports for j in r["judgments"]]

    def _judgment_mask(self, area: str) -> np.ndarray:
        want = set(tokenize(area))
        if not want:
            raise QueryError('the judgment filter is empty: name an area, e.g. "vulnerable" or "overall"')
        chosen = [a for a in self.judgment_areas() if want <= set(tokenize(a))]
        if not chosen:
            raise QueryError(
                f"no judgment area matches {area[:80]!r}: use one of " + "; ".join(self.judgment_areas())
            )
        if any(a == "Overall" for a in chosen):
            return np.ones(self.size, dtype=bool)
        mask = np.array([bool(c.section) and c.section[0] in chosen for c in self.chunks], dtype=bool)
        return mask

    def _parse_entities(self, entities: Sequence[str | EntityFilter]) -> list[EntityFilter]:
        if isinstance(entities, str):
            entities = [entities]
        labels = self.labels()
        return [e if isinstance(e, EntityFilter) else parse_entity_filter(e, labels) for e in entities]

    def _designated(self, text: str) -> list[int]:
        """The passages the query names ("Figure 7", "page 22"), in reading order (the
        last few queries' cached: a search asks up to three times)."""
        from .references import designate, find_references

        found = self._designated_cache.get(text)
        if found is None:
            refs = find_references(text)
            found = designate(refs, self.chunks) if refs else []
            if len(self._designated_cache) > 64:
                self._designated_cache = {}  # a new dict: readers holding the old one are unaffected
            self._designated_cache[text] = found
        return found

    def _named(self, text: str, mask: np.ndarray) -> np.ndarray:
        """The passages passing ``mask`` that the query names: always scored, whatever
        the first stage finds."""
        named = np.zeros(self.size, dtype=bool)
        named[self._designated(text)] = True
        return named & mask

    def filter_mask(
        self,
        entities: Sequence[str | EntityFilter] = (),
        section: str | None = None,
        judgment: str | None = None,
        scope: ReportScope | None = None,
    ) -> np.ndarray:
        """Which passages pass every filter given."""
        mask = self.report_mask(scope) & self._entity_mask(self._parse_entities(entities))
        if section is not None and str(section).strip():
            mask &= self._section_mask(str(section))
        if judgment is not None and str(judgment).strip():
            mask &= self._judgment_mask(str(judgment))
        return mask

    # -- search ----------------------------------------------------------------------------

    def use_first_stage(self, stage: FirstStage) -> None:
        """Find candidates with ``stage`` (e.g. a Milvus collection) instead of in-process FAISS and BM25."""
        self._first_stage = stage

    @property
    def first_stage(self) -> FirstStage:
        return self._first_stage

    @property
    def positions(self) -> dict[str, int]:
        """Each passage id's position (what a first stage returns)."""
        return dict(self._position)

    def _encode_query(self, query: str, expand: bool = True) -> _Query:
        """The query in every form the signals need (one model pass)."""
        extra = expand_query(query, self._acronyms) if expand else []
        dense_query = f"{query} ({'; '.join(extra)})" if extra else query
        pooled, pieces, piece_vectors = self._encode(dense_query)
        keep = content_positions(pieces)
        tokens = normalise_rows(piece_vectors[keep]) if keep else np.zeros((0, len(pooled)), np.float32)
        return _Query(
            query, " ".join([query, *extra]), pooled.astype(np.float32), [pieces[i] for i in keep], tokens
        )

    def candidates(
        self,
        query: _Query,
        allowed: np.ndarray,
        in_scope: np.ndarray | None = None,
        entities: Sequence[EntityFilter] = (),
        narrowed: bool = False,
    ) -> np.ndarray:
        """Which passages a search scores closely (a mask): every passage of the
        reports in scope when they are no more than :attr:`whole_scope` (or
        :attr:`first_stage_depth` is ``None``), else the first stage's best among
        ``allowed``. ``narrowed``: a section or judgment filter, not only the
        reports, shaped ``allowed``."""
        scope = np.ones(self.size, dtype=bool) if in_scope is None else in_scope
        depth = self.first_stage_depth
        if depth is None or int(scope.sum()) <= max(self.whole_scope, depth):
            return scope.copy()
        return self._first_stage_candidates(query, allowed, depth, entities, narrowed)

    def _first_stage_candidates(
        self,
        query: _Query,
        allowed: np.ndarray,
        depth: int,
        entities: Sequence[EntityFilter],
        narrowed: bool,
    ) -> np.ndarray:
        """The union of the first stage's ``depth`` best of each source, as a mask."""
        reports = np.unique(self._chunk_report[allowed])
        everything = len(reports) == len(self.metas)
        ranked = self._first_stage.candidates(
            FirstStageQuery(
                vector=query.vector,
                lexical=query.lexical,
                allowed=allowed,
                depth=depth,
                reports=() if everything else tuple(self.metas[int(n)].report_id for n in reports),
                sections=(
                    tuple(sorted({section_key(self.chunks[int(i)].section) for i in np.flatnonzero(allowed)}))
                    if narrowed
                    else ()
                ),
                entity_keys=tuple(self._entity_keys(f) for f in entities),
            )
        )
        mask = np.zeros(self.size, dtype=bool)
        mask[union(ranked)] = True
        return mask & allowed

    def _signals(
        self, query: _Query, candidates: np.ndarray, within: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """The signals of :meth:`score` for the passages in ``candidates`` (``-inf``
        elsewhere; BM25 is cheap and scored everywhere)."""
        import torch

        chosen = np.flatnonzero(candidates)
        q = query.vector
        dense = np.full(self.size, -np.inf)
        dense[chosen] = (self._dense.take_ranges(chosen, chosen + 1) @ torch.from_numpy(q)).numpy()
        starts, ends = self._sentence_first[chosen], self._sentence_first[chosen + 1]
        windows = (self._windows.take_ranges(starts, ends) @ torch.from_numpy(q)).numpy()
        owners = self._sentence_owner[ranges_to_rows(starts, ends)]
        sentence = max_pool(windows, owners, self.size, fill=-np.inf)
        df, documents = self._token_statistics(within)
        weights = idf_weights(query.pieces, df, documents)
        tokens = np.full(self.size, -np.inf)
        tokens[chosen] = self._token_scores(query.tokens, weights, chosen)
        return {
            "coverage": np.float64(self._lexical.coverage(query.text, within)),
            "bm25": self._lexical.scores(query.lexical, within),
            "dense": dense,
            "sentence": sentence,
            "tokens": tokens,
            "candidates": candidates,
            "query": q,
        }

    #: Passages whose word-pieces are read and scored at once: bounds the memory a query
    #: takes (~20 MB), so that large temporary arrays do not fragment the heap.
    TOKEN_BATCH = 256

    def _token_scores(
        self, query_tokens: np.ndarray, weights: np.ndarray, passages: np.ndarray
    ) -> np.ndarray:
        """Late interaction (see :mod:`peel_search.index.interaction`) of the query with
        ``passages``, reading their word-piece vectors from disk in batches."""
        out = np.zeros(len(passages), dtype=np.float64)
        if not len(query_tokens):
            return out
        for at in range(0, len(passages), self.TOKEN_BATCH):
            batch = passages[at : at + self.TOKEN_BATCH]
            starts, ends = self._token_offsets[batch], self._token_offsets[batch + 1]
            # A torch tensor: the product runs on torch's thread pool, the one the query
            # encoder uses (see interaction.py).
            matrix = self._tokens.take_ranges(starts, ends)
            local = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
            out[at : at + len(batch)] = maxsim_scores(query_tokens, weights, matrix, local)
        return out

    def score(
        self, query: str, expand: bool = True, within: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """The raw signals for a cleaned query, one entry per passage: ``bm25``,
        ``dense``, ``sentence`` (its best sentence-in-context) and ``tokens`` (late
        interaction), each ``-inf`` outside ``candidates`` (the passages scored, see
        :meth:`candidates`); ``coverage``, the share of the query's words in the
        report's vocabulary; ``query``, the query's vector.

        With ``within`` (the passages of the reports a search is restricted to), the
        collection statistics (BM25 IDF, word-piece IDF, coverage) are those reports':
        one report of a library is searched as that report alone would be."""
        encoded = self._encode_query(query, expand)
        scope = np.ones(self.size, dtype=bool) if within is None else within
        return self._signals(encoded, self.candidates(encoded, scope, scope), within)

    def _fuse_within(
        self, signals: dict[str, np.ndarray], config: RankConfig, within: np.ndarray
    ) -> np.ndarray:
        """:meth:`fuse` over the passages in ``within`` alone (each signal ranked among
        them, as in an index of those reports only); ``-inf`` elsewhere."""
        inside = np.flatnonzero(within)
        subset = {name: signals[name][inside] for name in SIGNALS}
        fused = np.full(self.size, -np.inf)
        if len(inside):
            fused[inside] = self.fuse({**subset, "coverage": signals["coverage"]}, config)
        return fused

    def _token_statistics(self, within: np.ndarray | None) -> tuple[dict[str, int], int]:
        """Word-piece document counts over the reports with passages in ``within``."""
        if within is None or within.all() or not self._part_token_df:
            return self._token_df, self._token_docs
        numbers = [int(n) for n in np.unique(self._chunk_report[within]) if n >= 0]
        if len(numbers) == 1:
            part = self._part_token_df[numbers[0]]
            return part["df"], int(part["documents"])
        df: Counter[str] = Counter()
        for n in numbers:
            df.update(self._part_token_df[n]["df"])
        return dict(df), sum(int(self._part_token_df[n]["documents"]) for n in numbers)

    @staticmethod
    def fuse(signals: dict[str, np.ndarray], config: RankConfig = DEFAULT_RANKING) -> np.ndarray:
        """One score per passage from the signals, as ``config`` says.

        A BM25 signal that is zero everywhere (no query word is in the vocabulary)
        carries no ranking and is left out.
        """
        lists, weights = [], []
        for name, w in zip(config.signals, config.weights, strict=True):
            if name == "bm25" and not signals["bm25"].any() and len(config.signals) > 1:
                continue
            if name == "bm25" and config.adaptive_bm25 and len(config.signals) > 1:
                w *= float(signals.get("coverage", 1.0))
            lists.append(signals[name])
            weights.append(w)
        if config.fusion == "sum":
            return weighted_sum(lists, weights)
        return reciprocal_rank_fusion(lists, weights, config.rrf_k)

    def _best_sentence(self, i: int, query_terms: set[str], query: np.ndarray) -> tuple[str, Span]:
        spans = self.sentence_spans[i]
        first = int(self._sentence_first[i])
        text = self.chunks[i].text
        similarity = (
            self._sentences.take_ranges(np.array([first]), np.array([first + len(spans)])).numpy() @ query
        )
        best, best_score = 0, -np.inf
        for j, (a, b) in enumerate(spans):
            terms = self._sentence_words(first + j, text[a:b])
            overlap = len(terms & query_terms) / max(1, len(query_terms))
            value = float(similarity[j]) + 0.3 * overlap
            if value > best_score:
                best, best_score = j, value
        a, b = spans[best]
        return text[a:b], (a, b)

    def search(
        self,
        query: str,
        k: int = 10,
        entities: Sequence[str | EntityFilter] = (),
        section: str | None = None,
        judgment: str | None = None,
        config: RankConfig = DEFAULT_RANKING,
        *,
        reports: object = None,
        forces: object = None,
        years: object = None,
    ) -> SearchResult:
        """The ``k`` best passages for ``query`` among those passing the filters;
        ``reports``, ``forces`` and ``years`` (each one value or several) restrict it
        to some reports of the library.

        Raises :class:`QueryError` for an empty query, a bad ``k`` or a bad filter.
        """
        text, notices = clean_query(query)
        k = parse_k(k, self.size)
        scope = ReportScope.of(reports, forces, years)
        parsed = self._parse_entities(entities)
        mask = self.filter_mask(parsed, section, judgment, scope)
        if not mask.any():
            notices.append("no passage matches all the filters")
            return SearchResult(text, (), False, tuple(notices))
        in_scope = self.report_mask(scope)
        encoded = self._encode_query(text, config.expand_acronyms)
        narrowed = any(str(f).strip() for f in (section, judgment) if f is not None)
        candidates = self.candidates(encoded, mask, in_scope, parsed, narrowed) | self._named(text, mask)
        signals = self._signals(encoded, candidates, in_scope if scope else None)
        fused = self._fuse_within(signals, config, candidates)
        hits = self._ranked(text, signals, fused, mask, k, config)
        return SearchResult(
            text, tuple(hits), self._answers(text, hits, signals, mask, notices, in_scope), tuple(notices)
        )

    def _ranked(
        self,
        text: str,
        signals: dict[str, np.ndarray],
        fused: np.ndarray,
        mask: np.ndarray,
        k: int,
        config: RankConfig,
    ) -> list[Hit]:
        """The ``k`` best hits among ``mask``: near-duplicates folded into one hit shown
        as the best-cited copy in scope, and passages the query names put first."""
        from .references import designate, find_references, only_references, promote

        scored = np.where(mask, fused, -np.inf)
        ranked = np.flatnonzero(np.isfinite(scored))  # the candidates passing the filters
        order = ranked[np.argsort(-scored[ranked], kind="stable")].tolist()
        named: set[int] = set()
        refs = find_references(text)
        if refs:
            designated = designate(refs, self.chunks, None if only_references(text, refs) else order)
            order = promote(order, designated)
            named = set(designated)
        query_terms = set(tokenize(" ".join([text, *expand_query(text, self._acronyms)])))
        hits: list[Hit] = []
        emitted: set[int] = set()
        for i in order:
            if len(hits) == k:
                break
            group = self._canonical[i] if config.collapse_duplicates else i
            if group in emitted:
                continue
            emitted.add(group)
            members = [m for m in self._members[group] if mask[m]] if config.collapse_duplicates else [i]
            shown = i if i in named else members[0]
            others = [m for m in members if m != shown]
            sentence, span = self._best_sentence(shown, query_terms, signals["query"])
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    chunk=self.chunks[shown],
                    score=float(fused[i]),
                    citation=self.citations[shown],
                    best_sentence=sentence,
                    best_sentence_span=span,
                    duplicates=tuple(self.chunks[m].id for m in others),
                    copies=tuple((self.chunks[m].id, self.citations[m]) for m in others),
                    reports=tuple(dict.fromkeys(self.chunks[m].report_id for m in [shown, *others])),
                )
            )
        return hits

    def compare(
        self,
        query: str,
        entities: Sequence[str | EntityFilter] = (),
        section: str | None = None,
        judgment: str | None = None,
        config: RankConfig = DEFAULT_RANKING,
        *,
        reports: object = None,
        forces: object = None,
        years: object = None,
    ) -> CompareResult:
        """One question across reports: the best passage of each report in scope, or,
        where a report holds nothing that answers it, a note saying so instead of a
        weak passage.

        Raises :class:`QueryError` for an empty query or a bad filter.
        """
        text, notices = clean_query(query)
        numbers = self.report_numbers(ReportScope.of(reports, forces, years))
        parsed = self._parse_entities(entities)
        base = self.filter_mask(parsed, section, judgment)
        encoded = self._encode_query(text, config.expand_acronyms)
        narrowed = any(str(f).strip() for f in (section, judgment) if f is not None)
        in_scope = np.isin(self._chunk_report, numbers)
        candidates = self.candidates(encoded, base & in_scope, in_scope, parsed, narrowed)
        if not candidates.all() and self.first_stage_depth is not None:
            # Each report's own best, not the library's: a report the library's best
            # passages all miss still gets its row.
            depth = min(self.first_stage_depth, self.COMPARE_DEPTH)
            candidates = np.zeros(self.size, dtype=bool)
            for n in numbers:
                allowed = base & (self._chunk_report == n)
                if allowed.any():
                    candidates |= self._first_stage_candidates(encoded, allowed, depth, parsed, narrowed)
        signals = self._signals(encoded, candidates | self._named(text, base), None)
        fused = self._fuse_within(signals, config, signals["candidates"])
        rows: list[CompareRow] = []
        for n in numbers:
            mask = base & (self._chunk_report == n)
            note, hits = "", []
            if not mask.any():
                note = "no passage of this report matches the filters"
            else:
                hits = self._ranked(text, signals, fused, mask, self.ANSWER_PASSAGES, config)
                why: list[str] = []
                if not self._answers(text, hits, signals, mask, why, self._chunk_report == n):
                    reason = why[0].removeprefix("not answered in the report: ") if why else ""
                    if reason and reason != NO_CLOSE_MATCH:
                        note = f"not answered: {reason}"
                    else:
                        note = "nothing in this report answers this"
            hits = [] if note else hits[:1]
            rows.append(CompareRow(self.metas[n], hits[0] if hits else None, note))
        return CompareResult(text, tuple(rows), tuple(notices))

    #: Passages each first-stage source contributes per report in :meth:`compare`,
    #: which needs only each report's best passage.
    COMPARE_DEPTH = 24

    #: The answerability checks run (see :data:`.answerability.CHECKS`); ``bench/quality.py``
    #: switches them off one at a time.
    answer_checks: tuple[str, ...] = CHECKS
    #: How many of the best passages the value and period checks read, and how many
    #: sentences either side of a value may name what it counts.
    ANSWER_PASSAGES = 3
    answer_window = 1

    def _answer_scope(self, mask: np.ndarray) -> Scope:
        """What the reports with passages in ``mask`` cover: their years and period, the
        pillars they inspect and the areas they grade."""
        numbers = tuple(int(n) for n in np.unique(self._chunk_report[mask]) if n >= 0)
        scope = self._scope_cache.get(numbers)
        if scope is None:
            if len(self._scope_cache) > 64:
                self._scope_cache = {}  # a new dict: readers holding the old one are unaffected
            scope = self._scope_cache[numbers] = self._describe_scope(numbers)
        return scope

    def _describe_scope(self, numbers: tuple[int, ...]) -> Scope:
        metas = [self.metas[n] for n in numbers]
        years: set[int] = set()
        for m in metas:
            if m.year:
                years |= {m.year - 1, m.year}
            years |= set(question_years(f"{m.period} {m.published}"))
        periods = [
            (m.period or (str(m.year) if m.year else ""))
            + (f" (published {m.published})" if m.published else "")
            for m in metas
        ]
        periods = [p for p in dict.fromkeys(periods) if p]
        period = (
            periods[0] if len(periods) == 1 else ", ".join(periods[:4]) + ("…" if len(periods) > 4 else "")
        )
        areas, grades = [], []
        for n in numbers:
            for j in self.reports[n].get("judgments", []):
                area = without_frame(j["area"])
                areas.append(area)
                if j.get("grade"):
                    grades.append(f"{area[:1].lower()}{area[1:]}: {str(j['grade']).lower()}")
        return Scope(
            frozenset(years),
            period if len(metas) == 1 else f"the reports in scope cover {period}",
            tuple(dict.fromkeys(m.pillar.lower() for m in metas if m.pillar)),
            tuple(dict.fromkeys(areas)),
            tuple(dict.fromkeys(g for g in grades if g.startswith("overall")))
            or tuple(dict.fromkeys(grades))[:3],
            tuple(dict.fromkeys(m.force for m in metas if m.force)),
        )

    def _unanswered(self, query: str, hits: Sequence[Hit], mask: np.ndarray) -> str:
        """Why the reports in ``mask`` cannot answer ``query`` (see :mod:`.answerability`), or ``""``."""
        best = hits[: self.ANSWER_PASSAGES]
        evidence = Evidence(
            present=lambda word: self._word_present(word, mask),
            passages=[h.chunk.text for h in best],
            names_a_person=lambda: any(e.label == "PERSON" for h in best for e in h.chunk.entities),
            scope=self._answer_scope(mask),
        )
        # The force a report is about frames a question ("how many officers does Kent
        # Police have?") rather than naming its subject; another force is left as asked.
        generic = query
        for force in sorted(evidence.scope.forces, key=len, reverse=True):
            name = re.sub(r"\s+(?:police(?: service| force)?|constabulary)$", "", force, flags=re.I)
            pattern = rf"\b(?:the\s+)?{re.escape(name)}(?:\s+(?:police(?: service| force)?|constabulary))?\b"
            generic = re.sub(pattern, "the force", generic, flags=re.I)
        kind = answer_type(generic)
        return unanswered_reason(kind, evidence, query, self.answer_checks, self.answer_window)

    def _answers(
        self,
        query: str,
        hits: Sequence[Hit],
        signals: dict[str, np.ndarray],
        mask: np.ndarray,
        notices: list[str],
        in_scope: np.ndarray | None = None,
    ) -> bool:
        """Whether the report seems to answer ``query``; says why not in ``notices``.
        A question that only names an element of the report ("what is on page 22?") is
        answered when that element passes the filters. "The report" is the reports in
        scope (``in_scope``; default: the passages in ``mask``): a section or entity
        filter narrows the passages, not what the report is known to say."""
        from .references import find_references, only_references

        refs = find_references(query)
        if refs and only_references(query, refs) and any(mask[i] for i in self._designated(query)):
            return True
        reason = self._unanswered(query, hits, mask if in_scope is None else in_scope)
        if reason:
            notices.append(f"not answered in the report: {reason}")
            return False
        if float(signals["tokens"][mask].max()) < IN_REPORT_THRESHOLD:
            notices.append(f"not answered in the report: {NO_CLOSE_MATCH}")
            return False
        return True

    def browse(
        self,
        entities: Sequence[str | EntityFilter] = (),
        section: str | None = None,
        judgment: str | None = None,
        query: str | None = None,
        limit: int | None = None,
        *,
        reports: object = None,
        forces: object = None,
        years: object = None,
    ) -> list[Hit]:
        """Every passage passing the filters, in report order (the first ``limit``);
        with ``query``, only those containing every word of it (stemmed; an acronym
        and its expansion count as the same word) in their text or headings.

        Raises :class:`QueryError` for a bad filter or a query of only common words.
        """
        mask = self.filter_mask(entities, section, judgment, ReportScope.of(reports, forces, years))
        if query is not None and query.strip():
            text, _ = clean_query(query)
            alternatives = [
                {term, *tokenize(" ".join(expand_query(term, self._acronyms)))}
                for term in dict.fromkeys(tokenize(text))
            ]
            if not alternatives:
                raise QueryError(
                    f"{text[:80]!r} has only common words: add a word that appears in the report"
                )
            for i in np.flatnonzero(mask):
                words = self._words(int(i))
                mask[i] = all(words & alt for alt in alternatives)
        hits: list[Hit] = []
        for i in np.flatnonzero(mask)[:limit]:
            c = self.chunks[int(i)]
            span = self.sentence_spans[int(i)][0]
            hits.append(Hit(len(hits) + 1, c, 0.0, self.citations[int(i)], c.text[span[0] : span[1]], span))
        return hits


def _describe(scope: ReportScope) -> str:
    parts = [f"report {', '.join(scope.reports)}"] if scope.reports else []
    parts += [f"force {', '.join(scope.forces)}"] if scope.forces else []
    parts += [f"year {', '.join(scope.years)}"] if scope.years else []
    return " and ".join(parts)


def _everything(rows: PartedRows) -> np.ndarray:
    """Every row of ``rows`` in memory, as float32 (to build an in-memory index from)."""
    return np.asarray(rows.take_ranges(np.array([0]), np.array([len(rows)])).numpy())


def open_index(
    index: str | Path = "index",
    corpus: str | Path = "corpus",
    *,
    rebuild: bool = False,
    notify: Callable[[str], None] | None = None,
    backend: Backend | None = None,
) -> SearchIndex:
    """Load the index, building or rebuilding it first when missing, stale or corrupt,
    and attach ``backend`` (default: ``faiss``, in this process).

    ``notify`` receives a one-line message saying why a build happens.
    """
    loaded = _open_index(index, corpus, rebuild=rebuild, notify=notify)
    if backend is not None and backend != loaded.backend:
        backend.attach(loaded)
    return loaded


def _open_index(
    index: str | Path, corpus: str | Path, *, rebuild: bool, notify: Callable[[str], None] | None
) -> SearchIndex:
    from ..index.build import build_index
    from ..ingest.corpus import candidate_files

    say = notify or (lambda message: None)
    if not rebuild:
        try:
            return SearchIndex.load(index, corpus)
        except IndexUnusableError as exc:
            candidate_files(Path(corpus))  # a missing corpus is the error to report, not the index
            say(f"building the index: {exc.reason}")
    else:
        say(f"building the index in {index} (--rebuild)")
    result = build_index(corpus, index, reuse=not rebuild)
    for note in result.notes:
        say(f"{note.name}: {note.message}")
    return SearchIndex.load(index, corpus)
