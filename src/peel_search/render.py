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
    other_reports = [r for r in hit.reports if r != hit.chunk.report_id]
    if other_reports:
        extra.append(f"also in {len(other_reports)} other report(s): {', '.join(other_reports)}")
    elif hit.duplicates:
        extra.append(f"also repeated in {len(hit.duplicates)} other place(s)")
    tail = f"\n   {_DIM if color else ''}({'; '.join(extra)}){_RESET if color else ''}" if extra else ""
    return f"{head}\n{body}{tail}"


def render_result(result: SearchResult, color: bool = False) -> str:
    if not result.hits:
        return "No passage matches."
    lines = []
    if not result.in_report:
        part = any(n.startswith("part of the question") for n in result.notices)
        lead = "The report answers only part of this" if part else "The report does not seem to answer this"
        lines.append(f"{lead}; closest passages:\n")
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


def _cell(cell: Any) -> str:
    if cell is None:
        return "—"
    return cell.grade or "not stated"


def render_matrix(matrix: Any) -> str:
    """The grades matrix as a text table, one row per report, then what each column asks."""
    if not matrix.rows:
        return "No reports."
    header = ["Report", *(c.name for c in matrix.columns)]
    body = [[row.label, *(_cell(c) for c in row.cells)] for row in matrix.rows]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in body), ""]
    out.append("— no such question in that report; not stated: the report gives no grade for it.")
    for column in matrix.columns:
        wordings = sorted({h for _, h in column.headings})
        out.append(f"{column.name}: " + " | ".join(wordings))
    return "\n".join(out)


def render_figures(rows: Sequence[Any]) -> str:
    """Each stated figure on one line (measure, value, subject, area and period), its
    citation under it; a count of them first."""
    if not rows:
        return "No figure matches."
    noun = "figure" if len(rows) == 1 else "figures"
    out = [f"{len(rows)} {noun}:", ""]
    for r in rows:
        f = r.figure
        measure = f"rate per {f.per}" if f.measure == "rate" and f.per else f.measure
        where = ", ".join(x for x in (f.area, f.period) if x)
        subject = f"{f.subject} — {f.label}" if f.label and f.label not in f.subject else f.subject
        out.append(f"[{measure}] {f.value}  {subject}" + (f" ({where})" if where else ""))
        out.append(f"  {r.citation or r.report}")
    return "\n".join(out)


def render_reports(metas: Sequence[Any]) -> str:
    """One line per report: id, force, title, publication month and where it came from
    (its file, with "PDF" for a report read from its PDF, whose pages are the PDF's)."""
    if not metas:
        return "No reports."
    width = max(len(m.report_id) for m in metas)
    lines = []
    for m in metas:
        published = f", published {m.published}" if m.published else ""
        pdf = {"pdf": ", PDF", "html": ", HTML"}.get(getattr(m, "source_format", "text"), "")
        lines.append(
            f"{m.report_id:<{width}}  {m.force or '(force unknown)'} — {m.title}{published}  [{m.file}{pdf}]"
        )
    return "\n".join(lines)


def render_compare(result: Any, color: bool = False) -> str:
    """One block per report: its best passage with the citation, or why there is none."""
    out = [f"Compared across {len(result.rows)} report(s): {result.query}\n"]
    for row in result.rows:
        out.append(f"== {row.report.label}")
        if row.hit is None:
            out.append(f"   {row.note}\n")
        else:
            out.append(render_hit(row.hit, color) + "\n")
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


def render_sections(index: Any, numbers: Sequence[int] | None = None) -> str:
    """The section trees of the reports at ``numbers`` (default: all) with pages and passages."""
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    for c in index.chunks:
        counts[(c.report_id, c.section)] = counts.get((c.report_id, c.section), 0) + 1
    out = []
    for n in range(len(index.reports)) if numbers is None else numbers:
        r = index.reports[n]
        out.append(f"{r['title']} — {r['force']}")
        for s in r["sections"]:
            n = counts.get((r["report_id"], tuple(s["path"])), 0)
            out.append(f"{'  ' * s['level']}{s['heading']}  (p. {s['page']}, {n} passages)")
    return "\n".join(out)


def render_context(ctx: Any, color: bool = False) -> str:
    """A passage in context (a :class:`~peel_search.types.PassageContext`): where it
    stands, the passages of its section or page with it marked (``>>`` and ``»…«``, or
    bold yellow on a terminal), the ids to step to, and the PDF pages it stands on."""
    c = ctx.passage
    head = f"{ctx.report.title} — {ctx.report.force or ctx.report.report_id}"
    where = " › ".join(c.section) or "(before the first heading)"
    if ctx.context == "page":
        where = f"Page {c.page}"
    out = [f"{_BOLD}{head}{_RESET}" if color else head, where, ""]
    for p in ctx.passages:
        this = p.id == c.id
        kind = f"{p.label or p.kind.capitalize()}, " if p.kind != "text" else ""
        place = f"p. {p.page}" + (f", ¶ {p.paragraph}" if p.paragraph else "")
        section = f"{p.section[-1]} — " if ctx.context == "page" and p.section else ""
        text = p.text.replace("\t", "  ")
        if this:
            text = f"{_BOLD}{_YELLOW}{text}{_RESET}" if color else f"»{text}«"
        out.append(f"{'>> ' if this else '   '}{section}{kind}{place}  [{p.id}]")
        out.append(_wrap(text, "   ") + "\n")
    out.append(f"previous: {ctx.previous or '(none: the first passage of the report)'}")
    out.append(f"next:     {ctx.next or '(none: the last passage of the report)'}")
    if ctx.pages:
        pages = ", ".join(f"{p.label} (page {p.physical} of the file)" for p in ctx.pages)
        out.append(f"PDF page: {pages}")
        out.append(
            f"draw it:  peel-search page {ctx.report.report_id} {ctx.pages[0].label} --highlight {c.id} --out page.png"
        )
    return "\n".join(out)
