"""Graded judgments: overall, and one for each graded area of the report.

A graded area is whatever the report grades, in its own words: a 2015 question ("How
effective is the force at ...?"), a 2018 pillar ("How efficiently does the force
operate ...?"), a 2021/22 area ("Investigating crime"). It is told by structure, never
by wording: a top-level section (not a part such as the overview or an annex) with a
"Summary of findings" under it or a grade line at its head. The parser puts graded
areas at level 1 by the same signs (:func:`peel_search.ingest.parse._find_headings`).

A grade comes from an explicit grade line ("Adequate", "Requires improvement" standing
alone under the area's heading, "Overall judgment" or "Summary of findings"), else from
the summary's own wording ("is judged to be good at", "is adequate at", "HMIC judges
that the force requires improvement in"). Grades are PEEL's whole scale,
:data:`~peel_search.types.GRADES`. Where neither exists the judgment is recorded as not
stated: we never guess a grade the report does not give.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from ..types import GRADES, Block, Grade, Judgment, Report, Section
from .contents import title_similarity
from .text import passage_text, sentences

_GRADE_ALTERNATION = "|".join(re.escape(g) for g in GRADES)
#: A paragraph that is only a grade: "Good", "Requires improvement.", "Grade: Adequate".
_GRADE_LINE_RE = re.compile(
    rf"^(?:(?:overall\s+)?(?:grade|judge?ment|rating)\s*[:–-]\s*)?({_GRADE_ALTERNATION})\.?$", re.I
)
#: The report's own parts, which are never graded areas (their judgment, if any, is the overall one).
PART_RE = re.compile(
    r"^(overview\b|overall summary\b|annex\b|appendix\b|force in numbers$|introduction$|contents$|"
    r"foreword$|about (this|the) (report|inspection)|our judge?ments$|overall judge?ment|summary$)",
    re.I,
)
#: Structural headings that hold an area's verdict.
SUMMARY_OF_FINDINGS = "summary of findings"
_OVERALL_RE = re.compile(r"^overall judge?ment\b", re.I)

_GRADE_WORD = r"(outstanding|good|adequate|inadequate)"
_WORDING_RES = (
    re.compile(rf"\bjudge[sd]?\b.{{0,80}}?\bto be {_GRADE_WORD}\b", re.I),
    re.compile(
        rf"\b(?:is|are|was|were|be)\s+(?:judged\s+(?:to\s+be\s+|as\s+))?{_GRADE_WORD}\s+(?:at|in)\b", re.I
    ),
    re.compile(rf"\b(?:response|approach|performance)\b.{{0,80}}?\bis {_GRADE_WORD}\b", re.I),
    re.compile(r"\b(requires improvement)\b", re.I),
)
_SUBJECT_RE = re.compile(r"\b(force|police|constabulary)\b", re.I)
#: How many paragraphs at the top of a summary may carry its verdict.
_OPENING_BLOCKS = 2


def grade_line(text: str) -> Grade | None:
    """The grade when ``text`` (one paragraph) is only a grade line, else ``None``."""
    m = _GRADE_LINE_RE.match(" ".join(text.split()))
    return _grade(m.group(1)) if m else None


def grade_wording(paragraph: str) -> Grade | None:
    """The grade a paragraph's own sentence about the force gives ("Testshire
    Constabulary is good at keeping people safe"), else ``None``."""
    for sentence in sentences(" ".join(paragraph.split())):
        if _SUBJECT_RE.search(sentence):
            for pattern in _WORDING_RES:
                if m := pattern.search(sentence):
                    return _grade(m.group(1))
    return None


def _grade(word: str) -> Grade:
    word = " ".join(word.split()).lower()
    for g in GRADES:
        if g.lower() == word:
            return g
    raise ValueError(f"{word!r} is not a PEEL grade; grades are: {', '.join(GRADES)}")


def _direct_blocks(report: Report, section: Section) -> list[Block]:
    return [b for b in report.blocks if b.section == section.index and b.kind in {"text", "list"}]


def _block_text(report: Report, block: Block) -> str:
    return passage_text(report.source, block.spans, report.markers)


def graded_areas(report: Report) -> list[Section]:
    """The report's graded areas in report order: top-level sections, other than the
    report's parts and an overview holding the "Overall judgment", that have a "Summary of
    findings" under them or a grade line at their head, or are a question ("...?") or have
    sub-headings (an area the report leaves ungraded)."""
    out = []
    for s in report.sections:
        if s.level != 1 or PART_RE.match(s.heading) or s.heading == report.title:
            continue
        children = [c.heading for c in report.children(s.index)]
        if any(_OVERALL_RE.match(c) for c in children):
            continue
        has_summary = any(c.lower() == SUMMARY_OF_FINDINGS for c in children)
        question = s.heading.rstrip().endswith("?")
        if has_summary or _head_grade(report, s) is not None or question or children:
            out.append(s)
    return out


def _head_grade(report: Report, section: Section) -> Block | None:
    """The section's first paragraph when it is a grade line."""
    head = _direct_blocks(report, section)[:1]
    return head[0] if head and grade_line(_block_text(report, head[0])) is not None else None


def _candidate_sections(report: Report, area: Section | None) -> Iterator[Section]:
    """Where to look for an area's verdict, best first."""
    secs = report.sections
    if area is None:
        yield from (s for s in secs if _OVERALL_RE.match(s.heading))
        for top in (s for s in secs if s.level == 1 and s.heading.lower().startswith("overview")):
            yield from (s for s in secs if s.parent == top.index and s.heading.lower() == "summary")
            yield top
        return
    if _head_grade(report, area) is not None:
        yield area  # a grade line right under the area's heading is its own verdict
    yield from (s for s in secs if s.parent == area.index and s.heading.lower() == SUMMARY_OF_FINDINGS)
    yield area
    for top in (s for s in secs if s.level == 1 and s.heading.lower().startswith("overview")):
        for s in secs:
            if s.start > top.start and s.end <= top.end and title_similarity(s.heading, area.heading) >= 0.86:
                yield s


Source = Literal["grade line", "summary wording"]


def _verdict(report: Report, section: Section) -> tuple[Grade, str, Block, Source] | None:
    blocks = _direct_blocks(report, section)
    for i, block in enumerate(blocks):
        text = _block_text(report, block)
        grade = grade_line(text)
        if grade is not None:
            named = re.compile(rf"\b{re.escape(grade)}\b", re.I)
            for later in blocks[i + 1 : i + 3]:
                for sentence in sentences(_block_text(report, later)):
                    if named.search(sentence):
                        return grade, sentence, later, "grade line"
            return grade, text.strip(), block, "grade line"
    for block in blocks[:_OPENING_BLOCKS]:
        for sentence in sentences(_block_text(report, block)):
            if not _SUBJECT_RE.search(sentence):
                continue
            for pattern in _WORDING_RES:
                m = pattern.search(sentence)
                if m:
                    return _grade(m.group(1)), sentence, block, "summary wording"
    return None


def find_judgments(report: Report) -> list[Judgment]:
    """The overall judgment, then one per graded area, in report order.

    Each judgment names the section and block its grade was read from; one whose grade the
    report does not state has grade ``None`` and source ``"not stated"``.
    """
    areas: list[Section | None] = [None, *graded_areas(report)]
    out: list[Judgment] = []
    for area in areas:
        name = "Overall" if area is None else area.heading
        verdict = None
        for section in _candidate_sections(report, area):
            verdict = _verdict(report, section)
            if verdict:
                grade, sentence, block, how = verdict
                out.append(Judgment(name, grade, sentence, section.index, block.start, block.end, how))
                break
        if verdict is None and (area is not None or report.sections):
            where = area if area is not None else report.sections[0]
            out.append(Judgment(name, None, "", where.index, where.start, where.start, "not stated"))
    return out
