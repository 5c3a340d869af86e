"""PDFs in HMIC's layout, written with reportlab from a report's text, for the PDF tests.

:func:`write_report_pdf` lays a report out the way HMIC publishes it: A4, a title page, a
contents list with the pages the layout gave each heading, a running header and a
page-number footer on body pages, footnote markers set as superscripts with the footnote
bodies at the foot of the page where the marker stands, the report's tables as rows of
cells, one section set in two columns, and long words hyphenated at line ends. It returns
where it put everything, so a test can check the pages the PDF path reads back.

The layout is its own small engine on reportlab's canvas (not platypus), so that the page
of every paragraph is known exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from peel_search.ingest.contents import title_similarity
from peel_search.ingest.parse import parse_report, split_paragraphs
from peel_search.types import Report

WIDTH, HEIGHT = A4
MARGIN_X, TOP, BOTTOM = 56.0, 70.0, 64.0
TEXT_WIDTH = WIDTH - 2 * MARGIN_X
COLUMN_GAP = 24.0
BODY, SMALL, FOOTNOTE = 10.0, 6.0, 8.0
HEADER_TEXT = "PEEL: Police effectiveness 2015 – West Midlands Police"
_BULLET_RE = re.compile(r"^[-•·] ")

#: A run of text on a line: (text, superscript?).
Run = tuple[str, bool]


@dataclass
class Layout:
    """Where the generator put things: pages are the printed numbers (the PDF's labels)."""

    path: Path
    page_count: int = 0
    #: start offset (in the report text) of each body paragraph drawn -> its page
    paragraph_pages: dict[int, int] = field(default_factory=dict)
    #: footnote number -> the page at whose foot its body stands
    footnote_pages: dict[int, int] = field(default_factory=dict)
    #: section index (in the text path's report) -> the page its heading stands on
    heading_pages: dict[int, int] = field(default_factory=dict)
    #: the printed label of each physical page
    labels: list[str] = field(default_factory=list)
    #: body paragraphs split across a page or column by the layout
    split: list[int] = field(default_factory=list)
    #: words the layout hyphenated at a line end
    hyphenated: set[str] = field(default_factory=set)


@dataclass
class _Item:
    kind: str  # "heading", "text", "table"
    start: int
    runs: list[Run]
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    section: int | None = None
    columns: bool = False


class _Writer:
    """One pass of the layout over a canvas."""

    def __init__(self, canvas: Canvas, layout: Layout, footnotes: dict[int, str], front_pages: int):
        self.c = canvas
        self.layout = layout
        self.footnotes = footnotes
        self.front_pages = front_pages
        self.page = 0  # physical, 1-based once started
        self.y = 0.0
        self.pending: list[int] = []  # footnotes to set at this page's foot
        self.columns = False
        self.column = 0
        self.placed_notes: set[int] = set()
        self.open = False  # a page of the body is being written

    # -- pages -------------------------------------------------------------------------

    def label(self) -> int:
        return self.page - self.front_pages

    def new_page(self) -> None:
        if self.open:
            self.finish_page()
        self.open = True
        self.page += 1
        self.layout.labels.append(str(self.label()))
        self.y = HEIGHT - TOP
        self.column = 0
        self.c.setFont("Helvetica", 8)
        self.c.setFillGray(0.4)
        self.c.drawString(MARGIN_X, HEIGHT - 40, HEADER_TEXT)
        self.c.drawRightString(WIDTH - MARGIN_X, 36, str(self.label()))
        self.c.setFillGray(0)

    def finish_page(self) -> None:
        if self.pending:
            lines = [line for n in self.pending for line in self._footnote_lines(n)]
            y = BOTTOM + len(lines) * FOOTNOTE * 1.25
            self.c.line(MARGIN_X, y + 6, MARGIN_X + 120, y + 6)
            for runs in lines:
                y -= FOOTNOTE * 1.25
                self._draw_runs(runs, MARGIN_X, y, FOOTNOTE, "Helvetica")
            for n in self.pending:
                self.layout.footnote_pages[n] = self.label()
        self.pending = []
        self.open = False
        self.c.showPage()

    def _footnote_lines(self, number: int) -> list[list[Run]]:
        runs: list[Run] = [(str(number), True), (" " + self.footnotes[number], False)]
        return _wrap(runs, TEXT_WIDTH, FOOTNOTE, "Helvetica", hyphenate=False)

    def _footnote_height(self, numbers: Sequence[int]) -> float:
        lines = sum(len(self._footnote_lines(n)) for n in numbers)
        return lines * FOOTNOTE * 1.25 + (12 if lines else 0)

    def floor(self, extra: Sequence[int] = ()) -> float:
        return BOTTOM + self._footnote_height([*self.pending, *extra])

    # -- columns -----------------------------------------------------------------------

    def x_and_width(self) -> tuple[float, float]:
        if not self.columns:
            return MARGIN_X, TEXT_WIDTH
        width = (TEXT_WIDTH - COLUMN_GAP) / 2
        return MARGIN_X + self.column * (width + COLUMN_GAP), width

    def break_flow(self) -> None:
        """The next column, or the next page."""
        if self.columns and self.column == 0:
            self.column = 1
            self.y = self.column_top
        else:
            self.new_page()
            self.column_top = self.y

    # -- items -------------------------------------------------------------------------

    def heading(self, item: _Item) -> None:
        size = 15.0 if item.level <= 1 else 12.0
        if item.level <= 1 and item.start >= 0:
            self.new_page()
        lines = _wrap(
            item.runs, TEXT_WIDTH if not self.columns else self.x_and_width()[1], size, "Helvetica-Bold"
        )
        need = len(lines) * size * 1.3 + 4 * BODY * 1.35
        if self.y - need < self.floor():
            self.break_flow()
        self.y -= 6
        self._record(item)
        for runs in lines:
            self.y -= size * 1.3
            self._note_markers(runs)
            self._draw_runs(runs, self.x_and_width()[0], self.y, size, "Helvetica-Bold")
        self.y -= 6
        if item.columns:
            self.columns = True
            self.column = 0
            self.column_top = self.y

    def text(self, item: _Item) -> None:
        x, width = self.x_and_width()
        lines: list[tuple[list[Run], float]] = []
        for part in _split_lines(item.runs):
            bullet = bool(part) and not part[0][1] and bool(_BULLET_RE.match(part[0][0].lstrip()))
            indent = stringWidth("- ", "Helvetica", BODY) if bullet else 0.0
            wrapped = _wrap(
                part, width - indent, BODY, "Helvetica", hyphenate=True, found=self.layout.hyphenated
            )
            lines += [(runs, indent if k else 0.0) for k, runs in enumerate(wrapped)]
        first = True
        for runs, indent in lines:
            notes = self._markers(runs)
            if self.y - BODY * 1.35 < self.floor(notes):
                self.break_flow()
                x, width = self.x_and_width()
                if not first:
                    self.layout.split.append(item.start)
            if first:
                self._record(item)
                first = False
            self.y -= BODY * 1.35
            self._note_markers(runs)
            self._draw_runs(runs, x + indent, self.y, BODY, "Helvetica")
        self.y -= BODY * 0.8

    def table(self, item: _Item) -> None:
        ncols = max(len(r) for r in item.rows)
        size = 9.0
        while True:
            widths = [
                max(stringWidth(r[i], "Helvetica", size) if i < len(r) else 0 for r in item.rows)
                for i in range(ncols)
            ]
            if sum(widths) + 16 * (ncols - 1) <= TEXT_WIDTH or size <= 5:
                break
            size -= 0.5
        need = len(item.rows) * size * 1.4 + 6
        if self.y - need < self.floor():
            self.break_flow()
        self._record(item)
        for row in item.rows:
            self.y -= size * 1.4
            x = MARGIN_X
            self.c.setFont("Helvetica", size)
            for i, cell in enumerate(row):
                self.c.drawString(x, self.y, cell)
                x += widths[i] + 16
        self.y -= BODY

    def _record(self, item: _Item) -> None:
        if item.start >= 0:
            self.layout.paragraph_pages[item.start] = self.label()
        if item.section is not None:
            self.layout.heading_pages[item.section] = self.label()

    def _markers(self, runs: list[Run]) -> list[int]:
        found = []
        for text, sup in runs:
            if sup:
                for n in (int(x) for x in text.split()):
                    if n in self.footnotes and n not in self.placed_notes and n not in found:
                        found.append(n)
        return found

    def _note_markers(self, runs: list[Run]) -> None:
        for n in self._markers(runs):
            self.placed_notes.add(n)
            self.pending.append(n)

    def _draw_runs(self, runs: list[Run], x: float, y: float, size: float, font: str) -> None:
        for text, sup in runs:
            if sup:
                small = size * 0.6
                self.c.setFont(font, small)
                self.c.drawString(x, y + size * 0.38, text)
                x += stringWidth(text, font, small)
            else:
                self.c.setFont(font, size)
                self.c.drawString(x, y, text)
                x += stringWidth(text, font, size)


def _wrap(
    runs: list[Run],
    width: float,
    size: float,
    font: str,
    hyphenate: bool = False,
    found: set[str] | None = None,
) -> list[list[Run]]:
    """Greedy word wrap of ``runs``; a list item's continuation lines are indented by the
    bullet's width (by a leading run of spaces). Long words may be hyphenated."""
    words: list[tuple[str, bool, bool]] = []  # (text, superscript, space before)
    for text, sup in runs:
        if sup:
            words.append((text, True, False))
            continue
        for m in re.finditer(r"(\s*)(\S+)", text):
            words.append((m.group(2), False, bool(m.group(1)) or (not words)))
        if text.endswith((" ", "\n")) and words:
            words.append(("", False, True))

    def measure(w: tuple[str, bool, bool]) -> float:
        s = size * 0.6 if w[1] else size
        return stringWidth(w[0], font, s) + (stringWidth(" ", font, size) if w[2] else 0)

    lines: list[list[Run]] = []
    line: list[tuple[str, bool, bool]] = []
    used = 0.0
    queue = list(words)
    while queue:
        w = queue.pop(0)
        if not w[0] and not w[1]:
            continue
        if not line:
            w = (w[0], w[1], False)
        cost = measure(w)
        if line and used + cost > width:
            head = (
                _hyphen_split(w[0], width - used - measure(("", False, True)), font, size)
                if hyphenate
                else None
            )
            if head is not None and not w[1]:
                line.append((head + "-", False, w[2]))
                if found is not None:
                    found.add(w[0])
                queue.insert(0, (w[0][len(head) :], False, False))
            else:
                queue.insert(0, w)
            lines.append(_runs(line))
            line, used = [], 0.0
            continue
        line.append(w)
        used += cost
    if line:
        lines.append(_runs(line))
    return lines


def _split_lines(runs: list[Run]) -> list[list[Run]]:
    """``runs`` cut at the line breaks of the text (a list's items)."""
    parts: list[list[Run]] = [[]]
    for text, sup in runs:
        if sup:
            parts[-1].append((text, sup))
            continue
        pieces = text.split("\n")
        for k, piece in enumerate(pieces):
            if k:
                parts.append([])
            if piece.strip():
                parts[-1].append((piece if parts[-1] else piece.lstrip(), False))
    return [p for p in parts if p]


def _hyphen_split(word: str, room: float, font: str, size: float) -> str | None:
    if len(word) < 9 or not word.isalpha() or not word.islower():
        return None
    best = None
    for cut in range(3, len(word) - 3):
        if stringWidth(word[:cut] + "-", font, size) <= room:
            best = word[:cut]
    return best


def _runs(words: list[tuple[str, bool, bool]]) -> list[Run]:
    runs: list[Run] = []
    for text, sup, space in words:
        piece = (" " if space else "") + text
        if runs and runs[-1][1] == sup and not sup:
            runs[-1] = (runs[-1][0] + piece, sup)
        elif sup and runs and runs[-1][1]:
            runs[-1] = (runs[-1][0] + " " + text, True)
        else:
            runs.append((piece if not sup else text, sup))
    return runs


def _marker_runs(report: Report, start: int, end: int) -> list[Run]:
    """The paragraph ``start:end`` as runs, its footnote markers as superscript runs."""
    source = report.source
    runs: list[Run] = []
    at = start
    for m in report.markers:
        if not start <= m.start < end:
            continue
        plain = source[at : m.start]
        if plain:
            runs.append((plain, False))
        if runs and runs[-1][1]:
            runs[-1] = (runs[-1][0] + " " + str(m.number), True)
        else:
            runs.append((str(m.number), True))
        at = m.end
    if at < end:
        runs.append((source[at:end], False))
    return [(re.sub(r"[ \t]*\n[ \t]*", " \n", t) if not sup else t, sup) for t, sup in runs]


def _items(report: Report, two_column: str | None) -> tuple[list[_Item], list[str], dict[int, str]]:
    """The body as items to lay out, the title page's lines, and the footnotes by number."""
    source = report.source
    front_end = report.dropped[0][1] if report.dropped else 0
    paragraphs = split_paragraphs(source)
    title_lines = []
    for s, e in paragraphs:
        if s >= front_end or source[s:e].strip().lower() == "contents":
            break
        title_lines.append(source[s:e].strip())
    in_footnote = [(a, b) for f in report.footnotes for a, b in f.spans]
    footnotes = {f.number: f.text for f in report.footnotes}
    heading_at = {s.start: s for s in report.sections}
    items: list[_Item] = []
    columns_section: int | None = None
    for s, e in paragraphs:
        if s < front_end:
            continue
        text = source[s:e]
        if re.fullmatch(r"\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+.*", text, re.S) or any(
            a <= s < b or s <= a < e for a, b in in_footnote
        ):
            continue  # footnote bodies go to the foot of their marker's page
        if re.fullmatch(r"\d{1,3}", text.strip()):
            continue  # a page number the text extraction left behind
        section = heading_at.get(s)
        if section is not None and section.heading:
            columns = two_column is not None and section.heading == two_column
            if columns:
                columns_section = section.index
            elif columns_section is not None and section.level <= report.sections[columns_section].level:
                columns_section = None
                items.append(_Item("end-columns", -1, []))
            items.append(
                _Item(
                    "heading",
                    s,
                    _marker_runs(report, s, e),
                    section.level,
                    section=section.index,
                    columns=columns,
                )
            )
        elif sum("\t" in line for line in text.split("\n")) >= 2:
            items.append(
                _Item(
                    "table",
                    s,
                    [],
                    rows=[line.strip().split("\t") for line in text.split("\n") if line.strip()],
                )
            )
        else:
            items.append(_Item("text", s, _marker_runs(report, s, e)))
    return items, title_lines, footnotes


def _render(
    report: Report,
    items: list[_Item],
    title_lines: list[str],
    footnotes: dict[int, str],
    contents: list[tuple[str, int | None]],
    path: Path,
    labels: bool,
    encrypt: str | None,
) -> Layout:
    layout = Layout(path=path)
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1, encrypt=encrypt)
    canvas.setTitle(title_lines[0] if title_lines else report.title)
    front = 2
    writer = _Writer(canvas, layout, footnotes, front if labels else 0)
    # the title page and the contents: no running header or footer
    writer.page = 1
    layout.labels.append("i" if labels else "1")
    y = HEIGHT - 200
    for i, line in enumerate(title_lines):
        size = 22.0 if i == 0 else 13.0
        canvas.setFont("Helvetica-Bold" if i < 2 else "Helvetica", size)
        canvas.drawString(MARGIN_X, y, line)
        y -= size * 2.2
    canvas.showPage()
    writer.page = 2
    layout.labels.append("ii" if labels else "2")
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(MARGIN_X, HEIGHT - TOP - 20, "Contents")
    y = HEIGHT - TOP - 50
    for title, page in contents:
        lines = _wrap([(title, False)], TEXT_WIDTH - 40, 9.5, "Helvetica")
        for k, runs in enumerate(lines):
            canvas.setFont("Helvetica", 9.5)
            canvas.drawString(MARGIN_X, y, runs[0][0].strip())
            if k == len(lines) - 1 and page is not None:
                canvas.drawRightString(WIDTH - MARGIN_X, y, str(page))
            y -= 12.5
        y -= 3
    canvas.showPage()
    if labels:
        canvas.addPageLabel(0, "ROMAN_LOWER", 1)
        canvas.addPageLabel(2, "ARABIC", 1)
    writer.page = 2
    writer.front_pages = front if labels else 0
    writer.column_top = 0.0
    for item in items:
        if item.kind == "end-columns":
            if writer.columns:
                writer.columns = False
                writer.new_page()
            continue
        if item.kind == "heading":
            if writer.columns and item.level <= 1:
                writer.columns = False
            writer.heading(item)
        elif item.kind == "table":
            writer.table(item)
        else:
            writer.text(item)
    writer.finish_page()
    canvas.save()
    layout.page_count = writer.page
    if not labels:
        layout.labels = [str(i + 1) for i in range(writer.page)]
    return layout


def write_report_pdf(
    source: str,
    path: Path,
    *,
    report_id: str = "report",
    two_column: str | None = "Introduction",
    labels: bool = True,
    encrypt: str | None = None,
) -> Layout:
    """Lay ``source`` (a report's text) out as a PDF at ``path``; returns where things went.

    ``labels``: the PDF carries page labels (i, ii for the title and contents pages, then
    1, 2, ... as printed in the footer); without, the printed numbers are the physical pages.
    ``two_column``: the heading of a section set in two columns. ``encrypt``: a user password.
    """
    report = parse_report(source, report_id)
    items, title_lines, footnotes = _items(report, two_column)
    listed = _listed_sections(report)
    # First pass for the pages, second with them in the contents list.
    draft = _render(report, items, title_lines, footnotes, [(t, 0) for t, _ in listed], path, labels, None)
    contents = [(t, draft.heading_pages.get(s) if s is not None else None) for t, s in listed]
    return _render(report, items, title_lines, footnotes, contents, path, labels, encrypt)


def _listed_sections(report: Report) -> list[tuple[str, int | None]]:
    """Each contents entry's title, with the section it names (matched in order)."""
    listed = [s for s in report.sections if s.in_contents]
    out: list[tuple[str, int | None]] = []
    k = 0
    for entry in report.contents:
        found = None
        for j in range(k, min(len(listed), k + 3)):
            if title_similarity(entry.title, listed[j].heading) >= 0.8:
                found, k = listed[j].index, j + 1
                break
        out.append((entry.title, found))
    return out


def write_image_only_pdf(path: Path) -> None:
    """A scanned page: an image and no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for i in range(30):
        draw.line((40, 40 + 24 * i, 560, 40 + 24 * i), fill=0, width=3)
    image_path = path.with_suffix(".png")
    image.save(image_path)
    canvas = Canvas(str(path), pagesize=A4)
    canvas.drawImage(str(image_path), 0, 0, WIDTH, HEIGHT)
    canvas.showPage()
    canvas.save()
    image_path.unlink()
