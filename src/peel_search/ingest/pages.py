"""Page numbers for any offset, from the anchors the text gives us.

Anchors are headings listed in the contents (taken to stand at the top of their page) and
stray page-number lines left by the PDF footer (the text before one ends that page).
Between two anchors the page is interpolated linearly by character offset, never
outside the anchors' pages. A contents-listed heading always gets its listed page.

Text extracted from a PDF (:mod:`.pdf`) needs none of that: it carries its page breaks
(a ``\f`` after each page), and :func:`pdf_page_anchors` pins the first and last
character of every page to that page's number, so :func:`page_at` reads every offset's
page exactly.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from ..types import PageAnchor


def heading_anchor(offset: int, page: int) -> PageAnchor:
    """A listed heading starts its page: text after it runs on through that page."""
    return PageAnchor(offset, float(page))


def footer_anchor(offset: int, page: int) -> PageAnchor:
    return PageAnchor(offset, page + 1.0)


def pdf_page_anchors(source: str, page_numbers: Sequence[int | None]) -> list[PageAnchor]:
    """Exact anchors for text with a ``\f`` after each page: the first and the last
    character of page ``k`` (0-based) both stand at ``page_numbers[k]``. Pages with no
    number (``None``), no text, or a number lower than an earlier page's get no anchor."""
    anchors: list[PageAnchor] = []
    start = 0
    for number in page_numbers:
        end = source.find("\f", start)
        end = len(source) if end < 0 else end
        first, last = start, end
        while first < last and source[first].isspace():
            first += 1
        while last > first and source[last - 1].isspace():
            last -= 1
        if number is not None and last > first and (not anchors or number >= anchors[-1].position):
            anchors += [PageAnchor(first, float(number)), PageAnchor(last - 1, float(number))]
        start = end + 1
        if start > len(source):
            break
    return anchors


def page_at(offset: int, anchors: Sequence[PageAnchor], default: int = 1) -> int:
    """The page at ``offset``, interpolated between the anchors around it.

    ``anchors`` must be sorted by offset. Before the first anchor its page is used,
    after the last one the last page; with no anchors, ``default``.
    """
    if not anchors:
        return default
    offsets = [a.offset for a in anchors]
    i = bisect.bisect_right(offsets, offset)
    if i == 0:
        return max(1, math.floor(anchors[0].position))
    left = anchors[i - 1]
    if i == len(anchors) or left.offset == offset:
        return max(1, math.floor(left.position))
    right = anchors[i]
    low, high = math.floor(left.position), math.floor(right.position)
    if right.position <= left.position:
        return max(1, low)
    share = (offset - left.offset) / (right.offset - left.offset)
    estimate = math.floor(left.position + share * (right.position - left.position))
    return max(1, min(max(estimate, low), high))
