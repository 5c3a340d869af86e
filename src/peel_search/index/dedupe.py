"""Near-duplicate passages: the report repeats its summaries almost word for word, and
reports of different forces share boilerplate.

Two passages are near-duplicates when each is mostly made of the other's word
trigrams (Broder, "On the resemblance and containment of documents", 1997): both
containments must reach the threshold, so a passage that merely quotes part of a
longer one, and so says something more, is never folded into it. Near-duplicates are
copies only when they also say the same thing (the ``same`` test of :func:`copy_groups`,
see :mod:`.claims`); the others are *variants*: the same wording with another grade,
figure, date or name.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..types import Chunk
from .claims import claims, difference, own_names

_WORD_RE = re.compile(r"[a-z0-9]+")

#: Share of each passage's trigrams found in the other for the two to be one.
THRESHOLD = 0.7


def shingles(text: str, n: int = 3) -> frozenset[tuple[str, ...]]:
    words = _WORD_RE.findall(text.lower())
    if len(words) < n:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def resemblance(a: frozenset, b: frozenset) -> float:
    """The smaller of the two containments |A∩B|/|A| and |A∩B|/|B|."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return min(common / len(a), common / len(b))


@dataclass(frozen=True, slots=True)
class Grouping:
    """Copies share a group number (``groups[i]``); ``variants`` are the near-duplicate
    pairs ``(i, j)``, ``i < j``, that are not copies."""

    groups: list[int]
    variants: list[tuple[int, int]] = field(default_factory=list)


def near_duplicate_groups(texts: Sequence[str], threshold: float = THRESHOLD) -> list[int]:
    """A group number for each text; near-duplicates (transitively) share one."""
    return copy_groups(texts, threshold=threshold).groups


def copy_groups(
    texts: Sequence[str],
    same: Callable[[int, int], bool] | None = None,
    threshold: float = THRESHOLD,
) -> Grouping:
    """Group the texts that are near-duplicates and, by ``same(i, j)``, say the same
    thing (default: every near-duplicate is a copy); copies (transitively) share a group.

    Only pairs that can reach the threshold are compared, by prefix filtering
    (Chaudhuri, Ganti and Kaushik, "A primitive operator for similarity joins", 2006):
    with every set's trigrams in one global order, rarest first, two sets sharing at
    least ``threshold`` of each one's trigrams share a trigram among the first
    ``len(s) - ceil(threshold * len(s)) + 1`` of each. The result equals comparing
    every pair; the work grows with the copies there are, not with the square of the
    passages (a library repeats its boilerplate in every report).
    """
    sets = [shingles(t) for t in texts]
    frequency: Counter[tuple[str, ...]] = Counter(g for s in sets for g in s)
    parent = list(range(len(texts)))
    variants: list[tuple[int, int]] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        if not s:
            continue
        ordered = sorted(s, key=lambda g: (frequency[g], g))
        prefix = ordered[: len(s) - math.ceil(threshold * len(s)) + 1]
        candidates: set[int] = set()
        for gram in prefix:
            candidates.update(postings[gram])
            postings[gram].append(i)
        for j in sorted(candidates):
            if find(i) == find(j) or resemblance(sets[i], sets[j]) < threshold:
                continue
            if same is None or same(j, i):
                parent[find(i)] = find(j)
            else:
                variants.append((j, i))
    return Grouping([find(i) for i in range(len(texts))], sorted(variants))


@dataclass(frozen=True, slots=True)
class Copies:
    """A library's passages grouped: copies share ``groups[i]``; ``variants[i]`` lists the
    passages with passage ``i``'s wording that say something else, each with what it says
    that ``i`` does not (``(j, ("inadequate",))``)."""

    groups: list[int]
    variants: dict[int, list[tuple[int, tuple[str, ...]]]]


def find_copies(chunks: Sequence[Chunk], forces: Mapping[str, str]) -> Copies:
    """Group a library's passages into copies — near-duplicates that say the same thing
    once each report's own force and place names are masked — and list the variants
    (see :mod:`.claims`). ``forces`` maps each report id to its force's name."""
    by_report: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        by_report[c.report_id].append(c)
    own = {r: own_names(forces.get(r, ""), members) for r, members in by_report.items()}
    masked = [own[c.report_id].mask(c.text) for c in chunks]
    said = [claims(m, c.entities, own[c.report_id]) for m, c in zip(masked, chunks, strict=True)]
    grouping = copy_groups(masked, lambda i, j: said[i] == said[j])
    variants: dict[int, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for i, j in grouping.variants:
        variants[i].append((j, difference(said[i], said[j])))
        variants[j].append((i, difference(said[j], said[i])))
    return Copies(grouping.groups, dict(variants))
