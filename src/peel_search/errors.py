"""One exception tree. Every message says what went wrong and what to do about it.

Only the CLI and the web app turn these into exit codes or on-screen messages.

    PeelSearchError
    ├── CorpusError            the corpus folder or a report in it cannot be used
    ├── IndexError_            base for problems with an index on disk
    │   ├── IndexMissingError  no index where one was expected
    │   ├── IndexStaleError    built from another corpus, model or format
    │   ├── IndexCorruptError  a file is missing, truncated or fails its checksum
    │   └── IndexLockedError   another build holds the lock
    ├── QueryError             a query or filter that cannot be run
    └── ModelError             a model package is missing or will not load
"""

from __future__ import annotations


class PeelSearchError(Exception):
    """Base of every error peel-search raises on purpose."""


class CorpusError(PeelSearchError):
    """The corpus folder, or a report in it, cannot be used."""


class IndexError_(PeelSearchError):  # noqa: N801 - the builtin IndexError is a different thing
    """Base for problems with an index on disk."""


class IndexMissingError(IndexError_):
    """No index where one was expected."""


class IndexStaleError(IndexError_):
    """The index was built from another corpus, model or format version."""


class IndexCorruptError(IndexError_):
    """A file of the index is missing, truncated or fails its checksum."""


class IndexLockedError(IndexError_):
    """Another process is building this index."""


class QueryError(PeelSearchError, ValueError):
    """A query, filter or parameter that cannot be run; the message names the valid values."""


class ModelError(PeelSearchError):
    """A model package is missing or will not load."""
