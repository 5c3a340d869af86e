"""Rank fusion and score normalisation: small pure functions over score arrays.

Every function takes arrays of scores (higher is better), one entry per document,
and returns an array of the same length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each document (ties broken by index, lower first)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(1, len(scores) + 1)
    return out


def reciprocal_rank_fusion(
    score_lists: Sequence[np.ndarray], weights: Sequence[float] | None = None, k: float = 60.0
) -> np.ndarray:
    """Weighted reciprocal rank fusion: ``sum_i w_i / (k + rank_i(d))``.

    Cormack, Clarke and Buettcher, "Reciprocal rank fusion outperforms Condorcet and
    individual rank learning methods", SIGIR 2009 (k = 60 there).
    """
    if not score_lists:
        raise ValueError("reciprocal_rank_fusion needs at least one score list")
    weights = [1.0] * len(score_lists) if weights is None else list(weights)
    if len(weights) != len(score_lists):
        raise ValueError("one weight per score list")
    fused = np.zeros(len(score_lists[0]), dtype=np.float64)
    for scores, w in zip(score_lists, weights, strict=True):
        fused += w / (k + ranks(np.asarray(scores)))
    return fused


def min_max(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant array becomes all zeros."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo <= 1e-12:
        return np.zeros_like(scores)
    return (scores - lo) / (hi - lo)


def weighted_sum(score_lists: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    """Convex combination of min-max normalised scores (a.k.a. CombSUM with weights;
    Fox and Shaw, TREC-2 1994)."""
    if len(weights) != len(score_lists):
        raise ValueError("one weight per score list")
    return sum(w * min_max(s) for s, w in zip(score_lists, weights, strict=True))  # type: ignore[return-value]


def max_pool(values: np.ndarray, owners: np.ndarray, size: int, fill: float = -1.0) -> np.ndarray:
    """For each of ``size`` groups, the largest of ``values`` whose owner is that group.

    Used to pool sentence similarities into a passage score (MaxSim).
    """
    out = np.full(size, fill, dtype=np.float64)
    np.maximum.at(out, owners, values)
    return out
