"""Open a passage in context: the passages around it, its page of the PDF, the PDF itself.

- :func:`passage_context`: the passages of the passage's section (or of its page), in
  report order with it among them, and the ids of the passages before and after it in
  the report, to step through;
- :func:`page_image`: a page of a PDF report drawn as PNG, a passage's characters boxed
  (how the passage is found on the page: :mod:`.page_image`);
- :func:`report_pdf`: the PDF a report was indexed from, found in the corpus by report id.

Pages are named as the index cites them: the PDF's printed page label where it has labels
("12" may be the 14th page of the file), else the physical page. Every refusal is a
:class:`~peel_search.errors.QueryError` (a bad value) or
:class:`~peel_search.errors.NotFoundError` (an id, report or page the index does not hold)
whose one-line message says what to do.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from ..errors import CorpusError, IndexStaleError, NotFoundError, QueryError
from ..types import Chunk, PassageContext, PdfPage, Span
from . import page_image as _pages
from .request import plain

if TYPE_CHECKING:
    from .search_index import SearchIndex

CONTEXTS = ("section", "page")
ContextKind = Literal["section", "page"]


@dataclass(frozen=True, slots=True)
class PageImage:
    """A page of a PDF report drawn as PNG: ``page`` as cited, ``physical`` its position in
    the file (1-based), ``boxes`` the highlighted passage's boxes in image pixels
    (``left, top, right, bottom``; empty without a highlight)."""

    report_id: str
    page: str
    physical: int
    png: bytes
    width: int
    height: int
    boxes: tuple[tuple[int, int, int, int], ...] = ()


# -- what is asked for -------------------------------------------------------------------------


def _shown(value: object) -> str:
    """A value from a request, safe to repeat in a one-line message."""
    text = plain(str(value))
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def parse_context(value: object) -> ContextKind:
    """``"section"`` or ``"page"``; raises :class:`QueryError` naming them otherwise."""
    text = "section" if value is None or value == "" else str(value).strip().lower()
    if text not in CONTEXTS:
        raise QueryError(f"context must be section or page, not {_shown(value)}")
    return cast(ContextKind, text)


def _position(index: SearchIndex, passage_id: object) -> int:
    position = index.library.position.get(str(passage_id)) if isinstance(passage_id, str) else None
    if position is None:
        raise NotFoundError(
            f"no passage has the id {_shown(passage_id)}",
            'take an "id" from `peel-search search --format json` or /api/search',
        )
    return position


def _report_number(index: SearchIndex, report_id: object) -> int:
    number = index.library.report_number.get(str(report_id))
    if number is None:
        known = ", ".join(m.report_id for m in index.metas[:10])
        more = ", …" if len(index.metas) > 10 else ""
        raise NotFoundError(f"no report has the id {_shown(report_id)}", f"the reports are {known}{more}")
    return number


# -- the passage in context ---------------------------------------------------------------------


def report_order(index: SearchIndex, number: int) -> list[int]:
    """The positions of report ``number``'s passages, in the order they stand in it."""
    library = index.library
    positions = np.flatnonzero(library.chunk_report == number).tolist()
    return sorted(positions, key=lambda i: (library.chunks[i].start, library.chunks[i].end))


def passage_context(index: SearchIndex, passage_id: str, context: str = "section") -> PassageContext:
    """The passage ``passage_id`` among the passages of its section (``context="section"``:
    the passages under the same heading path) or its page (``"page"``: those cited at
    the same page; for a PDF report, every passage with text on that page), with the
    passages before and after it in the report and, for a PDF report, its pages.

    Raises :class:`NotFoundError` for an unknown id and :class:`QueryError` for a bad
    ``context``, or ``"page"`` for a web page (which has no pages).
    """
    kind = parse_context(context)
    library = index.library
    position = _position(index, passage_id)
    chunk = library.chunks[position]
    number = int(library.chunk_report[position])
    meta = library.metas[number]
    order = report_order(index, number)
    at = order.index(position)
    source = _source(index, number)
    if kind == "section":
        members = [i for i in order if library.chunks[i].section == chunk.section]
    elif meta.source_format == "html":
        raise QueryError(
            f"report {meta.report_id} is a web page, which has no pages",
            "ask for the passage's section (context=section) instead",
        )
    elif source is not None:
        pages = set(_physical_pages(source, chunk.spans)[:1])
        members = [i for i in order if pages & set(_physical_pages(source, library.chunks[i].spans))]
    else:
        members = [i for i in order if library.chunks[i].page == chunk.page]
    return PassageContext(
        passage=chunk,
        citation=library.citations[position],
        report=meta,
        context=kind,
        passages=tuple(library.chunks[i] for i in members),
        citations=tuple(library.citations[i] for i in members),
        previous=library.chunks[order[at - 1]].id if at > 0 else None,
        next=library.chunks[order[at + 1]].id if at + 1 < len(order) else None,
        pages=_passage_pages(index, number, chunk, source),
    )


# -- a PDF report's text and pages --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    """A PDF report's extracted text as the index keeps it, with its page breaks."""

    text: str
    breaks: tuple[int, ...]  # the offset of each "\f" (one after each page)

    def page_of(self, offset: int) -> int:
        """The 0-based physical page of the text at ``offset``."""
        return bisect.bisect_left(self.breaks, offset)

    def bounds(self, page: int) -> Span:
        """The part of the text physical page ``page`` (0-based) holds."""
        start = self.breaks[page - 1] + 1 if page > 0 else 0
        end = self.breaks[page] if page < len(self.breaks) else len(self.text)
        return start, end


@functools.lru_cache(maxsize=16)
def _read_source(path: str, checksum: str) -> _Source:
    """``path`` read once per checksum (a rebuilt index gets a fresh read)."""
    text = Path(path).read_text(encoding="utf-8")
    return _Source(text, tuple(m.start() for m in re.finditer("\f", text)))


def _source(index: SearchIndex, number: int) -> _Source | None:
    """Report ``number``'s extracted text if it was read from a PDF, else ``None``."""
    record = index.library.reports[number]
    if record.get("format") != "pdf" or not record.get("source_text") or not record.get("part"):
        return None
    name = f"{record['part']}/{record['source_text']}"
    checksum = index.manifest.files.get(name)
    if checksum is None:
        return None
    return _read_source(str(Path(index.folder) / name), checksum)


def _physical_pages(source: _Source, spans: tuple[Span, ...]) -> list[int]:
    """The 0-based physical pages the text at ``spans`` stands on."""
    pages: list[int] = []
    for a, b in spans:
        for page in range(source.page_of(a), source.page_of(max(a, b - 1)) + 1):
            lo, hi = source.bounds(page)
            if source.text[max(a, lo) : min(b, hi)].strip() and page not in pages:
                pages.append(page)
    return pages


def _spans_on(source: _Source, spans: tuple[Span, ...], page: int) -> list[Span]:
    lo, hi = source.bounds(page)
    return [(max(a, lo), min(b, hi)) for a, b in spans if min(b, hi) > max(a, lo)]


def _passage_pages(
    index: SearchIndex, number: int, chunk: Chunk, source: _Source | None
) -> tuple[PdfPage, ...]:
    if source is None:
        return ()
    try:
        labels = _labels(index, number)
    except (NotFoundError, IndexStaleError, CorpusError):
        return ()  # the context stands without its page images; /api/page says why
    return tuple(PdfPage(labels[p], p + 1) for p in _physical_pages(source, chunk.spans) if p < len(labels))


def _labels(index: SearchIndex, number: int) -> tuple[str, ...]:
    """Each physical page's name as cited: its label, or its number without labels."""
    path = report_pdf(index, index.metas[number].report_id)
    return _pdf_labels(str(path), path.stat().st_mtime_ns, path.stat().st_size)


@functools.lru_cache(maxsize=64)
def _pdf_labels(path: str, mtime: int, size: int) -> tuple[str, ...]:
    with _pages.PDFIUM:
        doc: Any = _pages.open_pdf(Path(path))
        try:
            labels = _pages.page_labels(doc)
        finally:
            doc.close()
    numbers = _pages.cited_numbers(labels)
    return tuple(
        label if label else str(n if n is not None else i + 1)
        for i, (label, n) in enumerate(zip(labels, numbers, strict=True))
    )


def physical_page(labels: Sequence[str], page: object, prefer: Sequence[int] = ()) -> int:
    """The 0-based physical page named ``page`` ("12", as cited; "ii"), preferring one
    of ``prefer`` when several pages carry the name. Raises :class:`NotFoundError`."""
    text = plain(str(page))
    wanted = [i for i, label in enumerate(labels) if label == text]
    if not wanted and text.isdigit():
        wanted = [i for i, label in enumerate(labels) if label.isdigit() and int(label) == int(text)]
    if not wanted:
        named = [label for label in labels if label]
        span = f"{named[0]}–{named[-1]}" if named else "none"
        raise NotFoundError(f"the report has no page {_shown(page)}", f"its pages are {span}")
    return next((i for i in wanted if i in prefer), wanted[0])


# -- the PDF and its pages ----------------------------------------------------------------------


def report_pdf(index: SearchIndex, report_id: str) -> Path:
    """The PDF report ``report_id`` was indexed from, in the corpus folder the index was
    opened with, checked against the checksum the index recorded.

    Only files the index names are ever returned: the path is the corpus folder and the
    file name the index holds for that report id, never anything taken from a request.
    Raises :class:`NotFoundError` for an unknown report, a report not read from a PDF or
    a file no longer in the corpus; :class:`IndexStaleError` for a PDF that changed since.
    """
    number = _report_number(index, report_id)
    meta = index.metas[number]
    if meta.source_format != "pdf":
        raise NotFoundError(
            f"report {meta.report_id} was indexed from {meta.file}, not a PDF, so it has no page images",
            "read its passages in context with `peel-search show ID` or /api/passage/ID",
        )
    corpus = getattr(index, "corpus", None)
    if corpus is None:
        raise NotFoundError(
            f"the PDF of report {meta.report_id} cannot be found: the index was opened without its corpus folder",
            "open it with open_index(index, corpus) or pass --corpus DIR",
        )
    folder = Path(corpus).resolve()
    path = (folder / Path(meta.file).name).resolve()
    if path.parent != folder or not path.is_file():
        raise NotFoundError(
            f"{meta.file} is no longer in the corpus folder", "put it back or run `peel-search index`"
        )
    expected = index.library.reports[number].get("pdf_sha256", "")
    stat = path.stat()
    if expected and _sha256(str(path), stat.st_mtime_ns, stat.st_size) != expected:
        raise IndexStaleError(f"{meta.file} changed since the index was built", "run `peel-search index`")
    return path


@functools.lru_cache(maxsize=64)
def _sha256(path: str, mtime: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def page_image(
    index: SearchIndex,
    report_id: str,
    page: object,
    highlight: str | None = None,
    scale: float = _pages.SCALE,
) -> PageImage:
    """Page ``page`` (as cited: "12", or a label such as "ii") of PDF report ``report_id``
    drawn as PNG at ``scale`` pixels a point, with passage ``highlight``'s characters boxed.

    Raises :class:`NotFoundError` for an unknown report or page, or a report not read
    from a PDF; :class:`QueryError` for a ``highlight`` of another report or page.
    """
    if not isinstance(scale, (int, float)) or not 0.25 <= scale <= 4:
        raise QueryError(f"scale must be from 0.25 to 4 pixels a point, not {_shown(scale)}")
    number = _report_number(index, report_id)
    path = report_pdf(index, report_id)
    labels = _labels(index, number)
    source = _source(index, number)
    spans: list[Span] = []
    on: list[int] = []
    if highlight:
        position = _position(index, highlight)
        chunk = index.library.chunks[position]
        if chunk.report_id != index.metas[number].report_id:
            raise QueryError(
                f"passage {_shown(highlight)} is in report {chunk.report_id}, not {report_id}",
                f"open /api/page/{chunk.report_id}/{chunk.page}.png?highlight={chunk.id}",
            )
        on = _physical_pages(source, chunk.spans) if source is not None else []
    physical = physical_page(labels, page, on)
    if highlight:
        if physical not in on:
            where = ", ".join(labels[p] for p in on if p < len(labels)) or "none"
            raise QueryError(
                f"passage {_shown(highlight)} is not on page {labels[physical]}",
                f"it stands on page {where}",
            )
        assert source is not None
        spans = _spans_on(source, index.library.chunks[_position(index, highlight)].spans, physical)
    with _pages.PDFIUM:
        doc: Any = _pages.open_pdf(path)
        try:
            boxes = _pages.passage_boxes(doc, physical, source.text, spans) if spans and source else []
            drawn = _pages.draw_page(doc, physical, boxes, scale)
        finally:
            doc.close()
    return PageImage(
        report_id=index.metas[number].report_id,
        page=labels[physical],
        physical=physical + 1,
        png=drawn.png,
        width=drawn.width,
        height=drawn.height,
        boxes=drawn.boxes,
    )
