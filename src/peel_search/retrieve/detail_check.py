"""Names and places: a question asking what something is called, or where it is, is
answered only where a sentence about the thing gives a name or a place (pure functions).

A name is a quoted term ("'Catch 22'"), a run of capitalised words that does not open
the sentence ("Operation Sentinel"), or an acronym ("WMP 2020"); a place is a name after
"in", "at", "within", "from" or "across" ("in Wolverhampton"), or a venue after "at"
("at daily management meetings"). The report's own force and the country are neither.
Where the report speaks of the thing without either, it does not say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..index.lexical import tokenize
from ..ingest.text import sentences
from .asked import DetailAsk, Match

_QUOTED_RE = re.compile(r"['‘“\"][A-Z0-9][^'’”\"]{1,40}['’”\"]")
_CAPITALISED_RE = re.compile(r"(?<=[a-z,;:(]\s)(?:[A-Z][\w'’&-]*|[0-9]+)(?:\s+(?:[A-Z][\w'’&-]*|[0-9]+))*")
_ACRONYM_RE = re.compile(r"\b[A-Z]{2,}[0-9]*\b")
_PLACE_RE = re.compile(
    r"\b(?i:in|at|within|from|across|near)\s+(?:the\s+)?(?P<name>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
)
_VENUE_RE = re.compile(
    r"\bat\s+(?:the\s+|a\s+|their\s+|its\s+)?(?:\w+\s+){0,3}(?:meetings?|offices?|stations?|centres?|hubs?|premises|headquarters|sites?|locations?|units?)\b",
    re.I,
)
#: A kind of place, not named ("to tackle disorder in town centres", "in schools").
_PLACE_KIND_RE = re.compile(
    r"\b(?:in|at|across|around|near|outside|within)\s+(?:the\s+|their\s+|its\s+|local\s+|some\s+|many\s+)?"
    r"(?:(?:town|city)\s+centres?|public\s+places?|schools?|hospitals?|(?:housing\s+)?estates?|streets?|parks?|"
    r"neighbourhoods?|night-time\s+economy|shopping\s+centres?|custody(?:\s+suites?)?|prisons?|homes?)\b",
    re.I,
)
#: A sentence that speaks of the place the one before named ("Here an OCG was tackled").
_HERE_RE = re.compile(r"^\s*(?:here|there|in\s+(?:this|that)\s+(?:area|city|town|district))\b", re.I)
#: Capitalised words that name no particular thing.
_NOT_NAMES = frozenset(
    """The A An This These That Those It Its In At On For Of And But However HMIC Police England Wales
    January February March April May June July August September October November December""".split()
)


def _names(sentence: str, own: Sequence[str]) -> bool:
    """Whether ``sentence`` gives a name (see the module docstring), other than ``own`` names."""
    text = sentence
    for name in own:
        text = text.replace(name, " ")
    if _QUOTED_RE.search(text):
        return True
    if any(a not in {"IT", "UK", "HMIC"} for a in _ACRONYM_RE.findall(text)):
        return True
    return any(m.group().split()[0] not in _NOT_NAMES for m in _CAPITALISED_RE.finditer(text))


def _named_places(sentence: str, own: Sequence[str]) -> bool:
    """Whether ``sentence`` names a place ("in Wolverhampton"), other than ``own``."""
    for m in _PLACE_RE.finditer(sentence):
        name = m.group("name")
        if not any(name in o or o in name for o in own) and name.split()[0] not in _NOT_NAMES:
            return True
    return False


def _places(sentence: str, own: Sequence[str]) -> bool:
    """Whether ``sentence`` gives a place (see the module docstring), other than ``own``:
    a named one or a venue ("at the police station")."""
    return _named_places(sentence, own) or bool(_VENUE_RE.search(sentence) or _PLACE_KIND_RE.search(sentence))


def _going_on(parts: Sequence[str], ask: DetailAsk, match: Match) -> list[str]:
    """The sentences of ``parts`` that name the thing's head noun (its last word)."""
    head = ask.thing[-1]
    return [s for s in parts if match(head, frozenset(tokenize(s)))]


def detail_reason(ask: DetailAsk, passages: Sequence[str], match: Match, own: Sequence[str] = ()) -> str:
    """Why the report gives no name or place for ``ask``'s thing, or ``""`` when it may.

    ``passages``: the passages in scope holding the thing's words; ``own``: names that
    do not count (the forces in scope, the country).
    """
    need = max(1, -(-2 * len(ask.thing) // 3))  # two thirds of the thing's words, rounded up
    found = _names if ask.kind == "name" else _named_places if ask.named else _places
    spoken = False
    for passage in passages:
        parts = sentences(passage)
        for i, sentence in enumerate(parts):
            if sum(1 for w in ask.thing if match(w, frozenset(tokenize(sentence)))) < need:
                continue
            spoken = True
            # a name stands beside the thing; a place may follow ("To date these courses ..."),
            # in the passage's sentences that go on speaking of it ("these courses")
            near = (
                [sentence]
                if ask.kind == "name"
                else [*parts[i : i + 2], *_going_on(parts[i + 2 :], ask, match)]
            )
            if ask.kind != "name" and i and _HERE_RE.match(sentence):
                near.append(parts[i - 1])  # "... in Birmingham. Here an OCG was tackled"
            if any(found(s, own) for s in near):
                return ""
    if not spoken:
        return ""
    what = "name" if ask.kind == "name" else "place"
    return f"the report speaks of the {ask.asked} but gives no {what} for it"
