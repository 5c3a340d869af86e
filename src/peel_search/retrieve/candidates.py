"""The first stage of a search: which passages are worth scoring closely.

Scoring a passage closely (its sentences in context, every query word-piece against
its word-pieces) costs far more than finding it. So a search asks a *first stage* for
the passages that each cheap signal ranks best among those passing the filters, and
scores only their union (:meth:`.ranker.Ranker.signals`). When the passages in scope are no
more than :data:`WHOLE_SCOPE`, every one is a candidate and the search is exact: one
report, or a library searched within one report, ranks as it always did.

Two first stages implement :class:`FirstStage`:

- :class:`LocalFirstStage` (backend ``faiss``, the default): BM25 from the index's own
  lexical index, passage and sentence-in-context vectors from FAISS (8-bit codes, every
  one scanned; an HNSW graph once a library is large, see :data:`HNSW_MIN_VECTORS`);
- ``peel_search.retrieve.milvus.MilvusFirstStage`` (backend ``milvus``): the same three
  sources from a Milvus collection, the filters as Milvus filter expressions.

The seam is deliberately narrow: positions of passages in the loaded index, best first.
Everything after it (the signals, their fusion, near-duplicates, the best sentence, the
not-answered checks) is shared by both backends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

# The keys remote engines filter on are defined with the collections that hold them.
from ..index.milvus import entity_key as entity_key
from ..index.milvus import section_key as section_key
from .vectors import ranges_to_rows

#: The sources a first stage answers with, each a ranking of passage positions.
SOURCES = ("bm25", "dense", "sentence")
#: How many passages each source contributes by default: the union is about one
#: report's worth, so a search of the whole library costs about what one report's did.
DEFAULT_DEPTH = 64
#: A scope of no more passages than this is scored whole, without a first stage: one
#: report (the bundled one has 191) or two are searched exactly, as they always were.
WHOLE_SCOPE = 400
#: Vectors above which :class:`LocalFirstStage` answers unfiltered searches from an HNSW
#: graph instead of an exact scan (see ``bench/scale.py`` for where the two cross).
HNSW_MIN_VECTORS = 250_000


@dataclass(frozen=True, slots=True)
class FirstStageQuery:
    """What a first stage is asked.

    ``allowed`` marks the passages (by position in the loaded index) in the reports in
    scope that pass every filter: every candidate returned must be one of them. The
    other fields say the same thing in the terms a remote engine filters on, for a
    backend that cannot take a mask: ``reports`` (ids; empty for every report),
    ``sections`` (heading paths joined by " › "; empty when no section or judgment
    filter narrows the passages) and ``entity_keys`` (per entity filter, the keys any of
    which a passage must carry; see :func:`entity_key`).
    """

    vector: np.ndarray
    lexical: str
    allowed: np.ndarray
    depth: int = DEFAULT_DEPTH
    reports: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    entity_keys: tuple[tuple[str, ...], ...] = field(default=())


class FirstStage(Protocol):
    """Finds candidate passages; see the module's text."""

    name: str

    def candidates(self, query: FirstStageQuery) -> dict[str, np.ndarray]:
        """For each of :data:`SOURCES`, at most ``query.depth`` passage positions, best
        first, every one allowed by ``query.allowed``."""
        ...


def top_positions(scores: np.ndarray, positions: np.ndarray, depth: int) -> np.ndarray:
    """The ``depth`` entries of ``positions`` with the highest ``scores``, best first
    (ties by position): ``scores[j]`` belongs to ``positions[j]``."""
    if len(positions) <= depth:
        order = np.lexsort((positions, -scores))
        return positions[order]
    bar = scores[np.argpartition(-scores, depth - 1)[depth - 1]]  # the depth-th best score
    above, at = np.flatnonzero(scores > bar), np.flatnonzero(scores == bar)
    at = at[np.argsort(positions[at], kind="stable")][: depth - len(above)]  # ties: lower positions
    chosen = np.concatenate([above, at])
    order = np.lexsort((positions[chosen], -scores[chosen]))
    return positions[chosen][order]


def union(ranked: dict[str, np.ndarray]) -> np.ndarray:
    """Every position any source returned, in ascending order."""
    arrays = [np.asarray(a, dtype=np.int64) for a in ranked.values()]
    return np.unique(np.concatenate(arrays)) if arrays else np.zeros(0, dtype=np.int64)


class LocalFirstStage:
    """BM25 and FAISS over the loaded index, in this process (backend ``faiss``).

    ``dense`` holds one vector per passage and ``windows`` one per sentence in context,
    ``owners[s]`` being the passage of sentence ``s``. FAISS keeps them as 8-bit codes
    (a quarter of float32's memory, and a scan reads a quarter of the bytes: a scan of
    a large library is bound by memory bandwidth); the order they give is the exact
    one but for near ties, and the close scoring that follows reads the exact vectors.
    A filtered search scans only the allowed vectors.
    """

    name = "faiss"

    def __init__(self, lexical: Any, dense: np.ndarray, windows: np.ndarray, owners: np.ndarray) -> None:
        self._lexical = lexical
        self._size = len(dense)
        self._owners = owners
        self._first_sentence = np.searchsorted(owners, np.arange(len(dense) + 1))
        self._dense_index = _faiss_index(dense)
        self._window_index = _faiss_index(windows)

    def candidates(self, query: FirstStageQuery) -> dict[str, np.ndarray]:
        allowed = np.flatnonzero(query.allowed)
        everything = len(allowed) == self._size
        within = None if everything else query.allowed
        bm25 = self._lexical.scores(query.lexical, within)[allowed]
        out = {"bm25": top_positions(bm25, allowed, query.depth)}
        q = np.ascontiguousarray(query.vector, dtype=np.float32).reshape(1, -1)
        rows = (
            None
            if everything
            else ranges_to_rows(self._first_sentence[allowed], self._first_sentence[allowed + 1])
        )
        out["dense"] = _search(self._dense_index, q, query.depth, None if everything else allowed)
        sentences = _search(self._window_index, q, 8 * query.depth, rows)
        out["sentence"] = _first_owners(self._owners[sentences], query.depth)
        return out


def _faiss_index(matrix: np.ndarray) -> Any:
    """An inner-product index of 8-bit codes over ``matrix``: scanned whole, or, when it
    is large, an HNSW graph over the codes."""
    import faiss

    dim = matrix.shape[1]
    index: Any
    if len(matrix) >= HNSW_MIN_VECTORS:
        index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, 32, faiss.METRIC_INNER_PRODUCT)  # type: ignore[arg-type]
        index.hnsw.efSearch = 128
    else:
        index = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    if len(matrix):
        data = np.ascontiguousarray(matrix, dtype=np.float32)
        index.train(data)
        index.add(data)
    return index


def _search(index: Any, q: np.ndarray, depth: int, ids: np.ndarray | None) -> np.ndarray:
    """The ``depth`` nearest vectors' positions, best first; among ``ids`` alone if given."""
    import faiss

    k = min(depth, index.ntotal if ids is None else len(ids))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    selector = None if ids is None else faiss.IDSelectorBatch(ids)
    if isinstance(index, faiss.IndexHNSW):
        # A graph walk keeps efSearch entries: fewer than k would cut the recall of k.
        params: Any = faiss.SearchParametersHNSW(efSearch=max(128, k))  # type: ignore[attr-defined]
        if selector is not None:
            params.sel = selector
    else:
        params = None if selector is None else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
    _, found = index.search(q, k, params=params)
    return found[0][found[0] >= 0].astype(np.int64)


def _first_owners(owners: np.ndarray, depth: int) -> np.ndarray:
    """The distinct passages of a ranked list of sentences, in order of first appearance."""
    _, first = np.unique(owners, return_index=True)
    return owners[np.sort(first)][:depth]
