"""Vectors kept on disk, one file per report, read only for the passages a query scores.

A library's word-piece vectors outgrow memory long before its passage vectors do (a
report holds ~9,000 word-piece vectors against ~200 passage vectors). They stay in
each part's ``.npy`` file; a query reads the rows of its candidates alone, with
``pread`` into a buffer of its own. Reads come from the operating system's page cache
once warm, and the process holds only what the query in hand needs: serving memory
stays flat as the library grows (a memory map would also do, but every page it ever
touched would count in the process's resident memory).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
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


class _NpyFile:
    """One 2-D ``.npy`` file opened for reading rows at a time."""

    def __init__(self, path: Path, dim: int) -> None:
        header = np.load(path, mmap_mode="r", allow_pickle=False)  # reads the header, maps nothing in
        shape, dtype, offset = header.shape, header.dtype, header.offset
        fortran = header.flags.f_contiguous and not header.flags.c_contiguous
        del header
        if fortran or len(shape) != 2 or shape[1] != dim:
            raise ValueError(f"{path.name} holds {shape} vectors, not rows of {dim}")
        self.rows, self.dtype, self.offset = int(shape[0]), dtype, int(offset)
        self.row_bytes = dim * dtype.itemsize
        self._fd = os.open(path, os.O_RDONLY)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` (a fresh, writable array)."""
        out = np.empty((stop - start, self.row_bytes // self.dtype.itemsize), dtype=self.dtype)
        want, at = out.nbytes, self.offset + start * self.row_bytes
        view = memoryview(out.data).cast("B")
        done = 0
        while done < want:
            got = os.preadv(self._fd, [view[done:]], at + done)
            if got <= 0:
                raise OSError(f"the file ended {want - done} bytes early")
            done += got
        return out

    def close(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)

    def __del__(self) -> None:
        self.close()


class PartedRows:
    """The rows of one array split over per-part files, addressed as if concatenated."""

    def __init__(self, files: Sequence[Path], dim: int) -> None:
        self.dim = dim
        self._files = [_NpyFile(Path(f), dim) for f in files]
        sizes = [f.rows for f in self._files]
        #: Where each part's rows start in the concatenation (and the total at the end).
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def __len__(self) -> int:
        return int(self.bounds[-1])

    def take_ranges(self, starts: np.ndarray, ends: np.ndarray) -> Any:
        """The rows of the ranges ``starts[i]:ends[i]``, back to back, as one float32
        torch tensor. Adjacent ranges are read as one run (a whole report is one read
        per part), and torch widens float16 to float32 several times faster than
        numpy does."""
        import torch

        starts = np.asarray(starts, dtype=np.int64)
        ends = np.asarray(ends, dtype=np.int64)
        keep = ends > starts
        starts, ends = starts[keep], ends[keep]
        out = torch.empty((int((ends - starts).sum()), self.dim), dtype=torch.float32)
        if not len(starts):
            return out
        # Runs: a range that begins where the previous one ended continues it.
        cut = np.flatnonzero(starts[1:] != ends[:-1]) + 1
        run_starts = np.concatenate([starts[:1], starts[cut]])
        run_ends = np.concatenate([ends[cut - 1], ends[-1:]])
        at = 0
        for a, b in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
            while a < b:  # a run may cross from one part into the next
                part = int(np.searchsorted(self.bounds, a, side="right")) - 1
                stop = min(b, int(self.bounds[part + 1]))
                base = int(self.bounds[part])
                block = torch.from_numpy(self._files[part].read(a - base, stop - base))
                out[at : at + stop - a].copy_(block)
                at += stop - a
                a = stop
        return out

    def close(self) -> None:
        for f in self._files:
            f.close()
