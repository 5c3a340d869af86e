"""The first stage from Milvus (backend ``milvus``): see :mod:`peel_search.retrieve.candidates`.

The three sources are three Milvus searches, each restricted by the same filter
expression: passage vectors, BM25 (the query's terms through the collection's BM25
function) and sentence-in-context vectors grouped by their passage, so that each
passage counts once, at its best sentence. The collections are made and kept in step
with the index folder by :func:`peel_search.index.milvus.sync`.

Milvus answers with chunk ids; they become positions in the loaded index through the
map given at construction, and any position the query does not allow is dropped, in
case Milvus holds rows the loaded index filters differently.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexUnusableError, QueryError
from ..index.milvus import (
    DEFAULT_PREFIX,
    MAX_TOPK,
    Collections,
    Progress,
    bm25_terms,
    connect,
    first_line,
    string_literal,
    sync,
)
from .candidates import SOURCES, FirstStageQuery

#: Longest filter expression sent in one search. Milvus parses every expression anew
#: (Milvus Lite in Python); a longer one is split into several searches whose hits are
#: merged, each search keeping part of the longest list of values.
MAX_FILTER_CHARS = 16_384


def filter_expressions(
    reports: Sequence[str],
    sections: Sequence[str],
    entity_keys: Sequence[Sequence[str]],
    limit: int = MAX_FILTER_CHARS,
) -> list[str]:
    """The filter expressions that together select the passages a query allows.

    One expression (the AND of ``report_id in [...]``, ``section in [...]`` and an
    ``array_contains_any(entity_keys, [...])`` per entity filter; empty when nothing
    filters) unless it is longer than ``limit``: then the longest list is cut into
    pieces, one expression each, and a passage is selected when any of them selects it.

    Raises :class:`QueryError` when even one value of that list makes it too long.
    """
    lists: list[tuple[str, list[str]]] = []
    if reports:
        lists.append(("report_id in [{}]", list(reports)))
    if sections:
        lists.append(("section in [{}]", list(sections)))
    lists.extend(("array_contains_any(entity_keys, [{}])", list(group)) for group in entity_keys)
    if not lists:
        return [""]
    whole = _conjunction(lists)
    if len(whole) <= limit:
        return [whole]
    longest = max(range(len(lists)), key=lambda n: len(", ".join(map(string_literal, lists[n][1]))))
    template, values = lists[longest]
    room = limit - (len(whole) - len(", ".join(map(string_literal, values))))
    pieces = _pieces(values, room)
    if pieces is None:
        raise QueryError(
            f"the filters make a Milvus expression of {len(whole):,} characters",
            "narrow them (fewer reports, sections or entities) or use the faiss backend",
        )
    return [_conjunction([*lists[:longest], (template, piece), *lists[longest + 1 :]]) for piece in pieces]


def _conjunction(lists: Sequence[tuple[str, Sequence[str]]]) -> str:
    return " and ".join(template.format(", ".join(map(string_literal, values))) for template, values in lists)


def _pieces(values: Sequence[str], room: int) -> list[list[str]] | None:
    """``values`` in consecutive runs whose literals, comma-separated, fit in ``room``."""
    pieces: list[list[str]] = []
    current: list[str] = []
    used = 0
    for value in values:
        size = len(string_literal(value)) + (2 if current else 0)
        if used + size > room:
            if not current:
                return None
            pieces.append(current)
            current, used = [], 0
            size = len(string_literal(value))
            if size > room:
                return None
        current.append(value)
        used += size
    if current:
        pieces.append(current)
    return pieces


class MilvusFirstStage:
    """Candidate passages from Milvus collections that mirror the loaded index.

    ``positions`` maps each chunk id of the loaded index to its position; ``uri`` names
    the server in messages. Thread-safe for searching, as the client is.
    """

    name = "milvus"

    def __init__(
        self, client: Any, collections: Collections, positions: dict[str, int], uri: str = "Milvus"
    ) -> None:
        self._client = client
        self._names = collections
        self._positions = positions
        self._uri = uri

    def candidates(self, query: FirstStageQuery) -> dict[str, np.ndarray]:
        """For each of :data:`SOURCES`, at most ``query.depth`` passage positions, best
        first, every one allowed by ``query.allowed``.

        Raises :class:`QueryError` when the filters cannot be put to Milvus, and
        :class:`IndexUnusableError` when Milvus fails to answer.
        """
        try:
            return self._candidates(query)
        except (QueryError, IndexUnusableError):
            raise
        except Exception as exc:
            raise IndexUnusableError(
                f"Milvus at {self._uri} did not answer a search ({first_line(exc)})",
                "check that it is running, or use --backend faiss",
            ) from exc

    def _candidates(self, query: FirstStageQuery) -> dict[str, np.ndarray]:
        depth = max(0, min(int(query.depth), MAX_TOPK))
        allowed = np.asarray(query.allowed, dtype=bool)
        if depth == 0 or not allowed.any():
            return {source: np.zeros(0, dtype=np.int64) for source in SOURCES}
        expressions = filter_expressions(query.reports, query.sections, query.entity_keys)
        vector = np.asarray(query.vector, dtype=np.float32).reshape(-1).tolist()
        terms = bm25_terms(query.lexical)
        ids = {
            "bm25": self._search(self._names.passages, terms, "sparse", depth, expressions) if terms else [],
            "dense": self._search(self._names.passages, vector, "vector", depth, expressions),
            "sentence": self._search(self._names.sentences, vector, "vector", depth, expressions, "chunk_id"),
        }
        return {source: self._allowed_positions(found, allowed, depth) for source, found in ids.items()}

    def _search(
        self,
        collection: str,
        data: Any,
        field: str,
        depth: int,
        expressions: Sequence[str],
        group_by: str | None = None,
    ) -> list[str]:
        """Chunk ids best first: one search per expression, merged by score."""
        # Name the fields wanted: without them Milvus Lite returns every field, vectors too.
        extra: dict[str, Any] = (
            {"group_by_field": group_by, "output_fields": [group_by]}
            if group_by
            else {"output_fields": ["id"]}
        )
        scored: dict[str, float] = {}
        for expression in expressions:
            hits = self._client.search(
                collection, data=[data], anns_field=field, limit=depth, filter=expression, **extra
            )[0]
            for hit in hits:
                chunk_id = hit["entity"][group_by] if group_by else hit["id"]
                # BM25 scores are positive; Milvus Lite reports them negated, as distances.
                score = abs(float(hit["distance"])) if field == "sparse" else float(hit["distance"])
                if score > scored.get(chunk_id, -np.inf):
                    scored[chunk_id] = score
        if len(expressions) == 1:
            return list(scored)
        return sorted(scored, key=lambda c: -scored[c])[:depth]

    def _allowed_positions(self, chunk_ids: Sequence[str], allowed: np.ndarray, depth: int) -> np.ndarray:
        """Positions of ``chunk_ids`` in the loaded index, in order, those allowed only."""
        out: list[int] = []
        seen: set[int] = set()
        for chunk_id in chunk_ids:
            position = self._positions.get(chunk_id)
            if position is None or position in seen or not allowed[position]:
                continue
            seen.add(position)
            out.append(position)
            if len(out) == depth:
                break
        return np.asarray(out, dtype=np.int64)

    def close(self) -> None:
        """Close the connection (Milvus Lite keeps its file until the process ends)."""
        self._client.close()


def open_milvus(
    index_folder: str | Path,
    uri: str,
    positions: dict[str, int],
    *,
    prefix: str = DEFAULT_PREFIX,
    progress: Progress | None = None,
) -> MilvusFirstStage:
    """A :class:`MilvusFirstStage` over the collections at ``uri`` (a ``.db`` file runs
    Milvus Lite in this process; ``http://host:19530`` is a server), synced with the
    index in ``index_folder`` first (a few queries when nothing changed).

    Raises :class:`IndexUnusableError` when pymilvus or milvus-lite is missing, Milvus
    cannot be reached, or the sync fails.
    """
    client = connect(uri)
    try:
        sync(Path(index_folder), uri, client=client, prefix=prefix, progress=progress)
    except IndexUnusableError:
        client.close()
        raise
    except Exception as exc:
        client.close()
        raise IndexUnusableError(
            f"cannot bring the Milvus collections at {uri} up to date ({first_line(exc)})",
            "check that Milvus is running and writable, or use --backend faiss",
        ) from exc
    return MilvusFirstStage(client, Collections.named(prefix), positions, uri)
