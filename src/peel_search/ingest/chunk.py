""":class:`Report` -> passages (:class:`Chunk`), section by section.

Paragraphs are the unit. A chunk never crosses a section boundary. Long paragraphs
are split at sentence boundaries into balanced pieces; tiny ones join a neighbour in
the same section. Tables, figures and footnotes are passages of their own.

Every chunk is verbatim: its spans are in source order and never overlap another
chunk's, and its ``text`` is :func:`~peel_search.ingest.text.normalise_for_citation`
of the source at those spans, with the footnote markers inside them removed.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..types import Block, Chunk, ChunkKind, Marker, Report, Span
from . import pages
from .text import marker_spans, normalise_for_citation, passage_text, sentence_spans, word_count


@dataclass(frozen=True, slots=True)
class ChunkConfig:
    """Sizes in words (white-space separated tokens of the passage text)."""

    split_above: int = 150  #: a paragraph longer than this is split ...
    target: int = 100  #: ... into pieces of about this size
    merge_below: int = 30  #: a paragraph shorter than this joins a neighbour ...
    merge_limit: int = 140  #: ... if together they stay within this
    hard_max: int = 250  #: no passage is longer than this

    def __post_init__(self) -> None:
        if not 0 < self.merge_below <= self.merge_limit <= self.hard_max:
            raise ValueError("ChunkConfig needs 0 < merge_below <= merge_limit <= hard_max")
        if not 0 < self.target <= self.split_above <= self.hard_max:
            raise ValueError("ChunkConfig needs 0 < target <= split_above <= hard_max")


DEFAULT_CONFIG = ChunkConfig()


def chunk_id(report_id: str, section: Sequence[str], text: str) -> str:
    """Stable id: a hash of report id, section path and passage text."""
    key = "\x1f".join([report_id, " › ".join(section), text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class _Piece:
    kind: ChunkKind
    spans: list[Span]
    label: str = ""
    first_block: int = 0


_ITEM_RE = re.compile(r"(?m)^\s*[-•·]\s")


def _sentence_atoms(source: str, spans: Sequence[Span], is_list: bool) -> list[Span]:
    """Sentences of a block (items, for a list), as source spans, in reading order."""
    atoms: list[Span] = []
    for start, end in spans:
        raw = source[start:end]
        if is_list:
            cuts = [m.start() for m in _ITEM_RE.finditer(raw)] or [0]
            cuts = ([0] if cuts[0] else []) + cuts + [len(raw)]
            found = [(a, b) for a, b in itertools.pairwise(cuts) if raw[a:b].strip()]
        else:
            found = sentence_spans(raw.replace("\n", " "))
        for a, b in found:
            piece = raw[a:b]
            a += len(piece) - len(piece.lstrip())
            b = a + len(piece.strip())
            atoms.append((start + a, start + b))
    return atoms


def _join_atoms(atoms: Sequence[Span], block_spans: Sequence[Span]) -> list[Span]:
    """Merge consecutive atoms that lie in the same block span into one span."""
    out: list[Span] = []
    last_owner = -1
    for start, end in atoms:
        owner = next(i for i, (s, e) in enumerate(block_spans) if s <= start < e)
        if out and owner == last_owner:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
            last_owner = owner
    return out


def _split_block(
    source: str, block: Block, markers: Sequence[Marker], config: ChunkConfig
) -> list[list[Span]]:
    """Split a long prose block at sentence boundaries into balanced pieces."""
    atoms = _sentence_atoms(source, block.spans, block.kind == "list")
    sizes = [word_count(passage_text(source, [a], markers)) for a in atoms]
    total = sum(sizes)
    if total <= config.split_above or len(atoms) < 2:
        return [list(block.spans)] if total <= config.hard_max else _hard_split(source, block.spans, config)
    n = max(2, math.ceil(total / config.target))
    goal = total / n
    groups: list[list[Span]] = [[]]
    acc = 0
    for atom, size in zip(atoms, sizes, strict=True):
        if groups[-1] and acc + size / 2 > goal * len(groups) and len(groups) < n:
            groups.append([])
        groups[-1].append(atom)
        acc += size
    pieces: list[list[Span]] = []
    for g in groups:
        spans = _join_atoms(g, block.spans)
        if word_count(passage_text(source, spans, markers)) > config.hard_max:
            pieces.extend(_hard_split(source, spans, config))
        else:
            pieces.append(spans)
    return pieces


def _hard_split(source: str, spans: Sequence[Span], config: ChunkConfig) -> list[list[Span]]:
    """Last resort for a run-on sentence: cut at white space every ``target`` words."""
    out: list[list[Span]] = []
    for start, end in spans:
        pos, count, piece_start = start, 0, start
        while pos < end:
            while pos < end and source[pos].isspace():
                pos += 1
            while pos < end and not source[pos].isspace():
                pos += 1
            count += 1
            if count >= config.target:
                out.append([(piece_start, pos)])
                piece_start, count = pos, 0
        if piece_start < end and source[piece_start:end].strip():
            out.append([(piece_start, end)])
    return out


def _pieces_for_section(report: Report, blocks: Sequence[Block], config: ChunkConfig) -> list[_Piece]:
    source, markers = report.source, report.markers
    pieces: list[_Piece] = []
    for number, block in enumerate(blocks, start=1):
        if block.kind in {"table", "figure"}:
            for spans in _split_rows(source, block, markers, config):
                pieces.append(_Piece(block.kind, spans, block.label, number))
            continue
        for spans in _split_block(source, block, markers, config):
            pieces.append(_Piece("text", spans, "", number))
    return _merge_small(source, markers, pieces, config)


def _split_rows(
    source: str, block: Block, markers: Sequence[Marker], config: ChunkConfig
) -> list[list[Span]]:
    """A table or figure stays whole unless it is over the hard limit; then by rows."""
    if word_count(passage_text(source, block.spans, markers, "table")) <= config.hard_max:
        return [list(block.spans)]
    rows: list[Span] = []
    for start, end in block.spans:
        pos = start
        for line in source[start:end].split("\n"):
            if line.strip():
                rows.append((pos, pos + len(line)))
            pos += len(line) + 1
    out: list[list[Span]] = [[]]
    count = 0
    for row in rows:
        size = word_count(source[row[0] : row[1]])
        if size > config.hard_max:  # one row or caption too long on its own
            out.extend(_hard_split(source, [row], config))
            out.append([])
            count = 0
            continue
        if out[-1] and count + size > config.target:
            out.append([])
            count = 0
        out[-1].append(row)
        count += size
    return [piece for piece in out if piece]


def _merge_small(
    source: str, markers: Sequence[Marker], pieces: list[_Piece], config: ChunkConfig
) -> list[_Piece]:
    """Join each tiny prose piece to its next (else previous) prose neighbour."""

    def words(p: _Piece) -> int:
        return word_count(passage_text(source, p.spans, markers))

    merged: list[_Piece] = []
    i = 0
    while i < len(pieces):
        cur = pieces[i]
        if cur.kind == "text":
            while (
                i + 1 < len(pieces)
                and pieces[i + 1].kind == "text"
                and (words(cur) < config.merge_below or words(pieces[i + 1]) < config.merge_below)
                and words(cur) + words(pieces[i + 1]) <= config.merge_limit
            ):
                cur = _Piece("text", cur.spans + pieces[i + 1].spans, "", cur.first_block)
                i += 1
            if (
                words(cur) < config.merge_below
                and merged
                and merged[-1].kind == "text"
                and words(merged[-1]) + words(cur) <= config.merge_limit
            ):
                prev = merged.pop()
                cur = _Piece("text", prev.spans + cur.spans, "", prev.first_block)
        merged.append(cur)
        i += 1
    return merged


def chunk_report(report: Report, config: ChunkConfig = DEFAULT_CONFIG) -> list[Chunk]:
    """Every passage of ``report`` in reading order, footnotes after their section's text."""
    source, markers = report.source, report.markers
    by_section: dict[int, list[Block]] = {}
    for block in report.blocks:
        by_section.setdefault(block.section, []).append(block)
    footnotes_by_section: dict[int, list] = {}
    for fn in report.footnotes:
        footnotes_by_section.setdefault(fn.section, []).append(fn)

    chunks: list[Chunk] = []
    occurrences: dict[tuple[tuple[str, ...], str], int] = {}

    def add(kind: ChunkKind, spans: Sequence[Span], section: int, paragraph: int, label: str) -> None:
        spans = sorted(spans)
        cut = marker_spans(markers, spans)  # what a reader needs to check the text: see Chunk
        text = normalise_for_citation(source, spans, cut, kind)
        if not text:
            return
        path = report.sections[section].path
        start, end = spans[0][0], spans[-1][1]
        # The same text twice under one heading: the second copy's id counts its occurrence.
        nth = occurrences.get((path, text), 0)
        occurrences[(path, text)] = nth + 1
        cid = chunk_id(report.report_id, path, text if nth == 0 else f"{text}\x1f{nth}")
        numbers = tuple(sorted({m.number for m in markers for s, e in spans if s <= m.start < e}))
        page = max(report.sections[section].page, pages.page_at(start, report.page_anchors))
        chunks.append(
            Chunk(
                id=cid,
                report_id=report.report_id,
                kind=kind,
                text=text,
                section=path,
                page=page,
                paragraph=paragraph,
                start=start,
                end=end,
                spans=tuple(spans),
                footnotes=numbers,
                label=label,
                markers=tuple(cut),
            )
        )

    for section in report.sections:
        for piece in _pieces_for_section(report, by_section.get(section.index, []), config):
            add(piece.kind, piece.spans, section.index, piece.first_block, piece.label)
        for fn in footnotes_by_section.get(section.index, []):
            # A footnote may go on in text the PDF put before its body ("... available
            # from:" and a URL above it): the passage reads in source order.
            block = Block(kind="text", spans=tuple(sorted(fn.spans)), section=section.index)
            for spans in _split_block(source, block, markers, config):
                add("footnote", spans, section.index, 0, f"Footnote {fn.number}")
    return chunks
