"""The typed records that travel between pipeline stages.

parse: source text -> :class:`Report` (sections, blocks, footnotes, judgments)
figures: :class:`Report` -> :class:`Figure` list (every statistic it states)
chunk: :class:`Report` -> :class:`Chunk` list
search: query -> :class:`SearchResult` of :class:`Hit`

All records are frozen; offsets are character offsets into the source text
(``str`` indices, not bytes) unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["text", "list", "table", "figure", "footnote"]
ChunkKind = Literal["text", "table", "figure", "footnote"]
Grade = Literal["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
#: PEEL's whole grade scale, best first ("Adequate" is used from PEEL 2021/22 on).
GRADES: tuple[Grade, ...] = ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate")

Span = tuple[int, int]
#: What a statistic measures: a count, a rate per N of something, a percentage (a share
#: or a rate with no base), a percentage change, an amount of money, a length of time,
#: or a ratio in words ("two-thirds").
Measure = Literal["count", "rate", "percentage", "change", "amount", "duration", "ratio"]
MEASURES: tuple[Measure, ...] = ("count", "rate", "percentage", "change", "amount", "duration", "ratio")
FigureSource = Literal["text", "table", "chart"]


@dataclass(frozen=True, slots=True)
class ContentsEntry:
    """One line of the report's own contents list."""

    title: str
    page: int | None


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and everything under it up to the next heading of the same or a higher level.

    ``start``/``end`` cover the heading line and the body; ``page`` is where the
    heading stands (from the contents list when it is listed there).
    """

    index: int
    heading: str
    level: int
    parent: int | None
    start: int
    end: int
    heading_end: int
    page: int
    path: tuple[str, ...]
    in_contents: bool


@dataclass(frozen=True, slots=True)
class PageAnchor:
    """At ``offset`` the text is ``position`` pages in: a listed heading on page 12 is
    12.0 (the top of the page), a footer "28" is 29.0 (the start of the next page)."""

    offset: int
    position: float


@dataclass(frozen=True, slots=True)
class Marker:
    """An in-text footnote marker (``³``, ``$^{4\\,5\\,6}$``, or a bare ``10``) at ``start:end``."""

    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Block:
    """A unit of body text: a paragraph, a list, a table or figure with its caption, or a footnote.

    ``spans`` are the pieces of source it is made of, in source order; most blocks
    have one. ``section`` is the index of the innermost section holding it.
    """

    kind: BlockKind
    spans: tuple[Span, ...]
    section: int
    footnotes: tuple[int, ...] = ()
    label: str = ""

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote body by number, with every marker that points at it."""

    number: int
    text: str
    spans: tuple[Span, ...]
    section: int
    markers: tuple[Marker, ...]


@dataclass(frozen=True, slots=True)
class Judgment:
    """A graded judgment: ``area`` is ``"Overall"`` or a PEEL question heading.

    ``source`` says how the grade was read: a grade line near the area's heading, the
    summary's own wording, the report's table of areas by grade, or a grade the report
    carries over from an earlier inspection (``carried_from`` is then that inspection's
    period, "2017" or "2017/18"); "not stated" when the report gives none."""

    area: str
    grade: Grade | None
    sentence: str
    section: int
    start: int
    end: int
    source: Literal["grade line", "summary wording", "grade table", "carried over", "not stated"]
    carried_from: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    """A parsed report: the section tree in document order and the blocks of body text."""

    report_id: str
    title: str
    force: str
    source: str
    contents: tuple[ContentsEntry, ...]
    sections: tuple[Section, ...]
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    markers: tuple[Marker, ...]
    judgments: tuple[Judgment, ...]
    page_anchors: tuple[PageAnchor, ...] = ()
    dropped: tuple[Span, ...] = ()

    def children(self, index: int | None) -> list[Section]:
        return [s for s in self.sections if s.parent == index]


@dataclass(frozen=True, slots=True)
class Figure:
    """A statistic the report states: "66,629 incidents of anti-social behaviour in the 12
    months to 30 June 2015", a row of an outcomes table, a slice of a chart.

    ``value`` is as printed ("17.0%", "66,629", "two-thirds") and ``number`` its value;
    ``subject`` says what it measures in the report's words and ``context`` holds the words
    it was read from (its sentence, or a table's caption, column header and row label);
    ``per`` is a rate's base ("1,000 population"), ``unit`` the unit ("percent", "hours",
    "£"); ``area`` whom it is about ("West Midlands Police", "England and Wales") and
    ``period`` when ("12 months to 30 June 2015", "" when the report gives none);
    ``label`` a table row's or a chart slice's label ("Caution - adults"). ``where`` says whether it stands in prose, a table or a chart; ``start``/``end`` are
    the value's offsets in the source text, ``section`` and ``page`` where it stands.
    """

    report_id: str
    value: str
    number: float
    measure: Measure
    subject: str
    context: str
    per: str = ""
    unit: str = ""
    area: str = ""
    period: str = ""
    label: str = ""
    where: FigureSource = "text"
    section: tuple[str, ...] = ()
    page: int = 0
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "value": self.value,
            "number": self.number,
            "measure": self.measure,
            "subject": self.subject,
            "context": self.context,
            "per": self.per,
            "unit": self.unit,
            "area": self.area,
            "period": self.period,
            "label": self.label,
            "where": self.where,
            "section": list(self.section),
            "page": self.page,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, row: dict[str, object]) -> Figure:
        """The figure a :meth:`to_dict` row describes."""
        return cls(**{**row, "section": tuple(row.get("section") or ())})  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ReportMeta:
    """Who and what a report is about: read from its title page, else its file name,
    else left empty; any field may be overridden in the corpus's ``reports.toml``.

    ``programme`` is the inspection programme ("PEEL"), ``pillar`` what it inspects
    ("Police effectiveness"), ``period`` the period in the title ("2015", "2021/22"),
    ``year`` that period's first year, ``published`` the publication month ("February 2016").
    ``origin`` says for each field where its value came from: "title page",
    "file name" or "reports.toml".
    """

    report_id: str
    file: str
    force: str = ""
    programme: str = ""
    pillar: str = ""
    period: str = ""
    year: int | None = None
    published: str = ""
    origin: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        """``"PEEL: Police effectiveness 2015"``, as the report's own title page has it."""
        head = (
            f"{self.programme}: {self.pillar}"
            if self.programme and self.pillar
            else (self.programme or self.pillar)
        )
        return " ".join(x for x in (head, self.period) if x) or self.report_id

    @property
    def source_format(self) -> str:
        """``"pdf"`` for a report indexed from its PDF (pages read off the PDF), ``"html"``
        for one indexed from a saved web page, else ``"text"``."""
        name = self.file.lower()
        return "pdf" if name.endswith(".pdf") else "html" if name.endswith((".html", ".htm")) else "text"

    @property
    def label(self) -> str:
        """A short name for lists and table rows: ``"West Midlands Police 2015 (effectiveness)"``."""
        pillar = self.pillar.lower().removeprefix("police ").strip()
        parts = [self.force or self.report_id, self.period]
        return " ".join(p for p in parts if p) + (f" ({pillar})" if pillar else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "report_id": self.report_id,
            "file": self.file,
            "force": self.force,
            "programme": self.programme,
            "pillar": self.pillar,
            "period": self.period,
            "year": self.year,
            "published": self.published,
            "title": self.title,
            "label": self.label,
            "format": self.source_format,
            "origin": dict(self.origin),
        }


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity inside a chunk; ``start``/``end`` index the chunk's ``text``."""

    text: str
    label: str
    start: int
    end: int
    canonical: str = ""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage: what is embedded, indexed, returned and cited.

    ``text`` is ``normalise_for_citation(source, spans, markers, kind)`` (see
    :mod:`peel_search.ingest.text`): the source at ``spans`` with footnote markers removed
    and white space folded, so anyone holding the source can check a citation.
    ``start``/``end`` are the first span's start and the last span's end.
    """

    id: str
    report_id: str
    kind: ChunkKind
    text: str
    section: tuple[str, ...]
    page: int
    paragraph: int
    start: int
    end: int
    spans: tuple[Span, ...]
    footnotes: tuple[int, ...] = ()
    entities: tuple[Entity, ...] = ()
    label: str = ""
    #: Source ranges of the footnote markers inside ``spans``, removed from ``text``.
    markers: tuple[Span, ...] = ()

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a passage stands in a report, rendered by :func:`peel_search.citation.format_citation`."""

    report_title: str
    force: str
    section: tuple[str, ...]
    page: int
    paragraph: int
    kind: ChunkKind = "text"
    label: str = ""


@dataclass(frozen=True, slots=True)
class Copy:
    """Another place a hit's passage stands word for word (its own force and place names
    aside): in another report, or repeated in the same one."""

    id: str
    report_id: str
    citation: str


@dataclass(frozen=True, slots=True)
class Variant:
    """A passage with a hit's wording that says something else: another grade, figure,
    date, negation or name. ``says`` is what it says that the hit does not
    (``("inadequate",)``); ``report`` is its report's short name."""

    id: str
    report_id: str
    report: str
    citation: str
    says: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked passage in answer to a query."""

    rank: int
    chunk: Chunk
    score: float
    citation: str
    best_sentence: str
    best_sentence_span: Span
    duplicates: tuple[str, ...] = ()
    #: The other copies folded into this hit, best cited first.
    copies: tuple[Copy, ...] = ()
    #: Every report (id) the passage stands in, this hit's own first.
    reports: tuple[str, ...] = ()
    #: Passages with this wording that say something else (never folded into it).
    variants: tuple[Variant, ...] = ()
    #: The citation with every heading of the section path in full (for copying, export).
    full_citation: str = ""

    def to_dict(self) -> dict[str, object]:
        c = self.chunk
        return {
            "id": c.id,
            "report_id": c.report_id,
            "rank": self.rank,
            "text": c.text,
            "score": round(self.score, 6),
            "section": list(c.section),
            "page": c.page,
            "paragraph": c.paragraph,
            "kind": c.kind,
            "citation": self.citation,
            "start": c.start,
            "end": c.end,
            "best_sentence": self.best_sentence,
            "entities": [
                {"text": e.text, "label": e.label, "start": e.start, "end": e.end} for e in c.entities
            ],
            "footnotes": list(c.footnotes),
            "spans": [list(x) for x in c.spans],
            "markers": [list(m) for m in c.markers],
            "duplicates": list(self.duplicates),
            "copies": [{"id": x.id, "report_id": x.report_id, "citation": x.citation} for x in self.copies],
            "reports": list(self.reports or (c.report_id,)),
            "variants": [
                {
                    "id": v.id,
                    "report_id": v.report_id,
                    "report": v.report,
                    "citation": v.citation,
                    "says": list(v.says),
                }
                for v in self.variants
            ],
            "full_citation": self.full_citation or self.citation,
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer to one query: ranked hits and whether the report seems to answer it."""

    query: str
    hits: tuple[Hit, ...]
    in_report: bool
    notices: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "in_report": self.in_report,
            "notices": list(self.notices),
            "hits": [h.to_dict() for h in self.hits],
        }


@dataclass(frozen=True, slots=True)
class CompareRow:
    """One report's answer to a compared question: its best passage, or ``None`` with
    ``note`` saying why nothing is shown."""

    report: ReportMeta
    hit: Hit | None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "report": self.report.to_dict(),
            "hit": self.hit.to_dict() if self.hit else None,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class CompareResult:
    """One question asked of several reports, one row per report in scope."""

    query: str
    rows: tuple[CompareRow, ...]
    notices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "notices": list(self.notices),
            "rows": [r.to_dict() for r in self.rows],
        }


@dataclass(frozen=True, slots=True)
class PdfPage:
    """A page of a PDF report: ``label`` is the page as the index cites it (the printed
    label, e.g. "12" or "ii"; the physical number where the PDF has no labels),
    ``physical`` its 1-based position in the file (what ``#page=N`` opens)."""

    label: str
    physical: int


@dataclass(frozen=True, slots=True)
class PassageContext:
    """A passage opened in context: the passages of its section (``context="section"``)
    or of its page (``"page"``), in report order, with the passage among them, and its
    neighbours in the report to step to (``None`` at either end).

    ``pages`` are the PDF pages the passage stands on (empty for a text or web report,
    which have no page images)."""

    passage: Chunk
    citation: str
    report: ReportMeta
    context: Literal["section", "page"]
    passages: tuple[Chunk, ...]
    citations: tuple[str, ...]
    previous: str | None
    next: str | None
    pages: tuple[PdfPage, ...] = ()

    def to_dict(self) -> dict[str, object]:
        c = self.passage
        return {
            "id": c.id,
            "report_id": c.report_id,
            "report": self.report.to_dict(),
            "context": self.context,
            "citation": self.citation,
            "section": list(c.section),
            "page": c.page,
            "paragraph": c.paragraph,
            "passages": [
                {
                    "id": p.id,
                    "text": p.text,
                    "kind": p.kind,
                    "label": p.label,
                    "section": list(p.section),
                    "page": p.page,
                    "paragraph": p.paragraph,
                    "citation": cite,
                    "this": p.id == c.id,
                }
                for p, cite in zip(self.passages, self.citations, strict=True)
            ],
            "previous": self.previous,
            "next": self.next,
            "pages": [{"page": p.label, "physical": p.physical} for p in self.pages],
        }
