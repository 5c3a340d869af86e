"""Judgments: each report's grades with the sentence and citation each was read from, and
the grades matrix — reports by graded questions, aligned across reports by meaning."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..citation import format_citation
from ..ingest.questions import GradedArea, GradesMatrix, ReportGrades
from ..ingest.questions import grades_matrix as align
from ..types import Citation
from .request import ReportScope

if TYPE_CHECKING:
    from .search_index import SearchIndex


def judgments(index: SearchIndex, scope: ReportScope | None = None) -> list[dict[str, Any]]:
    """The judgments of the reports in scope, each with its report and citation (section and
    page; ``full_citation`` with every heading of the path whole)."""
    out = []
    for n in index.filters.report_numbers(scope):
        record, meta = index.library.reports[n], index.library.metas[n]
        for j in record["judgments"]:
            where = Citation(meta.title, meta.force, tuple(j["section"]), j["page"], 0, "text")
            cite, full = (format_citation(where, full).rsplit(", ¶", 1)[0] for full in (False, True))
            out.append(
                {
                    **j,
                    "report_id": meta.report_id,
                    "report": meta.label,
                    "citation": cite,
                    "full_citation": full,
                }
            )
    return out


def grades_matrix(index: SearchIndex, scope: ReportScope | None = None) -> GradesMatrix:
    """The reports in scope by their graded questions, aligned across reports by
    meaning (see :mod:`peel_search.ingest.questions`)."""
    graded = []
    for n in index.filters.report_numbers(scope):
        record, meta = index.library.reports[n], index.library.metas[n]
        areas = tuple(
            GradedArea(
                j["area"], j["grade"], j["sentence"], tuple(j["section"]), j["page"], j["start"], j["end"]
            )
            for j in record["judgments"]
        )
        graded.append(ReportGrades(meta.report_id, meta.label, areas))
    return align(graded)
