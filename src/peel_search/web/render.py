"""HTML for the web app: result cards, the judgments table, evidence and passage lists.

Pure functions from values to HTML strings. Every piece of report text is escaped with
:func:`html.escape`; the only markup is what these functions write themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from html import escape
from typing import Any

from ..index.lexical import tokenize
from ..types import CompareResult, Entity, Hit, SearchResult
from .context import context_button

NOT_ANSWERED = "The report does not seem to answer this"
NOT_ANSWERED_MANY = "These reports do not seem to answer this"
PART_ANSWERED = "The report answers only part of this"
_NOT_ANSWERED_NOTICE = "not answered in the report: "
_PART_NOTICE = "part of the question is not answered in the report: "
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_GRADE_CLASS = {
    "Outstanding": "outstanding",
    "Good": "good",
    "Adequate": "adequate",
    "Requires improvement": "ri",
    "Inadequate": "inadequate",
}
#: Copies the button's ``data-cite`` to the clipboard and says so on the button.
FootnoteLookup = Callable[[Hit], Sequence[tuple[int, str]]]


def _no_footnotes(hit: Hit) -> Sequence[tuple[int, str]]:
    return ()


def mark_terms(text: str, terms: set[str]) -> str:
    """``text`` escaped, with each word whose stem is among ``terms`` in ``<mark class="term">``."""
    if not terms:
        return escape(text)
    out: list[str] = []
    last = 0
    for m in _WORD_RE.finditer(text):
        if terms & set(tokenize(m.group())):
            out.append(escape(text[last : m.start()]))
            out.append(f'<mark class="ps-term">{escape(m.group())}</mark>')
            last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def passage_html(text: str, best: tuple[int, int], terms: set[str]) -> str:
    """The passage with its best sentence highlighted and the query's words marked."""
    a, b = best
    if not 0 <= a < b <= len(text):
        return mark_terms(text, terms)
    return (
        mark_terms(text[:a], terms)
        + f'<span class="ps-best">{mark_terms(text[a:b], terms)}</span>'
        + mark_terms(text[b:], terms)
    )


def citation_html(citation: str) -> str:
    """The citation with its parts (report, section path, page and paragraph) styled apart;
    its text content is exactly ``citation``."""
    parts = citation.split(" — ")
    if len(parts) != 3:
        return f'<span class="ps-cite">{escape(citation)}</span>'
    report, section, location = (escape(p) for p in parts)
    return (
        f'<span class="ps-cite"><span class="ps-cite-report">{report}</span> — '
        f'<span class="ps-cite-section">{section}</span> — '
        f'<span class="ps-cite-location">{location}</span></span>'
    )


def copy_button(citation: str) -> str:
    """Copies ``citation`` (the page's script, :mod:`.address`, does it)."""
    return (
        f'<button type="button" class="ps-copy" data-ps="cite" data-cite="{escape(citation, quote=True)}" '
        'title="Copy the full citation">Copy citation</button>'
    )


def link_button(passage_id: str) -> str:
    """Copies an address that opens this passage in its context."""
    return (
        f'<button type="button" class="ps-action ps-link" data-ps="link" data-id="{escape(passage_id, quote=True)}" '
        'title="Copy a link to this passage">Copy link</button>'
    )


def export_bar(route: str, query: str) -> str:
    """ "Download CSV" and "Copy as Markdown" for what ``route`` (``api/search``) answers to
    ``query`` (the request's URL-encoded fields)."""
    base = escape(f"{route}?{query}&format=" if query else f"{route}?format=", quote=True)
    return (
        '<div class="ps-export">'
        f'<a class="ps-export-csv" href="{base}csv" download>Download CSV</a>'
        f'<button type="button" class="ps-action" data-ps="markdown" data-url="{base}markdown">Copy as Markdown</button>'
        "</div>"
    )


def entity_chips(
    entities: Iterable[Entity], acronyms: Mapping[str, str], group_of: Callable[[str], str]
) -> str:
    """One chip per distinct entity; acronyms show their expansion."""
    seen: set[tuple[str, str]] = set()
    chips: list[str] = []
    for e in entities:
        name = e.canonical or e.text
        key = (e.label, name.casefold())
        if key in seen:
            continue
        seen.add(key)
        group = group_of(e.label)
        css = re.sub(r"[^a-z]+", "-", group.lower()).strip("-")
        expansion = acronyms.get(name, "")
        tail = f' <span class="ps-expansion">{escape(expansion)}</span>' if expansion else ""
        chips.append(
            f'<span class="ps-chip ps-chip-{css}" title="{escape(group, quote=True)}">'
            f"{escape(name)}{tail}</span>"
        )
    return f'<div class="ps-chips">{"".join(chips)}</div>' if chips else ""


def footnotes_html(footnotes: Sequence[tuple[int, str]]) -> str:
    """The passage's footnotes, folded away until opened."""
    if not footnotes:
        return ""
    numbers = ", ".join(str(n) for n, _ in footnotes)
    items = "".join(f'<li value="{n}">{escape(text)}</li>' for n, text in footnotes)
    noun = "Footnote" if len(footnotes) == 1 else "Footnotes"
    return f'<details class="ps-footnotes"><summary>{noun} {numbers}</summary><ol>{items}</ol></details>'


def copies_html(hit: Hit) -> str:
    """The copies folded into a hit, folded away until opened: "Also in 2 other reports"
    (counting reports, not copies) with each copy's citation, and apart, labelled, the
    places the same report repeats it."""
    if not hit.copies:
        return ""
    own = hit.chunk.report_id
    elsewhere = [c for c in hit.copies if c.report_id != own]
    repeats = [c for c in hit.copies if c.report_id == own]
    parts = []
    reports = list(dict.fromkeys(c.report_id for c in elsewhere))
    if reports:
        summary = f"Also in {len(reports)} other report{'s' if len(reports) != 1 else ''}"
        items = "".join(f"<li>{citation_html(c.citation)}</li>" for c in elsewhere)
        parts.append(
            f'<details class="ps-copies"><summary>{escape(summary)}</summary>'
            f'<ul class="ps-copies-list">{items}</ul></details>'
        )
    if repeats:
        n = len(repeats)
        summary = f"Repeated in {n} other place{'s' if n != 1 else ''} in this report"
        items = "".join(f"<li>{citation_html(c.citation)}</li>" for c in repeats)
        parts.append(
            f'<details class="ps-copies ps-repeats"><summary>{escape(summary)}</summary>'
            f'<ul class="ps-copies-list">{items}</ul></details>'
        )
    return "".join(parts)


def variants_html(hit: Hit) -> str:
    """What the same wording says elsewhere: "Same wording in Durham Constabulary 2016, which
    says inadequate", each with its citation. Never folded away: a difference is news."""
    if not hit.variants:
        return ""
    items = []
    for v in hit.variants:
        where = "elsewhere in this report" if v.report_id == hit.chunk.report_id else f"in {v.report}"
        says = ", ".join(v.says)
        said = f", which says <em>{escape(says)}</em>" if says else ", which says something else"
        items.append(f"<li>Same wording {escape(where)}{said} — {citation_html(v.citation)}</li>")
    return f'<ul class="ps-variants">{"".join(items)}</ul>'


def _kind_badge(hit: Hit) -> str:
    chunk = hit.chunk
    if chunk.kind == "text":
        return ""
    label = chunk.label or chunk.kind.capitalize()
    return f'<span class="ps-kind">{escape(label)}</span>'


def hit_card(
    hit: Hit,
    terms: set[str],
    acronyms: Mapping[str, str],
    group_of: Callable[[str], str],
    footnotes: Sequence[tuple[int, str]] = (),
    show_rank: bool = True,
) -> str:
    """One passage as a card: rank, citation with a copy button, the passage, entities, footnotes."""
    rank = f'<span class="ps-rank" title="Rank">{hit.rank}</span>' if show_rank else ""
    text_class = "ps-passage ps-table" if hit.chunk.kind == "table" else "ps-passage"
    return (
        '<article class="ps-card">'
        f'<header class="ps-card-head">{rank}{citation_html(hit.citation)}'
        f"{copy_button(hit.full_citation or hit.citation)}{link_button(hit.chunk.id)}</header>"
        f"{_kind_badge(hit)}"
        f'<p class="{text_class}">{passage_html(hit.chunk.text, hit.best_sentence_span, terms)}</p>'
        f"{entity_chips(hit.chunk.entities, acronyms, group_of)}"
        f"{footnotes_html(footnotes)}"
        f"{variants_html(hit)}"
        f"{copies_html(hit)}"
        f"{context_button(hit.chunk.id)}"
        "</article>"
    )


def notices_html(notices: Iterable[str]) -> str:
    items = "".join(f'<p class="ps-notice">{escape(n[:1].upper() + n[1:])}.</p>' for n in notices)
    return items


def message_html(text: str, kind: str = "info") -> str:
    """A calm one-line message in the page (``kind`` is ``info`` or ``warning``)."""
    return f'<div class="ps-message ps-message-{escape(kind, quote=True)}">{escape(text)}</div>'


def result_html(
    result: SearchResult,
    terms: set[str],
    acronyms: Mapping[str, str],
    group_of: Callable[[str], str],
    footnotes: FootnoteLookup = _no_footnotes,
    export: str = "",
    many: bool = False,
) -> str:
    """A search result: notices, one plain warning when the report (``many``: the reports)
    does not seem to answer, saying why, then the ranked cards; with ``export`` (the
    request's fields, URL-encoded) a bar to download or copy them, and the same fields as
    ``data-address`` for the page's script to write into the address bar."""
    said = (_NOT_ANSWERED_NOTICE, _PART_NOTICE)
    why = [n.removeprefix(p) for n in result.notices for p in said if n.startswith(p)]
    head = notices_html(n for n in result.notices if not n.startswith(said))
    if not result.hits:
        return head + message_html("No passage matches. Try other words or remove a filter.")
    if not result.in_report:
        in_part = any(n.startswith(_PART_NOTICE) for n in result.notices)
        lead = PART_ANSWERED if in_part else NOT_ANSWERED_MANY if many else NOT_ANSWERED
        reason = f": {why[0]}" if why else ""
        head += message_html(f"{lead}{reason}. The closest passages:", "warning")
    bar = export_bar("api/search", export) if export else ""
    cards = "".join(hit_card(h, terms, acronyms, group_of, footnotes(h)) for h in result.hits)
    address = f' data-address="{escape(export, quote=True)}"' if export else ""
    return f'<div class="ps-results" data-query="{escape(result.query, quote=True)}"{address}>{head}{bar}{cards}</div>'


def passage_list(
    hits: Sequence[Hit],
    terms: set[str],
    acronyms: Mapping[str, str],
    group_of: Callable[[str], str],
    footnotes: FootnoteLookup = _no_footnotes,
    heading: str = "",
    empty: str = "No passage matches.",
) -> str:
    """Passages in report order (no best sentence), under an optional heading with a count."""
    title = ""
    if heading:
        noun = "passage" if len(hits) == 1 else "passages"
        title = f'<h3 class="ps-list-head">{escape(heading)} <span class="ps-count">{len(hits)} {noun}</span></h3>'
    if not hits:
        return f"{title}{message_html(empty)}"
    cards = "".join(
        hit_card(
            replace(h, best_sentence="", best_sentence_span=(0, 0)),
            terms,
            acronyms,
            group_of,
            footnotes(h),
            show_rank=False,
        )
        for h in hits
    )
    return f'<div class="ps-results">{title}{cards}</div>'


def grade_badge(grade: str | None) -> str:
    text = grade or "Not stated"
    css = _GRADE_CLASS.get(text, "none")
    return f'<span class="ps-grade ps-grade-{css}">{escape(text)}</span>'


def judgments_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The graded judgments, each with its grade, the sentence it came from and its citation."""
    body = []
    for j in rows:
        sentence = (
            f"“{escape(j['sentence'])}”"
            if j["sentence"]
            else '<span class="ps-muted">The report does not state a grade for this question.</span>'
        )
        area = "Overall judgment" if j["area"] == "Overall" else j["area"]
        css = _GRADE_CLASS.get(j["grade"] or "", "none")
        body.append(
            f'<tr class="ps-row-{css}"><th scope="row">{escape(area)}</th>'
            f"<td>{grade_badge(j['grade'])}</td>"
            f'<td><div class="ps-sentence">{sentence}</div>'
            f'<div class="ps-row-cite">{citation_html(j["citation"])}</div></td></tr>'
        )
    return (
        '<table class="ps-judgments"><thead><tr><th scope="col">Question</th><th scope="col">Grade</th>'
        '<th scope="col">Where the report says so</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def figures_html(rows: Sequence[Any], export: str = "") -> str:
    """The stated figures as a table — measure, value, subject, area, period, where it
    stands — each row with its passage's citation; a count first, and with ``export`` (the
    request's fields, URL-encoded) a link to download them as CSV."""
    if not rows:
        return message_html("No figure matches. Choose another measure or fewer subject words.")
    noun = "figure" if len(rows) == 1 else "figures"
    body = []
    for r in rows:
        f = r.figure
        measure = f"rate per {f.per}" if f.measure == "rate" and f.per else f.measure
        subject = f"{f.subject} — {f.label}" if f.label and f.label not in f.subject else f.subject
        body.append(
            f'<tr class="ps-figure-{escape(f.measure, quote=True)}"><td>{escape(measure)}</td>'
            f'<td class="ps-figure-value">{escape(f.value)}</td><td>{escape(subject)}</td>'
            f"<td>{escape(f.area)}</td><td>{escape(f.period)}</td>"
            f'<td><div class="ps-row-cite">{citation_html(r.citation or r.report)}</div></td></tr>'
        )
    bar = (
        '<div class="ps-export">'
        f'<a class="ps-export-csv" href="{escape(f"api/figures?{export}&format=csv", quote=True)}" download>'
        "Download CSV</a></div>"
        if export
        else ""
    )
    return (
        f'<div class="ps-figures"><p class="ps-count">{len(rows)} {noun}</p>{bar}'
        '<table class="ps-judgments ps-figures-table"><thead><tr><th scope="col">Measure</th>'
        '<th scope="col">Value</th><th scope="col">Subject</th><th scope="col">Area</th>'
        '<th scope="col">Period</th><th scope="col">Where the report says so</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def evidence_html(
    judgment: Mapping[str, Any],
    summary: Sequence[Hit],
    improvements: Sequence[Hit],
    supporting: Sequence[Hit],
    render_list: Callable[..., str],
) -> str:
    """The evidence for one judgment: its summary of findings, areas for improvement and
    the strongest supporting passages. ``render_list`` is :func:`passage_list` with the
    index's helpers bound."""
    area = "Overall judgment" if judgment["area"] == "Overall" else judgment["area"]
    head = f'<div class="ps-evidence-head"><h3>{escape(area)}</h3>{grade_badge(judgment["grade"])}</div>'
    parts = [
        head,
        render_list(
            summary,
            heading="Summary of findings",
            empty="The report has no summary of findings under this question.",
        ),
        render_list(
            improvements,
            heading="Areas for improvement",
            empty="The report lists no areas for improvement under this question.",
        ),
        render_list(
            supporting, heading="Strongest supporting passages", empty="No supporting passages found."
        ),
    ]
    return f'<div class="ps-evidence">{"".join(parts)}</div>'


def compare_html(
    result: CompareResult,
    terms: set[str],
    acronyms: Mapping[str, str],
    group_of: Callable[[str], str],
    footnotes: FootnoteLookup = _no_footnotes,
    export: str = "",
) -> str:
    """One question across reports, side by side: a column per report with its best passage
    (cited, best sentence marked), or a note where the report holds nothing that answers it;
    with ``export`` (the request's fields, URL-encoded) a bar to download or copy them."""
    head = notices_html(result.notices)
    if not result.rows:
        return head + message_html("No report to compare.")
    head += export_bar("api/compare", export) if export else ""
    cells = []
    for row in result.rows:
        title = (
            f'<h3 class="ps-compare-report" title="{escape(row.report.title, quote=True)}">'
            f"{escape(row.report.label)}</h3>"
        )
        if row.hit is None:
            body = f'<div class="ps-compare-none">{escape(row.note[:1].upper() + row.note[1:])}.</div>'
        else:
            body = hit_card(row.hit, terms, acronyms, group_of, footnotes(row.hit), show_rank=False)
        report = escape(row.report.report_id, quote=True)
        cells.append(f'<section class="ps-compare-cell" data-report="{report}">{title}{body}</section>')
    return (
        f'<div class="ps-compare" data-query="{escape(result.query, quote=True)}">{head}'
        f'<div class="ps-compare-grid">{"".join(cells)}</div></div>'
    )


def matrix_html(matrix: Any, citations: Mapping[tuple[str, str], str], export: str | None = None) -> str:
    """The grades matrix: a row per report, a column per aligned question; each grade opens
    to the sentence it was read from, with that sentence's citation (report, section, page).
    ``citations`` maps ``(report id, heading)`` to the citation; with ``export`` (the
    scope's fields, URL-encoded, maybe empty) a bar to download or copy the matrix."""
    if not matrix.rows:
        return message_html("No reports in scope.")
    head = "".join(
        f'<th scope="col" title="{escape(" | ".join(sorted({h for _, h in c.headings})), quote=True)}">'
        f"{escape(c.name)}</th>"
        for c in matrix.columns
    )
    body = []
    for row in matrix.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append('<td class="ps-matrix-empty" title="No such question in this report">—</td>')
                continue
            sentence = (
                f"“{escape(cell.sentence)}”"
                if cell.sentence
                else '<span class="ps-muted">The report does not state a grade for this question.</span>'
            )
            cite = citations.get((row.report_id, cell.heading), "")
            carried = (
                f'<div class="ps-muted">Carried over from the {escape(cell.carried_from)} inspection.</div>'
                if cell.carried_from
                else ""
            )
            cells.append(
                '<td><details class="ps-matrix-grade">'
                f'<summary title="Show the sentence this grade comes from">{grade_badge(cell.grade)}</summary>'
                f'<div class="ps-matrix-source"><div class="ps-matrix-heading">{escape(cell.heading)}</div>'
                f'<div class="ps-sentence">{sentence}</div>{carried}'
                f'<div class="ps-row-cite">{citation_html(cite)}</div></div></details></td>'
            )
        body.append(f'<tr><th scope="row">{escape(row.label)}</th>{"".join(cells)}</tr>')
    bar = export_bar("api/grades", export) if export is not None else ""
    return (
        f'<div class="ps-matrix-wrap">{bar}<table class="ps-matrix"><thead><tr><th scope="col">Report</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        '<p class="ps-matrix-note">Click a grade to see the sentence it comes from. '
        "— : the report has no such question.</p></div>"
    )


CSS = """
#ps-map, #ps-entity-table {--font-mono: var(--font);}
.ps-header h1 {font-size: 1.45rem; margin: 0 0 .15rem 0;}
.ps-header p {margin: 0; color: var(--body-text-color-subdued);}
.ps-results {display: flex; flex-direction: column; gap: .75rem;}
.ps-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .8rem 1rem;
  background: var(--block-background-fill);}
.ps-card-head {display: flex; align-items: flex-start; gap: .6rem; margin-bottom: .45rem;}
.ps-rank {flex: none; min-width: 1.7rem; height: 1.7rem; border-radius: 50%; background: #1f4e79; color: #fff;
  display: inline-flex; align-items: center; justify-content: center; font-weight: 600; font-size: .9rem;}
.ps-cite {flex: 1; font-size: .88rem; line-height: 1.35; color: var(--body-text-color-subdued);}
.ps-cite-section {color: var(--body-text-color);}
.ps-cite-location {font-weight: 600; color: var(--body-text-color); white-space: nowrap;}
.ps-copy, .ps-action {flex: none; font-size: .78rem; padding: .2rem .55rem; border-radius: 5px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color);}
.ps-copy:hover, .ps-action:hover {border-color: #1f4e79;}
.ps-passage {margin: 0; line-height: 1.55; white-space: pre-line;}
.ps-passage.ps-table {white-space: pre-wrap; font-family: var(--font-mono); font-size: .85rem;}
.ps-best {background: rgba(255, 214, 102, .45); border-radius: 3px; padding: 0 .1rem;}
mark.ps-term {background: none; color: inherit; font-weight: 700; text-decoration: underline;
  text-decoration-color: #1f4e79; text-underline-offset: 2px;}
.ps-kind {display: inline-block; font-size: .75rem; font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; color: #1f4e79; margin-bottom: .3rem;}
.ps-chips {display: flex; flex-wrap: wrap; gap: .3rem; margin-top: .55rem;}
.ps-chip {font-size: .76rem; padding: .08rem .5rem; border-radius: 999px; border: 1px solid #c9d3de;
  background: #f1f4f8; color: #27384a;}
.ps-chip-organisations {background: #e8f0fb; border-color: #b9cde9;}
.ps-chip-places {background: #e9f5ee; border-color: #b7dbc4;}
.ps-chip-programmes-and-operations {background: #f3ecf9; border-color: #d5c2e8;}
.ps-chip-policing-terms {background: #fdf3e3; border-color: #ecd3a6;}
.ps-expansion {color: #5b6b7c; font-style: italic;}
.ps-footnotes {margin-top: .5rem; font-size: .85rem;}
.ps-footnotes summary {cursor: pointer; color: #1f4e79;}
.ps-footnotes ol {margin: .3rem 0 0 1.2rem;}
.ps-message {padding: .6rem .85rem; border-radius: 6px; border: 1px solid var(--border-color-primary);
  background: var(--background-fill-secondary);}
.ps-message-warning {border-color: #e0b354; background: #fdf6e3; color: #5c4300; font-weight: 600;}
.ps-notice {margin: 0; font-size: .85rem; color: #5c4300;}
.ps-list-head {font-size: 1.02rem; margin: .8rem 0 .2rem 0; display: flex; gap: .6rem; align-items: baseline;}
.ps-count {font-size: .8rem; font-weight: 400; color: var(--body-text-color-subdued);}
.ps-muted {color: var(--body-text-color-subdued); font-style: italic;}
.ps-grade {display: inline-block; padding: .15rem .6rem; border-radius: 999px; font-weight: 600;
  font-size: .85rem; white-space: nowrap; border: 1px solid transparent;}
.ps-grade-outstanding {background: #d4eddc; color: #0d4a25; border-color: #8cc9a0;}
.ps-grade-good {background: #e3f2e8; color: #1d5e35; border-color: #a9d5b8;}
.ps-grade-adequate {background: #eef5dc; color: #3f5a0e; border-color: #c4d98f;}
.ps-grade-ri {background: #fdf0d5; color: #7a4a00; border-color: #e9c27a;}
.ps-grade-inadequate {background: #fde2e2; color: #8b1a1a; border-color: #ee9f9f;}
.ps-grade-none {background: #eef0f3; color: #4a5561; border-color: #cfd5dc;}
.ps-judgments {width: 100%; border-collapse: collapse; font-size: .92rem;}
.ps-judgments th, .ps-judgments td {text-align: left; vertical-align: top; padding: .55rem .6rem;
  border-bottom: 1px solid var(--border-color-primary);}
.ps-judgments tbody th {font-weight: 600; width: 34%;}
.ps-judgments tbody tr {border-left: 4px solid transparent;}
.ps-judgments tr.ps-row-good, .ps-judgments tr.ps-row-outstanding {border-left-color: #4c9a6a;}
.ps-judgments tr.ps-row-adequate {border-left-color: #9bb84a;}
.ps-judgments tr.ps-row-ri {border-left-color: #d9a23a;}
.ps-judgments tr.ps-row-inadequate {border-left-color: #c74646;}
.ps-judgments tr.ps-row-none {border-left-color: #aab4bf;}
.ps-sentence {line-height: 1.45;}
.ps-row-cite {margin-top: .25rem;}
.ps-row-cite .ps-cite {font-size: .8rem;}
.ps-evidence-head {display: flex; gap: .8rem; align-items: center;}
.ps-evidence-head h3 {margin: .2rem 0; font-size: 1.1rem;}
.ps-export {display: flex; gap: .6rem; align-items: center; justify-content: flex-end; margin: .2rem 0 .6rem;
  font-size: .85rem;}
.ps-export a {color: #1f4e79;}
#ps-scope-status:empty {display: none;}
#ps-map th, #ps-entity-table th, .ps-matrix th {white-space: nowrap; word-break: normal; overflow-wrap: normal;}
#ps-map td, #ps-entity-table td {word-break: normal; overflow-wrap: anywhere; hyphens: auto;}
@media (max-width: 560px) {
  #ps-map table, #ps-entity-table table {min-width: 520px;}
  #ps-map, #ps-entity-table {overflow-x: auto;}
}
.ps-variants {margin: .5rem 0 0; padding: .4rem .6rem .4rem 1.6rem; font-size: .85rem;
  background: #fff7e6; border-left: 3px solid #b45309; border-radius: 4px;}
.ps-variants li {margin: .15rem 0;}
.ps-variants em {font-style: normal; font-weight: 600;}
.ps-copies {margin-top: .5rem; font-size: .85rem;}
.ps-copies summary {cursor: pointer; color: #1f4e79;}
.ps-copies-list {margin: .3rem 0 0 1.2rem; padding: 0;}
.ps-copies-list li {margin: .15rem 0;}
.ps-compare-grid {display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: .8rem;
  align-items: start;}
.ps-compare-cell {display: flex; flex-direction: column; gap: .4rem; min-width: 0;}
.ps-compare-report {font-size: 1rem; margin: 0; padding: .3rem .1rem; border-bottom: 2px solid #1f4e79;}
.ps-compare-none {padding: .8rem 1rem; border: 1px dashed var(--border-color-primary); border-radius: 8px;
  color: var(--body-text-color-subdued); font-style: italic;}
.ps-matrix-wrap {overflow-x: auto;}
.ps-matrix {border-collapse: collapse; font-size: .88rem; min-width: 100%; margin: 0;}
.ps-matrix th, .ps-matrix td {text-align: left; vertical-align: top; padding: .45rem .55rem; border: none;
  border-bottom: 1px solid var(--border-color-primary);}
.ps-matrix thead th {font-weight: 600; font-size: .8rem; color: var(--body-text-color-subdued);
  vertical-align: bottom; min-width: 6.5rem;}
.ps-matrix tbody th {font-weight: 600; min-width: 9rem; max-width: 14rem;}
.ps-matrix-empty {color: var(--body-text-color-subdued);}
.ps-matrix-grade summary {cursor: pointer; list-style: none;}
.ps-matrix-grade summary::-webkit-details-marker {display: none;}
.ps-matrix-grade summary .ps-grade {text-decoration: underline dotted; text-underline-offset: 3px;}
.ps-matrix-grade[open] summary .ps-grade {outline: 2px solid #1f4e79; outline-offset: 1px;}
.ps-matrix-source {margin-top: .35rem; width: 15rem; font-size: .82rem; line-height: 1.4;}
.ps-matrix-heading {font-weight: 600; margin-bottom: .2rem;}
.ps-matrix-note {font-size: .8rem; color: var(--body-text-color-subdued); margin: .3rem 0 0 0;}
"""
