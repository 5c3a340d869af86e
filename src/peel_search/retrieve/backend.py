"""Which engine finds a search's candidates: ``faiss`` in this process, or ``milvus``.

The backend is a choice of first stage (see :mod:`.candidates`); everything after it is
the same code. ``milvus`` takes a URI: a file path runs Milvus Lite, embedded, from the
``milvus-lite`` package; ``http://host:19530`` a Milvus standalone server or cluster.
The collections mirror the index folder and are brought up to date when the index is
opened (reports whose part is unchanged are left alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import QueryError

BACKENDS = ("faiss", "milvus")


@dataclass(frozen=True, slots=True)
class Backend:
    """A backend and, for ``milvus``, where the server or the Milvus Lite file is."""

    name: str = "faiss"
    milvus_uri: str | None = None

    @classmethod
    def of(cls, name: str | None = None, milvus_uri: str | None = None) -> Backend:
        """Checked: raises :class:`QueryError` for an unknown backend, or a URI without Milvus."""
        name = (name or "faiss").strip().lower()
        if name not in BACKENDS:
            raise QueryError(f"unknown backend {name[:40]!r}: use one of {', '.join(BACKENDS)}")
        uri = (milvus_uri or "").strip() or None
        if uri is not None and name != "milvus":
            raise QueryError("--milvus-uri goes with --backend milvus")
        return cls(name, uri)

    def uri_for(self, index_folder: Path) -> str:
        """The Milvus URI, by default a Milvus Lite file beside the index (``index.milvus.db``)."""
        if self.milvus_uri:
            return self.milvus_uri
        folder = Path(index_folder)
        return str(folder.parent / f"{folder.name}.milvus.db")

    def attach(self, index: Any) -> None:
        """Make ``index`` (a loaded ``SearchIndex``) find its candidates with this backend."""
        index.backend = self
        if self.name == "milvus":
            from .milvus import open_milvus

            index.use_first_stage(
                open_milvus(Path(index.folder), self.uri_for(index.folder), index.positions)
            )

    def __str__(self) -> str:
        return (
            f"milvus at {self.milvus_uri or 'the Milvus Lite file beside the index'}"
            if self.name == "milvus"
            else self.name
        )
