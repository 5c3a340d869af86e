"""Grades and other inspections: what the report grades, and what it says other
inspections, reports, reviews and studies found (pure functions).

A report grades its own questions (its judgments) and, now and then, quotes the grade
of another inspection ("HMIC's 2014 crime inspection, where the force was judged to be
good at reducing crime"). It also names inspections and studies it does not report on
("our efficiency reports published in October 2015", "an academic study with Cambridge
University"). So:

- a grade of this inspection is stated only for an area the judgments grade, or that a
  sentence of the report grades, with every word the question gives the area;
- a grade from another inspection, or what another source found, is stated only where
  a passage that names the source also grades (or reports a finding: "found",
  "recommended", "showed" ...) — about the area or topic asked, when one is asked;
- a source the report names without either is "named, not reported"; one it never names
  is not mentioned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ..index.lexical import tokenize
from ..ingest.text import sentences
from .asked import Match, SourceAsk

_GRADE_WORD = r"(?:outstanding|good|adequate|inadequate|requires?\s+improvement|require\s+improvement)"
#: A sentence that states a grade ("was judged to be good at", "is good at", "requires improvement").
GRADED_RE = re.compile(
    rf"\b(?:judged|graded|rated|assessed|found)\s+(?:to\s+be\s+|as\s+)?{_GRADE_WORD}\b|"
    rf"\b(?:is|are|was|were)\s+{_GRADE_WORD}\s+(?:at|in)\b|\brequires?\s+improvement\b|"
    rf"\b(?:is|are|was|were)\s+{_GRADE_WORD}\s*[;,.]|"
    rf"\bgrade[ds]?\s+(?:as\s+)?{_GRADE_WORD}\b",
    re.I,
)
#: A sentence that reports a finding.
FINDING_RE = re.compile(
    r"\b(?:found|finds|showed|shows|shown|concluded|concludes|identified|identifies|recommended|"
    r"recommends|recommendation|revealed|reveals|highlighted|noted|judged|graded|rated|demonstrated|"
    r"confirmed)\b|\b(?:we|hmic)\s+(?:is|are|was|were)\s+(?:not\s+)?(?:confident|concerned|encouraged|"
    r"satisfied|disappointed|pleased|impressed)\b",
    re.I,
)

#: A passage that hands over to a summary of the source's findings ("The following is a
#: summary of the findings"): what follows in the report is what it found.
SUMMARISED_RE = re.compile(
    r"\b(?:summary|summarises?|summarised|summarizes?|summarized)\s+(?:of\s+)?(?:the\s+|its\s+|their\s+)?"
    r"(?:main\s+|key\s+)?(?:findings|conclusions|results)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Cited:
    """A passage and the text of the footnotes it cites: a source named in a footnote is
    named by the whole passage ("... forces carry out OCG mapping inconsistently¹⁸")."""

    text: str
    notes: str = ""
    #: The passage is itself a footnote (a note explains what it notes).
    is_note: bool = False


@dataclass(frozen=True, slots=True)
class GradedArea:
    """An area the report grades: its words and grade ("investigating crime ...: good")."""

    area: str
    grade: str


def windows(passages: Sequence[str]) -> list[str]:
    """Each sentence of ``passages`` with one sentence either side, within its passage."""
    out: list[str] = []
    for passage in passages:
        parts = sentences(passage)
        out.extend(" ".join(parts[max(0, i - 1) : i + 2]) for i in range(len(parts)))
    return out


def naming_windows(passages: Sequence[Cited], ask: SourceAsk, match: Match) -> list[str]:
    """The stretches of ``passages`` that name ``ask``'s source: a sentence that names it
    with the sentence after it ("...a review of X. It found ..."), or a whole passage whose
    footnotes name it."""
    out: list[str] = []
    for passage in passages:
        if passage.notes and names_source(passage.notes, ask, match):
            out.append(passage.text)
            continue
        parts = sentences(passage.text)
        out.extend(" ".join(parts[i : i + 2]) for i, s in enumerate(parts) if names_source(s, ask, match))
    return out


def _held(text: str, words: Sequence[str], match: Match) -> int:
    stems = frozenset(tokenize(text))
    return sum(1 for w in words if match(w, stems))


def names_source(window: str, ask: SourceAsk, match: Match) -> bool:
    """Whether ``window`` names the source: its years, and its words (one may be missing
    from a name of three words or more)."""
    if any(str(y) not in window for y in ask.years):
        return False
    if ask.noun not in {"inspection", "inspections", "report", "reports"} and not match(
        ask.noun, frozenset(tokenize(window))
    ):
        return False  # "the evaluation of the pilot" needs an evaluation
    held = _held(window, ask.words, match)
    return held >= len(ask.words) - (1 if len(ask.words) >= 3 else 0) and (held > 0 or bool(ask.years))


def _about(window: str, topic: Sequence[str], match: Match) -> bool:
    return not topic or 2 * _held(window, topic, match) >= len(topic)


def finding_reason(
    ask: SourceAsk, passages: Sequence[Cited], match: Match, present: Callable[[str], bool] = lambda w: True
) -> str:
    """Why the report does not say what ``ask``'s source found, or ``""`` when it may.
    ``passages``: the passages in scope that hold the source's words; ``present``: whether
    the report uses a word (a summary of the source's findings answers only on a topic
    the report speaks of)."""
    named = naming_windows(passages, ask, match)
    if not named:
        return f"the report does not mention {ask.name}"
    if any(FINDING_RE.search(w) and _about(w, ask.topic, match) for w in named):
        return ""
    if any(SUMMARISED_RE.search(w) for w in named) and all(present(w) for w in ask.topic):
        return ""  # the report goes on to summarise what it found
    about = f" about {' '.join(ask.topic)}" if ask.topic else ""
    return f"the report names {ask.name} but does not say what it found{about}"


def other_grade_reason(ask: SourceAsk, area: Sequence[str], passages: Sequence[Cited], match: Match) -> str:
    """Why the report gives no grade from another inspection (``ask``) for ``area``, or
    ``""`` when a passage naming it grades that area."""
    named = naming_windows(passages, ask, match)
    if not named:
        return f"the report does not mention {ask.name}"
    if any(GRADED_RE.search(w) and _held(w, area, match) == len(area) for w in named):
        return ""
    what = f" for {' '.join(area)}" if area else ""
    return f"the report names {ask.name} but gives no grade from it{what}"


def own_grade_reason(
    area: Sequence[str], graded: Sequence[GradedArea], passages: Sequence[str], match: Match
) -> str:
    """Why the report gives no grade for ``area`` (the words the question gives it), or
    ``""`` when a judgment or a grading sentence covers every word."""
    if not area or not graded:
        return ""
    for passage in passages:
        for sentence in sentences(passage):
            if GRADED_RE.search(sentence) and _held(sentence, area, match) == len(area):
                return ""
    covering = [g for g in graded if _held(g.area, area, match) == len(area)]
    if any(g.grade for g in covering):
        return ""
    grades = _grades(graded)
    if covering:  # a question of the report's that it states no grade for
        return f"the report states no grade for {_lower_first(covering[0].area)}; it grades {grades or 'no area'}"
    return f"the report grades {grades or 'other areas'}; it gives no grade for {' '.join(area)}"


def other_year_grade_reason(
    year: int, area: Sequence[str], own_years: Iterable[int], passages: Sequence[str], match: Match
) -> str:
    """Why the report gives no grade of ``year`` (not its own) for ``area``, or ``""`` when
    a sentence of ``passages`` with that year grades it ("HMIC's 2014 crime inspection,
    where the force was judged to be good at reducing crime")."""
    for window in windows(passages):
        if str(year) in window and GRADED_RE.search(window) and _held(window, area, match) == len(area):
            return ""
    own = ", ".join(str(y) for y in sorted(own_years))
    what = f" for {' '.join(area)}" if area else ""
    return f"the report gives the grades of its {own} inspection; it gives no grade from {year}{what}"


def other_forces_grade_reason(forces: str, passages: Sequence[str]) -> str:
    """Why the report gives no other force's grade, or ``""`` when a sentence of
    ``passages`` grades forces ("12 forces were judged to be good")."""
    for passage in passages:
        for sentence in sentences(passage):
            if GRADED_RE.search(sentence) and re.search(r"\bforces\b", sentence, re.I):
                return ""
    return f"the report grades {forces} only; it gives no other force's grade"


def _lower_first(text: str) -> str:
    return f"{text[:1].lower()}{text[1:]}"


def _grades(graded: Sequence[GradedArea]) -> str:
    return "; ".join(f"{_lower_first(g.area)}: {g.grade.lower()}" for g in graded if g.grade)
