"""What each tab of the web app shows, as plain data: pure functions over a loaded index.

Nothing here imports Gradio; :mod:`peel_search.web.ui` turns these values into components
and :mod:`peel_search.web.render` into HTML. Invalid input raises :class:`QueryError`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import QueryError
from ..index.lexical import tokenize
from ..retrieve.request import ReportScope, parse_k
from ..types import Chunk, Hit

#: Entity labels grouped the way an analyst thinks of them, in display order.
LABEL_GROUPS: dict[str, tuple[str, ...]] = {
    "Organisations": ("ORG", "NORP"),
    "People": ("PERSON",),
    "Places": ("GPE", "LOC", "FAC"),
    "Programmes and operations": ("PROGRAMME", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT"),
    "Policing terms": ("TERM",),
}
OTHER_GROUP = "Other"
#: Passages listed at most by one browse (the report has about two hundred).
BROWSE_LIMIT = 500
SUMMARY_HEADING = "summary of findings"
IMPROVEMENT_HEADING = "areas for improvement"
#: Joins a report id and a judgment area into one choice value (see :func:`judgment_choices`).
KEY_SEPARATOR = " :: "


def scope_of(reports: object = None, forces: object = None, years: object = None) -> ReportScope:
    """The reports a request covers, from the widgets' or an endpoint's values (each None,
    one value or a list); empty covers every report."""
    return ReportScope.of(reports or None, forces or None, years or None)


def is_library(index: Any) -> bool:
    """Whether the index holds several reports (the page then shows report selectors)."""
    return len(index.metas) > 1


def report_ids(index: Any, scope: ReportScope | None = None) -> list[str]:
    """The ids of the reports ``scope`` covers, in index order; raises :class:`QueryError`
    naming the valid values for an unknown report, force or year."""
    return [m.report_id for m in index.report_list(scope)]


def scope_choices(index: Any) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """The report, force and year selectors' choices: ``(label, report id)`` pairs, forces
    and years, in index order and each once."""
    reports = [(m.label, m.report_id) for m in index.metas]
    forces = list(dict.fromkeys(m.force for m in index.metas if m.force))
    years = sorted({str(m.year) for m in index.metas if m.year})
    return reports, forces, years


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


def entity_rows(index: Any, facet: str = "", scope: ReportScope | None = None) -> list[EntityRow]:
    """Entities with passage counts in the reports in ``scope``, grouped by label group,
    most mentioned first."""
    wanted = labels_for(facet, index.labels())
    acronyms = index.acronyms
    counts = index.entity_counts(scope=scope)
    rows = [
        EntityRow(label, label_group(label), name, n, acronyms.get(name, ""))
        for label, name, n in counts
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


def _grades_by_section(index: Any) -> dict[tuple[str, tuple[str, ...]], str]:
    grades: dict[tuple[str, tuple[str, ...]], str] = {}
    for j in index.judgments():
        grade = j["grade"] or "Not stated"
        path = tuple(j["section"])
        grades[(j["report_id"], path if j["area"] == "Overall" else (j["area"],))] = grade
    return grades


def section_rows(index: Any) -> list[SectionRow]:
    """Every heading in report order, with its page, the passages under it and its grade."""
    grades = _grades_by_section(index)
    # Passages under each heading: a passage counts under every heading of its path.
    counts: Counter[tuple[str, tuple[str, ...]]] = Counter(
        (c.report_id, tuple(c.section[:depth]))
        for c in index.chunks
        for depth in range(1, len(c.section) + 1)
    )
    rows: list[SectionRow] = []
    for report in index.reports:
        for s in report["sections"]:
            path = tuple(s["path"])
            count = (
                counts[(report["report_id"], path)]
                if path
                else sum(1 for c in index.chunks if c.report_id == report["report_id"])
            )
            grade = grades.get((report["report_id"], path), "")
            number = len(rows) + 1
            rows.append(
                SectionRow(
                    report["report_id"], number, s["heading"], s["level"], s["page"], path, count, grade
                )
            )
    return rows


def section_choices(rows: Sequence[SectionRow]) -> list[tuple[str, str]]:
    """``(indented heading with page, section filter)`` pairs for a dropdown; a heading
    that several reports share is listed once (the filter matches it in each)."""
    seen: set[str] = set()
    choices = []
    for r in rows:
        if r.filter not in seen:
            seen.add(r.filter)
            choices.append(("\u2003" * (r.level - 1) + f"{r.heading} (p. {r.page})", r.filter))
    return choices


def judgment_key(judgment: Mapping[str, Any]) -> str:
    """One report's judgment as one value: ``"<report id> :: <area>"``."""
    return f"{judgment['report_id']}{KEY_SEPARATOR}{judgment['area']}"


def judgment_choices(index: Any, scope: ReportScope | None = None) -> list[tuple[str, str]]:
    """``(shown, value)`` pairs: the overall judgment and each PEEL question, with its grade,
    each heading in full. With one report the value is the area; in a library it is
    :func:`judgment_key` and the shown text names the report."""
    rows = index.judgments(scope)
    if not is_library(index):
        return [(f"{j['area']} — {j['grade'] or 'grade not stated'}", j["area"]) for j in rows]
    return [
        (f"{j['report']} · {j['area']} — {j['grade'] or 'grade not stated'}", judgment_key(j)) for j in rows
    ]


def judgment_filter_choices(index: Any) -> list[tuple[str, str]]:
    """``(shown, area)`` pairs for the judgment-area filter: each area once (in a library
    an area asked in the same words by several reports filters all of them)."""
    if not is_library(index):
        return judgment_choices(index)
    areas = dict.fromkeys(j["area"] for j in index.judgments())
    return [("Overall judgment" if a == "Overall" else a, a) for a in areas]


def find_judgment(index: Any, area: str, scope: ReportScope | None = None) -> dict[str, Any]:
    """The judgment whose area (or :func:`judgment_key`) is ``area``, or whose words include
    all of ``area``'s ("vulnerable", "overall"), among the reports in ``scope``. Raises
    :class:`QueryError` naming the areas, or the reports when several match."""
    want = " ".join(str(area or "").split())
    judgments = index.judgments(scope)
    if not want:
        raise QueryError('choose a judgment area, e.g. "overall" or "vulnerable"')
    exact = [j for j in judgments if want.casefold() in {j["area"].casefold(), judgment_key(j).casefold()}]
    terms = set(tokenize(want))
    matches = exact or [j for j in judgments if terms and terms <= set(tokenize(j["area"]))]
    reports = list(dict.fromkeys(j["report_id"] for j in matches))
    if len(reports) > 1:
        raise QueryError(
            f"{want[:80]!r} matches a judgment in {len(reports)} reports: choose one with a report, "
            f"force or year ({', '.join(reports)})"
        )
    if matches:
        return matches[0]
    areas = "; ".join(dict.fromkeys(j["area"] for j in judgments))
    raise QueryError(f"no judgment area matches {want[:80]!r}: use one of {areas}")


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
        cite = index.citations[i]
        hits.append(
            Hit(len(hits) + 1, chunk, 0.0, cite, "", (0, 0), full_citation=index.library.full_citation(i))
        )
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


def evidence(index: Any, area: str, k: int = 5, scope: ReportScope | None = None) -> Evidence:
    """The evidence behind the judgment for ``area`` (see :func:`find_judgment`) in its own
    report, with up to ``k`` supporting passages."""
    k = parse_k(k, index.size)
    j = find_judgment(index, area, scope)
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
    result = index.search(
        query, k=min(index.size, k + len(shown)) or 1, judgment=j["area"], reports=[report_id]
    )
    supporting = [h for h in result.hits if h.chunk.id not in shown and h.chunk.kind != "footnote"][:k]
    return Evidence(j, summary, improvements, supporting)


def browse(
    index: Any,
    entities: Sequence[str] = (),
    query: str = "",
    section: str = "",
    scope: ReportScope | None = None,
) -> list[Hit]:
    """Every passage mentioning all of ``entities`` (and under ``section``) in the reports in
    ``scope``, in report order; with ``query``, only those containing all its words (see
    ``SearchIndex.browse``). Raises :class:`QueryError` when nothing is chosen or a filter
    is invalid."""
    entities = [e for e in (entities or []) if str(e).strip()]
    query = " ".join(str(query or "").split())
    section = str(section or "").strip()
    if not (entities or query or section):
        raise QueryError("choose one or more entities, a section or some words to look for")
    scope = scope or ReportScope()
    hits = index.browse(
        entities=entities,
        section=section or None,
        query=query or None,
        limit=BROWSE_LIMIT,
        reports=list(scope.reports) or None,
        forces=list(scope.forces) or None,
        years=list(scope.years) or None,
    )
    return [
        Hit(n, h.chunk, h.score, h.citation, h.best_sentence, h.best_sentence_span)
        for n, h in enumerate(hits, start=1)
    ]


def search_scope(scope: ReportScope | None) -> dict[str, list[str] | None]:
    """``scope`` as the ``reports``, ``forces`` and ``years`` keywords of ``SearchIndex.search``."""
    scope = scope or ReportScope()
    return {
        "reports": list(scope.reports) or None,
        "forces": list(scope.forces) or None,
        "years": list(scope.years) or None,
    }


def grade_citations(
    index: Any, scope: ReportScope | None = None, full: bool = False
) -> dict[tuple[str, str], str]:
    """``(report id, area) -> citation`` of each graded sentence (report, section and page;
    with ``full``, every heading of the section path whole)."""
    rows = index.judgments(scope)
    return {(j["report_id"], j["area"]): j["full_citation" if full else "citation"] for j in rows}


def grades_json(index: Any, scope: ReportScope | None = None) -> dict[str, Any]:
    """The grades matrix of the reports in ``scope`` as JSON-ready data: ``columns`` (the
    aligned questions) and one row per report whose cells (``None`` where the report has
    no such question) carry the grade, its sentence and that sentence's citation."""
    matrix = index.grades_matrix(scope)
    cite = grade_citations(index, scope)
    data = matrix.to_dict()
    for row in data["rows"]:
        for cell in row["cells"]:
            if cell is not None:
                cell["citation"] = cite.get((row["report_id"], cell["heading"]), "")
    return data
