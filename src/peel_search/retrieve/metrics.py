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


def reciprocal_ranks(ranks: Sequence[int | None], k: int = 10) -> list[float]:
    """Each question's 1/rank of its first hit, 0 when none in the top ``k`` (MRR's terms)."""
    return [1.0 / r if r is not None and r <= k else 0.0 for r in ranks]


def paired_bootstrap(
    a: Sequence[float], b: Sequence[float], resamples: int = 10_000, seed: int = 0, level: float = 0.95
) -> tuple[float, float, float]:
    """The mean of ``a - b`` over paired per-question scores, and its ``level`` percentile
    bootstrap interval: questions are drawn with replacement ``resamples`` times (Efron
    and Tibshirani, "An Introduction to the Bootstrap", 1993; for IR, Sakai, "Evaluating
    evaluation metrics based on the bootstrap", SIGIR 2006). Raises ValueError when the
    lists differ in length or are empty."""
    import numpy as np

    if len(a) != len(b) or not len(a):
        raise ValueError(f"paired scores needed: {len(a)} against {len(b)}")
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(resamples, len(diff)))].mean(axis=1)
    tail = (1.0 - level) / 2
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(diff.mean()), float(low), float(high)
