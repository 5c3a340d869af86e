"""The index on disk: a readable folder, written atomically, checked on load.

    index/
      manifest.json     format version, versions, models, per report: file, checksum,
                        part folder and the key it was built under; every file's SHA-256
      chunks.jsonl      one passage per line, every report, with citation and duplicate link
      reports.json      per report: metadata, section tree, judgments, footnotes, acronyms
      bm25/             the BM25 index over every passage, as bm25s writes it, without pickle
      token_df.json     word-piece document counts over every passage
      parts/<report>/   what one report costs to make, reused while its file is unchanged:
        chunks.jsonl    its passages (without what depends on other reports)
        report.json     its parsed tree, judgments, footnotes and acronyms
        dense.npy       passage vectors (float32, L2-normalised)
        windows.npy     sentence vectors, each sentence with its neighbours, in passage order
        sentences.npy   sentence vectors, each sentence alone (to pick the best sentence)
        tokens.npy      content word-piece vectors of every passage (float16), and
        token_offsets.npy  where each passage's rows start; token_df.json their counts

A build writes a sibling temporary folder, fsyncs every file, then swaps it into
place, so a crash at any moment leaves the previous index whole. A lock file beside
the index keeps two builds apart.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IndexCorruptError, IndexLockedError, IndexMissingError, IndexStaleError
from ..types import Chunk, Entity

# 6: a judgment records the earlier inspection a grade is carried over from ("carried_from").
FORMAT_VERSION = 6
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
REPORTS = "reports.json"
BM25_DIR = "bm25"
TOKEN_DF = "token_df.json"
PARTS_DIR = "parts"
# In each part:
PART_CHUNKS = "chunks.jsonl"
PART_REPORT = "report.json"
DENSE = "dense.npy"
SENTENCES = "sentences.npy"
WINDOWS = "windows.npy"
TOKENS = "tokens.npy"
TOKEN_OFFSETS = "token_offsets.npy"
REQUIRED = frozenset({CHUNKS, REPORTS, TOKEN_DF})
PART_REQUIRED = frozenset(
    {PART_CHUNKS, PART_REPORT, DENSE, SENTENCES, WINDOWS, TOKENS, TOKEN_OFFSETS, TOKEN_DF}
)
REBUILD = "run `peel-search index --rebuild`"


@dataclass(frozen=True)
class Manifest:
    format_version: int
    package_version: str
    embedding_model: str
    embedding_dim: int
    spacy_model: str
    corpus: list[dict[str, str]]
    corpus_seen: list[list[str]]
    chunk_count: int
    sentence_count: int
    files: dict[str, str]
    built_at: str
    build_seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("manifest is not a JSON object")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def index_files(folder: Path) -> list[str]:
    """Every file under ``folder`` but the manifest, as POSIX relative paths."""
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
    )


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target``; removed if the block fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def commit(staged: Path, target: Path, manifest: Manifest) -> None:
    """Write the manifest last, fsync, and swap ``staged`` into ``target``'s place."""
    (staged / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    _fsync_tree(staged)
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)  # put the previous index back
        raise
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def cleanup_stale_staging(target: Path) -> None:
    """Remove temporary folders left by builds that were killed (call under the lock).

    A build killed between the two renames of :func:`commit` leaves no index but the
    previous one set aside: that one is put back first.
    """
    _restore_previous(target)
    for p in target.parent.glob(f".{target.name}.building-*"):
        shutil.rmtree(p, ignore_errors=True)
    for p in target.parent.glob(f".{target.name}.old-*"):
        shutil.rmtree(p, ignore_errors=True)


def _restore_previous(target: Path) -> bool:
    """Move the newest set-aside index back into place if ``target`` is missing."""
    if target.exists():
        return False
    olds = [p for p in target.parent.glob(f".{target.name}.old-*") if (p / MANIFEST).is_file()]
    if not olds:
        return False
    os.replace(max(olds, key=lambda p: p.stat().st_mtime), target)
    return True


def recover(target: Path) -> None:
    """Put back an index that a killed build left set aside, unless a build is running
    (it is then between its two renames and puts an index in place itself)."""
    if target.exists() or not any(target.parent.glob(f".{target.name}.old-*")):
        return
    with contextlib.suppress(IndexLockedError), build_lock(target):
        _restore_previous(target)


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """Hold ``<target>.lock`` for the duration of a build; refuse if another holds it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lock_path = target.parent / f".{target.name}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                raise IndexLockedError(
                    f"another build of {target} is running (pid {holder}): wait for it to finish, then retry"
                ) from exc
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the index in ``folder``; raises if missing or unreadable."""
    path = folder / MANIFEST
    recover(folder)
    if not folder.exists() or not path.exists():
        raise IndexMissingError(f"no index in {folder}", "run `peel-search index` to build it")
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc})", REBUILD) from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexStaleError(
            f"{folder} has index format {manifest.format_version}, this install reads format "
            f"{FORMAT_VERSION}",
            REBUILD,
        )
    return manifest


def part_folders(manifest: Manifest) -> list[str]:
    """Each report's part folder, relative to the index, in the index's report order."""
    return [str(entry.get("part", "")) for entry in manifest.corpus]


def _part_files(folder: Path, manifest: Manifest, part: str) -> list[str]:
    """The files the manifest lists for ``part``; raises when one it needs is not listed."""
    listed = sorted(name for name in manifest.files if name.startswith(f"{part}/"))
    if PART_REQUIRED - {name.removeprefix(f"{part}/") for name in listed}:
        raise IndexCorruptError(f"the manifest in {folder} does not list every file of {part}", REBUILD)
    return listed


def verify_part(folder: Path, manifest: Manifest, part: str) -> None:
    """Check one part's files against their SHA-256 in the manifest."""
    for name in _part_files(folder, manifest, part):
        _verify_file(folder, name, manifest.files[name])


def _verify_file(folder: Path, name: str, expected: str) -> None:
    path = folder / name
    if not path.is_file():
        raise IndexCorruptError(f"{path} is missing from the index", REBUILD)
    if sha256_file(path) != expected:
        raise IndexCorruptError(f"{path} is damaged (checksum mismatch)", REBUILD)


def verify_files(folder: Path, manifest: Manifest) -> None:
    """Check every file against its SHA-256 in the manifest."""
    parts = part_folders(manifest)
    if REQUIRED - set(manifest.files) or not all(parts):
        raise IndexCorruptError(f"the manifest in {folder} does not list every index file", REBUILD)
    for part in parts:
        _part_files(folder, manifest, part)
    for name, expected in sorted(manifest.files.items()):
        _verify_file(folder, name, expected)


def staleness(
    manifest: Manifest,
    corpus_seen: list[tuple[str, str]] | None,
    embedding_model: str,
    embedding_dim: int,
    spacy_model: str,
) -> str | None:
    """Why the index no longer matches this install and corpus, or None if it does."""
    if manifest.embedding_model != embedding_model or manifest.embedding_dim != embedding_dim:
        return (
            f"it was built with model {manifest.embedding_model} (dimension {manifest.embedding_dim}); "
            f"this install has {embedding_model} (dimension {embedding_dim})"
        )
    if manifest.spacy_model != spacy_model:
        return f"it was built with spaCy model {manifest.spacy_model}; this install has {spacy_model}"
    if corpus_seen is not None and sorted(map(list, corpus_seen)) != sorted(manifest.corpus_seen):
        before = {n for n, _ in manifest.corpus_seen}
        now = {n for n, _ in corpus_seen}
        if before != now:
            added, removed = sorted(now - before), sorted(before - now)
            parts = ([f"added {', '.join(added)}"] if added else []) + (
                [f"removed {', '.join(removed)}"] if removed else []
            )
            return f"the corpus changed ({'; '.join(parts)})"
        return "the corpus changed (a report's text is different)"
    return None


def write_json(path: Path, data: Any) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":")) + "\n", encoding="utf-8"
    )


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"{path} cannot be read ({exc})", REBUILD) from exc


def chunk_from_row(row: dict[str, Any]) -> Chunk:
    """A passage as ``chunks.jsonl`` stores it, back as a :class:`Chunk`."""
    return Chunk(
        id=row["id"],
        report_id=row["report_id"],
        kind=row["kind"],
        text=row["text"],
        section=tuple(row["section"]),
        page=int(row["page"]),
        paragraph=int(row["paragraph"]),
        start=int(row["start"]),
        end=int(row["end"]),
        spans=tuple((int(a), int(b)) for a, b in row["spans"]),
        footnotes=tuple(row.get("footnotes", ())),
        entities=tuple(Entity(**e) for e in row.get("entities", ())),
        label=row.get("label", ""),
        markers=tuple((int(a), int(b)) for a, b in row.get("markers", [])),
    )
