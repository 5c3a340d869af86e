"""Near-duplicate passages: the report repeats its summaries almost word for word.

Two passages are near-duplicates when each is mostly made of the other's word
trigrams (Broder, "On the resemblance and containment of documents", 1997): both
containments must reach the threshold, so a passage that merely quotes part of a
longer one, and so says something more, is never folded into it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

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


def near_duplicate_groups(texts: Sequence[str], threshold: float = THRESHOLD) -> list[int]:
    """A group number for each text; near-duplicates (transitively) share one.

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
        for j in candidates:
            if find(i) != find(j) and resemblance(sets[i], sets[j]) >= threshold:
                parent[find(i)] = find(j)
    return [find(i) for i in range(len(texts))]
