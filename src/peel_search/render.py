"""Plain-text rendering for the terminal: results, judgments, entities, sections."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from .types import Hit, SearchResult

WIDTH = 100
_BOLD, _YELLOW, _DIM, _RESET = "\x1b[1m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def mark_best_sentence(hit: Hit, color: bool = False) -> str:
    """The passage with its best sentence marked: ``»…«``, or bold yellow on a terminal."""
    text = hit.chunk.text
    a, b = hit.best_sentence_span
    before, best, after = text[:a], text[a:b], text[b:]
    if color:
        return f"{before}{_BOLD}{_YELLOW}{best}{_RESET}{after}"
    return f"{before}»{best}«{after}"


def _wrap(text: str, indent: str) -> str:
    lines = []
    for para in text.split("\n"):
        if not para.strip():
            lines.append("")
            continue
        lines.extend(
            textwrap.wrap(
                para,
                WIDTH - len(indent),
                break_long_words=False,
                break_on_hyphens=False,
                replace_whitespace=False,
            )
            or [""]
        )
    return "\n".join(indent + line if line else "" for line in lines)


def render_hit(hit: Hit, color: bool = False) -> str:
    head = f"{hit.rank}. {hit.citation}"
    if color:
        head = f"{_BOLD}{head}{_RESET}"
    body = _wrap(mark_best_sentence(hit, color).replace("\t", "  "), "   ")
    extra = []
    if hit.chunk.footnotes:
        extra.append("footnotes " + ", ".join(str(n) for n in hit.chunk.footnotes))
    if hit.duplicates:
        extra.append(f"also repeated in {len(hit.duplicates)} other place(s)")
    tail = f"\n   {_DIM if color else ''}({'; '.join(extra)}){_RESET if color else ''}" if extra else ""
    return f"{head}\n{body}{tail}"


def render_result(result: SearchResult, color: bool = False) -> str:
    if not result.hits:
        return "No passage matches."
    lines = []
    if not result.in_report:
        lines.append("The report does not seem to answer this; closest passages:\n")
    lines.extend(render_hit(h, color) + "\n" for h in result.hits)
    return "\n".join(lines).rstrip()


def render_judgments(rows: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for j in rows:
        grade = j["grade"] or "not stated in the report"
        out.append(f"{j['area']}\n  Grade: {grade}")
        if j["sentence"]:
            out.append(_wrap(f"“{j['sentence']}”", "  "))
        out.append(f"  {j['citation']}\n")
    return "\n".join(out).rstrip()


def render_entities(rows: Sequence[tuple[str, str, int]], acronyms: Mapping[str, str]) -> str:
    if not rows:
        return "No entities."
    width = max(len(t) for _, t, _ in rows)
    lines = [f"{'LABEL':<10} {'ENTITY':<{width}}  PASSAGES"]
    for label, text, n in rows:
        expansion = f"  ({acronyms[text]})" if text in acronyms else ""
        lines.append(f"{label:<10} {text:<{width}}  {n:>8}{expansion}")
    return "\n".join(lines)


def render_sections(index: Any) -> str:
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    for c in index.chunks:
        counts[(c.report_id, c.section)] = counts.get((c.report_id, c.section), 0) + 1
    out = []
    for r in index.reports:
        out.append(f"{r['title']} — {r['force']}")
        for s in r["sections"]:
            n = counts.get((r["report_id"], tuple(s["path"])), 0)
            out.append(f"{'  ' * s['level']}{s['heading']}  (p. {s['page']}, {n} passages)")
    return "\n".join(out)
