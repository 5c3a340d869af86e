"""Footnote markers in the body text, each linked to its footnote number.

Three forms survive PDF extraction: superscript digits (``(IOM)³``, ``Wales¹⁴``), a
LaTeX superscript (``$^{4\\,5\\,6}$``), and, where the superscript was lost, a bare
number (``December 2015. 10 The following``, ``30 June 2015 12 13``). A bare number
is taken as a marker only for a footnote that has no other marker, and only the last
standalone occurrence of that number between the previous footnote's marker and the
footnote's own body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..types import Marker
from .text import LATEX_MARKER_RE, SUPERSCRIPT_RE, latex_marker_numbers, superscript_value

_BODY_RE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
#: Kinds of paragraph whose text may carry markers.
_MARKED_KINDS = frozenset({"text", "list", "heading", "caption", "fragment", "attached", "label", "note"})


def _split_run(run: str, numbers: set[int]) -> list[int]:
    """``"¹²¹³"`` -> [12, 13] when 1213 is not a footnote but 12 and 13 are."""
    value = superscript_value(run)
    if value in numbers or not numbers:
        return [value]
    digits = str(value)
    for cut in range(1, len(digits)):
        a, b = int(digits[:cut]), int(digits[cut:])
        if a in numbers and b in numbers and not digits[cut:].startswith("0"):
            return [a, b]
    return [value]


def find_markers(source: str, paras: Sequence[tuple[int, int, str]]) -> list[Marker]:
    """Every footnote marker in the paragraphs ``(start, end, kind)``, sorted by offset."""
    bodies: dict[int, int] = {}
    for start, end, kind in paras:
        if kind == "footnote":
            m = _BODY_RE.match(source[start:end])
            if m:
                bodies.setdefault(superscript_value(m.group(1)), start)
    numbers = set(bodies)
    marked = [(s, e) for s, e, kind in paras if kind in _MARKED_KINDS]

    markers: list[Marker] = []
    for start, end in marked:
        text = source[start:end]
        for m in SUPERSCRIPT_RE.finditer(text):
            for n in _split_run(m.group(0), numbers):
                markers.append(Marker(n, start + m.start(), start + m.end()))
        for m in LATEX_MARKER_RE.finditer(text):
            for n in latex_marker_numbers(m.group(1)):
                markers.append(Marker(n, start + m.start(), start + m.end()))

    have = {m.number for m in markers}
    for number in sorted(numbers - have):
        body_at = bodies[number]
        earlier = [m.end for m in markers if m.number < number and m.end <= body_at]
        window_start = max(earlier, default=0)
        found = _last_bare_number(source, marked, number, window_start, body_at)
        if found is not None:
            markers.append(Marker(number, found[0], found[1]))
    markers.sort(key=lambda m: (m.start, m.number))
    return markers


def _last_bare_number(
    source: str, marked: Sequence[tuple[int, int]], number: int, lo: int, hi: int
) -> tuple[int, int] | None:
    pattern = re.compile(rf"(?<![\w.,/£$%\-])\s?{number}(?![\w.,%/\-])(?!\s*(?:percent|per cent))")
    best: tuple[int, int] | None = None
    for start, end in marked:
        if end <= lo or start >= hi:
            continue
        for m in pattern.finditer(source, max(start, lo), min(end, hi)):
            best = (m.start(), m.end())
    return best
