"""Pure text helpers: the normalisation between source and passage text, sentences, words.

The one normalisation that lies between a chunk's source offsets and its ``text`` is
:func:`normalise_for_citation`; anyone holding the report's source text and a chunk can
run it and check ``chunk.text == normalise_for_citation(source, chunk.spans,
chunk.markers, chunk.kind)``. It does exactly this, and nothing else:

1. take ``source[start:end]`` for each span (spans in source order, not overlapping);
2. delete the footnote markers: every character range in ``markers`` (the markers the
   parser found, including bare-number ones such as the `` 10`` of ``2015. 10 The``),
   then any remaining run of superscript digits (``³``, ``¹⁴``) and any LaTeX
   superscript of numbers (``$^{4\\,5\\,6}$``); and turn ``^{*}`` into ``*``;
3. fold white space, per span: for a ``"table"`` chunk, line breaks and tabs are kept,
   every other run of white space becomes one space, spaces next to a tab and at the
   ends of a row go, and blank rows are dropped; for every other kind, blank lines are
   dropped, a line whose first visible characters are ``- `` (a list item) starts a new
   line, every other line joins the one before with a space, and within each line every
   run of white space becomes one space (ends stripped);
4. drop spans left empty and join the rest with a blank line (``"\\n\\n"``).

:func:`passage_text` is the same normalisation for the pipeline's own use (it takes
:class:`~peel_search.types.Marker` records and an explicit layout).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

from ..types import Marker, Span

Layout = Literal["prose", "list", "table"]

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_VALUE = {c: str(i) for i, c in enumerate(SUPERSCRIPT_DIGITS)}

#: ``³``, ``¹⁴``: a run of superscript digits.
SUPERSCRIPT_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]+")
#: ``$^{4\,5\,6}$``: numbers in a LaTeX superscript, separated by thin spaces.
LATEX_MARKER_RE = re.compile(r"\$\^\{([0-9][0-9\\, ]*)\}\$")
#: ``^{*}``: a table-note marker.
LATEX_STAR_RE = re.compile(r"\^\{\*\}")

_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-]*")

_ABBREVIATIONS = frozenset(
    "e.g i.e etc mr mrs ms dr st no vs cf al approx fig figs para paras ch co ltd inc".split()
)
_SENTENCE_END_RE = re.compile(r"[.!?][\"'’”)\]]*(?=\s+)")


def superscript_value(run: str) -> int:
    """``"¹⁴"`` -> 14."""
    return int("".join(_SUPERSCRIPT_VALUE[c] for c in run))


def latex_marker_numbers(body: str) -> list[int]:
    """``"4\\,5\\,6"`` -> [4, 5, 6]."""
    return [int(n) for n in re.findall(r"\d+", body)]


def fold_whitespace(text: str) -> str:
    """Every run of white space becomes one space; ends stripped."""
    return _WS_RE.sub(" ", text).strip()


def _fold_lines(piece: str, keep: str) -> str:
    if keep == "table":
        rows = [fold_whitespace(row.replace("\t", "\x00")).replace("\x00", "\t") for row in piece.split("\n")]
        return "\n".join(r.replace(" \t", "\t").replace("\t ", "\t") for r in rows if r)
    if keep == "list":
        items: list[str] = []
        for line in piece.split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("- ") or not items:
                items.append(stripped)
            else:
                items[-1] += " " + stripped
        return "\n".join(fold_whitespace(i) for i in items)
    return fold_whitespace(piece)


def normalise_for_citation(
    source: str, spans: Sequence[Span], markers: Iterable[Span] = (), kind: str = "text"
) -> str:
    """The passage text that ``spans`` of ``source`` stand for: see the module docstring.

    ``markers`` are the ``(start, end)`` ranges of the footnote markers to delete (a
    chunk's ``markers``); ``kind`` is the chunk's kind, and only ``"table"`` changes the
    white-space folding. Returns ``""`` when nothing visible is left.
    Raises :class:`ValueError` when a span is empty or outside ``source``, or when the
    spans are not in source order or overlap.
    """
    last = 0
    for start, end in spans:
        if not 0 <= start < end <= len(source):
            raise ValueError(f"span {(start, end)} is empty or outside the source (length {len(source)})")
        if start < last:
            raise ValueError(f"span {(start, end)} is out of source order or overlaps the one before")
        last = end
    return _join(source, spans, sorted(markers), layout_for(kind))


def layout_for(kind: str) -> Layout:
    """How a chunk of ``kind`` folds its white space: ``"table"`` or ``"list"``."""
    return "table" if kind == "table" else "list"


def marker_spans(markers: Iterable[Marker], spans: Iterable[Span]) -> tuple[Span, ...]:
    """The distinct ``(start, end)`` ranges of the ``markers`` that fall inside ``spans``,
    in source order: what a chunk records so that its text can be checked."""
    spans = list(spans)
    found = {(m.start, m.end) for m in markers if any(m.start < e and m.end > s for s, e in spans)}
    return tuple(sorted(found))


def _clean(source: str, span: Span, markers: Sequence[Span], keep: str) -> str:
    start, end = span
    out: list[str] = []
    pos = start
    for m_start, m_end in markers:
        if m_end <= start or m_start >= end:
            continue
        out.append(source[pos : max(pos, m_start)])
        pos = max(pos, m_end)
    out.append(source[pos:end])
    piece = "".join(out)
    piece = SUPERSCRIPT_RE.sub("", piece)
    piece = LATEX_MARKER_RE.sub("", piece)
    piece = LATEX_STAR_RE.sub("*", piece)
    return _fold_lines(piece, keep)


def _join(source: str, spans: Iterable[Span], markers: Sequence[Span], keep: str) -> str:
    pieces = [_clean(source, span, markers, keep) for span in spans]
    return "\n\n".join(p for p in pieces if p)


def _as_spans(markers: Iterable[Marker]) -> list[Span]:
    return sorted({(m.start, m.end) for m in markers})


def clean_piece(source: str, span: Span, markers: Sequence[Marker], keep: str = "prose") -> str:
    """Steps 1-3 of the normalisation for one span, with an explicit layout."""
    return _clean(source, span, _as_spans(markers), keep)


def passage_text(source: str, spans: Iterable[Span], markers: Sequence[Marker], keep: str = "prose") -> str:
    """The text of a passage made of ``spans`` of ``source``, folded as ``keep``
    (``"prose"``, ``"list"`` or ``"table"``): see the module docstring. Unlike
    :func:`normalise_for_citation` it does not check the order of ``spans``."""
    return _join(source, spans, _as_spans(markers), keep)


def sentence_spans(text: str) -> list[Span]:
    """Sentence boundaries in ``text`` as ``(start, end)`` offsets, white space trimmed.

    A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets)
    followed by white space and then a capital, digit, quote or bracket, unless the
    word before the stop is a known abbreviation or a single letter. Line breaks
    (list items, table rows) always end a sentence.
    """
    spans: list[Span] = []
    for line_start, line in _lines_with_offsets(text):
        start = 0
        for m in _SENTENCE_END_RE.finditer(line):
            end = m.end()
            rest = line[end:].lstrip()
            if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "'‘\"“(["):
                continue
            word = re.search(r"([A-Za-z.]+)[.!?]?[\"'’”)\]]*$", line[start:end])
            if word:
                w = word.group(1).rstrip(".").lower()
                if w in _ABBREVIATIONS or (len(w) == 1 and line[m.start()] == "."):
                    continue
            _append_trimmed(spans, line, line_start, start, end)
            start = end
        _append_trimmed(spans, line, line_start, start, len(line))
    return spans


def _lines_with_offsets(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _append_trimmed(spans: list[Span], line: str, base: int, start: int, end: int) -> None:
    piece = line[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        spans.append((base + start + left, base + start + right))


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def words(text: str) -> list[str]:
    """Word tokens (letters, digits, inner apostrophes and hyphens), original case."""
    return _WORD_RE.findall(text)


def word_count(text: str) -> int:
    return len(text.split())


_EVAL_DROP_RE = re.compile(f"[{SUPERSCRIPT_DIGITS}]")
_EVAL_SPLIT_RE = re.compile(r"(?:(?!(?<=\d)\.(?=\d))[^\w%]|_)+")


def eval_normalise(text: str) -> str:
    """The evaluation's matching rule: drop superscripts, NFKC, lower-case, and turn
    every run of characters other than letters, digits, ``%`` and decimal points into one space.
    """
    text = _EVAL_DROP_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text).lower()
    return _EVAL_SPLIT_RE.sub(" ", text).strip()
