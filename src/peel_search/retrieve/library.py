"""The library as loaded for searching: every passage with its citation and sentences, each
report's metadata and judgments, the vectors on disk, the BM25 index, the groups of
near-duplicate passages, and the model that encodes queries (loaded on first use).

Nothing here ranks or filters: :mod:`.filters` turns a request's scope into passage
masks, :mod:`.ranker` scores passages, and the services (:mod:`.search`, :mod:`.compare`,
:mod:`.browse`, :mod:`.judgments`) answer users.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..citation import format_citation
from ..errors import IndexCorruptError, IndexStaleError, IndexUnusableError
from ..index import adapted as adapted_store
from ..index import store
from ..index.adapted import AdapterRecord
from ..index.build import better_cited
from ..index.lexical import tokenize
from ..index.represent import lexical_text
from ..types import Chunk, Citation, Copy, Figure, ReportMeta, Span, Variant
from .vectors import PartedRows


def meta_from_record(record: dict[str, Any]) -> ReportMeta:
    """A report's :class:`ReportMeta` from its record in ``reports.json``."""
    return ReportMeta(
        report_id=record["report_id"],
        file=record.get("file", ""),
        force=record.get("force", ""),
        programme=record.get("programme", ""),
        pillar=record.get("pillar", ""),
        period=record.get("period", ""),
        year=record.get("year"),
        published=record.get("published", ""),
        origin=tuple(sorted(record.get("origin", {}).items())),
    )


class Library:
    """The passages, reports and vectors of a loaded index. Read-only once loaded, and
    safe to share between threads (the caches only ever gain entries)."""

    def __init__(
        self,
        folder: Path,
        manifest: store.Manifest,
        rows: list[dict[str, Any]],
        reports: list[dict[str, Any]],
        dense: PartedRows,
        windows: PartedRows,
        sentences: PartedRows,
        lexical: Any,
        tokens: PartedRows,
        token_offsets: np.ndarray,
        token_df: dict[str, Any],
        part_token_df: Sequence[dict[str, Any]] = (),
        adapted: tuple[PartedRows, PartedRows] | None = None,
        adapter: AdapterRecord | None = None,
    ) -> None:
        self.folder = folder
        self.manifest = manifest
        self.chunks: list[Chunk] = [store.chunk_from_row(r) for r in rows]
        self.citations: list[str] = [r["citation"] for r in rows]
        self.sentence_spans: list[list[Span]] = [[(int(a), int(b)) for a, b in r["sentences"]] for r in rows]
        #: Each report's record in ``reports.json`` (metadata, judgments, acronyms, ...).
        self.reports = reports
        self.metas: list[ReportMeta] = [meta_from_record(r) for r in reports]
        #: Vectors stay on disk and are read for the passages a query scores closely
        #: (see :mod:`.vectors`): passages, sentences in context, lone sentences, word pieces.
        self.dense = dense
        self.windows = windows
        self.sentences = sentences
        self.tokens = tokens
        #: The adapted encoder's passage and sentence-in-context vectors, when the index
        #: holds one (``peel-search index --adapt``; see :mod:`peel_search.index.adapted`).
        self.adapted_dense: PartedRows | None = adapted[0] if adapted is not None else None
        self.adapted_windows: PartedRows | None = adapted[1] if adapted is not None else None
        self.adapter = adapter
        self._adapted_embedder: Any = None
        self.token_offsets = np.asarray(token_offsets, dtype=np.int64)
        self.lexical = lexical
        self.token_df: dict[str, int] = token_df["df"]
        self.token_docs = int(token_df["documents"])
        #: Each report's word-piece document counts, in report order.
        self.part_token_df = list(part_token_df)
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        #: Each passage's near-duplicate group, named by the position of its canonical member.
        self.canonical = [self.position.get(r.get("duplicate_of") or "", i) for i, r in enumerate(rows)]
        #: Each duplicate group's members, best cited first (see :func:`better_cited`).
        self.members: dict[int, list[int]] = {}
        for i, group in enumerate(self.canonical):
            self.members.setdefault(group, []).append(i)
        for members in self.members.values():
            members.sort(key=lambda m: (m != self.canonical[m], better_cited(self.chunks[m])))
        #: Each passage's variants: the same wording saying something else, as ``(position, says)``.
        self.variants: list[list[tuple[int, tuple[str, ...]]]] = [
            [
                (self.position[v["id"]], tuple(v["says"]))
                for v in r.get("variants", ())
                if v["id"] in self.position
            ]
            for r in rows
        ]
        self.report_number = {m.report_id: n for n, m in enumerate(self.metas)}
        #: Each passage's report, as a position in :attr:`metas` (-1: none).
        self.chunk_report = np.asarray(
            [self.report_number.get(c.report_id, -1) for c in self.chunks], dtype=np.int64
        )
        owners = [i for i, spans in enumerate(self.sentence_spans) for _ in spans]
        #: Each sentence's passage, and each passage's first sentence (one past the last at the end).
        self.sentence_owner = np.asarray(owners, dtype=np.int64)
        self.sentence_first = np.zeros(len(self.chunks) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in self.sentence_spans], out=self.sentence_first[1:])
        self.acronyms: dict[str, str] = {}
        for r in reports:
            for k, v in r.get("acronyms", {}).items():
                self.acronyms.setdefault(k, v)
        #: Every statistic the reports state (see :mod:`peel_search.ingest.figures`), and the
        #: position of the passage holding each (-1: none).
        self.figures: list[Figure] = [Figure.from_dict(f) for r in reports for f in r.get("figures", [])]
        self.figure_passage: list[int] = self._figure_passages()
        self._word_sets: dict[int, set[str]] = {}
        self._sentence_word_cache: dict[int, set[str]] = {}
        self._labels: list[str] | None = None
        self._embedder: Any = None
        self._embedder_lock = threading.Lock()
        if (
            len(self.dense) != len(self.chunks)
            or len(sentences) != len(owners)
            or len(self.windows) != len(owners)
            or len(self.token_offsets) != len(self.chunks) + 1
            or int(self.token_offsets[-1]) != len(self.tokens)
            or (
                adapted is not None
                and (len(adapted[0]) != len(self.chunks) or len(adapted[1]) != len(owners))
            )
        ):
            raise IndexCorruptError(f"{folder}: vector counts do not match the passages", store.REBUILD)

    def _figure_passages(self) -> list[int]:
        spans: dict[str, list[tuple[int, int, int]]] = {}
        for i, c in enumerate(self.chunks):
            spans.setdefault(c.report_id, []).extend((a, b, i) for a, b in c.spans)
        return [
            next((i for a, b, i in spans.get(f.report_id, ()) if a <= f.start < b), -1) for f in self.figures
        ]

    @classmethod
    def load(cls, folder: str | Path = "index", corpus: str | Path | None = None) -> Library:
        """Load and check the index in ``folder``.

        With ``corpus``, also check that the index was built from that folder's
        current files. Raises :class:`IndexMissingError`, :class:`IndexStaleError`
        or :class:`IndexCorruptError` with a message saying how to fix it.
        """
        from ..index.build import assembly_fingerprint, pipeline_fingerprint
        from ..index.lexical import LexicalIndex
        from ..ingest.corpus import corpus_fingerprint
        from ..models import EMBEDDING_DIM, EMBEDDING_MODEL, spacy_model_id

        folder = Path(folder)
        manifest = store.read_manifest(folder)
        seen = corpus_fingerprint(Path(corpus)) if corpus is not None else None
        reason = store.staleness(manifest, seen, EMBEDDING_MODEL, EMBEDDING_DIM, spacy_model_id())
        if not reason and (
            manifest.settings.get("pipeline") != pipeline_fingerprint()
            or manifest.settings.get("assembly") != assembly_fingerprint()
        ):
            reason = "it was built by another version of peel-search's indexing code"
        if reason:
            raise IndexStaleError(f"the index in {folder} is out of date: {reason}", store.REBUILD)
        store.verify_files(folder, manifest)
        adapter = adapted_store.check(folder, manifest)
        try:
            rows = store.read_jsonl(folder / store.CHUNKS)
            reports = json.loads((folder / store.REPORTS).read_text(encoding="utf-8"))
            parts = [folder / part for part in store.part_folders(manifest)]

            def on_disk(name: str) -> PartedRows:
                return PartedRows([part / name for part in parts], manifest.embedding_dim)

            vectors = None
            if adapter is not None:
                ids = [str(entry.get("report_id")) for entry in manifest.corpus]
                vectors = tuple(
                    PartedRows(
                        [folder / adapted_store.part_folder(i) / name for i in ids], manifest.embedding_dim
                    )
                    for name in adapted_store.VECTORS
                )
            offsets = [np.zeros(1, dtype=np.int64)]
            for part in parts:
                local = np.load(part / store.TOKEN_OFFSETS, allow_pickle=False).astype(np.int64)
                offsets.append(local[1:] + offsets[-1][-1])
            return cls(
                folder,
                manifest,
                rows,
                reports,
                on_disk(store.DENSE),
                on_disk(store.WINDOWS),
                on_disk(store.SENTENCES),
                LexicalIndex.load(folder / store.BM25_DIR),
                on_disk(store.TOKENS),
                np.concatenate(offsets),
                json.loads((folder / store.TOKEN_DF).read_text(encoding="utf-8")),
                [json.loads((part / store.TOKEN_DF).read_text(encoding="utf-8")) for part in parts],
                adapted=(vectors[0], vectors[1]) if vectors is not None else None,
                adapter=adapter,
            )
        except IndexUnusableError:
            raise
        except Exception as exc:
            raise IndexCorruptError(f"the index in {folder} will not load ({exc})", store.REBUILD) from exc

    # -- the query encoder -----------------------------------------------------------------

    @property
    def embedder(self) -> Any:
        """The model that encodes queries, loaded on first use (once, whatever the threads)."""
        if self._embedder is None:
            with self._embedder_lock:
                if self._embedder is None:
                    from ..models import get_embedder

                    self._embedder = get_embedder()
        return self._embedder

    def use_embedder(self, embedder: Any) -> None:
        """Encode queries with this embedder instead of loading the default one."""
        self._embedder = embedder

    @property
    def loaded_embedder(self) -> Any:
        """The embedder if one is loaded, else ``None`` (nothing is loaded to answer)."""
        return self._embedder

    def encode(self, text: str) -> tuple[np.ndarray, list[str], np.ndarray]:
        """The text's vector, word-pieces and word-piece vectors (one model pass)."""
        return self.embedder.encode_tokens([text])[0]

    @property
    def adapted_embedder(self) -> Any:
        """The index's adapted encoder (``None`` if it has none), loaded on first use from
        its weights, which must be the ones the index's vectors were made with."""
        if self.adapter is None:
            return None
        if self._adapted_embedder is None:
            with self._embedder_lock:
                if self._adapted_embedder is None:
                    self._adapted_embedder = adapted_store.load_encoder(self.folder, self.adapter)
        return self._adapted_embedder

    def use_adapted_embedder(self, embedder: Any) -> None:
        """Encode queries for the adapted signals with this embedder instead."""
        self._adapted_embedder = embedder

    def encode_adapted(self, text: str) -> np.ndarray | None:
        """The text's vector by the adapted encoder, or ``None`` when the index has none."""
        encoder = self.adapted_embedder
        return None if encoder is None else np.asarray(encoder.encode([text])[0], dtype=np.float32)

    # -- passages --------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.chunks)

    def labels(self) -> list[str]:
        """The entity labels the passages carry, sorted."""
        if self._labels is None:
            self._labels = sorted({e.label for c in self.chunks for e in c.entities})
        return list(self._labels)

    def words(self, i: int) -> set[str]:
        """The stemmed words of passage ``i`` and its headings (cached)."""
        words = self._word_sets.get(i)
        if words is None:
            words = self._word_sets[i] = set(tokenize(lexical_text(self.chunks[i])))
        return words

    def sentence_words(self, n: int, sentence: str) -> set[str]:
        """The stemmed words of sentence ``n`` (cached)."""
        words = self._sentence_word_cache.get(n)
        if words is None:
            words = self._sentence_word_cache[n] = set(tokenize(sentence))
        return words

    def full_citation(self, i: int) -> str:
        """Passage ``i``'s citation with every heading of its section path whole."""
        c = self.chunks[i]
        meta = self.metas[int(self.chunk_report[i])] if self.chunk_report[i] >= 0 else None
        cite = Citation(
            meta.title if meta else c.report_id,
            meta.force if meta else "",
            c.section,
            c.page,
            c.paragraph,
            c.kind,
            c.label,
        )
        return format_citation(cite, full=True)

    def copy(self, i: int) -> Copy:
        """Passage ``i`` as a copy folded into a hit."""
        return Copy(self.chunks[i].id, self.chunks[i].report_id, self.citations[i])

    def variants_of(self, members: list[int], mask: np.ndarray) -> tuple[Variant, ...]:
        """The passages passing ``mask`` with the wording of ``members`` (one group of copies)
        that say something else, one per group of their own, in index order."""
        found: dict[int, tuple[str, ...]] = {}
        for m in members:
            for j, says in self.variants[m]:
                if (
                    mask[j]
                    and self.canonical[j] not in found
                    and self.canonical[j] != self.canonical[members[0]]
                ):
                    found[self.canonical[j]] = says
        out = []
        for group, says in sorted(found.items()):
            j = next((x for x in self.members[group] if mask[x]), group)
            meta = self.metas[int(self.chunk_report[j])]
            out.append(Variant(self.chunks[j].id, meta.report_id, meta.label, self.citations[j], says))
        return tuple(out)

    def judgment_areas(self) -> list[str]:
        """Every graded area of every report, in index order."""
        return [j["area"] for r in self.reports for j in r["judgments"]]

    def token_statistics(self, within: np.ndarray | None) -> tuple[dict[str, int], int]:
        """Word-piece document counts over the reports with passages in ``within`` (all: ``None``)."""
        if within is None or within.all() or not self.part_token_df:
            return self.token_df, self.token_docs
        numbers = [int(n) for n in np.unique(self.chunk_report[within]) if n >= 0]
        if len(numbers) == 1:
            part = self.part_token_df[numbers[0]]
            return part["df"], int(part["documents"])
        df: Counter[str] = Counter()
        for n in numbers:
            df.update(self.part_token_df[n]["df"])
        return dict(df), sum(int(self.part_token_df[n]["documents"]) for n in numbers)
