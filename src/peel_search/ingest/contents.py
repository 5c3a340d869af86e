"""The report's own contents list: reading it, and finding each entry's heading in the body.

PDF extraction garbles the list: a page number may be missing (``•``, ``_``, blank),
land after a stray ``?`` (``re-offending\t? 26``), and titles carry typos
("includin", "leading people safe"). Entries are matched to body headings by an
order-preserving alignment that tolerates those typos.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from ..types import ContentsEntry

_PAGE_RE = re.compile(r"(\d{1,4})\s*$")
_KEY_RE = re.compile(r"[^a-z0-9]+")

#: Two titles this similar (0-1, difflib ratio on letters and digits) name the same heading.
MATCH_THRESHOLD = 0.86


def parse_contents_lines(lines: Sequence[str]) -> list[ContentsEntry]:
    """One entry per non-empty line: title before the last tab, page number after it (if any)."""
    entries: list[ContentsEntry] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        title, sep, tail = line.rpartition("\t")
        if not sep:
            title, tail = line, ""
            m = _PAGE_RE.search(line)
            if m and m.start() > 0 and line[m.start() - 1] == " ":
                title, tail = line[: m.start()].rstrip(), m.group(1)
        page_match = _PAGE_RE.search(tail)
        page = int(page_match.group(1)) if page_match else None
        stray = tail[: page_match.start()] if page_match else tail
        if "?" in stray and not title.rstrip().endswith("?"):
            title = title.rstrip() + "?"
        title = title.strip()
        if title:
            entries.append(ContentsEntry(title=title, page=page))
    return entries


def title_key(text: str) -> str:
    """Letters and digits only, lower case: what two titles are compared on."""
    return _KEY_RE.sub("", text.lower())


def title_similarity(a: str, b: str) -> float:
    ka, kb = title_key(a), title_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    return SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def align_entries(entries: Sequence[ContentsEntry], candidates: Sequence[str]) -> dict[int, int]:
    """Match contents entries to candidate heading texts, keeping both orders.

    Returns ``{candidate index: entry index}``. The alignment maximises the number of
    matched pairs (ties: total similarity), like a longest common subsequence in which
    two titles are equal when :func:`title_similarity` reaches :data:`MATCH_THRESHOLD`.
    """
    n, m = len(entries), len(candidates)
    if not n or not m:
        return {}
    sim = [[title_similarity(e.title, c) for c in candidates] for e in entries]
    # best[i][j]: best (count, total similarity) aligning entries[i:] with candidates[j:]
    best = [[(0, 0.0)] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            options = [below[j], row[j + 1]]
            s = sim[i][j]
            if s >= MATCH_THRESHOLD:
                c, t = below[j + 1]
                options.append((c + 1, t + s))
            row[j] = max(options)
    matches: dict[int, int] = {}
    i = j = 0
    while i < n and j < m:
        s = sim[i][j]
        if s >= MATCH_THRESHOLD:
            c, t = best[i + 1][j + 1]
            if best[i][j] == (c + 1, t + s):
                matches[j] = i
                i, j = i + 1, j + 1
                continue
        if best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return matches
