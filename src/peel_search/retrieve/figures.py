"""Figures: every statistic the reports in scope state, as a table a user can filter — by
measure (a count, a rate per N, a percentage, ...) and by words of its subject — each with
the passage it stands in and that passage's citation.

The figures are extracted at index time (:mod:`peel_search.ingest.figures`); this module
only selects and cites them (the CLI's ``figures``, the app's Figures tab and its JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from ..errors import QueryError
from ..index.lexical import tokenize
from ..types import Figure, Measure
from .request import ReportScope

if TYPE_CHECKING:
    from .search_index import SearchIndex

#: Every measure a figure may be of, in the order the tables list them.
MEASURES: tuple[str, ...] = get_args(Measure)
#: How users name each measure ("rate per N"), for choosers and help texts.
MEASURE_LABELS = {
    "count": "count",
    "rate": "rate per N",
    "percentage": "percentage",
    "change": "percentage change",
    "amount": "amount of money",
    "duration": "length of time",
    "ratio": "share or ratio",
}


@dataclass(frozen=True, slots=True)
class StatedFigure:
    """A figure with where it stands: its report's short name, the passage holding it
    (``passage_id``, empty when none does) and that passage's citation (short and full)."""

    figure: Figure
    report: str
    passage_id: str = ""
    citation: str = ""
    full_citation: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            **self.figure.to_dict(),
            "report": self.report,
            "passage_id": self.passage_id,
            "citation": self.citation,
            "full_citation": self.full_citation,
        }


#: Other words users give for a measure.
_ALIASES = {
    "percent": "percentage",
    "share": "ratio",
    "money": "amount",
    "time": "duration",
    "number": "count",
}


def parse_measure(value: str | None) -> str:
    """A measure as given (any case, singular or plural; "" or "all" for every measure), or
    a :class:`QueryError` naming the valid ones."""
    given = (value or "").strip().lower()
    if given in {"", "all", "any"}:
        return ""
    for word in (given, given.removesuffix("s")):
        measure = _ALIASES.get(word, word)
        if measure in MEASURES:
            return measure
    raise QueryError(f"no measure {str(value)[:40]!r}", f"choose one of {', '.join(MEASURES)}")


def subject_words(subject: str | None) -> frozenset[str]:
    """The stemmed words a subject filter asks for (every one must be in the figure's words)."""
    return frozenset(tokenize(subject or ""))


def _matches(figure: Figure, measure: str, words: frozenset[str]) -> bool:
    if measure and figure.measure != measure:
        return False
    if not words:
        return True
    own = set(tokenize(f"{figure.subject} {figure.label} {figure.context} {figure.area}"))
    return words <= own


def figures(
    index: SearchIndex,
    scope: ReportScope | None = None,
    measure: str | None = "",
    subject: str | None = "",
) -> list[StatedFigure]:
    """The figures of the reports in scope, in report order, of ``measure`` (one of
    :data:`MEASURES`; "" for all) and whose subject, label or sentence holds every word of
    ``subject`` (any spelling the search stems alike)."""
    wanted = parse_measure(measure)
    words = subject_words(subject)
    library = index.library
    reports = {
        library.metas[n].report_id: library.metas[n].label for n in index.filters.report_numbers(scope)
    }
    out = []
    for figure, at in zip(library.figures, library.figure_passage, strict=True):
        if figure.report_id not in reports or not _matches(figure, wanted, words):
            continue
        if at >= 0:
            passage = library.chunks[at].id
            cite, full = library.citations[at], library.full_citation(at)
        else:
            passage = cite = full = ""
        out.append(StatedFigure(figure, reports[figure.report_id], passage, cite, full))
    return out
