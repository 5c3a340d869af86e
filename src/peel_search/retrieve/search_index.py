"""A loaded index and what users ask of it: the public face of the query side.

:class:`SearchIndex` holds four parts, each in a module of its own:

- ``library`` (:mod:`.library`): the passages, reports, vectors and BM25 index on disk;
- ``filters`` (:mod:`.filters`): a request's reports, entities, section and judgment area
  as passage masks;
- ``ranker`` (:mod:`.ranker`): candidates, signals, fusion, hits with their best sentence;
- ``in_report`` (:mod:`.in_report`): whether the reports in scope answer a question.

The services users call are functions of the index, one module each — :mod:`.search`,
:mod:`.compare`, :mod:`.browse`, :mod:`.judgments`, :mod:`.figures`, :mod:`.context` — and are its methods here.
:func:`open_index` loads an index, building it first when it is missing or stale.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexUnusableError
from ..index import store
from ..types import Chunk, ReportMeta, Span
from . import browse as _browse
from . import compare as _compare
from . import context as _context
from . import figures as _figures
from . import judgments as _judgments
from . import search as _search
from .backend import Backend
from .candidates import FirstStage
from .filters import Filters
from .in_report import InReport
from .library import Library
from .ranker import Ranker, fuse
from .request import ReportScope


class SearchIndex:
    """An index loaded from disk. Thread-safe for searching."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.filters = Filters(library)
        self.ranker = Ranker(library)
        self.in_report = InReport(library, self.filters)
        #: The engine behind the ranker's first stage (see :mod:`.backend`).
        self.backend = Backend()
        #: The corpus folder the index was opened with (where a PDF report's file is).
        self.corpus: Path | None = None

    @classmethod
    def load(cls, folder: str | Path = "index", corpus: str | Path | None = None) -> SearchIndex:
        """Load and check the index in ``folder`` (see :meth:`.library.Library.load`)."""
        loaded = cls(Library.load(folder, corpus))
        loaded.corpus = Path(corpus) if corpus is not None else None
        return loaded

    # -- what users ask (each a function of the index, in its own module) ---------------------

    search = _search.search
    compare = _compare.compare
    browse = _browse.browse
    entity_counts = _browse.entity_counts
    judgments = _judgments.judgments
    grades_matrix = _judgments.grades_matrix
    figures = _figures.figures
    passage_context = _context.passage_context
    page_image = _context.page_image
    report_pdf = _context.report_pdf
    fuse = staticmethod(fuse)

    def score(
        self, query: str, expand: bool = True, within: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """The raw signals of every passage for a cleaned query (see :meth:`.ranker.Ranker.signals`)."""
        return self.ranker.score(query, expand, within)

    # -- the library ----------------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self.library.folder

    @property
    def manifest(self) -> store.Manifest:
        return self.library.manifest

    @property
    def chunks(self) -> list[Chunk]:
        return self.library.chunks

    @property
    def citations(self) -> list[str]:
        return self.library.citations

    @property
    def sentence_spans(self) -> list[list[Span]]:
        return self.library.sentence_spans

    @property
    def reports(self) -> list[dict]:
        """Each report's record: metadata, judgments, acronyms."""
        return self.library.reports

    @property
    def metas(self) -> list[ReportMeta]:
        return self.library.metas

    @property
    def size(self) -> int:
        return self.library.size

    @property
    def acronyms(self) -> dict[str, str]:
        return dict(self.library.acronyms)

    @property
    def positions(self) -> dict[str, int]:
        """Each passage id's position (what a first stage returns)."""
        return dict(self.library.position)

    def labels(self) -> list[str]:
        return self.library.labels()

    def judgment_areas(self) -> list[str]:
        return self.library.judgment_areas()

    def chunk(self, chunk_id: str) -> Chunk:
        return self.library.chunks[self.library.position[chunk_id]]

    def citation(self, chunk: Chunk) -> str:
        return self.library.citations[self.library.position[chunk.id]]

    # -- scopes -----------------------------------------------------------------------------------

    def report_numbers(self, scope: ReportScope | None = None) -> list[int]:
        return self.filters.report_numbers(scope)

    def report_mask(self, scope: ReportScope | None = None) -> np.ndarray:
        return self.filters.report_mask(scope)

    def report_list(self, scope: ReportScope | None = None) -> list[ReportMeta]:
        return self.filters.report_list(scope)

    def filter_mask(self, *args: Any, **kwargs: Any) -> np.ndarray:
        """Which passages pass every filter given (see :meth:`.filters.Filters.mask`)."""
        return self.filters.mask(*args, **kwargs)

    # -- models and engines -----------------------------------------------------------------------

    def use_embedder(self, embedder: object) -> None:
        """Search with this embedder instead of loading the default one."""
        self.library.use_embedder(embedder)

    def warm_up(self) -> None:
        """Load the embedding model (and the adapted encoder, if the index has one) and the
        word tables now rather than on the first query."""
        self.library.encode("warm up")
        self.library.encode_adapted("warm up")
        self.in_report.warm_up()

    def use_first_stage(self, stage: FirstStage) -> None:
        """Find candidates with ``stage`` (e.g. a Milvus collection) instead of in-process FAISS and BM25."""
        self.ranker.first_stage = stage

    @property
    def first_stage(self) -> FirstStage:
        return self.ranker.first_stage

    @property
    def first_stage_depth(self) -> int | None:
        """Passages each first-stage source contributes (``None``: score every passage)."""
        return self.ranker.first_stage_depth

    @first_stage_depth.setter
    def first_stage_depth(self, depth: int | None) -> None:
        self.ranker.first_stage_depth = depth

    @property
    def whole_scope(self) -> int:
        """A scope of no more passages than this is scored whole."""
        return self.ranker.whole_scope

    @whole_scope.setter
    def whole_scope(self, passages: int) -> None:
        self.ranker.whole_scope = passages


def open_index(
    index: str | Path = "index",
    corpus: str | Path = "corpus",
    *,
    rebuild: bool = False,
    notify: Callable[[str], None] | None = None,
    backend: Backend | None = None,
) -> SearchIndex:
    """Load the index, building or rebuilding it first when missing, stale or corrupt,
    and attach ``backend`` (default: ``faiss``, in this process).

    ``notify`` receives a one-line message saying why a build happens.
    """
    loaded = _open_index(index, corpus, rebuild=rebuild, notify=notify)
    if backend is not None and backend != loaded.backend:
        backend.attach(loaded)
    return loaded


def _open_index(
    index: str | Path, corpus: str | Path, *, rebuild: bool, notify: Callable[[str], None] | None
) -> SearchIndex:
    from ..index.build import build_index
    from ..ingest.corpus import candidate_files

    say = notify or (lambda message: None)
    if not rebuild:
        try:
            return SearchIndex.load(index, corpus)
        except IndexUnusableError as exc:
            candidate_files(Path(corpus))  # a missing corpus is the error to report, not the index
            say(f"building the index: {exc.reason}")
    else:
        say(f"building the index in {index} (--rebuild)")
    result = build_index(corpus, index, reuse=not rebuild)
    for note in result.notes:
        say(f"{note.name}: {note.message}")
    return SearchIndex.load(index, corpus)
