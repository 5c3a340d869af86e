"""Pure text helpers: the normalisation between source and passage text, sentences, words.

The one normalisation that lies between a chunk's source offsets and its ``text``
is :func:`passage_text`:

1. take ``source[start:end]`` for each span, in order;
2. delete every footnote marker inside it (superscript digits, ``$^{4\\,5\\,6}$``,
   and the bare-digit markers the parser found), and turn ``^{*}`` into ``*``;
3. fold white space: in prose every run becomes one space; in lists each ``- `` item
   keeps its own line; in tables tabs and row breaks are kept;
4. join the spans with a blank line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from ..types import Marker, Span

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


def clean_piece(source: str, span: Span, markers: Sequence[Marker], keep: str = "prose") -> str:
    """Steps 1-3 of :func:`passage_text` for one span."""
    start, end = span
    out: list[str] = []
    pos = start
    for m in markers:
        if m.end <= start or m.start >= end:
            continue
        out.append(source[pos : max(pos, m.start)])
        pos = max(pos, m.end)
    out.append(source[pos:end])
    piece = "".join(out)
    piece = SUPERSCRIPT_RE.sub("", piece)
    piece = LATEX_MARKER_RE.sub("", piece)
    piece = LATEX_STAR_RE.sub("*", piece)
    return _fold_lines(piece, keep)


def passage_text(source: str, spans: Iterable[Span], markers: Sequence[Marker], keep: str = "prose") -> str:
    """The text of a passage made of ``spans`` of ``source``: see the module docstring."""
    pieces = [clean_piece(source, span, markers, keep) for span in spans]
    return "\n\n".join(p for p in pieces if p)


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
