"""Search: one question, the ranked passages that answer it within the filters, and
whether the reports in scope seem to answer it at all.

The path of a query: the request is checked (:mod:`.request`), the filters become a
passage mask (:mod:`.filters`), the ranker encodes the query, picks the candidates,
scores and fuses their signals and folds near-duplicates into hits (:mod:`.ranker`),
and the not-answered checks read the best hits (:mod:`.in_report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..types import SearchResult
from .ranker import RankConfig, default_ranking
from .request import EntityFilter, ReportScope, clean_query, parse_k

if TYPE_CHECKING:
    from .search_index import SearchIndex


def narrows(section: str | None, judgment: str | None) -> bool:
    """Whether a section or judgment filter is given (not only reports)."""
    return any(str(f).strip() for f in (section, judgment) if f is not None)


def search(
    index: SearchIndex,
    query: str,
    k: int = 10,
    entities: Sequence[str | EntityFilter] = (),
    section: str | None = None,
    judgment: str | None = None,
    config: RankConfig | None = None,
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
    filters, ranker = index.filters, index.ranker
    config = config or default_ranking(index.library)
    text, notices = clean_query(query)
    k = parse_k(k, index.size)
    scope = ReportScope.of(reports, forces, years)
    parsed = filters.parse_entities(entities)
    mask = filters.mask(parsed, section, judgment, scope)
    if not mask.any():
        notices.append("no passage matches all the filters")
        return SearchResult(text, (), False, tuple(notices))
    in_scope = filters.report_mask(scope)
    encoded = ranker.encode(text, config.expand_acronyms)
    keys = tuple(filters.entity_keys(f) for f in parsed)
    candidates = ranker.candidates(encoded, mask, in_scope, keys, narrows(section, judgment))
    candidates |= filters.named(text, mask)
    signals = ranker.signals(encoded, candidates, in_scope if scope else None)
    fused = ranker.fuse_within(signals, config, candidates)
    hits = ranker.ranked(text, signals, fused, mask, k, config)
    answered = index.in_report.answers(text, hits, signals, mask, notices, in_scope)
    return SearchResult(text, tuple(hits), answered, tuple(notices))
