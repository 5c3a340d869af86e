"""A page of a PDF report as a PNG image, with a passage's characters boxed.

The index keeps, for a PDF report, the text :mod:`peel_search.ingest.pdf` extracted (a
``\\f`` after each page), and every passage's character spans into it. That text is not
the PDF's characters one for one: extraction reorders (columns, footnotes after the body),
drops (running headers, page numbers, hyphens at line ends) and adds (spaces, tabs, line
breaks). So a passage is found on its page by its words, not its offsets:

1. the page's words are read from PDFium, each with the box of its characters;
2. the passage's words on that page are read from the extracted text at its spans
   (the part of the spans between the page's two form feeds);
3. the two word sequences are aligned (:func:`align_words`, longest matching blocks, with
   the few words between two matched runs — a word hyphenated over a line end, a footnote
   marker — filled in), and the matched words' boxes are merged into one box per line.

This is recomputed per request (a page is a few thousand characters), so nothing more is
kept at index time and any index built from a PDF can show its pages.

pypdfium2 (PDFium) and Pillow are imported only when a page is drawn.
"""

from __future__ import annotations

import ctypes
import io
import itertools
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from ..errors import CorpusError
from ..types import Span

#: Pixels per PDF point of a drawn page (A4 becomes 893 x 1263 pixels).
SCALE = 1.5
#: A drawn page is never larger than this many pixels a side, whatever the page size.
MAX_PIXELS = 2400
#: The passage's boxes: a translucent fill and a solid edge in a colour no page uses.
FILL = (255, 214, 0)
FILL_ALPHA = 0.35
EDGE = (214, 0, 110)
EDGE_WIDTH = 2
#: Padding around each box, in points.
PAD = 1.5

#: PDFium is not thread-safe: hold this around every use of it (the server draws pages
#: from several threads).
PDFIUM = threading.RLock()
#: A word: letters and digits (``_`` and punctuation separate words, as on the page).
_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a page, in PDF points with the origin at the bottom left."""

    left: float
    bottom: float
    right: float
    top: float

    def union(self, other: Box) -> Box:
        return Box(
            min(self.left, other.left),
            min(self.bottom, other.bottom),
            max(self.right, other.right),
            max(self.top, other.top),
        )


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a PDF page as PDFium reads it: its text (NFKC, case-folded) and box."""

    text: str
    box: Box


@dataclass(frozen=True, slots=True)
class DrawnPage:
    """A page drawn as PNG: ``boxes`` are the passage's boxes in pixels of the image,
    ``(left, top, right, bottom)``, one a line."""

    png: bytes
    width: int
    height: int
    boxes: tuple[tuple[int, int, int, int], ...]


def normalise_word(word: str) -> str:
    """A word as both sides compare it: NFKC (superscript digits, ligatures) and case-folded."""
    return unicodedata.normalize("NFKC", word).casefold()


def text_words(source: str, spans: Sequence[Span]) -> list[str]:
    """The words of ``source`` within ``spans``, normalised, in order."""
    return [normalise_word(m.group()) for a, b in spans for m in _WORD_RE.finditer(source, a, b)]


def align_words(passage: Sequence[str], page: Sequence[str]) -> list[int]:
    """The positions in ``page`` of the words ``passage`` stands on, in page order.

    First the two sequences are aligned in order (difflib's longest matching blocks); a
    lone matched word far from the others (a common word matched elsewhere on the page) is
    dropped, and between two kept blocks the page's words are filled in when there are no
    more of them than the passage's unmatched words there, plus two (a word split by a
    hyphen at a line end is two words on the page and one in the text). Then each run of
    three or more passage words still unmatched is looked for again among the page's
    unused words: extraction may have moved a piece of the passage (a column, a paragraph
    held over a page's footnotes), so the page may hold it elsewhere.
    """
    if not passage or not page:
        return []
    used: set[int] = set()
    matched: set[int] = set()
    _align_in_order(passage, page, 0, used, matched, lone=len(passage) <= 2)
    run: list[int] = []
    for i in [*range(len(passage)), len(passage)]:
        if i < len(passage) and i not in matched:
            run.append(i)
            continue
        if len(run) >= 3:
            _align_in_order([passage[j] for j in run], page, run[0], used, matched, lone=False, fresh=True)
        run = []
    # A word split on the page ("vic" "tims", "judgment" "¹") between two found words,
    # whose parts make an unmatched word of the passage, is part of it too.
    missing = {passage[i] for i in range(len(passage)) if i not in matched}
    found = sorted(used)
    for a, b in itertools.pairwise(found):
        if 1 < b - a <= 4 and "".join(page[a + 1 : b]) in missing:
            used.update(range(a + 1, b))
    return sorted(used)


def _align_in_order(
    passage: Sequence[str],
    page: Sequence[str],
    offset: int,
    used: set[int],
    matched: set[int],
    lone: bool,
    fresh: bool = False,
) -> None:
    """One in-order alignment of ``passage`` (its first word at ``offset`` in the whole
    passage) to ``page``: adds to ``used`` the page words it stands on and to ``matched``
    the passage words found. ``fresh``: only blocks of three or more words, on page
    words not already used."""
    matcher = SequenceMatcher(None, list(passage), list(page), autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if fresh:
        blocks = [b for b in blocks if b.size >= 3 and not used.intersection(range(b.b, b.b + b.size))]
    kept = []
    for n, b in enumerate(blocks):
        if b.size >= 2 or lone:
            kept.append(b)
            continue
        near = [
            o for o in (blocks[n - 1] if n else None, blocks[n + 1] if n + 1 < len(blocks) else None) if o
        ]
        if any(abs(o.b - b.b) <= o.size + 4 and abs(o.a - b.a) <= o.size + 4 for o in near):
            kept.append(b)
    for n, b in enumerate(kept):
        if n:
            prev = kept[n - 1]
            gap_a = b.a - (prev.a + prev.size)
            gap_b = b.b - (prev.b + prev.size)
            if 0 < gap_b <= gap_a + 2 and not used.intersection(range(prev.b + prev.size, b.b)):
                used.update(range(prev.b + prev.size, b.b))
                matched.update(range(offset + prev.a + prev.size, offset + b.a))
        used.update(range(b.b, b.b + b.size))
        matched.update(range(offset + b.a, offset + b.a + b.size))


def line_boxes(boxes: Sequence[Box]) -> list[Box]:
    """Word boxes (in page order) merged into one box a line: a word joins the previous
    box when their heights overlap by more than half and it stands to its right."""
    lines: list[Box] = []
    for box in boxes:
        if lines:
            last = lines[-1]
            overlap = min(last.top, box.top) - max(last.bottom, box.bottom)
            height = min(last.top - last.bottom, box.top - box.bottom)
            if overlap > 0.5 * height and box.left >= last.left - 1:
                lines[-1] = last.union(box)
                continue
        lines.append(box)
    return lines


# -- PDFium ------------------------------------------------------------------------------------


def open_pdf(path: Path) -> object:
    """The PDF at ``path`` opened with PDFium; :class:`CorpusError` if it will not open."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError) as exc:
        raise CorpusError(f"{path.name} cannot be opened ({exc})", "run `peel-search index`") from None


def page_labels(doc: object) -> tuple[str, ...]:
    """Each physical page's label, "" where the PDF has none."""
    labels = []
    for i in range(len(doc)):  # type: ignore[arg-type]
        try:
            labels.append((doc.get_page_label(i) or "").strip())  # type: ignore[attr-defined]
        except Exception:  # a broken label tree: as ingest/pdf.py reads it, no labels
            labels.append("")
    return tuple(labels)


def cited_numbers(labels: Sequence[str]) -> tuple[int | None, ...]:
    """The page number the index cites for each physical page, as :mod:`.ingest.pdf`
    reads it: the label when it is a number; ``None`` for a page labelled otherwise
    ("ii"); the physical number when the PDF has no labels."""
    if not any(labels):
        return tuple(range(1, len(labels) + 1))
    return tuple(int(label) if label.isdigit() else None for label in labels)


def page_words(doc: object, index: int) -> list[Word]:
    """The words of physical page ``index``: runs of letters and digits on one line."""
    import pypdfium2.raw as raw

    page = doc[index]  # type: ignore[index]
    try:
        textpage = page.get_textpage()
        try:
            n = textpage.count_chars()
            if n <= 0:
                return []
            buffer = ctypes.create_string_buffer((n + 1) * 2)
            got = raw.FPDFText_GetText(textpage, 0, n, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
            units = buffer.raw[: max(0, got - 1) * 2].decode("utf-16-le", errors="replace")
            aligned = len(units) == n
            rect = raw.FS_RECTF()
            words: list[Word] = []
            text = ""
            box: Box | None = None
            for k in range(n):
                ch = units[k] if aligned else chr(raw.FPDFText_GetUnicode(textpage, k) or 32)
                if not ch.isalnum():
                    if box is not None:
                        words.append(Word(normalise_word(text), box))
                    text, box = "", None
                    continue
                raw.FPDFText_GetLooseCharBox(textpage, k, rect)
                here = Box(rect.left, rect.bottom, rect.right, rect.top)
                if box is not None:
                    height = max(1.0, box.top - box.bottom)
                    same_line = here.bottom < box.top and here.top > box.bottom
                    if not same_line or here.left < box.right - 0.5 * height:
                        words.append(Word(normalise_word(text), box))
                        text, box = "", None
                text += ch
                box = here if box is None else box.union(here)
            if box is not None:
                words.append(Word(normalise_word(text), box))
            return words
        finally:
            textpage.close()
    finally:
        page.close()


def passage_boxes(doc: object, index: int, source: str, spans: Sequence[Span]) -> list[Box]:
    """The boxes, one a line, of the passage at ``spans`` of ``source`` on page ``index``
    (``spans`` already cut to the page's part of the text)."""
    words = page_words(doc, index)
    found = align_words(text_words(source, spans), [w.text for w in words])
    return line_boxes([words[i].box for i in found])


def draw_page(doc: object, index: int, boxes: Sequence[Box] = (), scale: float = SCALE) -> DrawnPage:
    """Physical page ``index`` drawn at ``scale`` as PNG, with ``boxes`` marked."""
    import numpy as np
    import pypdfium2.raw as raw
    from PIL import Image

    page = doc[index]  # type: ignore[index]
    try:
        width, height = page.get_size()
        scale = min(scale, MAX_PIXELS / max(width, height, 1.0))
        bitmap = page.render(scale=scale, rev_byteorder=True)
        try:
            image = bitmap.to_numpy()[:, :, :3].copy()
        finally:
            bitmap.close()
        h, w = image.shape[:2]
        pixels: list[tuple[int, int, int, int]] = []
        dx, dy = ctypes.c_int(), ctypes.c_int()
        for box in boxes:
            corners = []
            for x, y in ((box.left - PAD, box.top + PAD), (box.right + PAD, box.bottom - PAD)):
                raw.FPDF_PageToDevice(page, 0, 0, w, h, 0, x, y, dx, dy)
                corners.append((dx.value, dy.value))
            (x0, y0), (x1, y1) = corners
            left, right = sorted((max(0, min(w - 1, x0)), max(0, min(w - 1, x1))))
            top, bottom = sorted((max(0, min(h - 1, y0)), max(0, min(h - 1, y1))))
            if right <= left or bottom <= top:
                continue
            pixels.append((left, top, right, bottom))
            area = image[top : bottom + 1, left : right + 1].astype(np.float32)
            area = area * (1 - FILL_ALPHA) + np.asarray(FILL, dtype=np.float32) * FILL_ALPHA
            image[top : bottom + 1, left : right + 1] = area.astype(np.uint8)
        for left, top, right, bottom in pixels:
            t = EDGE_WIDTH
            image[top : top + t, left : right + 1] = EDGE
            image[bottom - t + 1 : bottom + 1, left : right + 1] = EDGE
            image[top : bottom + 1, left : left + t] = EDGE
            image[top : bottom + 1, right - t + 1 : right + 1] = EDGE
        out = io.BytesIO()
        Image.fromarray(image).save(out, format="PNG", compress_level=3)
        return DrawnPage(out.getvalue(), w, h, tuple(pixels))
    finally:
        page.close()
