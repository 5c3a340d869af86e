"""Vectors kept on disk, one file per report, read only for the passages a query scores.

A library's word-piece vectors outgrow memory long before its passage vectors do (a
report holds ~9,000 word-piece vectors against ~200 passage vectors). Each part's
``.npy`` file is memory-mapped, and a query reads the rows of its candidates alone:
the operating system keeps the pages in use and drops the rest, so serving memory
stays flat as the library grows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np


def ranges_to_rows(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every row of the half-open ranges ``starts[i]:ends[i]``, in order."""
    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(ends, dtype=np.int64) - starts
    total = int(lengths.sum()) if len(lengths) else 0
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = starts - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.arange(total, dtype=np.int64) + np.repeat(shift, lengths)


class PartedRows:
    """The rows of one array split over per-part files, addressed as if concatenated."""

    def __init__(self, arrays: Sequence[np.ndarray], dim: int) -> None:
        self._arrays = list(arrays)
        self.dim = dim
        sizes = [len(a) for a in self._arrays]
        #: Where each part's rows start in the concatenation (and the total at the end).
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    @classmethod
    def open(cls, files: Sequence[Path], dim: int) -> PartedRows:
        """Memory-map each file (read only)."""
        return cls([np.load(f, mmap_mode="r", allow_pickle=False) for f in files], dim)

    def __len__(self) -> int:
        return int(self.bounds[-1])

    def by_part(self, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(positions in rows, float32 vectors)`` for the rows in each part, part by
        part; ``rows`` ascending keeps each part's reads in file order."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        parts = np.searchsorted(self.bounds, rows, side="right") - 1
        for part in np.unique(parts):
            where = np.flatnonzero(parts == part)
            local = rows[where] - self.bounds[part]
            yield where, np.asarray(self._arrays[int(part)][local], dtype=np.float32)

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of ``rows`` as one float32 matrix, in the order given."""
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        for where, vectors in self.by_part(rows):
            out[where] = vectors
        return out
