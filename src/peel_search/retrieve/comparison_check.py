"""Does the report draw the comparison a question asks for? (pure functions)

A report compares its force with England and Wales and, for some figures, with an
earlier period; it seldom compares with another force, a district or another group.
A comparison is drawn where the report states figures of the thing for both sides (its
figures' areas and periods, or a change on the year before), or where a sentence about
the thing compares it ("lower than both the previous year's rate", "low compared with
other forces") with the other side. Where the report speaks of the thing without either,
it does not draw the comparison, and the notice says what it does give.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..index.lexical import tokenize
from ..ingest.text import sentences
from .asked import PEERS_RE, CompareAsk, Match
from .figure_check import FigureFacts, describe

Weight = Callable[[str], float]

#: Words that draw a comparison.
COMPARING_RE = re.compile(
    r"\b(?:compar\w*|than|lower|higher|lowest|highest|fewer|more|less|greater|smaller|larger|similar|"
    r"above|below|increase[ds]?|decrease[ds]?|reduction|fell|rose|risen|fallen|year-on-year|rank\w*|"
    r"one\s+of\s+the)\b",
    re.I,
)
_EARLIER_WORDS = re.compile(r"\b(?:previous|last|prior|earlier|preceding|year-on-year|before)\b", re.I)
_NATIONAL_WORDS = re.compile(
    r"\b(?:england\s+and\s+wales|national\w*|all\s+forces|other\s+forces|forces)\b", re.I
)

#: A superlative sets the force against all the others ("the highest counter-terrorist
#: threat outside of London").
_SUPERLATIVE_RE = re.compile(
    r"\b(?:highest|lowest|largest|smallest|biggest|best|worst|one\s+of\s+(?:the\s+)?(?:most|least|few|only))\b",
    re.I,
)
#: A figure in a sentence ("54 percent", "24 per million", "3,210").
_FIGURE_RE = re.compile(r"\b\d[\d,.]*\s*(?:%|percent|per\s+cent|per\s+\w+)|\b\d{1,3}(?:,\d{3})+\b", re.I)


def _weight_held(text_stems: frozenset[str], words: Sequence[str], match: Match, weight: Weight) -> float:
    total = sum(weight(w) for w in words)
    return sum(weight(w) for w in words if match(w, text_stems)) / total if total else 0.0


def _other_side(text: str, ask: CompareAsk, match: Match) -> bool:
    stems = frozenset(tokenize(text))
    if ask.peers:
        return bool(PEERS_RE.search(text))
    if ask.other:
        return all(match(w, stems) for w in ask.other)
    if ask.earlier:
        return bool(_EARLIER_WORDS.search(text))
    return bool(_NATIONAL_WORDS.search(text) or _SUPERLATIVE_RE.search(text))


def _figures_compare(ask: CompareAsk, facts: Sequence[FigureFacts], match: Match) -> bool:
    if ask.peers:
        return any(PEERS_RE.search(f"{f.figure.area} {f.figure.context}") for f in facts)
    if ask.other:
        return any(all(match(w, f.about) for w in ask.other) for f in facts)
    if ask.earlier:  # the same measure of the same thing for two periods, or a change
        periods: dict[tuple[str, str, str], set[str]] = {}
        for f in facts:
            periods.setdefault((f.figure.measure, f.figure.subject, f.figure.area), set()).add(
                f.figure.period
            )
        return any(len(p) > 1 for p in periods.values()) or any(f.figure.measure == "change" for f in facts)
    return any(f.figure.area == "England and Wales" for f in facts)


def comparison_drawn(
    ask: CompareAsk,
    facts: Sequence[FigureFacts],
    passages: Sequence[str],
    match: Match,
    weight: Weight = lambda w: 1.0,
) -> str:
    """Why the report does not draw the comparison ``ask`` asks for, or ``""`` when it may.

    ``facts``: the figures in scope; ``passages``: the passages in scope that hold the
    subject's words.
    """
    if not ask.subject:
        return ""
    about = [
        f
        for f in facts
        if _weight_held(f.about, ask.subject, match, weight) >= 2 / 3
        and any(match(w, f.own) for w in ask.subject)
    ]
    if _figures_compare(ask, about, match):
        return ""
    spoken = False
    for passage in passages:
        parts = sentences(passage)
        for i, sentence in enumerate(parts):
            window = " ".join(parts[max(0, i - 1) : i + 2])
            held = _weight_held(frozenset(tokenize(window)), ask.subject, match, weight)
            if held >= 0.5:
                spoken = True
            # The comparison is drawn in one sentence that names the other side; the thing
            # compared may be named in the sentence before ("This is lower than ...").
            if held >= 2 / 3 and _other_side(sentence, ask, match):
                if COMPARING_RE.search(sentence):
                    return ""
                if _FIGURE_RE.search(sentence) and i and _FIGURE_RE.search(parts[i - 1]):
                    return ""  # the figure for each side, one sentence after the other
    if not (spoken or about):
        return ""  # the report does not speak of it: other checks decide
    other = (
        "similar forces"
        if ask.peers
        else " ".join(ask.other)
        if ask.other
        else ("an earlier period" if ask.earlier else "England and Wales")
    )
    gives = f"; it gives {describe(about[0].figure)}" if about else ""
    return f"the report does not compare {' '.join(ask.subject)} with {other}{gives}"
