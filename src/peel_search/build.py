"""Corpus folder -> index folder: parse, chunk, tag, embed, index, write.

Heavy models are passed in or loaded on first use; the caller only sees paths.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__, store
from .acronyms import find_definitions
from .chunk import DEFAULT_CONFIG, ChunkConfig, chunk_report
from .citation import format_citation
from .corpus import CorpusNote, corpus_fingerprint, read_corpus
from .dedupe import near_duplicate_groups
from .represent import dense_text, lexical_text
from .text import sentence_spans
from .types import Chunk, Citation, Report

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where the index is, what it holds, what was skipped."""

    path: Path
    manifest: store.Manifest
    notes: tuple[CorpusNote, ...]


def citation_for(report: Report, chunk: Chunk) -> str:
    return format_citation(
        Citation(
            report_title=report.title,
            force=report.force,
            section=chunk.section,
            page=chunk.page,
            paragraph=chunk.paragraph,
            kind=chunk.kind,
            label=chunk.label,
        )
    )


def _better_cited(chunk: Chunk) -> tuple[int, int, int]:
    """Sort key: body text before the overview's digest, deeper sections first, then later."""
    in_overview = bool(chunk.section) and chunk.section[0].lower().startswith("overview")
    return (int(in_overview), -len(chunk.section), -chunk.start)


def _report_record(report: Report, file_name: str, acronyms: dict[str, str]) -> dict[str, Any]:
    return {
        "report_id": report.report_id,
        "file": file_name,
        "title": report.title,
        "force": report.force,
        "sections": [
            {
                "index": s.index,
                "heading": s.heading,
                "level": s.level,
                "parent": s.parent,
                "page": s.page,
                "start": s.start,
                "end": s.end,
                "path": list(s.path),
                "in_contents": s.in_contents,
            }
            for s in report.sections
        ],
        "judgments": [
            {
                "area": j.area,
                "grade": j.grade,
                "sentence": j.sentence,
                "section": list(report.sections[j.section].path),
                "page": report.sections[j.section].page,
                "start": j.start,
                "end": j.end,
                "source": j.source,
            }
            for j in report.judgments
        ],
        "footnotes": [
            {"number": f.number, "text": f.text, "section": list(report.sections[f.section].path)}
            for f in report.footnotes
        ],
        "acronyms": acronyms,
    }


def _progress_printer() -> Progress:
    tty = sys.stderr.isatty()

    def show(message: str) -> None:
        if tty:
            sys.stderr.write(f"\r\x1b[2K{message}")
            if message.endswith("done") or message.endswith("\n"):
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


def _embed_all(embedder: Any, texts: Sequence[str], what: str, progress: Progress) -> Any:
    import numpy as np

    batch = 64
    parts = []
    for i in range(0, len(texts), batch):
        parts.append(embedder.encode(list(texts[i : i + batch])))
        done = min(len(texts), i + batch)
        bar = "#" * int(30 * done / max(1, len(texts)))
        progress(f"embedding {what} [{bar:<30}] {done}/{len(texts)}")
    if not parts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.vstack(parts)


def build_index(
    corpus: str | Path = "corpus",
    out: str | Path = "index",
    *,
    config: ChunkConfig = DEFAULT_CONFIG,
    progress: Progress | None = None,
    embedder: Any = None,
) -> BuildResult:
    """Build the index for every report in ``corpus`` into ``out``, atomically.

    Raises :class:`~peel_search.errors.CorpusError` when nothing in ``corpus`` is
    usable (an existing index is left in place) and
    :class:`~peel_search.errors.IndexLockedError` when another build holds the lock.
    """
    import faiss
    import numpy as np

    from .entities import build_pipeline, gazetteer_acronyms, tag_chunks
    from .lexical import LexicalIndex
    from .models import get_embedder, spacy_model_id

    began = time.perf_counter()
    corpus_dir, out_dir = Path(corpus), Path(out)
    show = progress or _progress_printer()
    seen = corpus_fingerprint(corpus_dir)
    files, notes = read_corpus(corpus_dir)
    with store.build_lock(out_dir):
        store.cleanup_stale_staging(out_dir)
        show(f"parsing {len(files)} report(s)")
        reports: list[tuple[Report, str]] = []
        chunks: list[Chunk] = []
        definitions: dict[str, dict[str, str]] = {}
        for f in files:
            from .parse import parse_report

            report = parse_report(f.text, f.report_id)
            report_chunks = chunk_report(report, config)
            found = find_definitions([c.text for c in report_chunks])
            definitions[report.report_id] = {**gazetteer_acronyms(), **found}
            reports.append((report, f.path.name))
            chunks.extend(report_chunks)

        show(f"tagging entities in {len(chunks)} passages")
        nlp = build_pipeline({k: v for r in definitions.values() for k, v in r.items()})
        chunks = tag_chunks(nlp, chunks)

        sentences = [sentence_spans(c.text) or [(0, len(c.text))] for c in chunks]
        sentence_texts = [c.text[s:e] for c, spans in zip(chunks, sentences, strict=True) for s, e in spans]
        embedder = embedder or get_embedder()
        chunk_vectors = _embed_all(embedder, [dense_text(c) for c in chunks], "passages", show)
        sentence_vectors = _embed_all(embedder, sentence_texts, "sentences", show)
        show("indexing")
        lexical = LexicalIndex.build([lexical_text(c) for c in chunks])
        groups = near_duplicate_groups([c.text for c in chunks])

        by_report = {r.report_id: r for r, _ in reports}
        canonical: dict[int, int] = {}
        for i, g in enumerate(groups):
            best = canonical.get(g)
            if best is None or _better_cited(chunks[i]) < _better_cited(chunks[best]):
                canonical[g] = i

        with store.staging_folder(out_dir) as staged:
            rows = []
            for i, c in enumerate(chunks):
                row = {
                    "id": c.id,
                    "report_id": c.report_id,
                    "kind": c.kind,
                    "text": c.text,
                    "section": list(c.section),
                    "page": c.page,
                    "paragraph": c.paragraph,
                    "start": c.start,
                    "end": c.end,
                    "spans": [list(s) for s in c.spans],
                    "footnotes": list(c.footnotes),
                    "entities": [asdict(e) for e in c.entities],
                    "label": c.label,
                    "citation": citation_for(by_report[c.report_id], c),
                    "sentences": [list(s) for s in sentences[i]],
                    "duplicate_of": chunks[canonical[groups[i]]].id if canonical[groups[i]] != i else None,
                }
                rows.append(row)
            store.write_jsonl(staged / store.CHUNKS, rows)
            store.write_json(
                staged / store.REPORTS,
                [_report_record(r, name, definitions[r.report_id]) for r, name in reports],
            )
            for name, vectors in ((store.DENSE, chunk_vectors), (store.SENTENCES, sentence_vectors)):
                index = faiss.IndexFlatIP(embedder.dim)
                if len(vectors):
                    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
                faiss.write_index(index, str(staged / name))
            lexical.save(staged / store.BM25_DIR)
            manifest = store.Manifest(
                format_version=store.FORMAT_VERSION,
                package_version=__version__,
                embedding_model=embedder.name,
                embedding_dim=embedder.dim,
                spacy_model=spacy_model_id(),
                corpus=[{"name": f.path.name, "sha256": f.sha256, "report_id": f.report_id} for f in files],
                corpus_seen=[list(x) for x in seen],
                chunk_count=len(chunks),
                sentence_count=len(sentence_texts),
                files={name: store.sha256_file(staged / name) for name in store.index_files(staged)},
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                build_seconds=round(time.perf_counter() - began, 2),
                settings={"chunking": asdict(config)},
            )
            store.commit(staged, out_dir, manifest)
        show(f"index written to {out_dir}: {len(chunks)} passages done")
    return BuildResult(path=out_dir, manifest=manifest, notes=tuple(notes))
