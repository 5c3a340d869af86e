"""Graded judgments: overall, and for each PEEL question.

A grade comes from an explicit grade line ("Good", "Requires improvement" standing
alone under "Overall judgment" or "Summary of findings"), else from the summary's own
wording ("is judged to be good at", "HMIC judges that the force requires
improvement"). Where neither exists the judgment is recorded as not stated: we never
guess a grade the report does not give.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from ..types import GRADES, Block, Grade, Judgment, Report, Section
from .contents import title_similarity
from .text import passage_text, sentences

_PEEL_QUESTION_RE = re.compile(r"^how effective is the force (at|in)\b", re.I)
_GRADE_WORD = r"(outstanding|good|inadequate)"
_WORDING_RES = (
    re.compile(rf"\bjudge[sd]?\b.{{0,80}}?\bto be {_GRADE_WORD}\b", re.I),
    re.compile(rf"\b(?:is|are|was|were|be)\s+(?:judged\s+(?:to\s+be\s+|as\s+))?{_GRADE_WORD}\s+at\b", re.I),
    re.compile(rf"\b(?:response|approach|performance)\b.{{0,80}}?\bis {_GRADE_WORD}\b", re.I),
    re.compile(r"\b(requires improvement)\b", re.I),
)
_SUBJECT_RE = re.compile(r"\b(force|police|constabulary)\b", re.I)
#: How many paragraphs at the top of a summary may carry its verdict.
_OPENING_BLOCKS = 2


def _grade(word: str) -> Grade:
    word = word.strip().lower()
    for g in GRADES:
        if g.lower() == word:
            return g
    raise ValueError(word)


def _direct_blocks(report: Report, section: Section) -> list[Block]:
    return [b for b in report.blocks if b.section == section.index and b.kind in {"text", "list"}]


def _block_text(report: Report, block: Block) -> str:
    return passage_text(report.source, block.spans, report.markers)


def _candidate_sections(report: Report, area: Section | None) -> Iterator[Section]:
    """Where to look for an area's verdict, best first."""
    secs = report.sections
    if area is None:
        yield from (s for s in secs if s.heading.lower().startswith("overall judgment"))
        for top in (s for s in secs if s.level == 1 and s.heading.lower().startswith("overview")):
            yield from (s for s in secs if s.parent == top.index and s.heading.lower() == "summary")
            yield top
        return
    yield from (s for s in secs if s.parent == area.index and s.heading.lower() == "summary of findings")
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
        if text.strip().rstrip(".").lower() in {g.lower() for g in GRADES}:
            grade = _grade(text.strip().rstrip("."))
            for later in blocks[i + 1 : i + 3]:
                for sentence in sentences(_block_text(report, later)):
                    if grade.lower() in sentence.lower():
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
    """The overall judgment, then one per PEEL question, in report order."""
    areas: list[Section | None] = [None]
    areas += [s for s in report.sections if s.level == 1 and _PEEL_QUESTION_RE.match(s.heading)]
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
