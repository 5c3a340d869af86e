"""Retrieval metrics and the evaluation's matching rule (pure functions).

A returned passage answers a question when one of the question's gold spans, after
:func:`~peel_search.ingest.text.eval_normalise`, is a substring of the passage's first
``PASSAGE_WORDS`` words, normalised the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..ingest.text import eval_normalise

PASSAGE_WORDS = 300


def passage_matches(passage: str, gold: Sequence[str]) -> bool:
    head = eval_normalise(" ".join(passage.split()[:PASSAGE_WORDS]))
    return any(g and g in head for g in (eval_normalise(x) for x in gold))


def first_hit_rank(passages: Sequence[str], gold: Sequence[str], depth: int = 10) -> int | None:
    """1-based rank of the first passage that matches, within ``depth``; None if none."""
    for rank, passage in enumerate(passages[:depth], start=1):
        if passage_matches(passage, gold):
            return rank
    return None


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions answered within the top ``k``."""
    return sum(1 for r in ranks if r is not None and r <= k) / max(1, len(ranks))


def mrr_at(ranks: Sequence[int | None], k: int = 10) -> float:
    """Mean reciprocal rank of the first hit, 0 when there is none in the top ``k``."""
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / max(1, len(ranks))


def precision_recall(flagged: Sequence[bool], truth: Sequence[bool]) -> tuple[float, float]:
    """Precision and recall of ``flagged`` against ``truth`` (1.0 when nothing to measure)."""
    tp = sum(1 for f, t in zip(flagged, truth, strict=True) if f and t)
    fp = sum(1 for f, t in zip(flagged, truth, strict=True) if f and not t)
    fn = sum(1 for f, t in zip(flagged, truth, strict=True) if not f and t)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall
