"""Compare: one question across reports — each report's best passage, or, where a report
holds nothing that answers it, a note saying so instead of a weak passage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..types import CompareResult, CompareRow, Hit
from .in_report import NO_CLOSE_MATCH
from .ranker import RankConfig, default_ranking
from .request import EntityFilter, ReportScope, clean_query
from .search import narrows

if TYPE_CHECKING:
    from .search_index import SearchIndex

#: Passages each first-stage source contributes per report, when a library is too large
#: to score whole: compare needs only each report's best passage.
COMPARE_DEPTH = 24


def compare(
    index: SearchIndex,
    query: str,
    entities: Sequence[str | EntityFilter] = (),
    section: str | None = None,
    judgment: str | None = None,
    config: RankConfig | None = None,
    *,
    reports: object = None,
    forces: object = None,
    years: object = None,
) -> CompareResult:
    """The best passage of each report in scope for ``query``, or a note where a report
    does not answer it.

    Raises :class:`QueryError` for an empty query or a bad filter.
    """
    filters, ranker, library = index.filters, index.ranker, index.library
    config = config or default_ranking(library)
    text, notices = clean_query(query)
    numbers = filters.report_numbers(ReportScope.of(reports, forces, years))
    parsed = filters.parse_entities(entities)
    keys = tuple(filters.entity_keys(f) for f in parsed)
    base = filters.mask(parsed, section, judgment)
    encoded = ranker.encode(text, config.expand_acronyms)
    narrowed = narrows(section, judgment)
    in_scope = np.isin(library.chunk_report, numbers)
    candidates = ranker.candidates(encoded, base & in_scope, in_scope, keys, narrowed)
    if not candidates.all() and ranker.first_stage_depth is not None:
        # Each report's own best, not the library's: a report the library's best
        # passages all miss still gets its row.
        depth = min(ranker.first_stage_depth, COMPARE_DEPTH)
        candidates = np.zeros(library.size, dtype=bool)
        for n in numbers:
            allowed = base & (library.chunk_report == n)
            if allowed.any():
                candidates |= ranker.first_stage_candidates(encoded, allowed, depth, keys, narrowed)
    signals = ranker.signals(encoded, candidates | filters.named(text, base), None)
    fused = ranker.fuse_within(signals, config, signals["candidates"])
    rows: list[CompareRow] = []
    for n in numbers:
        mask = base & (library.chunk_report == n)
        note, hits = "", []
        if not mask.any():
            note = "no passage of this report matches the filters"
        else:
            hits = ranker.ranked(text, signals, fused, mask, index.in_report.passages, config)
            note = _unanswered_note(index, text, hits, signals, mask, library.chunk_report == n)
        best: Hit | None = hits[0] if hits and not note else None
        rows.append(CompareRow(library.metas[n], best, note))
    return CompareResult(text, tuple(rows), tuple(notices))


def _unanswered_note(
    index: SearchIndex,
    text: str,
    hits: list[Hit],
    signals: dict[str, np.ndarray],
    mask: np.ndarray,
    report: np.ndarray,
) -> str:
    """``""`` when the report answers ``text``, else the row's note saying why not."""
    why: list[str] = []
    if index.in_report.answers(text, hits, signals, mask, why, report):
        return ""
    reason = why[0].removeprefix("not answered in the report: ") if why else ""
    if reason and reason != NO_CLOSE_MATCH:
        return f"not answered: {reason}"
    return "nothing in this report answers this"
