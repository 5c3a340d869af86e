"""Graded questions aligned across reports by meaning, and the grades matrix built on them.

PEEL asked its graded questions in different words each year: 2015's "How effective is
the force at protecting from harm those who are vulnerable, and supporting victims?" is
2021/22's "Protecting vulnerable people"; 2018/19 grades three pillars ("How efficiently
does the force operate ...?"). A column of the matrix is one question, whatever its
wording; a report that did not grade that question leaves its cell empty.

How a heading finds its column (:func:`question_topics`, :func:`align_questions`):

1. The question frame is removed: "Overview –", "How effective / effectively / efficiently /
   legitimately / well is / are / does the force('s) at / in / to", and the stock phrase
   "keep(ing) people safe". The frame's adverb is kept as a topic when it names a pillar
   ("efficiently" -> efficiency, "legitimately" -> legitimacy).
2. What remains is lower-cased, split into words (hyphens closed up: "anti-social" ->
   "antisocial"), stop words dropped and the words Snowball-stemmed (PyStemmer, as the
   lexical index does), so "vulnerable" ~ "vulnerability" and "offenders" ~ "offending".
3. Stems are looked up in :data:`CONCEPTS`, a small lexicon of PEEL's topics (a concept
   lexicon, not a list of any year's headings): each concept lists the stems, or runs of
   stems, that name it ("serious organised crime", "SOC"). A heading's topics are the
   concepts found, in the order they occur.
4. A heading's column is its first topic: a joint question aligns with the column of
   its first, main topic. So 2015's "investigating crime and managing offenders" sits in
   the "Investigating crime" column and 2021/22's "Managing offenders" in its own column,
   which stays empty for 2015. If that column is already taken by another heading of the
   same report, the heading takes its next topic that is free in that report; single-topic
   headings claim first. Columns therefore never merge two questions of one report.
5. A heading with no known topic (or none free) aligns with another such heading of a
   different report when their content stems overlap by at least
   :data:`OTHER_MIN_OVERLAP` (Jaccard); else it is a column of its own.

"Overall" (a judgment area named "Overall", or a heading beginning "Overall") is always
the first column. Known concepts follow in the order of :data:`CONCEPTS` (PEEL's own
order); a column with no known concept follows the column of the heading before it in
the first report that has it. The order therefore does not depend on the order of the
reports, except among such unknown columns.

:func:`grades_matrix` lays reports (:class:`ReportGrades`, made from a parsed report by
:func:`report_grades`) against those columns; each cell keeps the grade's sentence,
section path, page and offsets so that a UI can link the grade to where it was read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..types import Grade, Report

OVERALL = "overall"

#: key -> (display name, stems or runs of stems naming the concept), in PEEL's order.
CONCEPTS: tuple[tuple[str, str, tuple[tuple[str, ...], ...]], ...] = (
    ("effectiveness", "Effectiveness", (("reduc", "crime"),)),
    ("preventing", "Preventing crime", (("prevent",), ("antisoci",), ("asb",))),
    ("responding", "Responding to the public", (("respond",), ("respons", "public"))),
    ("investigating", "Investigating crime", (("investig",),)),
    ("victims", "Supporting victims", (("victim",),)),
    ("vulnerability", "Protecting vulnerable people", (("vulner",), ("safeguard",))),
    ("offenders", "Managing offenders", (("offend",), ("reoffend",), ("suspect",))),
    (
        "serious_organised_crime",
        "Serious and organised crime",
        (
            ("serious", "organis"),
            ("serious", "organiz"),
            ("organis", "crime"),
            ("organiz", "crime"),
            ("soc",),
        ),
    ),
    ("specialist", "Specialist capabilities", (("specialist",), ("arm", "polic"), ("firearm",))),
    ("recording", "Crime data", (("record",), ("crime", "data"))),
    ("efficiency", "Efficiency", (("effici",), ("sustain",), ("resourc",), ("demand",))),
    ("legitimacy", "Legitimacy", (("legitim",), ("legitimaci",), ("fair",), ("ethic",), ("engag",))),
    ("workforce", "Workforce", (("workplac",), ("workforc",), ("wellb",))),
)
_RANK = {key: rank for rank, (key, _, _) in enumerate(CONCEPTS)}
_NAME = {key: name for key, name, _ in CONCEPTS}
#: A frame adverb that names a pillar of its own.
_FRAME_ADVERB = {
    "efficient": "efficiency",
    "efficiently": "efficiency",
    "legitimate": "legitimacy",
    "legitimately": "legitimacy",
}

#: "The extent to which the force treats the public and its workforce legitimately": a
#: pillar's verdict on a force overview page, whose pillar word is its main topic wherever it stands.
_EXTENT_RE = re.compile(r"^\s*the\s+extent\s+to\s+which\b", re.I)
_PILLAR_WORD_RE = re.compile(r"\b(effective|efficient|legitimate)(?:ly)?\b", re.I)
_PILLAR_WORD = {"effective": "effectiveness", "efficient": "efficiency", "legitimate": "legitimacy"}

_OVERVIEW_RE = re.compile(r"^\s*overview\s*[–—:-]\s*", re.I)
_FRAME_RE = re.compile(
    r"^\s*(?:to what extent|how\s+(well|effective|effectively|efficient|efficiently|legitimate|legitimately|good))"
    r"(?:\s+(?:is|are|does|do))?\s+(?:the\s+)?(?:force|constabulary|police(?:\s+service)?)(?:['’]s)?"
    r"(?:\s+(?:at|in|to))?\b",
    re.I,
)
_STOCK_PHRASE_RE = re.compile(r"\bkeep(?:ing|s)?\s+(?:the\s+)?(?:people|public|communities)\s+safe\b", re.I)
_WORD_RE = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*")
_STOPWORDS = frozenset(
    """a about an and are as at be by does for from how in including is it its of on or the their
    there this those to what when which who with s force forces constabulary police service
    services""".split()
)
#: Least Jaccard overlap of content stems for two unknown headings to share a column.
OTHER_MIN_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class QuestionColumn:
    """One graded question across reports.

    ``key`` is the concept key ("overall", "investigating", ...; ``"other:..."`` for a
    question with no known concept), ``name`` a short display name, ``headings`` the
    ``(report_id, heading as written)`` pairs it stands for, one at most per report.
    """

    key: str
    name: str
    headings: tuple[tuple[str, str], ...]

    def heading(self, report_id: str) -> str | None:
        """The heading this column stands for in ``report_id``, or ``None`` when it has none."""
        return next((h for r, h in self.headings if r == report_id), None)


@dataclass(frozen=True, slots=True)
class GradedArea:
    """One graded area of one report: its heading, grade (``None``: not stated), and where
    the grade was read (the sentence, its section path, page and character offsets)."""

    heading: str
    grade: Grade | None
    sentence: str = ""
    section: tuple[str, ...] = ()
    page: int = 0
    start: int = 0
    end: int = 0
    #: the earlier inspection's period when the report carries the grade over from it
    carried_from: str = ""


@dataclass(frozen=True, slots=True)
class ReportGrades:
    """A report's graded areas, "Overall" among them when it has one."""

    report_id: str
    label: str
    areas: tuple[GradedArea, ...]


@dataclass(frozen=True, slots=True)
class GradesRow:
    """One report's cells, in column order; ``None`` where the report has no such question."""

    report_id: str
    label: str
    cells: tuple[GradedArea | None, ...]


@dataclass(frozen=True, slots=True)
class GradesMatrix:
    """Reports by aligned questions."""

    columns: tuple[QuestionColumn, ...]
    rows: tuple[GradesRow, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the columns, then one row per report whose cells (``None`` where
        the report has no such question) carry the grade and the sentence, section,
        page and offsets it was read from."""
        return {
            "columns": [{"key": c.key, "name": c.name, "headings": dict(c.headings)} for c in self.columns],
            "rows": [
                {
                    "report_id": row.report_id,
                    "report": row.label,
                    "cells": [
                        None
                        if cell is None
                        else {
                            "question": column.key,
                            "heading": cell.heading,
                            "grade": cell.grade,
                            "sentence": cell.sentence,
                            "section": list(cell.section),
                            "page": cell.page,
                            "start": cell.start,
                            "end": cell.end,
                            "carried_from": cell.carried_from,
                        }
                        for column, cell in zip(self.columns, row.cells, strict=True)
                    ],
                }
                for row in self.rows
            ],
        }


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def _is_overall(heading: str) -> bool:
    return heading.strip().lower().startswith("overall")


def without_frame(heading: str) -> str:
    """The heading without its question frame: "How effective is the force at
    investigating crime?" -> "investigating crime"."""
    return _FRAME_RE.sub("", _OVERVIEW_RE.sub("", heading)).strip().rstrip("?").strip()


def content_stems(heading: str) -> tuple[str, ...]:
    """The heading's stemmed content words once the question frame is removed."""
    text = _OVERVIEW_RE.sub("", heading)
    text = _FRAME_RE.sub(" ", text, count=1)
    text = _STOCK_PHRASE_RE.sub(" ", text).lower()
    words = []
    for token in _WORD_RE.findall(text):
        token = token.replace("’", "'")
        token = token[:-2] if token.endswith("'s") else token
        token = token.replace("-", "").replace("'", "")
        if token and token not in _STOPWORDS:
            words.append(token)
    return tuple(_stemmer().stemWords(words)) if words else ()


def question_topics(heading: str) -> tuple[str, ...]:
    """The :data:`CONCEPTS` keys a heading names, in order of occurrence (frame adverb first)."""
    if _is_overall(heading):
        return (OVERALL,)
    found: list[tuple[int, str]] = []
    frame = _FRAME_RE.match(_OVERVIEW_RE.sub("", heading))
    if frame and frame.group(1) and frame.group(1).lower() in _FRAME_ADVERB:
        found.append((-1, _FRAME_ADVERB[frame.group(1).lower()]))
    if _EXTENT_RE.match(heading) and (pillar := _PILLAR_WORD_RE.search(heading)):
        found.append((-1, _PILLAR_WORD[pillar.group(1).lower()]))
    stems = content_stems(heading)
    for key, _, triggers in CONCEPTS:
        positions = [
            i
            for run in triggers
            for i in range(len(stems) - len(run) + 1)
            if all(stems[i + k].startswith(run[k]) for k in range(len(run)))
        ]
        if positions:
            found.append((min(positions), key))
    out: list[str] = []
    for _, key in sorted(found):
        if key not in out:
            out.append(key)
    return tuple(out)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _display(heading: str) -> str:
    text = _STOCK_PHRASE_RE.sub("", _FRAME_RE.sub("", _OVERVIEW_RE.sub("", heading), count=1))
    text = re.sub(r"\s+", " ", text).strip(" ,?.–-")
    text = re.sub(r"\s*,?\s*and$", "", text)
    return (text[:1].upper() + text[1:]) if text else heading.strip()


@dataclass
class _Column:
    key: str
    name: str
    headings: list[tuple[str, str]]
    stems: frozenset[str]
    after: str | None  # for unknown concepts: the column before it where first seen
    seen: int


def align_questions(headings_by_report: Mapping[str, Sequence[str]]) -> list[QuestionColumn]:
    """Columns of questions that mean the same across reports (see the module docstring).

    ``headings_by_report`` maps a report id to its graded area headings as written, in
    report order ("Overall" may be among them). Returns the columns, "Overall" first.
    A heading listed twice in one report is aligned once.
    """
    columns: dict[str, _Column] = {
        OVERALL: _Column(OVERALL, "Overall", [], frozenset(), None, -1),
    }
    for report_id, headings in headings_by_report.items():
        unique = list(dict.fromkeys(h for h in headings if h.strip()))
        topics = {h: question_topics(h) for h in unique}
        taken: set[str] = set()
        chosen: dict[str, str] = {}
        # Single-topic headings claim their column first, then joint ones, each in report order.
        for h in sorted(unique, key=lambda h: (len(topics[h]) > 1, unique.index(h))):
            key = next((t for t in topics[h] if t not in taken), None)
            if key is None:
                key = _other_column(columns, report_id, h, taken)
            chosen[h] = key
            taken.add(key)
        previous: str | None = None
        for h in unique:
            key = chosen[h]
            column = columns.get(key)
            if column is None:
                name = _NAME.get(key) or _display(h)
                column = columns[key] = _Column(
                    key, name, [], frozenset(content_stems(h)), previous, len(columns)
                )
            column.headings.append((report_id, h))
            previous = key
    return [QuestionColumn(c.key, c.name, tuple(c.headings)) for c in _ordered(list(columns.values()))]


def _other_column(columns: Mapping[str, _Column], report_id: str, heading: str, taken: set[str]) -> str:
    """The column for a heading with no free known topic: a similar unknown one, else a new key."""
    stems = frozenset(content_stems(heading))
    best, best_score = None, OTHER_MIN_OVERLAP
    for c in columns.values():
        if c.key in _RANK or c.key == OVERALL or c.key in taken:
            continue
        if any(r == report_id for r, _ in c.headings):
            continue
        score = _jaccard(stems, c.stems)
        if score >= best_score:
            best, best_score = c.key, score
    if best is not None:
        return best
    key = "other:" + "-".join(sorted(stems) or [heading.strip().lower()])
    while key in columns or key in taken:
        key += "'"
    return key


def _ordered(columns: list[_Column]) -> list[_Column]:
    """Overall, then known concepts in :data:`CONCEPTS` order, each unknown column placed
    after the column it followed where first seen."""
    known = sorted((c for c in columns if c.key in _RANK), key=lambda c: _RANK[c.key])
    order = [c for c in columns if c.key == OVERALL] + known
    pending = sorted((c for c in columns if c.key != OVERALL and c.key not in _RANK), key=lambda c: c.seen)
    while pending:
        placed = [c.key for c in order]
        for c in pending:
            if c.after is None or c.after in placed:
                at = placed.index(c.after) + 1 if c.after is not None else 1
                # After any unknown columns already placed behind the same predecessor.
                while at < len(order) and order[at].key not in _RANK and order[at].after == c.after:
                    at += 1
                order.insert(at, c)
                pending.remove(c)
                break
        else:  # a predecessor that never gets placed cannot happen; keep the rest as seen
            order.extend(pending)
            pending = []
    return order


def report_grades(report: Report, label: str = "") -> ReportGrades:
    """A parsed report's judgments as a :class:`ReportGrades` ("Overall" first, then each
    graded area); a cell's section and page are those of the section the grade was read from."""
    areas = []
    for j in report.judgments:
        section = report.sections[j.section]
        areas.append(
            GradedArea(
                j.area, j.grade, j.sentence, section.path, section.page, j.start, j.end, j.carried_from
            )
        )
    return ReportGrades(report.report_id, label or report.title, tuple(areas))


def grades_matrix(reports: Sequence[ReportGrades]) -> GradesMatrix:
    """Rows of reports (in the order given) by columns of aligned questions.

    Each cell is the report's :class:`GradedArea` for that column (its grade may be
    ``None``: not stated), or ``None`` when the report has no such question.
    """
    ids = [r.report_id for r in reports]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"report ids must be unique; given more than once: {', '.join(twice)}")
    columns = align_questions({r.report_id: [a.heading for a in r.areas] for r in reports})
    rows = []
    for r in reports:
        by_heading: dict[str, GradedArea] = {}
        for a in r.areas:
            by_heading.setdefault(a.heading, a)
        cells = tuple(
            by_heading.get(h) if (h := c.heading(r.report_id)) is not None else None for c in columns
        )
        rows.append(GradesRow(r.report_id, r.label, cells))
    return GradesMatrix(tuple(columns), tuple(rows))
