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

from .. import __version__
from ..citation import format_citation
from ..ingest.acronyms import find_definitions
from ..ingest.chunk import DEFAULT_CONFIG, ChunkConfig, chunk_report
from ..ingest.corpus import CorpusNote, corpus_fingerprint, read_corpus
from ..ingest.text import sentence_spans
from ..types import Chunk, Citation, Report
from . import store
from .dedupe import near_duplicate_groups
from .represent import dense_text, lexical_text, sentence_windows

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


def has_headings(report: Report) -> bool:
    """Whether the parser found any heading (the implicit section it makes for text
    before the first heading has no heading text in the source)."""
    return any(s.heading_end > s.start for s in report.sections)


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


def _in_batches(
    fn: Callable[[list[str]], Sequence[Any]],
    texts: Sequence[str],
    what: str,
    progress: Progress,
    batch: int = 64,
) -> list[Any]:
    """``fn`` over ``texts`` in batches, with a progress bar."""
    out: list[Any] = []
    for i in range(0, len(texts), batch):
        out.extend(fn(list(texts[i : i + batch])))
        done = min(len(texts), i + batch)
        bar = "#" * int(30 * done / max(1, len(texts)))
        progress(f"embedding {what} [{bar:<30}] {done}/{len(texts)}")
    return out


def _token_matrix(encoded: Sequence[tuple[Any, list[str], Any]], dim: int) -> tuple[Any, Any, dict[str, int]]:
    """Content word-piece vectors of every passage, back to back, with offsets and df."""
    import numpy as np

    from .interaction import content_positions, document_frequencies, normalise_rows

    kept_pieces: list[list[str]] = []
    blocks = []
    offsets = [0]
    for _, pieces, vectors in encoded:
        keep = content_positions(pieces)
        kept_pieces.append([pieces[i] for i in keep])
        blocks.append(normalise_rows(vectors[keep]) if keep else np.zeros((0, dim), dtype=np.float32))
        offsets.append(offsets[-1] + len(keep))
    matrix = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
    return matrix.astype(np.float16), np.asarray(offsets, dtype=np.int64), document_frequencies(kept_pieces)


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

    from ..ingest.entities import build_pipeline, gazetteer_acronyms, tag_chunks
    from ..models import all_cores, get_embedder, spacy_model_id
    from .lexical import LexicalIndex

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
            from ..ingest.parse import parse_report

            report = parse_report(f.text, f.report_id)
            if not has_headings(report):
                notes.append(
                    CorpusNote(
                        f.path.name,
                        "indexed as one section named after the report: no section headings found in it",
                    )
                )
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
        window_texts = [
            window
            for c, spans in zip(chunks, sentences, strict=True)
            for window in sentence_windows([c.text[s:e] for s, e in spans])
        ]
        embedder = embedder or get_embedder()

        def vectors(texts: list[str], what: str) -> Any:
            found = _in_batches(embedder.encode, texts, what, show)
            return np.asarray(found, dtype=np.float32).reshape(-1, embedder.dim)

        with all_cores():
            encoded = _in_batches(embedder.encode_tokens, [dense_text(c) for c in chunks], "passages", show)
            window_vectors = vectors(window_texts, "sentences in context")
            sentence_vectors = vectors(sentence_texts, "sentences")
        chunk_vectors = (
            np.vstack([e[0] for e in encoded]) if encoded else np.zeros((0, embedder.dim), np.float32)
        )
        tokens, token_offsets, token_df = _token_matrix(encoded, embedder.dim)
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
            for name, matrix in (
                (store.DENSE, chunk_vectors),
                (store.WINDOWS, window_vectors),
                (store.SENTENCES, sentence_vectors),
            ):
                index = faiss.IndexFlatIP(embedder.dim)
                if len(matrix):
                    index.add(np.ascontiguousarray(matrix, dtype=np.float32))
                faiss.write_index(index, str(staged / name))
            lexical.save(staged / store.BM25_DIR)
            np.save(staged / store.TOKENS, tokens, allow_pickle=False)
            np.save(staged / store.TOKEN_OFFSETS, token_offsets, allow_pickle=False)
            store.write_json(staged / store.TOKEN_DF, {"documents": len(chunks), "df": token_df})
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
