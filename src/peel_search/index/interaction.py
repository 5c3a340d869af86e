"""Late interaction: token-level matching of a query against passages (pure functions).

Each passage keeps the contextual embedding of every content word-piece (not
punctuation, not a stop word). A query word-piece scores its best match in the
passage; the passage's score is the IDF-weighted mean over the query's word-pieces.
This is ColBERT's MaxSim (Khattab and Zaharia, SIGIR 2020) applied to the
all-MiniLM-L6-v2 token outputs, with IDF weights so that "takeaway" counts for more
than "force". It finds paraphrases a single passage vector blurs ("officers'
own mobile phones" for "personal handsets").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .lexical import STOPWORDS

SPECIAL_TOKENS = frozenset({"[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"})


def similarities(query_tokens: np.ndarray, doc_tokens: Any) -> np.ndarray:
    """``query_tokens @ doc_tokens.T``; on torch's thread pool when ``doc_tokens`` is a tensor."""
    if isinstance(doc_tokens, np.ndarray):
        return query_tokens @ doc_tokens.T
    import torch

    with torch.inference_mode():
        return (torch.from_numpy(np.ascontiguousarray(query_tokens, dtype=np.float32)) @ doc_tokens.T).numpy()


def content_positions(pieces: Sequence[str]) -> list[int]:
    """Indices of the word-pieces worth matching: alphanumeric, not special, not stop words."""
    keep = []
    for i, piece in enumerate(pieces):
        bare = piece[2:] if piece.startswith("##") else piece
        if piece in SPECIAL_TOKENS or not bare.isalnum() or piece in STOPWORDS:
            continue
        keep.append(i)
    return keep


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def document_frequencies(documents: Iterable[Sequence[str]]) -> dict[str, int]:
    """In how many documents each word-piece occurs."""
    counts: Counter[str] = Counter()
    for pieces in documents:
        counts.update(set(pieces))
    return dict(counts)


def idf_weights(pieces: Sequence[str], df: Mapping[str, int], n_docs: int) -> np.ndarray:
    """BM25-style IDF, ``log((N + 1) / (df + 0.5))``, normalised to sum to one."""
    weights = np.array([math.log((n_docs + 1) / (df.get(p, 0) + 0.5)) for p in pieces], dtype=np.float64)
    weights = np.maximum(weights, 1e-6)
    return weights / weights.sum() if len(weights) else weights


def maxsim_scores(
    query_tokens: np.ndarray, weights: np.ndarray, doc_tokens: Any, offsets: np.ndarray
) -> np.ndarray:
    """Weighted MaxSim of one query against every document.

    ``doc_tokens`` holds every document's token vectors back to back; document ``d``
    owns rows ``offsets[d]:offsets[d + 1]``. All vectors are L2-normalised. A document
    with no tokens scores 0. ``doc_tokens`` may be a numpy array or a torch tensor; a
    tensor keeps the product on torch's thread pool, the one the query encoder uses
    (two pools, torch's and OpenBLAS's, spinning on two cores slow each other down).
    """
    n_docs = len(offsets) - 1
    if len(query_tokens) == 0 or len(doc_tokens) == 0:
        return np.zeros(n_docs, dtype=np.float64)
    sims = similarities(query_tokens, doc_tokens)  # (query tokens, all document tokens)
    starts = offsets[:-1]
    nonempty = offsets[1:] > starts
    best = np.zeros((len(query_tokens), n_docs), dtype=np.float32)
    if nonempty.any():
        best[:, nonempty] = np.maximum.reduceat(sims, starts[nonempty], axis=1)
    return (weights[:, None] * best).sum(axis=0).astype(np.float64)
