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

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache, partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..citation import format_citation
from ..errors import IndexUnusableError
from ..ingest.acronyms import find_definitions
from ..ingest.chunk import DEFAULT_CONFIG, ChunkConfig, chunk_report
from ..ingest.corpus import CorpusFile, CorpusNote, corpus_fingerprint, read_corpus, read_overrides
from ..ingest.figures import extract_figures
from ..ingest.metadata import read_metadata
from ..ingest.text import sentence_spans
from ..timing import Stopwatch
from ..types import Chunk, Citation, Report, ReportMeta, Span
from . import store
from .dedupe import find_copies
from .represent import dense_text, lexical_text, sentence_windows

if TYPE_CHECKING:
    from .adapt import AdaptConfig
    from .adapted import AdaptOutcome
    from .embed_cache import EmbeddingCache, PassageVectors

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: where the index is, what it holds, what was skipped, and
    which reports were processed (the others were reused from the previous index).

    ``timings`` holds the seconds spent in each stage, summed over the processed
    reports ("parse", "chunk", "load models", "tag", "embed passages", "embed
    sentences", "cache", "write") or over the build ("read corpus", "reuse parts",
    "assemble", "commit"). ``cache_hits`` counts the texts whose vectors came from the
    embedding cache, ``cache_misses`` those embedded (every text when the cache is off).
    ``adaptation`` says what the adaptation step did (None: the index has no adapted encoder).
    """

    path: Path
    manifest: store.Manifest
    notes: tuple[CorpusNote, ...]
    processed: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    cache_hits: int = 0
    cache_misses: int = 0
    adaptation: AdaptOutcome | None = None


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
    """What a part keeps of a parsed report: its tree, judgments, footnotes, acronyms and
    the statistics it states (:mod:`~peel_search.ingest.figures`)."""
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
                "carried_from": j.carried_from,
            }
            for j in report.judgments
        ],
        "footnotes": [
            {"number": f.number, "text": f.text, "section": list(report.sections[f.section].path)}
            for f in report.footnotes
        ],
        "acronyms": acronyms,
        "figures": [f.to_dict() for f in extract_figures(report)],
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
    for name in ("index/lexical.py", "index/dedupe.py", "index/claims.py", "citation.py"):
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


class _Tally(Stopwatch):
    """Seconds per stage, and texts found in the embedding cache or embedded, over a build."""

    def __init__(self) -> None:
        super().__init__()
        self.hits = 0
        self.misses = 0


def _in_batches(
    fn: Callable[[list[Any]], Sequence[Any]],
    items: Sequence[Any],
    tick: Callable[[int], None],
    size: Callable[[Any], int] = len,
    batch: int = 256,
) -> list[Any]:
    """``fn`` over ``items``, smallest first in batches of similar ``size`` (the model
    pads a batch to its longest text), calling ``tick`` with the count done after each.
    The results are in the order of ``items``."""
    order = sorted(range(len(items)), key=lambda i: size(items[i]))
    out: list[Any] = [None] * len(items)
    for start in range(0, len(order), batch):
        chunk = order[start : start + batch]
        for i, result in zip(chunk, fn([items[i] for i in chunk]), strict=True):
            out[i] = result
        tick(min(len(items), start + batch))
    return out


def _passage_vectors(encoded: tuple[Any, list[str], Any], dim: int) -> PassageVectors:
    """What the index keeps of a passage's forward pass: the pooled vector, and the
    word-pieces worth matching with their L2-normalised vectors as float16."""
    import numpy as np

    from .embed_cache import PassageVectors
    from .interaction import content_positions, normalise_rows

    pooled, pieces, vectors = encoded
    keep = content_positions(pieces)
    tokens = normalise_rows(vectors[keep]) if keep else np.zeros((0, dim), dtype=np.float32)
    return PassageVectors(
        np.asarray(pooled, dtype=np.float32), tuple(pieces[i] for i in keep), tokens.astype(np.float16)
    )


def _token_matrix(passages: Sequence[PassageVectors], dim: int) -> tuple[Any, Any, dict[str, int]]:
    """Content word-piece vectors of every passage, back to back, with offsets and df."""
    import numpy as np

    from .interaction import document_frequencies

    offsets = np.cumsum([0, *(len(p.pieces) for p in passages)], dtype=np.int64)
    matrix = np.vstack([p.tokens for p in passages]) if passages else np.zeros((0, dim), dtype=np.float16)
    return matrix.astype(np.float16), offsets, document_frequencies([p.pieces for p in passages])


def _stacked(vectors: Sequence[Any], dim: int) -> Any:
    import numpy as np

    return np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dim), dtype=np.float32)


class _Models:
    """The spaCy pipeline, the embedder and the embedding cache: loaded or opened once,
    and only if a report needs them."""

    def __init__(self, embedder: Any, cache_path: Path | None, warn: Callable[[str], None]) -> None:
        self._embedder = embedder
        self._nlp: Any = None
        self._cache_path = cache_path
        self._cache: EmbeddingCache | None = None
        self._warn = warn

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

    @property
    def cache(self) -> EmbeddingCache | None:
        """The embedding cache for this build's embedder, or None when the build has none."""
        if self._cache is None and self._cache_path is not None:
            from .embed_cache import EmbeddingCache

            self._cache = EmbeddingCache(self._cache_path, self.embedder.name, self.embedder.dim, self._warn)
        return self._cache

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


def _windows_and_spans(sentences: list[str]) -> list[tuple[str, Span]]:
    """Each sentence's window (:func:`~.represent.sentence_windows`: the sentence with a
    neighbour either side) and where in it the sentence stands."""
    out = []
    for i, (window, sentence) in enumerate(zip(sentence_windows(sentences), sentences, strict=True)):
        start = len(" ".join(sentences[max(0, i - 1) : i])) + (1 if i else 0)
        if window[start : start + len(sentence)] != sentence:  # windows made otherwise
            start = window.find(sentence)
        out.append((window, (start, start + len(sentence))))
    return out


class _ReportEmbedder:
    """Vectors of one report's texts: from the embedding cache where it holds them, else
    embedded (each distinct text once) and then kept there. Adds the seconds per stage
    and the texts found or embedded to ``tally``."""

    def __init__(
        self, embedder: Any, cache: EmbeddingCache | None, tally: _Tally, status: Callable[[str], None]
    ) -> None:
        self._embedder = embedder
        self._cache = cache
        self._tally = tally
        self._status = status

    def passages(self, texts: list[str]) -> list[PassageVectors]:
        """Each passage text's pooled vector and content word-pieces with their vectors."""
        from .embed_cache import PASSAGE

        def embed(todo: list[str]) -> list[PassageVectors]:
            encoded = _in_batches(self._embedder.encode_tokens, todo, self._tick("passages", len(todo)))
            return [_passage_vectors(e, self._embedder.dim) for e in encoded]

        found = self._cached(PASSAGE, texts, embed, "embed passages")
        return [found[t] for t in texts]

    def sentences(self, windows: list[tuple[str, Span]]) -> tuple[list[Any], list[Any]]:
        """For each sentence, given as its window and its place there: the window's vector
        and the sentence's own. The sentence's is read off the window's forward pass (the
        mean of its word-pieces there) when the embedder can (``encode_in_context``);
        else the sentence is embedded alone."""
        from .embed_cache import SPAN_IN_CONTEXT, TEXT

        window_texts = [w for w, _ in windows]
        read_in_context = getattr(self._embedder, "encode_in_context", None)
        if read_in_context is None:
            alone = [w[slice(*span)] for w, span in windows]
            found = self._cached(TEXT, window_texts + alone, self._encode("sentences"), "embed sentences")
            return [found[w] for w in window_texts], [found[s] for s in alone]

        keys = [f"{a}:{b}:{w}" for w, (a, b) in windows]
        pairs = dict(zip(keys, windows, strict=True))
        whole: dict[str, Any] = {}

        def read(todo: list[str]) -> list[Any]:
            encode = partial(_read_in_context, read_in_context)
            tick = self._tick("sentences", len(todo))
            found = _in_batches(encode, [pairs[k] for k in todo], tick, size=_text_length)
            whole.update((pairs[k][0], vectors[0]) for k, vectors in zip(todo, found, strict=True))
            return [vectors[1] for vectors in found]

        def windows_alone(todo: list[str]) -> list[Any]:
            rest = [w for w in todo if w not in whole]  # a sentence found in the cache, its window not
            whole.update(zip(rest, self._encode("sentences")(rest), strict=True))
            return [whole[w] for w in todo]

        in_context = self._cached(SPAN_IN_CONTEXT, keys, read, "embed sentences")
        by_window = self._cached(TEXT, window_texts, windows_alone, "embed sentences")
        return [by_window[w] for w in window_texts], [in_context[k] for k in keys]

    def _encode(self, what: str) -> Callable[[list[str]], list[Any]]:
        return lambda todo: _in_batches(self._embedder.encode, todo, self._tick(what, len(todo)))

    def _tick(self, what: str, total: int) -> Callable[[int], None]:
        return lambda n: self._status(f"embedding {what} {100 * n // max(1, total)}%")

    def _cached(
        self, kind: str, keys: Sequence[str], compute: Callable[[list[str]], Sequence[Any]], stage: str
    ) -> dict[str, Any]:
        """``{key: value}`` for the distinct ``keys``: the cache's where it holds them,
        else ``compute``'s (timed as ``stage``), which the cache then keeps."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Any] = {}
        if self._cache is not None:
            with self._tally.stage("cache"):
                found = self._cache.lookup(kind, wanted)
        todo = [k for k in wanted if k not in found]
        with self._tally.stage(stage):
            fresh = dict(zip(todo, compute(todo), strict=True)) if todo else {}
        if self._cache is not None:
            with self._tally.stage("cache"):
                self._cache.keep(kind, fresh)
        self._tally.hits += len(found)
        self._tally.misses += len(fresh)
        return {**found, **fresh}


def _read_in_context(
    encode: Callable[[list[str], list[Span]], tuple[Any, Any]], pairs: list[tuple[str, Span]]
) -> list[tuple[Any, Any]]:
    """``(text vector, span vector)`` of each ``(text, span)``, by ``encode_in_context``."""
    whole, parts = encode([text for text, _ in pairs], [span for _, span in pairs])
    return list(zip(whole, parts, strict=True))


def _text_length(pair: tuple[str, Span]) -> int:
    return len(pair[0])


def _write_part(
    f: CorpusFile,
    config: ChunkConfig,
    models: _Models,
    folder: Path,
    status: Callable[[str], None],
    tally: _Tally,
) -> Report:
    """Parse, chunk, tag and embed one report into ``folder``; returns the parsed report."""
    import numpy as np

    from ..ingest.entities import gazetteer_acronyms, tag_chunks
    from ..ingest.parse import parse_report
    from ..models import all_cores

    status("parsing")
    from_pdf = f.source_format == "pdf"
    with tally.stage("parse"):
        report = parse_report(
            f.text, f.report_id, page_numbers=f.page_numbers if from_pdf else None, headings=f.headings
        )
    with tally.stage("chunk"):
        chunks = chunk_report(report, config)
        definitions = {**gazetteer_acronyms(), **find_definitions([c.text for c in chunks])}
    status("tagging entities")
    with tally.stage("load models"):
        nlp = models.nlp(definitions)
    with tally.stage("tag"):
        chunks = tag_chunks(nlp, chunks)
    with tally.stage("chunk"):
        sentences = [sentence_spans(c.text) or [(0, len(c.text))] for c in chunks]
        windows = [
            window
            for c, spans in zip(chunks, sentences, strict=True)
            for window in _windows_and_spans([c.text[s:e] for s, e in spans])
        ]
    with tally.stage("load models"):
        embedding = _ReportEmbedder(models.embedder, models.cache, tally, status)
        dim = models.embedder.dim
    with all_cores():
        passages = embedding.passages([dense_text(c) for c in chunks])
        window_vectors, sentence_vectors = embedding.sentences(windows)

    with tally.stage("write"):
        dense = _stacked([p.pooled for p in passages], dim)
        tokens, token_offsets, token_df = _token_matrix(passages, dim)
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
            record.update(
                format="pdf", source_text=PART_SOURCE, pages="read off the PDF", pdf_sha256=f.sha256
            )
        elif f.source_format == "html":
            # As for a PDF: the chunks' offsets index the text extracted from the page.
            (folder / PART_SOURCE).write_text(f.text, encoding="utf-8")
            record.update(format="html", source_text=PART_SOURCE, pages="a web page has none: page 1")
        else:
            record.update(format="text", pages="from the contents list, interpolated between headings")
        store.write_json(folder / store.PART_REPORT, record)
        arrays = {
            store.DENSE: dense,
            store.WINDOWS: _stacked(window_vectors, dim),
            store.SENTENCES: _stacked(sentence_vectors, dim),
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
    copies = find_copies(chunks, {meta.report_id: meta.force for _, _, meta in parts})
    groups = copies.groups
    canonical: dict[int, int] = {}
    for i, g in enumerate(groups):
        best = canonical.get(g)
        if best is None or better_cited(chunks[i]) < better_cited(chunks[best]):
            canonical[g] = i
    for i, row in enumerate(rows):
        row["duplicate_of"] = chunks[canonical[groups[i]]].id if canonical[groups[i]] != i else None
        row["variants"] = [{"id": chunks[j].id, "says": list(says)} for j, says in copies.variants.get(i, [])]

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
    cache: bool | str | Path = True,
    adapt: AdaptConfig | bool | None = None,
) -> BuildResult:
    """Build the index for every report in ``corpus`` into ``out``, atomically.

    Reports whose part in the existing index is still valid are reused, not embedded
    again (``reuse=False`` processes every report). Text embedded by an earlier build
    is taken from the embedding cache (see :mod:`~peel_search.index.embed_cache`):
    ``cache=True`` keeps it beside ``out``, a path puts it there, ``False`` embeds
    everything and keeps nothing. A cache that cannot be used is named in the notes,
    never fails the build.

    ``adapt`` fine-tunes a copy of the encoder on the library's own text and adds its
    vectors to the index (see :mod:`.adapt` and :mod:`.adapted`): ``True`` with the
    default recipe, an :class:`~.adapt.AdaptConfig` with that one, ``False`` not at all,
    ``None`` as the existing index did (a new index: :data:`ADAPT_BY_DEFAULT`). The
    weights are reused while the library's text is the same; with ``None`` they are
    also kept for a changed library, and a note says to adapt again. Raises
    :class:`~peel_search.errors.CorpusError` when nothing in ``corpus`` is usable (an
    existing index is left in place) and :class:`~peel_search.errors.IndexLockedError`
    when another build holds the lock.
    """
    from ..models import EMBEDDING_DIM, EMBEDDING_MODEL, spacy_model_id

    began = time.perf_counter()
    tally = _Tally()
    corpus_dir, out_dir = Path(corpus), Path(out)
    say = progress or (lambda message: None)
    with tally.stage("read corpus"):
        seen = corpus_fingerprint(corpus_dir)
        files, notes = read_corpus(corpus_dir)
        overrides, override_notes = read_overrides(corpus_dir, files)
    notes.extend(override_notes)
    cache_path = _cache_path(cache, out_dir)

    def cache_trouble(message: str) -> None:
        say(f"{cache_path}: {message}")
        notes.append(CorpusNote(str(cache_path), message))

    models = _Models(embedder, cache_path, cache_trouble)
    embedder_name = embedder.name if embedder is not None else EMBEDDING_MODEL
    embedder_dim = embedder.dim if embedder is not None else EMBEDDING_DIM
    spacy_id = spacy_model_id()
    with store.build_lock(out_dir), contextlib.closing(models):
        store.cleanup_stale_staging(out_dir)
        with tally.stage("reuse parts"):
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
                        with tally.stage("reuse parts"):
                            _link_part(previous[keys[f.report_id]], staged / part)
                        reused.append(f.report_id)
                    else:
                        bar.set_postfix_str(f.path.name, refresh=True)

                        def status(stage: str, name: str = f.path.name) -> None:
                            bar.set_postfix_str(f"{name}: {stage}", refresh=True)
                            say(f"{name}: {stage}")

                        report = _write_part(f, config, models, staged / part, status, tally)
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
            with tally.stage("assemble"):
                rows, chunk_count, sentence_count = _assemble(staged, parts)
            recipe, asked = _adapt_recipe(adapt, out_dir)
            adapted_weights, outcome = None, None
            if recipe is not None:
                with tally.stage("adapt"):
                    outcome = _adapt(
                        staged, out_dir, rows, parts, keys, recipe, asked, reuse, say, progress is not None
                    )
                notes.extend(CorpusNote("adapted encoder", note) for note in outcome.notes)
                adapted_weights = outcome.record.weights if outcome.record is not None else None
            committing = time.perf_counter()
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
                    "adapt": recipe.to_dict() if recipe is not None else None,
                    "adapted": adapted_weights,
                },
            )
            store.commit(staged, out_dir, manifest)
            tally.seconds["commit"] = time.perf_counter() - committing
        say(f"index written to {out_dir}: {chunk_count} passages done")
    return BuildResult(
        path=out_dir,
        manifest=manifest,
        notes=tuple(notes),
        processed=tuple(processed),
        reused=tuple(reused),
        timings=dict(tally.seconds),
        cache_hits=tally.hits,
        cache_misses=tally.misses,
        adaptation=outcome,
    )


#: Whether a new index adapts the encoder to its library (``peel-search index --adapt``).
ADAPT_BY_DEFAULT = False


def _adapt_recipe(adapt: AdaptConfig | bool | None, out_dir: Path) -> tuple[AdaptConfig | None, bool]:
    """The recipe a build adapts with (None: no adaptation), and whether it was asked for
    (else kept from the index in ``out_dir``, or the default for a new index)."""
    from .adapt import DEFAULT_ADAPT, AdaptConfig

    if adapt is True:
        return DEFAULT_ADAPT, True
    if isinstance(adapt, AdaptConfig):
        return adapt, True
    if adapt is False:
        return None, True
    try:
        settings = store.read_manifest(out_dir).settings
    except IndexUnusableError:
        # An index of an older format (or otherwise stale) still says whether it was
        # adapted: a rebuild after an upgrade keeps the adaptation rather than drop it.
        try:
            raw = json.loads((out_dir / store.MANIFEST).read_text(encoding="utf-8")).get("settings")
        except (OSError, ValueError, AttributeError):
            raw = None
        settings = raw if isinstance(raw, dict) else {}
    if "adapt" in settings:
        kept = settings["adapt"]
        return (AdaptConfig.from_dict(kept) if kept else None), False
    return (DEFAULT_ADAPT if ADAPT_BY_DEFAULT else None), False


def _adapt(
    staged: Path,
    out_dir: Path,
    rows: list[dict[str, Any]],
    parts: list[tuple[CorpusFile, str, ReportMeta]],
    keys: dict[str, str],
    recipe: AdaptConfig,
    asked: bool,
    reuse: bool,
    say: Progress,
    quiet: bool,
) -> AdaptOutcome:
    """The build's adaptation step (see :func:`.adapted.adapt_library`), with a progress
    bar over the training steps."""
    from .adapted import ReportTexts, adapt_library

    by_report: dict[str, list[Chunk]] = {}
    sentences: dict[str, list[list[str]]] = {}
    for row in rows:
        chunk = store.chunk_from_row(row)
        by_report.setdefault(chunk.report_id, []).append(chunk)
        sentences.setdefault(chunk.report_id, []).append([chunk.text[a:b] for a, b in row["sentences"]])
    reports = [
        ReportTexts(
            f.report_id,
            keys[f.report_id],
            [dense_text(c) for c in by_report.get(f.report_id, [])],
            [w for s in sentences.get(f.report_id, []) for w, _ in _windows_and_spans(s)],
        )
        for f, _, _ in parts
    ]
    bar = _steps_bar(quiet)
    shown = [-1]

    def step(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)
        percent = 100 * done // max(1, total)
        if percent // 10 != shown[0]:
            shown[0] = percent // 10
            say(f"adapting the encoder: step {done} of {total} ({percent}%)")

    with bar:
        return adapt_library(
            staged,
            out_dir,
            rows,
            reports,
            recipe,
            retrain=asked or not reuse,
            reuse=reuse,
            say=say,
            step=step,
        )


def _steps_bar(quiet: bool) -> Any:
    """A tqdm bar over the adaptation's training steps, silent as :func:`_progress_bar` is."""
    from tqdm.auto import tqdm

    return tqdm(
        total=0,
        unit="step",
        desc="adapting the encoder",
        file=sys.stderr,
        disable=quiet or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )


def _cache_path(cache: bool | str | Path, out_dir: Path) -> Path | None:
    """Where the build's embedding cache is: ``cache`` itself if a path, beside the index
    folder if True, nowhere if False."""
    if cache is False:
        return None
    if cache is True:
        from .embed_cache import default_cache_path

        return default_cache_path(out_dir)
    return Path(cache)
