"""Corpus folder -> index folder: parse, chunk, tag, embed each report; assemble; write.

The costly work is per report (parsing, tagging, and above all embedding), and it is
kept per report on disk, in ``parts/<report id>/``, under a key made of the file's
checksum and everything that shapes the result (models, chunking, the pipeline's own
code). A build reuses every part whose key is unchanged and processes only the
reports that were added or changed; removed reports simply drop out. What spans
reports (BM25 statistics, near-duplicates across reports, citations with each
report's metadata) is assembled afresh from the parts each time: it takes seconds.

Heavy models are passed in or loaded on first use, and only when a report needs them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import __version__
from ..citation import format_citation
from ..errors import IndexUnusableError
from ..ingest.acronyms import find_definitions
from ..ingest.chunk import DEFAULT_CONFIG, ChunkConfig, chunk_report
from ..ingest.corpus import CorpusFile, CorpusNote, corpus_fingerprint, read_corpus, read_overrides
from ..ingest.metadata import read_metadata
from ..ingest.text import sentence_spans
from ..types import Chunk, Citation, Report, ReportMeta
from . import store
from .dedupe import near_duplicate_groups
from .represent import dense_text, lexical_text, sentence_windows

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where the index is, what it holds, what was skipped, and
    which reports were processed (the others were reused from the previous index)."""

    path: Path
    manifest: store.Manifest
    notes: tuple[CorpusNote, ...]
    processed: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()


def citation_for(meta: ReportMeta, chunk: Chunk) -> str:
    return format_citation(
        Citation(
            report_title=meta.title,
            force=meta.force,
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


def better_cited(chunk: Chunk) -> tuple[int, int, int]:
    """Sort key among near-duplicates of one report: body text before the overview's
    digest, deeper sections first, then later in the report."""
    in_overview = bool(chunk.section) and chunk.section[0].lower().startswith("overview")
    return (int(in_overview), -len(chunk.section), -chunk.start)


#: A PDF report's extracted text, in its part: what its passages' offsets index.
PART_SOURCE = "source.txt"


def _report_record(report: Report, acronyms: dict[str, str]) -> dict[str, Any]:
    """What a part keeps of a parsed report: its tree, judgments, footnotes and acronyms."""
    return {
        "report_id": report.report_id,
        "parsed_title": report.title,
        "parsed_force": report.force,
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


# -- what makes a part reusable ------------------------------------------------------------


@cache
def pipeline_fingerprint() -> str:
    """A hash of the code and data that shape a part: the ingest stage, the passage
    representations and the gazetteer. Editing any of them invalidates every part."""
    package = resources.files("peel_search")
    digest = hashlib.sha256(__version__.encode())
    names = sorted(
        [f"ingest/{p.name}" for p in package.joinpath("ingest").iterdir() if p.name.endswith(".py")]
        + ["index/build.py", "index/represent.py", "index/interaction.py", "data/gazetteer.json"]
    )
    for name in names:
        digest.update(name.encode())
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


def part_key(
    file_sha256: str, report_id: str, embedder_name: str, spacy_model: str, config: ChunkConfig
) -> str:
    """What a part was made from: the file, the id its passages carry, the models, the
    chunking settings and the pipeline's code. A renamed file is a new part."""
    settings = json.dumps(
        [store.FORMAT_VERSION, report_id, embedder_name, spacy_model, asdict(config), pipeline_fingerprint()],
        sort_keys=True,
    )
    return hashlib.sha256(f"{file_sha256}\n{settings}".encode()).hexdigest()


@cache
def assembly_fingerprint() -> str:
    """A hash of the code that assembles the library from its parts (BM25 terms,
    duplicate groups, citations): a change means reassembling, not re-embedding."""
    package = resources.files("peel_search")
    digest = hashlib.sha256()
    for name in ("index/lexical.py", "index/dedupe.py", "citation.py"):
        digest.update(name.encode())
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


def _reusable_parts(out_dir: Path) -> dict[str, Path]:
    """``{part key: folder}`` of the previous index's parts whose files check out."""
    try:
        manifest = store.read_manifest(out_dir)
    except IndexUnusableError:
        return {}
    found: dict[str, Path] = {}
    for entry in manifest.corpus:
        key, part = entry.get("key"), entry.get("part")
        if not key or not part:
            continue
        try:
            store.verify_part(out_dir, manifest, part)
        except IndexUnusableError:
            continue
        found[key] = out_dir / part
    return found


# -- one report -> one part ----------------------------------------------------------------


def _in_batches(
    fn: Callable[[list[str]], Sequence[Any]],
    texts: Sequence[str],
    tick: Callable[[int], None],
    batch: int = 64,
) -> list[Any]:
    """``fn`` over ``texts`` in batches, calling ``tick`` with the count done after each."""
    out: list[Any] = []
    for i in range(0, len(texts), batch):
        out.extend(fn(list(texts[i : i + batch])))
        tick(min(len(texts), i + batch))
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


class _Models:
    """The spaCy pipeline and the embedder, loaded once and only if a report needs them."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._nlp: Any = None

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from ..models import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def nlp(self, definitions: dict[str, str]) -> Any:
        from ..ingest.entities import build_pipeline, use_definitions

        if self._nlp is None:
            self._nlp = build_pipeline(definitions)
        else:
            use_definitions(self._nlp, definitions)
        return self._nlp


def _write_part(
    f: CorpusFile, config: ChunkConfig, models: _Models, folder: Path, status: Callable[[str], None]
) -> Report:
    """Parse, chunk, tag and embed one report into ``folder``; returns the parsed report."""
    import numpy as np

    from ..ingest.entities import gazetteer_acronyms, tag_chunks
    from ..ingest.parse import parse_report
    from ..models import all_cores

    status("parsing")
    from_pdf = f.source_format == "pdf"
    report = parse_report(f.text, f.report_id, page_numbers=f.page_numbers if from_pdf else None)
    chunks = chunk_report(report, config)
    definitions = {**gazetteer_acronyms(), **find_definitions([c.text for c in chunks])}
    status("tagging entities")
    chunks = tag_chunks(models.nlp(definitions), chunks)
    sentences = [sentence_spans(c.text) or [(0, len(c.text))] for c in chunks]
    sentence_texts = [c.text[s:e] for c, spans in zip(chunks, sentences, strict=True) for s, e in spans]
    window_texts = [
        window
        for c, spans in zip(chunks, sentences, strict=True)
        for window in sentence_windows([c.text[s:e] for s, e in spans])
    ]
    embedder = models.embedder
    total = len(chunks) + len(window_texts) + len(sentence_texts)
    done = 0

    def tick(what: str) -> Callable[[int], None]:
        base = done
        return lambda n: status(f"embedding {what} {100 * (base + n) // max(1, total)}%")

    def vectors(texts: list[str], what: str) -> Any:
        found = _in_batches(embedder.encode, texts, tick(what))
        return np.asarray(found, dtype=np.float32).reshape(-1, embedder.dim)

    with all_cores():
        encoded = _in_batches(embedder.encode_tokens, [dense_text(c) for c in chunks], tick("passages"))
        done += len(chunks)
        window_vectors = vectors(window_texts, "sentences in context")
        done += len(window_texts)
        sentence_vectors = vectors(sentence_texts, "sentences")
    dense = np.vstack([e[0] for e in encoded]) if encoded else np.zeros((0, embedder.dim), np.float32)
    tokens, token_offsets, token_df = _token_matrix(encoded, embedder.dim)

    folder.mkdir(parents=True)
    rows = [
        {
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
            "markers": [list(m) for m in c.markers],
            "sentences": [list(s) for s in sentences[i]],
        }
        for i, c in enumerate(chunks)
    ]
    store.write_jsonl(folder / store.PART_CHUNKS, rows)
    record = _report_record(report, definitions)
    if from_pdf:
        # The text the chunks' offsets index, kept beside the PDF's checksum (the part's
        # key), so that citations verify against it: see ingest/text.py.
        (folder / PART_SOURCE).write_text(f.text, encoding="utf-8")
        record.update(format="pdf", source_text=PART_SOURCE, pages="read off the PDF", pdf_sha256=f.sha256)
    else:
        record.update(format="text", pages="from the contents list, interpolated between headings")
    store.write_json(folder / store.PART_REPORT, record)
    arrays = {
        store.DENSE: np.asarray(dense, dtype=np.float32),
        store.WINDOWS: window_vectors,
        store.SENTENCES: sentence_vectors,
        store.TOKENS: tokens,
        store.TOKEN_OFFSETS: token_offsets,
    }
    for name, array in arrays.items():
        np.save(folder / name, array, allow_pickle=False)
    store.write_json(folder / store.TOKEN_DF, {"documents": len(chunks), "df": token_df})
    return report


def _link_part(source: Path, target: Path) -> None:
    """Put a reused part in the new index: hard links (parts are never written in
    place, so old and new index may share them), or copies across file systems."""
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*")):
        if path.is_file():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copy2(path, dest)


# -- the whole library ------------------------------------------------------------------------


def _assemble(
    staged: Path, parts: list[tuple[CorpusFile, str, ReportMeta]]
) -> tuple[list[dict[str, Any]], int, int]:
    """Write what spans reports: passages with citations and duplicate links, the
    reports with their metadata, BM25 statistics and word-piece document counts.
    Returns the passage rows, the passage count and the sentence count."""
    from .lexical import LexicalIndex

    rows: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    df_total: dict[str, int] = {}
    documents = 0
    for f, part, meta in parts:
        folder = staged / part
        part_rows = store.read_jsonl(folder / store.PART_CHUNKS)
        record = json.loads((folder / store.PART_REPORT).read_text(encoding="utf-8"))
        df = json.loads((folder / store.TOKEN_DF).read_text(encoding="utf-8"))
        documents += int(df["documents"])
        for piece, n in df["df"].items():
            df_total[piece] = df_total.get(piece, 0) + int(n)
        for row in part_rows:
            row["citation"] = citation_for(meta, store.chunk_from_row(row))
        rows.extend(part_rows)
        records.append(
            {**record, **meta.to_dict(), "file": f.path.name, "part": part, "chunks": len(part_rows)}
        )

    chunks = [store.chunk_from_row(r) for r in rows]
    groups = near_duplicate_groups([c.text for c in chunks])
    canonical: dict[int, int] = {}
    for i, g in enumerate(groups):
        best = canonical.get(g)
        if best is None or better_cited(chunks[i]) < better_cited(chunks[best]):
            canonical[g] = i
    for i, row in enumerate(rows):
        row["duplicate_of"] = chunks[canonical[groups[i]]].id if canonical[groups[i]] != i else None

    store.write_jsonl(staged / store.CHUNKS, rows)
    store.write_json(staged / store.REPORTS, records)
    LexicalIndex.build([lexical_text(c) for c in chunks]).save(staged / store.BM25_DIR)
    store.write_json(staged / store.TOKEN_DF, {"documents": documents, "df": df_total})
    return rows, len(rows), sum(len(r["sentences"]) for r in rows)


def _progress_bar(reports: int, quiet: bool) -> Any:
    """A tqdm bar over the reports to process, with the ETA per report; silent when
    stderr is not a terminal or the caller takes the messages itself."""
    from tqdm.auto import tqdm

    return tqdm(
        total=reports,
        unit="report",
        desc="indexing",
        file=sys.stderr,
        disable=quiet or not sys.stderr.isatty(),
        dynamic_ncols=True,
        bar_format="{desc}: {n}/{total} reports |{bar}| {elapsed}<{remaining}, {rate_inv_fmt} {postfix}",
    )


def build_index(
    corpus: str | Path = "corpus",
    out: str | Path = "index",
    *,
    config: ChunkConfig = DEFAULT_CONFIG,
    progress: Progress | None = None,
    embedder: Any = None,
    reuse: bool = True,
) -> BuildResult:
    """Build the index for every report in ``corpus`` into ``out``, atomically.

    Reports whose part in the existing index is still valid are reused, not embedded
    again (``reuse=False`` processes every report). Raises
    :class:`~peel_search.errors.CorpusError` when nothing in ``corpus`` is usable (an
    existing index is left in place) and :class:`~peel_search.errors.IndexLockedError`
    when another build holds the lock.
    """
    from ..models import EMBEDDING_DIM, EMBEDDING_MODEL, spacy_model_id

    began = time.perf_counter()
    corpus_dir, out_dir = Path(corpus), Path(out)
    say = progress or (lambda message: None)
    seen = corpus_fingerprint(corpus_dir)
    files, notes = read_corpus(corpus_dir)
    overrides, override_notes = read_overrides(corpus_dir, files)
    notes.extend(override_notes)
    models = _Models(embedder)
    embedder_name = embedder.name if embedder is not None else EMBEDDING_MODEL
    embedder_dim = embedder.dim if embedder is not None else EMBEDDING_DIM
    spacy_id = spacy_model_id()
    with store.build_lock(out_dir):
        store.cleanup_stale_staging(out_dir)
        previous = _reusable_parts(out_dir) if reuse else {}
        keys = {f.report_id: part_key(f.sha256, f.report_id, embedder_name, spacy_id, config) for f in files}
        todo = [f for f in files if keys[f.report_id] not in previous]
        processed, reused = [], []
        with store.staging_folder(out_dir) as staged:
            parts: list[tuple[CorpusFile, str, ReportMeta]] = []
            bar = _progress_bar(len(todo), quiet=progress is not None)
            if todo:
                say(f"indexing {len(todo)} of {len(files)} report(s)")
            with bar:
                for f in files:
                    part = f"{store.PARTS_DIR}/{f.report_id}"
                    meta = read_metadata(f.text, f.path.name, f.report_id, overrides.get(f.path.name))
                    if keys[f.report_id] in previous:
                        _link_part(previous[keys[f.report_id]], staged / part)
                        reused.append(f.report_id)
                    else:
                        bar.set_postfix_str(f.path.name, refresh=True)

                        def status(stage: str, name: str = f.path.name) -> None:
                            bar.set_postfix_str(f"{name}: {stage}", refresh=True)
                            say(f"{name}: {stage}")

                        report = _write_part(f, config, models, staged / part, status)
                        if not has_headings(report):
                            notes.append(
                                CorpusNote(
                                    f.path.name,
                                    "indexed as one section named after the report: no section headings found in it",
                                )
                            )
                        processed.append(f.report_id)
                        bar.update(1)
                    parts.append((f, part, meta))
            say("assembling the library")
            _, chunk_count, sentence_count = _assemble(staged, parts)
            manifest = store.Manifest(
                format_version=store.FORMAT_VERSION,
                package_version=__version__,
                embedding_model=embedder_name,
                embedding_dim=embedder_dim,
                spacy_model=spacy_id,
                corpus=[
                    {
                        "name": f.path.name,
                        "sha256": f.sha256,
                        "report_id": f.report_id,
                        "part": part,
                        "key": keys[f.report_id],
                    }
                    for f, part, _ in parts
                ],
                corpus_seen=[list(x) for x in seen],
                chunk_count=chunk_count,
                sentence_count=sentence_count,
                files={name: store.sha256_file(staged / name) for name in store.index_files(staged)},
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                build_seconds=round(time.perf_counter() - began, 2),
                settings={
                    "chunking": asdict(config),
                    "pipeline": pipeline_fingerprint(),
                    "assembly": assembly_fingerprint(),
                },
            )
            store.commit(staged, out_dir, manifest)
        say(f"index written to {out_dir}: {chunk_count} passages done")
    return BuildResult(
        path=out_dir, manifest=manifest, notes=tuple(notes), processed=tuple(processed), reused=tuple(reused)
    )
