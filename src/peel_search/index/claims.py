"""What a passage asserts, for telling a copy from a passage that only reads like one.

Reports of different forces share wording: the same boilerplate, and the same sentence
with another grade or figure ("HMIC judges that the force requires improvement" /
"… is inadequate"). Two passages are copies only when they say the same thing: with each
report's own force and place names masked (:class:`OwnNames`), their texts are
near-duplicates, and their :func:`claims` — every grade word, number, date, negation,
judging word and other named entity — are equal. Otherwise each stands on its own, and
:func:`difference` says what the other one says instead.

Pure functions over text; :mod:`.dedupe` uses them to group passages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..ingest.forces import by_name
from ..types import Chunk, Entity

#: Grade words in any inflection, each read as the grade it names.
_GRADE_RE = re.compile(
    r"\b(outstanding|good|adequate|inadequate|requires?\s+improvement|required\s+improvement)\b", re.I
)
_NEGATION_RE = re.compile(r"\b(not|no|never|none|nor|neither|without|cannot)\b|n['’]t\b", re.I)
_NUMBER_RE = re.compile(r"(?<![\w.])[£$]?\d[\d,]*(?:\.\d+)?(?:\s?%|\s?percent\b|\s?per\s?cent\b)?", re.I)
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "thousand million billion half halves third thirds quarter quarters twice double treble triple "
    "first second third fourth fifth last"
).split()
_MONTHS = "january february march april may june july august september october november december".split()
#: Words that judge, whose opposites turn a finding round ("effective" / "ineffective",
#: "improved" / "deteriorated"): a copy must use the same ones.
_JUDGING = frozenset(
    (
        "effective ineffective effectively ineffectively efficient inefficient well poor poorly "
        "strong weak strength strengths weakness weaknesses consistent inconsistent consistently "
        "inconsistently sufficient insufficient sufficiently insufficiently appropriate inappropriate "
        "appropriately inappropriately satisfactory unsatisfactory improved improving improve "
        "deteriorated deteriorating worse worsened better best worst increase increased increasing "
        "decrease decreased decreasing rose risen rise fell fallen fall reduced reduction higher lower "
        "less fewer excellent limited lacks lacking lack failed fails fail failing unable "
        "always rarely often seldom sometimes all some few most many every only"
    ).split()
)
_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
#: Entity labels that are numbers or dates: read from the text by :func:`claims` itself.
_NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"})
#: Places every report may name: they are not a force's own places and are never masked.
_NATIONAL = frozenset(
    "england wales england and wales uk united kingdom britain great britain scotland "
    "northern ireland london".split(" ")
)
_PLACE_LABELS = frozenset({"GPE", "LOC"})
FORCE_MASK = "theforce"
PLACE_MASK = "theplace"


@dataclass(frozen=True, slots=True)
class OwnNames:
    """A report's own force and place names, and how to mask them in its passages."""

    pattern: re.Pattern[str] | None
    #: Each own name, case folded, and the token that masks it.
    masks: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, force_names: Iterable[str], places: Iterable[str]) -> OwnNames:
        """From the force's names ("West Midlands Police", "West Midlands") and the places
        the report names; "the force" and "the constabulary" always stand for the force."""
        forces = {" ".join(n.split()) for n in force_names if n and n.strip()}
        forces |= {"the force", "the constabulary", "this force"}
        towns = {" ".join(p.split()) for p in places if p and p.strip()} - forces
        towns = {t for t in towns if t.casefold() not in _NATIONAL}
        alternatives = sorted(forces | towns, key=len, reverse=True)
        kind = {t.casefold(): PLACE_MASK for t in towns} | {n.casefold(): FORCE_MASK for n in forces}
        pattern = re.compile(
            r"(?<![\w])(" + "|".join(re.escape(a) for a in alternatives) + r")(?:['’]s)?(?![\w])", re.I
        )
        return cls(pattern, tuple(sorted(kind.items())))

    def mask(self, text: str) -> str:
        """``text`` with each own name replaced by one token for the force or a place."""
        if self.pattern is None:
            return text
        kinds = dict(self.masks)
        return self.pattern.sub(lambda m: kinds.get(m.group(1).casefold(), PLACE_MASK), text)

    def owns(self, name: str) -> bool:
        """Whether ``name`` (or ``name``'s) is one of the report's own names."""
        return self.pattern is not None and self.pattern.fullmatch(name) is not None


def own_names(force: str, chunks: Iterable[Chunk]) -> OwnNames:
    """A report's own names: its force (official, short and other names) and the places
    its passages name."""
    known = by_name(force) if force else None
    names = [force] + ([known.name, known.short, *known.aliases] if known else [])
    stripped = (
        re.sub(r"\s+(?:police(?: service| force)?|constabulary)$", "", force, flags=re.I) if force else ""
    )
    places = {e.text for c in chunks for e in c.entities if e.label in _PLACE_LABELS}
    return OwnNames.of([*names, stripped], places)


def claims(masked: str, entities: Sequence[Entity] = (), own: OwnNames | None = None) -> Counter[str]:
    """Everything in a passage (its text with own names masked) that a copy must repeat:
    grade words, numbers (digits and number words), months, negations, judging words, and
    the named entities that are not the report's own (``entities`` of the unmasked text)."""
    found: Counter[str] = Counter()
    for m in _GRADE_RE.finditer(masked):
        grade = " ".join(m.group(1).lower().split())
        found["grade:" + ("requires improvement" if "improvement" in grade else grade)] += 1
    for m in _NUMBER_RE.finditer(masked):
        found["number:" + re.sub(r"\s+|,", "", m.group().lower()).replace("percent", "%")] += 1
    negations = sum(1 for _ in _NEGATION_RE.finditer(masked))
    if negations:
        found["not"] += negations
    for word in _WORD_RE.findall(masked.lower()):
        if word in _NUMBER_WORDS:
            found["number:" + word] += 1
        elif word in _MONTHS:
            found["date:" + word] += 1
        elif word in _JUDGING:
            found["says:" + word] += 1
    for e in entities:
        name = e.canonical or e.text
        if e.label in _NUMERIC_LABELS or (own is not None and (own.owns(name) or own.owns(e.text))):
            continue
        found["entity:" + name.casefold()] += 1
    return found


def difference(mine: Counter[str], theirs: Counter[str]) -> tuple[str, ...]:
    """What ``theirs`` says that ``mine`` does not, as words a reader knows: grades,
    numbers, dates and judging words plainly, a negation as "not", entities by name."""
    words = []
    for key in sorted((theirs - mine).elements()):
        words.append(key.split(":", 1)[1] if ":" in key else key)
    return tuple(dict.fromkeys(words))
