"""Vectors already computed, by the hash of their text: a build embeds only text it has not seen.

A rebuild (``peel-search index --rebuild``, a changed chunking setting, new indexing
code) would otherwise embed every passage again, and boilerplate repeats across real
reports. The cache is one SQLite file, by default beside the index folder as
``.<index name>.cache/embeddings.sqlite`` (as the build lock is ``.<index name>.lock``),
so that replacing the index leaves it in place.

An entry's key is the SHA-256 of the model's name, the kind of vector and the exact
text. A passage's entry holds what the build keeps of its forward pass: the pooled
float32 vector, the word-pieces worth matching and their L2-normalised vectors as
float16 (as the index stores them). A sentence's window's entry, or a sentence's read
in its window, holds one float32 vector. Each row also names its model and carries a
checksum of its values, and the sizes of its blobs are checked against the model's
dimension: a row that does not check out is a miss, never a wrong vector.

The cache never fails a build: a file that is not a usable cache is set aside and
made afresh, and a cache that stops working mid-build is left alone for the rest of
it (see :class:`EmbeddingCache`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

#: The kinds of vector, part of every key: a passage's (with its word-pieces'); a text's
#: read alone (a sentence's window, or the sentence itself when the embedder cannot read
#: it in context); and a span's read in its text (a sentence in its window, keyed by
#: ``"<start>:<end>:<window>"``).
PASSAGE = "passage"
TEXT = "text"
SPAN_IN_CONTEXT = "span-in-context"

CACHE_FILE = "embeddings.sqlite"
SCHEMA_VERSION = "1"
_LOOKUP_BATCH = 500  # keys per SELECT, well under SQLite's limit on bound parameters


def default_cache_path(index: Path) -> Path:
    """Where the cache of the index folder ``index`` lives: beside it, not in it."""
    return index.parent / f".{index.name}.cache" / CACHE_FILE


@dataclass(frozen=True)
class PassageVectors:
    """What a build keeps of a passage's forward pass: its L2-normalised pooled vector
    (float32), the word-pieces worth matching, and their L2-normalised vectors (float16,
    one row per piece)."""

    pooled: np.ndarray
    pieces: tuple[str, ...]
    tokens: np.ndarray


def _passage_kind() -> str:
    """The passage kind, with a hash of the code that picks the word-pieces a passage
    keeps: entries made under another selection are never read back."""
    source = resources.files("peel_search").joinpath("index/interaction.py").read_bytes()
    return f"{PASSAGE}/{hashlib.sha256(source).hexdigest()[:16]}"


def text_key(model: str, kind: str, text: str) -> bytes:
    """The cache key of ``text``'s vector of ``kind`` under ``model``."""
    return hashlib.sha256("\0".join((model, kind, text)).encode("utf-8")).digest()


def _checksum(key: bytes, vector: bytes, pieces: str | None, tokens: bytes | None) -> bytes:
    """What a row's values hash to, with its key: SQLite does not notice a flipped byte in a blob."""
    digest = hashlib.blake2b(key, digest_size=16)
    for part in (vector, (pieces or "").encode("utf-8"), tokens or b""):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (
    key BLOB PRIMARY KEY,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    pieces TEXT,
    tokens BLOB,
    checksum BLOB NOT NULL
) WITHOUT ROWID;
"""


class EmbeddingCache:
    """An open cache file for one embedding model.

    Lookups and inserts are batched: one query per report and kind of vector. Nothing
    here raises for the cache's own sake: on a damaged file the cache is set aside and
    started afresh, on any other SQLite error it stops being used (both said through
    ``warn``), and the build goes on embedding what it did not find.
    """

    def __init__(self, path: Path, model: str, dim: int, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.model = model
        self.dim = dim
        self._warn = warn or (lambda message: None)
        self._passage_kind = _passage_kind()
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            self._set_aside(exc)
        except OSError as exc:
            self._give_up(exc)

    # -- opening and recovering ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            found = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if found is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif found[0] != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {found[0]}, not {SCHEMA_VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self, exc: Exception) -> None:
        """Move a damaged file out of the way (``*.damaged``) and start an empty cache."""
        self._close_quietly()
        damaged = self.path.with_name(self.path.name + ".damaged")
        try:
            os.replace(self.path, damaged)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.path.with_name(self.path.name + suffix))
            self._db = self._connect()
        except (OSError, sqlite3.Error) as again:
            self._give_up(again)
            return
        self._warn(f"embedding cache unreadable ({exc}): set aside as {damaged.name}, a new one started")

    def _give_up(self, exc: Exception) -> None:
        self._close_quietly()
        self._warn(f"embedding cache not usable ({exc}): this build embeds all it needs and keeps nothing")

    def _close_quietly(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None

    @contextlib.contextmanager
    def _guarded(self) -> Iterator[sqlite3.Connection | None]:
        """The connection, or None once the cache is out of use; a failure inside sets
        a damaged file aside and stops using a cache that fails otherwise."""
        if self._db is None:
            yield None
            return
        try:
            yield self._db
        except sqlite3.OperationalError as exc:  # locked, read-only, disk full: not damage
            self._give_up(exc)
        except sqlite3.DatabaseError as exc:
            self._set_aside(exc)

    @property
    def usable(self) -> bool:
        return self._db is not None

    def close(self) -> None:
        """Close the file (the cache then finds nothing and keeps nothing)."""
        self._close_quietly()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- rows ---------------------------------------------------------------------------

    def _rows(self, kind: str, texts: Sequence[str]) -> list[tuple[str, bytes, str | None, bytes | None]]:
        """``(text, vector, pieces, tokens)`` of the rows for ``texts`` that check out."""
        keys = {text_key(self.model, kind, t): t for t in texts}
        wanted = list(keys)
        found = []
        with self._guarded() as db:
            if db is None:
                return []
            for at in range(0, len(wanted), _LOOKUP_BATCH):
                chunk = wanted[at : at + _LOOKUP_BATCH]
                query = (
                    "SELECT key, model, vector, pieces, tokens, checksum FROM vectors "
                    f"WHERE key IN ({','.join('?' * len(chunk))})"
                )
                for key, model, vector, pieces, tokens, checksum in db.execute(query, chunk):
                    if (
                        model == self.model
                        and key in keys
                        and isinstance(vector, bytes)
                        and isinstance(pieces, str | None)
                        and isinstance(tokens, bytes | None)
                        and checksum == _checksum(key, vector, pieces, tokens)
                    ):
                        found.append((keys[key], vector, pieces, tokens))
        return found

    def _store(self, rows: Sequence[tuple[bytes, bytes, str | None, bytes | None]]) -> None:
        if not rows:
            return
        with self._guarded() as db:
            if db is None:
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (key, self.model, vector, pieces, tokens, _checksum(key, vector, pieces, tokens))
                        for key, vector, pieces, tokens in rows
                    ],
                )
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _vector(self, blob: Any) -> np.ndarray | None:
        if not isinstance(blob, bytes) or len(blob) != 4 * self.dim:
            return None
        return np.frombuffer(blob, dtype=np.float32).copy()

    def lookup(self, kind: str, texts: Sequence[str]) -> dict[str, Any]:
        """The entries of ``kind`` that the cache holds for ``texts``, by text:
        :class:`PassageVectors` for :data:`PASSAGE`, float32 vectors for the others."""
        return self.passages(texts) if kind == PASSAGE else self.vectors(kind, texts)

    def keep(self, kind: str, entries: Mapping[str, Any]) -> None:
        """Keep these entries of ``kind`` (as :meth:`lookup` gives them)."""
        if kind == PASSAGE:
            self.add_passages(entries)
        else:
            self.add_vectors(kind, entries)

    # -- one vector per text -----------------------------------------------------------

    def vectors(self, kind: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """``{text: float32 vector}`` of the ``texts`` whose vector of ``kind`` is in the cache."""
        out = {}
        for text, blob, _, _ in self._rows(kind, texts):
            vector = self._vector(blob)
            if vector is not None:
                out[text] = vector
        return out

    def add_vectors(self, kind: str, vectors: Mapping[str, np.ndarray]) -> None:
        """Keep these texts' vectors of ``kind``."""
        self._store(
            [
                (text_key(self.model, kind, t), _float32_blob(v, self.dim), None, None)
                for t, v in vectors.items()
            ]
        )

    # -- passages -----------------------------------------------------------------------

    def passages(self, texts: Sequence[str]) -> dict[str, PassageVectors]:
        """``{text: PassageVectors}`` of the ``texts`` in the cache."""
        out = {}
        for text, blob, pieces_json, tokens in self._rows(self._passage_kind, texts):
            pooled = self._vector(blob)
            try:
                pieces = tuple(json.loads(pieces_json)) if isinstance(pieces_json, str) else None
            except ValueError:
                pieces = None
            if pooled is None or pieces is None or not all(isinstance(p, str) for p in pieces):
                continue
            if not isinstance(tokens, bytes) or len(tokens) != 2 * self.dim * len(pieces):
                continue
            matrix = np.frombuffer(tokens, dtype=np.float16).reshape(len(pieces), self.dim).copy()
            out[text] = PassageVectors(pooled, pieces, matrix)
        return out

    def add_passages(self, vectors: Mapping[str, PassageVectors]) -> None:
        """Keep these passages' vectors."""
        rows = []
        for text, p in vectors.items():
            tokens = np.ascontiguousarray(p.tokens, dtype=np.float16)
            if tokens.shape != (len(p.pieces), self.dim):
                raise ValueError(f"{len(p.pieces)} word-pieces but token vectors of shape {tokens.shape}")
            rows.append(
                (
                    text_key(self.model, self._passage_kind, text),
                    _float32_blob(p.pooled, self.dim),
                    json.dumps(list(p.pieces)),
                    tokens.tobytes(),
                )
            )
        self._store(rows)


def _float32_blob(vector: np.ndarray, dim: int) -> bytes:
    flat = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
    if flat.shape != (dim,):
        raise ValueError(f"a vector of {flat.shape[0]} values, not {dim}")
    return flat.tobytes()
