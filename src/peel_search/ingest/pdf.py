"""A report's PDF -> text in the shape the parser reads, with its page boundaries.

The parser (:mod:`.parse`) reads paragraphs separated by blank lines, footnote markers as
superscript digits (``judgment¹``), footnote bodies as paragraphs that start with one
(``¹ Outstanding, Good, ...``), table rows as tab-separated lines and list items as lines
starting ``- ``. This module writes exactly that from the characters PDFium reports, each
with its font size, baseline and box, so one parser serves text and PDF alike:

- lines are built from characters on one baseline; a gap wider than about a letter's
  height between two characters is a cell boundary (a tab), a narrower one a space;
- a character smaller than its line and raised above its baseline is a superscript:
  digits become ``⁰``-``⁹`` (footnote markers);
- running headers and page-number footers (a line near the top or foot of the page that
  repeats on other pages, or is the page's own number) are removed;
- the lines at the page foot set smaller than the body, the first starting with a
  superscript number, are footnote bodies: they are written after the page's body text,
  one paragraph per footnote, never inside it;
- a page with two columns of text side by side is read column by column;
- paragraphs break where the line spacing, the font size or the flow (a new column)
  does; a paragraph that runs on over a page or column break is kept whole;
- a word hyphenated at a line end is joined (the hyphen kept only when the document
  uses the hyphenated form elsewhere, as in "anti-social").

Every page ends with a form feed: page ``k`` (0-based) of the PDF is the text between
the ``k``-th and the ``k+1``-th ``\\f``. A paragraph that runs over a page break holds its
``\\f`` inline (it is white space to the parser), so page boundaries stay exact, and
:func:`~peel_search.ingest.pages.pdf_page_anchors` turns them into page numbers with no
interpolation. The page number of a page is its printed label when the PDF has page
labels (pages with a label that is not a number, such as "ii", get none), else its
physical number.

Extraction uses pypdfium2 (PDFium; Apache-2.0/BSD), imported only when a PDF is read.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import CorpusError

#: PDFs larger than this are refused (HMIC's largest reports are a few MB).
MAX_PDF_BYTES = 100 * 1024 * 1024
#: ... and so are PDFs with more pages than this.
MAX_PAGES = 2000
OCR_HINT = "no text layer (a scanned PDF?): run OCR on it first (e.g. ocrmypdf) and add the result"

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BULLET_RE = re.compile(r"^[-•·▪–] ")
_FINISHED_RE = re.compile(r"[.!?:;)\]\"'’”]$")
_HYPHENATED_RE = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")


class UnreadablePdfError(CorpusError):
    """A PDF that cannot be indexed; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class PdfText:
    """A PDF's text in the parser's shape: ``text`` has one ``\\f`` after each page.

    ``labels`` are the PDF's page labels ("" where it has none); ``page_numbers`` the page
    to cite for each physical page (its label when that is a number, else ``None``; the
    physical page when the PDF has no labels).
    """

    text: str
    labels: tuple[str, ...]
    page_numbers: tuple[int | None, ...]

    @property
    def page_count(self) -> int:
        return len(self.labels)


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    base: float
    size: float


@dataclass
class _Line:
    cells: list[str]
    x0: float
    x1: float
    base: float
    size: float
    starts_with_superscript: bool = False

    @property
    def text(self) -> str:
        return "\t".join(self.cells)


@dataclass
class _Para:
    lines: list[_Line] = field(default_factory=list)
    left: float = 0.0  # the edges of the column (flow) it stands in
    right: float = 0.0

    @property
    def size(self) -> float:
        return self.lines[0].size


def extract_pdf(data: bytes) -> PdfText:
    """The text of the PDF ``data`` in the parser's shape, with its page boundaries.

    Raises :class:`UnreadablePdfError` for a PDF that is damaged, encrypted, has no pages,
    too many pages, or no text layer.
    """
    import pypdfium2 as pdfium

    if len(data) > MAX_PDF_BYTES:
        raise UnreadablePdfError(f"{len(data)} bytes is larger than {MAX_PDF_BYTES}: split the PDF")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise UnreadablePdfError(
                "the PDF is encrypted: save an unprotected copy (e.g. qpdf --decrypt) and add that"
            ) from None
        if re.search(rb"/Count\s*0\b", data) and not re.search(rb"/Count\s*[1-9]", data):
            raise UnreadablePdfError("the PDF has no pages") from None  # PDFium will not open it
        raise UnreadablePdfError(
            "the PDF is damaged and cannot be opened: download it again"
            f" ({reason.splitlines()[0] if reason else 'unreadable'})"
        ) from None
    try:
        count = len(doc)
        if count == 0:
            raise UnreadablePdfError("the PDF has no pages")
        if count > MAX_PAGES:
            raise UnreadablePdfError(f"{count} pages is more than {MAX_PAGES}: split the PDF")
        labels = tuple(_label(doc, i) for i in range(count))
        try:
            pages = [_page_lines(doc, i) for i in range(count)]
        except pdfium.PdfiumError as exc:
            raise UnreadablePdfError(f"the PDF is damaged: a page cannot be read ({exc})") from None
        heights = [h for _, h, _ in pages]
        widths = [w for _, _, w in pages]
    finally:
        doc.close()
    line_sets = [lines for lines, _, _ in pages]
    if sum(ch.isalpha() for lines in line_sets for line in lines for ch in line.text) < 20:
        raise UnreadablePdfError(OCR_HINT)
    text = _assemble(line_sets, heights, widths, labels)
    has_labels = any(labels)
    numbers = tuple(
        (int(label) if label.isdigit() else None) if has_labels else i + 1 for i, label in enumerate(labels)
    )
    return PdfText(text=text, labels=labels, page_numbers=numbers)


def _label(doc: object, index: int) -> str:
    try:
        return (doc.get_page_label(index) or "").strip()  # type: ignore[attr-defined]
    except Exception:  # a broken label tree is no reason to refuse the report
        return ""


# -- characters -> lines -------------------------------------------------------------------


def _page_chars(doc: object, index: int) -> tuple[list[_Char], float, float]:
    import pypdfium2.raw as raw

    page = doc[index]  # type: ignore[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            n = textpage.count_chars()
            chars: list[_Char] = []
            if n <= 0:
                return chars, height, width
            buffer = ctypes.create_string_buffer((n + 1) * 2)
            got = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
            units = buffer.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="replace")
            aligned = len(units) == n
            box = raw.FS_RECTF()
            ox, oy = ctypes.c_double(), ctypes.c_double()
            for k in range(n):
                ch = units[k] if aligned else chr(raw.FPDFText_GetUnicode(textpage, k) or 32)
                if ch in "\x02\ufffe":  # PDFium's marks for a hyphen at a line end
                    ch = "-"
                if ch.isspace() or ch in "\x00\uffff":
                    continue
                raw.FPDFText_GetLooseCharBox(textpage, k, box)  # advance width, not ink
                raw.FPDFText_GetCharOrigin(textpage, k, ox, oy)
                size = raw.FPDFText_GetFontSize(textpage, k)
                chars.append(_Char(ch, box.left, box.right, oy.value, size))
            return chars, height, width
        finally:
            textpage.close()
    finally:
        page.close()


def _page_lines(doc: object, index: int) -> tuple[list[_Line], float, float]:
    chars, height, width = _page_chars(doc, index)
    groups: list[list[_Char]] = []
    for c in chars:
        if groups:
            g = groups[-1]
            prev = g[-1]
            ref = max(c.size, *(x.size for x in g))
            base = min(x.base for x in g)
            same_line = -0.5 * ref <= c.base - base <= 0.6 * ref and c.x0 >= prev.x1 - 0.5 * ref
            if same_line:
                g.append(c)
                continue
        groups.append([c])
    return [_line(g) for g in groups], height, width


def _line(chars: list[_Char]) -> _Line:
    sizes = Counter(round(c.size, 1) for c in chars)
    size = max(sizes, key=lambda s: (sizes[s], s))
    normal = [c for c in chars if c.size >= 0.85 * size] or chars
    base = statistics.median(c.base for c in normal)
    cells: list[str] = []
    current = ""
    prev: _Char | None = None
    first_sup = False
    for i, c in enumerate(chars):
        sup = c.size < 0.85 * size and c.base > base + 0.15 * size and c.ch.isdigit()
        ch = c.ch.translate(_SUPERSCRIPT) if sup else c.ch
        if i == 0:
            first_sup = sup
        if prev is not None:
            gap = c.x0 - prev.x1
            if gap > 1.2 * size:
                cells.append(current.strip())
                current = ""
            elif gap > 0.2 * min(prev.size, c.size):
                current += " "
        current += ch
        prev = c
    cells.append(current.strip())
    return _Line(
        cells=cells,
        x0=chars[0].x0,
        x1=max(c.x1 for c in chars),
        base=base,
        size=size,
        starts_with_superscript=first_sup,
    )


# -- pages -> text ---------------------------------------------------------------------------


def _running_lines(pages: Sequence[list[_Line]], heights: Sequence[float], labels: Sequence[str]) -> set[int]:
    """``id`` of each running header or footer line: near the top or foot of its page and
    repeated (digits aside) on at least three pages or half of them, or the page's number."""

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower()).strip()

    edge: list[list[_Line]] = []
    for lines, height in zip(pages, heights, strict=True):
        edge.append([ln for ln in lines if ln.base > 0.88 * height or ln.base < 0.1 * height])
    counts = Counter(k for lines in edge for k in {key(ln) for ln in lines})
    need = max(2, min(3, (len(pages) + 1) // 2))
    found: set[int] = set()
    for i, lines in enumerate(edge):
        for ln in lines:
            text = ln.text.strip()
            number = (
                text == labels[i] or text == str(i + 1) or bool(re.fullmatch(r"(page )?\d{1,4}", text, re.I))
            )
            if counts[key(ln)] >= need or number:
                found.add(id(ln))
    return found


def _reading_order(lines: list[_Line], width: float, body: float) -> list[list[_Line]]:
    """The page's lines as flows in reading order: one flow for a one-column page; for a
    two-column page, the lines above the columns, the left column, the right column, and
    what stands below them, each its own flow."""
    mid = width / 2
    left = [ln for ln in lines if ln.x1 < mid + 2 and ln.size >= 0.95 * body]
    right = [ln for ln in lines if ln.x0 > mid - 2 and ln.size >= 0.95 * body]
    wide = [ln for ln in left if ln.x1 - ln.x0 > 0.25 * width]
    if len(wide) < 3 or len(right) < 3:
        return [lines]
    top = max(ln.base for ln in right) + right[0].size * 2
    bottom = min(ln.base for ln in left + right)
    in_columns = {id(ln) for ln in left + right if bottom <= ln.base <= top}
    above = [ln for ln in lines if id(ln) not in in_columns and ln.base > top]
    below = [ln for ln in lines if id(ln) not in in_columns and ln.base <= top]
    col_left = [ln for ln in lines if id(ln) in in_columns and ln.x1 < mid + 2]
    col_right = [ln for ln in lines if id(ln) in in_columns and ln.x1 >= mid + 2]
    by_height = lambda group: sorted(group, key=lambda ln: -ln.base)  # noqa: E731
    return [f for f in (by_height(above), by_height(col_left), by_height(col_right), by_height(below)) if f]


def _footnote_start(lines: list[_Line], body: float) -> int:
    """Where the page's footnotes begin in ``lines`` (top to bottom): the first of a run of
    small lines at the foot that starts with a superscript number; ``len(lines)`` if none."""
    i = len(lines)
    while i > 0 and lines[i - 1].size < 0.92 * body:
        i -= 1
    for j in range(i, len(lines)):
        if lines[j].starts_with_superscript:
            return j
    return len(lines)


def _paragraphs(flows: list[list[_Line]], width: float) -> list[_Para]:
    """Lines to paragraphs: a break where the spacing, the size or the flow changes,
    unless the last line ran to the edge of its column mid-sentence (the text goes on)."""
    paras: list[_Para] = []
    for flow in flows:
        left, right = min(ln.x0 for ln in flow), max(ln.x1 for ln in flow)
        for k, ln in enumerate(flow):
            if paras and k > 0:
                prev = flow[k - 1]
                gap = prev.base - ln.base
                same = abs(prev.size - ln.size) < 0.6
                if same and 0 < gap <= 1.55 * ln.size:
                    paras[-1].lines.append(ln)
                    continue
            elif paras and k == 0 and _runs_on(paras[-1], ln, width):
                paras[-1].lines.append(ln)
                paras[-1].left, paras[-1].right = left, right
                continue
            paras.append(_Para([ln], left, right))
    return paras


def _runs_on(para: _Para, nxt: _Line, width: float) -> bool:
    """Does ``nxt`` (the first line of a new flow) continue ``para``?"""
    last = para.lines[-1]
    if abs(last.size - nxt.size) >= 0.6 or len(last.cells) > 1 or len(nxt.cells) > 1:
        return False
    if _BULLET_RE.match(nxt.text):
        return False
    return _open_end(para) and para.right - para.left > 0.2 * width


def _page_paragraphs(lines: list[_Line], width: float, body: float) -> tuple[list[_Para], list[_Para]]:
    """The page's body paragraphs and its footnotes (one paragraph each)."""
    flows = _reading_order(lines, width, body)
    last = flows[-1]
    cut = _footnote_start(last, body)
    notes_lines = last[cut:]
    flows[-1] = last[:cut]
    body_paras = _paragraphs([f for f in flows if f], width)
    notes: list[_Para] = []
    for ln in notes_lines:
        if ln.starts_with_superscript or not notes:
            notes.append(_Para([ln]))
        else:
            notes[-1].lines.append(ln)
    return body_paras, notes


def _hyphen_vocabulary(pages: Sequence[list[_Line]]) -> set[str]:
    """Hyphenated words standing whole inside a line somewhere in the document."""
    found: set[str] = set()
    for lines in pages:
        for ln in lines:
            found.update(m.group(0).lower() for m in _HYPHENATED_RE.finditer(ln.text[:-1]))
    return found


def _join(a: str, b: str, vocabulary: set[str], glue: str = " ") -> str:
    """``a`` and the next line ``b``: a hyphen at ``a``'s end that broke a word is removed."""
    m = re.search(r"([A-Za-z]+)-$", a)
    if m and b[:1].islower():
        word = re.match(r"[A-Za-z]+", b)
        whole = f"{m.group(1)}-{word.group(0) if word else ''}".lower()
        if whole in vocabulary:
            return a + b if glue == " " else _move_word(a, b, glue)
        if glue != " ":
            return _move_word(a[:-1], b, glue)
        return a[:-1] + b
    return a + glue + b


def _move_word(a: str, b: str, glue: str) -> str:
    """Across a page break the rest of a broken word stays with its first part."""
    head, _, rest = b.partition(" ")
    return a + head + glue + rest


def _para_text(para: _Para, vocabulary: set[str]) -> str:
    rows = [ln for ln in para.lines if len(ln.cells) > 1]
    if len(rows) >= 2:
        out: list[str] = []
        pending = ""
        for ln in para.lines:
            if len(ln.cells) > 1:
                out.append((pending + " " if pending else "") + ln.text)
                pending = ""
            else:
                pending = (pending + " " + ln.text).strip()
        if pending:
            out.append(pending)
        return "\n".join(out)
    text = ""
    for ln in para.lines:
        line = ln.text
        if not text:
            text = line
        elif _BULLET_RE.match(line):
            text += "\n" + line
        else:
            text = _join(text, line, vocabulary)
    return text


def _assemble(
    pages: Sequence[list[_Line]], heights: Sequence[float], widths: Sequence[float], labels: Sequence[str]
) -> str:
    """The pages' text, a ``\f`` after each page. A page's last paragraph that may run on
    to the next page is held back, after the page's footnotes, and joined to the next
    page's first paragraph across the ``\f`` when that continues it."""
    running = _running_lines(pages, heights, labels)
    sizes: Counter[float] = Counter()
    for lines in pages:
        for ln in lines:
            sizes[ln.size] += len(ln.text)
    body = max(sizes, key=lambda s: sizes[s]) if sizes else 10.0
    vocabulary = _hyphen_vocabulary(pages)

    out: list[str] = []
    held: tuple[_Para, str] | None = None  # the last paragraph of the previous page, open
    for index, (lines, width) in enumerate(zip(pages, widths, strict=True)):
        kept = [ln for ln in lines if id(ln) not in running and ln.text.strip()]
        paras, notes = _page_paragraphs(kept, width, body)
        texts = [_para_text(p, vocabulary) for p in paras]
        if index:
            if held is not None and paras and _runs_on(held[0], paras[0].lines[0], width):
                texts[0] = _join(held[1], texts[0], vocabulary, glue="\f")
            else:
                if held is not None:
                    out.append(held[1] + "\n\n")
                out.append("\f\n\n")
        held = None
        if paras and _open_end(paras[-1]):
            held = (paras[-1], texts.pop())
        out.extend(t + "\n\n" for t in [*texts, *(_note_text(p, vocabulary) for p in notes)])
    if held is not None:
        out.append(held[1] + "\n")
    return "".join(out).rstrip() + "\n"


def _open_end(para: _Para) -> bool:
    """May ``para`` run on to the next page: it stops mid-sentence on a full line?"""
    last = para.lines[-1]
    if len(last.cells) > 1:
        return False
    # A sentence may end on a page's last line with more to come: only a line filled to
    # the edge (a paragraph's own last line seldom is) is taken to go on then.
    fill = 0.95 if _FINISHED_RE.search(last.text) else 0.85
    return last.x1 - para.left >= fill * (para.right - para.left)


def _note_text(para: _Para, vocabulary: set[str]) -> str:
    text = _para_text(para, vocabulary)
    return re.sub(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*", r"\1 ", text)
