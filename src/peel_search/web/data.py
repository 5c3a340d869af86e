"""What each tab of the web app shows, as plain data: pure functions over a loaded index.

Nothing here imports Gradio; :mod:`peel_search.web.ui` turns these values into components
and :mod:`peel_search.web.render` into HTML. Invalid input raises :class:`QueryError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import QueryError
from ..index.lexical import tokenize
from ..retrieve.search import parse_k
from ..types import Chunk, Hit

#: Entity labels grouped the way an analyst thinks of them, in display order.
LABEL_GROUPS: dict[str, tuple[str, ...]] = {
    "Organisations": ("ORG", "NORP"),
    "Places": ("GPE", "LOC", "FAC"),
    "Programmes and operations": ("PROGRAMME", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT"),
    "Policing terms": ("TERM",),
    "Dates": ("DATE", "TIME"),
    "Numbers": ("CARDINAL", "PERCENT", "QUANTITY", "ORDINAL", "MONEY"),
}
OTHER_GROUP = "Other"
#: Passages listed at most by one browse (the report has about two hundred).
BROWSE_LIMIT = 500
SUMMARY_HEADING = "summary of findings"
IMPROVEMENT_HEADING = "areas for improvement"


def label_group(label: str) -> str:
    """``"GPE"`` -> ``"Places"``; unknown labels fall in ``"Other"``."""
    for group, labels in LABEL_GROUPS.items():
        if label in labels:
            return group
    return OTHER_GROUP


def _group_order(group: str) -> int:
    names = list(LABEL_GROUPS)
    return names.index(group) if group in names else len(names)


def labels_for(group_or_label: str, known: Iterable[str]) -> set[str] | None:
    """The labels a facet stands for: a group name ("places"), a label ("GPE"), or
    None for all. Raises :class:`QueryError` naming the valid values."""
    want = " ".join(str(group_or_label or "").split())
    if not want or want.casefold() in {"all", "any"}:
        return None
    known = set(known)
    for group, labels in LABEL_GROUPS.items():
        if want.casefold() == group.casefold():
            return set(labels) & known or set(labels)
    if want.casefold() == OTHER_GROUP.casefold():
        return {lab for lab in known if label_group(lab) == OTHER_GROUP}
    if want.upper() in known:
        return {want.upper()}
    choices = ", ".join([*LABEL_GROUPS, *sorted(known)])
    raise QueryError(f"unknown entity type {want[:40]!r}: use one of {choices}")


@dataclass(frozen=True, slots=True)
class EntityRow:
    """One entity facet: how many passages mention it, and what an acronym stands for."""

    label: str
    group: str
    name: str
    passages: int
    expansion: str

    @property
    def filter(self) -> str:
        """The entity filter that selects it, e.g. ``"GPE:Wolverhampton"``."""
        return f"{self.label}:{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "group": self.group,
            "name": self.name,
            "passages": self.passages,
            "expansion": self.expansion,
            "filter": self.filter,
        }


def entity_rows(index: Any, facet: str = "") -> list[EntityRow]:
    """Entities with passage counts, grouped by label group, most mentioned first."""
    wanted = labels_for(facet, index.labels())
    acronyms = index.acronyms
    rows = [
        EntityRow(label, label_group(label), name, n, acronyms.get(name, ""))
        for label, name, n in index.entity_counts()
        if wanted is None or label in wanted
    ]
    return sorted(rows, key=lambda r: (_group_order(r.group), -r.passages, r.name.casefold()))


def entity_choices(rows: Sequence[EntityRow]) -> list[tuple[str, str]]:
    """``(shown, value)`` pairs for a multi-select, e.g. ``("Places · Wolverhampton (8)",
    "GPE:Wolverhampton")``."""
    return [(f"{r.group} · {r.name} ({r.passages})", r.filter) for r in rows]


@dataclass(frozen=True, slots=True)
class SectionRow:
    """One heading of the report map."""

    report_id: str
    number: int
    heading: str
    level: int
    page: int
    path: tuple[str, ...]
    passages: int
    grade: str

    @property
    def filter(self) -> str:
        """The section filter that selects this heading and everything under it."""
        return " › ".join(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_id": self.report_id,
            "number": self.number,
            "heading": self.heading,
            "level": self.level,
            "page": self.page,
            "path": list(self.path),
            "passages": self.passages,
            "grade": self.grade,
        }


def _under(path: Sequence[str], prefix: Sequence[str]) -> bool:
    return tuple(path[: len(prefix)]) == tuple(prefix)


def _grades_by_section(index: Any) -> dict[tuple[str, ...], str]:
    grades: dict[tuple[str, ...], str] = {}
    for j in index.judgments():
        grade = j["grade"] or "Not stated"
        path = tuple(j["section"])
        grades[path if j["area"] == "Overall" else (j["area"],)] = grade
    return grades


def section_rows(index: Any) -> list[SectionRow]:
    """Every heading in report order, with its page, the passages under it and its grade."""
    grades = _grades_by_section(index)
    rows: list[SectionRow] = []
    for report in index.reports:
        for s in report["sections"]:
            path = tuple(s["path"])
            count = sum(
                1 for c in index.chunks if c.report_id == report["report_id"] and _under(c.section, path)
            )
            grade = grades.get(path, "")
            number = len(rows) + 1
            rows.append(
                SectionRow(
                    report["report_id"], number, s["heading"], s["level"], s["page"], path, count, grade
                )
            )
    return rows


def section_choices(rows: Sequence[SectionRow]) -> list[tuple[str, str]]:
    """``(indented heading with page, section filter)`` pairs for a dropdown."""
    return [("\u2003" * (r.level - 1) + f"{r.heading} (p. {r.page})", r.filter) for r in rows]


def judgment_choices(index: Any) -> list[tuple[str, str]]:
    """``(shown, area)`` pairs: the overall judgment and each PEEL question, with its grade."""
    from ..citation import shorten_heading

    return [
        (f"{shorten_heading(j['area'], 60)} — {j['grade'] or 'grade not stated'}", j["area"])
        for j in index.judgments()
    ]


def find_judgment(index: Any, area: str) -> dict[str, Any]:
    """The judgment whose area is ``area``, or whose words include all of ``area``'s
    ("vulnerable", "overall"). Raises :class:`QueryError` naming the areas."""
    want = " ".join(str(area or "").split())
    judgments = index.judgments()
    if not want:
        raise QueryError('choose a judgment area, e.g. "overall" or "vulnerable"')
    for j in judgments:
        if j["area"].casefold() == want.casefold():
            return j
    terms = set(tokenize(want))
    for j in judgments:
        if terms and terms <= set(tokenize(j["area"])):
            return j
    raise QueryError(
        f"no judgment area matches {want[:80]!r}: use one of " + "; ".join(j["area"] for j in judgments)
    )


def marked_terms(query: str) -> set[str]:
    """The stemmed words of ``query`` to mark in passages (not the acronym expansions, which
    would mark every "risk" and "harm" for a question about THRIVE)."""
    return set(tokenize(query))


def footnotes_for(index: Any, chunk: Chunk) -> list[tuple[int, str]]:
    """``(number, text)`` of each footnote a passage points to."""
    if not chunk.footnotes:
        return []
    for report in index.reports:
        if report["report_id"] == chunk.report_id:
            texts = {f["number"]: f["text"] for f in report.get("footnotes", [])}
            return [(n, texts[n]) for n in chunk.footnotes if n in texts]
    return []


def _as_hits(index: Any, positions: Iterable[int]) -> list[Hit]:
    hits: list[Hit] = []
    for i in positions:
        chunk = index.chunks[i]
        hits.append(Hit(len(hits) + 1, chunk, 0.0, index.citations[i], "", (0, 0)))
    return hits


def passages_under(index: Any, report_id: str, path: Sequence[str]) -> list[Hit]:
    """Every passage under the heading ``path`` of one report, in report order."""
    return _as_hits(
        index, (i for i, c in enumerate(index.chunks) if c.report_id == report_id and _under(c.section, path))
    )


def _child_path(index: Any, report_id: str, parent: Sequence[str], heading: str) -> tuple[str, ...] | None:
    for report in index.reports:
        if report["report_id"] != report_id:
            continue
        for s in report["sections"]:
            path = tuple(s["path"])
            if len(path) == len(parent) + 1 and _under(path, parent) and s["heading"].casefold() == heading:
                return path
    return None


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the report says for one judgment: its own summary and areas for improvement,
    and the strongest supporting passages from its part of the report."""

    judgment: dict[str, Any]
    summary: list[Hit]
    improvements: list[Hit]
    supporting: list[Hit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "judgment": dict(self.judgment),
            "summary": [h.to_dict() for h in self.summary],
            "improvements": [h.to_dict() for h in self.improvements],
            "supporting": [h.to_dict() for h in self.supporting],
        }


def evidence(index: Any, area: str, k: int = 5) -> Evidence:
    """The evidence behind the judgment for ``area`` (see :func:`find_judgment`), with up to
    ``k`` supporting passages."""
    k = parse_k(k, index.size)
    j = find_judgment(index, area)
    report_id = j["report_id"]
    if j["area"] == "Overall":
        summary = passages_under(index, report_id, j["section"])
        improvements: list[Hit] = []
    else:
        top = (j["area"],)
        summary_path = _child_path(index, report_id, top, SUMMARY_HEADING)
        improvement_path = _child_path(index, report_id, top, IMPROVEMENT_HEADING)
        summary = passages_under(index, report_id, summary_path) if summary_path else []
        improvements = passages_under(index, report_id, improvement_path) if improvement_path else []
    shown = {h.chunk.id for h in [*summary, *improvements]}
    query = j["sentence"] or j["area"]
    result = index.search(query, k=min(index.size, k + len(shown)) or 1, judgment=j["area"])
    supporting = [h for h in result.hits if h.chunk.id not in shown and h.chunk.kind != "footnote"][:k]
    return Evidence(j, summary, improvements, supporting)


def browse(
    index: Any,
    entities: Sequence[str] = (),
    query: str = "",
    section: str = "",
) -> list[Hit]:
    """Every passage mentioning all of ``entities`` (and under ``section``), in report order;
    with ``query``, only those containing all its words (see ``SearchIndex.browse``).
    Raises :class:`QueryError` when nothing is chosen or a filter is invalid."""
    entities = [e for e in (entities or []) if str(e).strip()]
    query = " ".join(str(query or "").split())
    section = str(section or "").strip()
    if not (entities or query or section):
        raise QueryError("choose one or more entities, a section or some words to look for")
    hits = index.browse(entities=entities, section=section or None, query=query or None, limit=BROWSE_LIMIT)
    return [
        Hit(n, h.chunk, h.score, h.citation, h.best_sentence, h.best_sentence_span)
        for n, h in enumerate(hits, start=1)
    ]
