"""peel-search: ask questions of police inspection reports, get cited passages back.

    >>> import peel_search
    >>> index = peel_search.open_index("index", "corpus")     # builds it if needed
    >>> result = index.search("how does the force assess risk for missing children?")
    >>> result.hits[0].citation

Importing this package is cheap: torch, spaCy and FAISS load on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import (
    CorpusError,
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexStaleError,
    IndexUnusableError,
    ModelError,
    PeelSearchError,
    QueryError,
)
from .types import Chunk, Entity, Hit, SearchResult

if TYPE_CHECKING:
    from .index.build import BuildResult
    from .retrieve.search_index import SearchIndex

__version__ = "0.1.0"

__all__ = [
    "Chunk",
    "CorpusError",
    "Entity",
    "Hit",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexMissingError",
    "IndexStaleError",
    "IndexUnusableError",
    "ModelError",
    "PeelSearchError",
    "QueryError",
    "SearchIndex",
    "SearchResult",
    "__version__",
    "build_index",
    "load_index",
    "open_index",
]


def __getattr__(name: str) -> Any:
    if name == "SearchIndex":  # imported on first use: it brings numpy
        from .retrieve.search_index import SearchIndex

        return SearchIndex
    raise AttributeError(f"module 'peel_search' has no attribute {name!r}")


def load_index(path: str | Path = "index", corpus: str | Path | None = None) -> SearchIndex:
    """Load a built index; with ``corpus``, also refuse one built from other files.

    Raises :class:`IndexMissingError`, :class:`IndexStaleError` or :class:`IndexCorruptError`.
    """
    from .retrieve.search_index import SearchIndex

    return SearchIndex.load(path, corpus)


def open_index(path: str | Path = "index", corpus: str | Path = "corpus", **kwargs: Any) -> SearchIndex:
    """Load the index, building it first when it is missing, stale or corrupt."""
    from .retrieve.search_index import open_index as _open

    return _open(path, corpus, **kwargs)


def build_index(corpus: str | Path = "corpus", out: str | Path = "index", **kwargs: Any) -> BuildResult:
    """Build the index for the reports in ``corpus`` into ``out`` (atomically)."""
    from .index.build import build_index as _build

    return _build(corpus, out, **kwargs)
