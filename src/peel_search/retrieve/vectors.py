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
from typing import Any

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
        """Memory-map each file (copy-on-write: nothing is ever written back, and torch
        can wrap the pages without copying them first)."""
        return cls([np.load(f, mmap_mode="c", allow_pickle=False) for f in files], dim)

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

    def take_ranges(self, starts: np.ndarray, ends: np.ndarray) -> Any:
        """The rows of the ranges ``starts[i]:ends[i]``, back to back, as one float32
        torch tensor. Adjacent ranges are read as one run, each run straight from the
        mapped file: a whole report is one read, and torch widens float16 to float32
        several times faster than numpy does."""
        import torch

        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        keep = ends > starts
        starts, ends = starts[keep], ends[keep]
        out = torch.empty((int((ends - starts).sum()), self.dim), dtype=torch.float32)
        if not len(starts):
            return out
        # Runs: a range that begins where the previous one ended continues it; a part's
        # end always ends a run.
        cut = np.flatnonzero(starts[1:] != ends[:-1]) + 1
        run_starts = np.concatenate([starts[:1], starts[cut]])
        run_ends = np.concatenate([ends[cut - 1], ends[-1:]])
        at = 0
        for a, b in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
            while a < b:
                part = int(np.searchsorted(self.bounds, a, side="right")) - 1
                stop = min(b, int(self.bounds[part + 1]))
                base = int(self.bounds[part])
                block = torch.from_numpy(self._arrays[part][a - base : stop - base])
                out[at : at + stop - a].copy_(block)
                at += stop - a
                a = stop
        return out

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of ``rows`` as one float32 matrix, in the order given."""
        out = np.zeros((len(rows), self.dim), dtype=np.float32)
        for where, vectors in self.by_part(rows):
            out[where] = vectors
        return out
