"""Ranking: a query encoded once, the passages worth a close look (the first stage), the
signals scored on them, one fused score, and the ranked hits with their best sentence.

The path of a query, in the order :func:`.search.search` calls it:

1. :meth:`Ranker.encode`: one model pass gives the pooled vector and the word-piece
   vectors; the report's acronyms are expanded both ways for BM25 and the vector.
2. :meth:`Ranker.candidates`: every passage in scope when the scope is small (one or two
   reports), else the union of the first stage's best by BM25, passage vector and
   sentence-in-context vector (:mod:`.candidates`, FAISS or Milvus).
3. :meth:`Ranker.signals`: on the candidates, the passage vector's cosine, the best
   sentence-in-context cosine and word-piece late interaction, read from disk for those
   passages alone; BM25 everywhere.
4. :func:`fuse`: weighted reciprocal rank fusion (:mod:`.fusion`).
5. :meth:`Ranker.ranked`: near-duplicates folded into one hit, passages the query names
   put first, each hit's best sentence picked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..index.interaction import content_positions, idf_weights, maxsim_scores, normalise_rows
from ..index.lexical import tokenize
from ..ingest.acronyms import expand_query
from ..types import Hit, Span
from .candidates import (
    DEFAULT_DEPTH,
    WHOLE_SCOPE,
    FirstStage,
    FirstStageQuery,
    LocalFirstStage,
    section_key,
    union,
)
from .fusion import max_pool, reciprocal_rank_fusion, weighted_sum
from .library import Library
from .vectors import PartedRows, ranges_to_rows

SIGNALS = ("bm25", "dense", "sentence", "tokens")


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


@dataclass(frozen=True, slots=True)
class EncodedQuery:
    """A query encoded once for every signal: ``lexical`` is what BM25 matches (with
    acronym expansions), ``vector`` the pooled vector, ``pieces`` and ``tokens`` its
    content word-pieces and their normalised vectors."""

    text: str
    lexical: str
    vector: np.ndarray
    pieces: list[str]
    tokens: np.ndarray


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


def _everything(rows: PartedRows) -> np.ndarray:
    """Every row of ``rows`` in memory, as float32 (to build an in-memory index from)."""
    return np.asarray(rows.take_ranges(np.array([0]), np.array([len(rows)])).numpy())


class Ranker:
    """Scores a library's passages for a query. Thread-safe for searching."""

    #: Passages whose word-pieces are read and scored at once: bounds the memory a query
    #: takes (~20 MB), so that large temporary arrays do not fragment the heap.
    TOKEN_BATCH = 256

    def __init__(self, library: Library) -> None:
        self.library = library
        #: Where candidates come from: in-process FAISS and BM25 by default, keeping its own
        #: compact copy of the passage and sentence-in-context vectors (see :mod:`.candidates`).
        self.first_stage: FirstStage = LocalFirstStage(
            library.lexical, _everything(library.dense), _everything(library.windows), library.sentence_owner
        )
        #: Passages each first-stage source contributes; ``None`` scores every passage in
        #: scope (exact, and the cost grows with the library).
        self.first_stage_depth: int | None = DEFAULT_DEPTH
        #: A scope of no more passages than this is scored whole, exactly (one report, two).
        self.whole_scope: int = WHOLE_SCOPE

    def encode(self, query: str, expand: bool = True) -> EncodedQuery:
        """The query in every form the signals need (one model pass)."""
        extra = expand_query(query, self.library.acronyms) if expand else []
        dense_query = f"{query} ({'; '.join(extra)})" if extra else query
        pooled, pieces, piece_vectors = self.library.encode(dense_query)
        keep = content_positions(pieces)
        tokens = normalise_rows(piece_vectors[keep]) if keep else np.zeros((0, len(pooled)), np.float32)
        return EncodedQuery(
            query, " ".join([query, *extra]), pooled.astype(np.float32), [pieces[i] for i in keep], tokens
        )

    # -- the first stage ---------------------------------------------------------------------

    def candidates(
        self,
        query: EncodedQuery,
        allowed: np.ndarray,
        in_scope: np.ndarray | None = None,
        entity_keys: tuple[tuple[str, ...], ...] = (),
        narrowed: bool = False,
    ) -> np.ndarray:
        """Which passages a search scores closely (a mask): every passage of the
        reports in scope when they are no more than :attr:`whole_scope` (or
        :attr:`first_stage_depth` is ``None``), else the first stage's best among
        ``allowed``. ``entity_keys``: for each entity filter, the keys any of which
        passes it; ``narrowed``: a section or judgment filter, not only the reports,
        shaped ``allowed``."""
        scope = np.ones(self.library.size, dtype=bool) if in_scope is None else in_scope
        depth = self.first_stage_depth
        if depth is None or int(scope.sum()) <= max(self.whole_scope, depth):
            return scope.copy()
        return self.first_stage_candidates(query, allowed, depth, entity_keys, narrowed)

    def first_stage_candidates(
        self,
        query: EncodedQuery,
        allowed: np.ndarray,
        depth: int,
        entity_keys: tuple[tuple[str, ...], ...],
        narrowed: bool,
    ) -> np.ndarray:
        """The union of the first stage's ``depth`` best of each source, as a mask."""
        library = self.library
        reports = np.unique(library.chunk_report[allowed])
        everything = len(reports) == len(library.metas)
        ranked = self.first_stage.candidates(
            FirstStageQuery(
                vector=query.vector,
                lexical=query.lexical,
                allowed=allowed,
                depth=depth,
                reports=() if everything else tuple(library.metas[int(n)].report_id for n in reports),
                sections=(
                    tuple(
                        sorted({section_key(library.chunks[int(i)].section) for i in np.flatnonzero(allowed)})
                    )
                    if narrowed
                    else ()
                ),
                entity_keys=entity_keys,
            )
        )
        mask = np.zeros(library.size, dtype=bool)
        mask[union(ranked)] = True
        return mask & allowed

    # -- the signals ---------------------------------------------------------------------------

    def signals(
        self, query: EncodedQuery, candidates: np.ndarray, within: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        """The raw signals for the passages in ``candidates``, one entry per passage
        (``-inf`` elsewhere; BM25 is cheap and scored everywhere): ``bm25``, ``dense``,
        ``sentence`` (its best sentence-in-context) and ``tokens`` (late interaction);
        ``coverage``, the share of the query's words in the vocabulary; ``candidates``;
        ``query``, the query's vector.

        With ``within`` (the passages of the reports a search is restricted to), the
        collection statistics (BM25 IDF, word-piece IDF, coverage) are those reports':
        one report of a library is searched as that report alone would be."""
        import torch

        library = self.library
        chosen = np.flatnonzero(candidates)
        q = query.vector
        dense = np.full(library.size, -np.inf)
        dense[chosen] = (library.dense.take_ranges(chosen, chosen + 1) @ torch.from_numpy(q)).numpy()
        starts, ends = library.sentence_first[chosen], library.sentence_first[chosen + 1]
        windows = (library.windows.take_ranges(starts, ends) @ torch.from_numpy(q)).numpy()
        owners = library.sentence_owner[ranges_to_rows(starts, ends)]
        sentence = max_pool(windows, owners, library.size, fill=-np.inf)
        df, documents = library.token_statistics(within)
        weights = idf_weights(query.pieces, df, documents)
        tokens = np.full(library.size, -np.inf)
        tokens[chosen] = self.token_scores(query.tokens, weights, chosen)
        return {
            "coverage": np.float64(library.lexical.coverage(query.text, within)),
            "bm25": library.lexical.scores(query.lexical, within),
            "dense": dense,
            "sentence": sentence,
            "tokens": tokens,
            "candidates": candidates,
            "query": q,
        }

    def token_scores(self, query_tokens: np.ndarray, weights: np.ndarray, passages: np.ndarray) -> np.ndarray:
        """Late interaction (see :mod:`peel_search.index.interaction`) of the query with
        ``passages``, reading their word-piece vectors from disk in batches."""
        library = self.library
        out = np.zeros(len(passages), dtype=np.float64)
        if not len(query_tokens):
            return out
        for at in range(0, len(passages), self.TOKEN_BATCH):
            batch = passages[at : at + self.TOKEN_BATCH]
            starts, ends = library.token_offsets[batch], library.token_offsets[batch + 1]
            # A torch tensor: the product runs on torch's thread pool, the one the query
            # encoder uses (see interaction.py).
            matrix = library.tokens.take_ranges(starts, ends)
            local = np.concatenate([[0], np.cumsum(ends - starts)]).astype(np.int64)
            out[at : at + len(batch)] = maxsim_scores(query_tokens, weights, matrix, local)
        return out

    def score(
        self, query: str, expand: bool = True, within: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """:meth:`signals` for a cleaned query, over the passages :meth:`candidates` picks
        in ``within`` (default: everywhere)."""
        encoded = self.encode(query, expand)
        scope = np.ones(self.library.size, dtype=bool) if within is None else within
        return self.signals(encoded, self.candidates(encoded, scope, scope), within)

    def fuse_within(
        self, signals: dict[str, np.ndarray], config: RankConfig, within: np.ndarray
    ) -> np.ndarray:
        """:func:`fuse` over the passages in ``within`` alone (each signal ranked among
        them, as in an index of those reports only); ``-inf`` elsewhere."""
        inside = np.flatnonzero(within)
        subset = {name: signals[name][inside] for name in SIGNALS}
        fused = np.full(self.library.size, -np.inf)
        if len(inside):
            fused[inside] = fuse({**subset, "coverage": signals["coverage"]}, config)
        return fused

    # -- hits ----------------------------------------------------------------------------------

    def best_sentence(self, i: int, query_terms: set[str], query: np.ndarray) -> tuple[str, Span]:
        """The sentence of passage ``i`` closest to the query (its vector, plus a share of
        the query's words), and its span in the passage."""
        library = self.library
        spans = library.sentence_spans[i]
        first = int(library.sentence_first[i])
        text = library.chunks[i].text
        similarity = (
            library.sentences.take_ranges(np.array([first]), np.array([first + len(spans)])).numpy() @ query
        )
        best, best_score = 0, -np.inf
        for j, (a, b) in enumerate(spans):
            terms = library.sentence_words(first + j, text[a:b])
            overlap = len(terms & query_terms) / max(1, len(query_terms))
            value = float(similarity[j]) + 0.3 * overlap
            if value > best_score:
                best, best_score = j, value
        a, b = spans[best]
        return text[a:b], (a, b)

    def ranked(
        self,
        text: str,
        signals: dict[str, Any],
        fused: np.ndarray,
        mask: np.ndarray,
        k: int,
        config: RankConfig,
    ) -> list[Hit]:
        """The ``k`` best hits among ``mask``: near-duplicates folded into one hit shown
        as the best-cited copy in scope, and passages the query names put first."""
        from .references import designate, find_references, only_references, promote

        library = self.library
        scored = np.where(mask, fused, -np.inf)
        ranked = np.flatnonzero(np.isfinite(scored))  # the candidates passing the filters
        order = ranked[np.argsort(-scored[ranked], kind="stable")].tolist()
        named: set[int] = set()
        refs = find_references(text)
        if refs:
            designated = designate(refs, library.chunks, None if only_references(text, refs) else order)
            order = promote(order, designated)
            named = set(designated)
        query_terms = set(tokenize(" ".join([text, *expand_query(text, library.acronyms)])))
        hits: list[Hit] = []
        emitted: set[int] = set()
        for i in order:
            if len(hits) == k:
                break
            group = library.canonical[i] if config.collapse_duplicates else i
            if group in emitted:
                continue
            emitted.add(group)
            members = [m for m in library.members[group] if mask[m]] if config.collapse_duplicates else [i]
            shown = i if i in named else members[0]
            others = [m for m in members if m != shown]
            sentence, span = self.best_sentence(shown, query_terms, signals["query"])
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    chunk=library.chunks[shown],
                    score=float(fused[i]),
                    citation=library.citations[shown],
                    best_sentence=sentence,
                    best_sentence_span=span,
                    duplicates=tuple(library.chunks[m].id for m in others),
                    copies=tuple(library.copy(m) for m in others),
                    reports=tuple(dict.fromkeys(library.chunks[m].report_id for m in [shown, *others])),
                    variants=library.variants_of([shown, *others], mask),
                    full_citation=library.full_citation(shown),
                )
            )
        return hits
