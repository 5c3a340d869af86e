"""One exception tree. Every message says what went wrong and what to do about it.

Only the CLI and the web app turn these into exit codes or on-screen messages.

    PeelSearchError
    ├── CorpusError            the corpus folder or a report in it cannot be used
    ├── IndexUnusableError     an index on disk that cannot be used
    │   ├── IndexMissingError  no index where one was expected
    │   ├── IndexStaleError    built from another corpus, model or format
    │   ├── IndexCorruptError  a file is missing, truncated or fails its checksum
    │   └── IndexLockedError   another build holds the lock
    ├── QueryError             a query or filter that cannot be run
    │   └── NotFoundError      a passage, report or page the index does not hold
    └── ModelError             a model package is missing or will not load
"""

from __future__ import annotations


class PeelSearchError(Exception):
    """Base of every error peel-search raises on purpose.

    ``reason`` says what went wrong, ``fix`` what to do; the message is both.
    """

    def __init__(self, reason: str, fix: str = "") -> None:
        super().__init__(f"{reason}: {fix}" if fix else reason)
        self.reason = reason
        self.fix = fix


class CorpusError(PeelSearchError):
    """The corpus folder, or a report in it, cannot be used."""


class IndexUnusableError(PeelSearchError):
    """Base for problems with an index on disk."""


class IndexMissingError(IndexUnusableError):
    """No index where one was expected."""


class IndexStaleError(IndexUnusableError):
    """The index was built from another corpus, model or format version."""


class IndexCorruptError(IndexUnusableError):
    """A file of the index is missing, truncated or fails its checksum."""


class IndexLockedError(IndexUnusableError):
    """Another process is building this index."""


class QueryError(PeelSearchError, ValueError):
    """A query, filter or parameter that cannot be run; the message names the valid values."""


class NotFoundError(QueryError):
    """A passage id, report id or page that the index does not hold (HTTP 404)."""


class BusyError(PeelSearchError):
    """Too many requests at once: this one was turned away rather than left waiting."""


class ModelError(PeelSearchError):
    """A model package is missing or will not load."""
