"""Results as CSV and Markdown, for the CLI's ``--format csv|markdown`` and the web app's
downloads: search results, compare rows, browsed passages, the grades matrix and the
figures the reports state.

Every citation is the full one — report, every heading of the section path, page and
paragraph — never the shortened headings the cards show. Pure functions from results to
text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..types import CompareResult, Hit, SearchResult

EXPORT_FORMATS = ("csv", "markdown")


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of text under named columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _cite(hit: Hit) -> str:
    return hit.full_citation or hit.citation


def _hit_row(hit: Hit, labels: Mapping[str, str], score: bool) -> tuple[str, ...]:
    c = hit.chunk
    row = [str(hit.rank), labels.get(c.report_id, c.report_id), _cite(hit), " › ".join(c.section)]
    row += [str(c.page), str(c.paragraph) if c.kind == "text" else (c.label or c.kind)]
    if score:
        row.append(f"{hit.score:.6f}")
    return (*row, hit.best_sentence, c.text, c.id)


def hits_table(
    hits: Iterable[Hit], labels: Mapping[str, str] | None = None, score: bool = True, query: str | None = None
) -> Table:
    """One row per passage: (the query,) rank, report, full citation, section path, page,
    paragraph (or the table's or figure's label), score, best sentence, text, passage id."""
    columns = ["rank", "report", "citation", "section", "page", "paragraph"]
    columns += ["score"] if score else []
    columns += ["best_sentence", "text", "id"]
    rows = [_hit_row(h, labels or {}, score) for h in hits]
    if query is not None:
        return Table(("query", *columns), tuple((query, *r) for r in rows))
    return Table(tuple(columns), tuple(rows))


def compare_table(result: CompareResult) -> Table:
    """One row per report: the report, its best passage's full citation, best sentence and
    text, or the note saying why it has none."""
    rows = []
    for row in result.rows:
        hit = row.hit
        rows.append(
            (
                row.report.label,
                _cite(hit) if hit else "",
                hit.best_sentence if hit else "",
                hit.chunk.text if hit else "",
                row.note,
                hit.chunk.id if hit else "",
            )
        )
    return Table(("report", "citation", "best_sentence", "text", "note", "id"), tuple(rows))


def matrix_table(matrix: Any, citations: Mapping[tuple[str, str], str]) -> Table:
    """The grades matrix in long form: one row per report and question, with the grade, the
    heading as the report words it, the sentence it was read from and its full citation.
    ``citations`` maps ``(report id, heading)`` to the citation."""
    rows = []
    for row in matrix.rows:
        for column, cell in zip(matrix.columns, row.cells, strict=True):
            if cell is None:
                rows.append((row.report_id, row.label, column.name, "", "no such question", "", "", ""))
                continue
            rows.append(
                (
                    row.report_id,
                    row.label,
                    column.name,
                    cell.heading,
                    cell.grade or "not stated",
                    cell.carried_from,
                    cell.sentence,
                    citations.get((row.report_id, cell.heading), ""),
                )
            )
    return Table(
        ("report_id", "report", "question", "heading", "grade", "carried_from", "sentence", "citation"),
        tuple(rows),
    )


#: The columns of a figures table, in order.
FIGURE_COLUMNS = (
    "report",
    "measure",
    "subject",
    "value",
    "per",
    "unit",
    "area",
    "period",
    "label",
    "where",
    "citation",
    "passage_id",
    "context",
)


def figures_table(rows: Iterable[Any]) -> Table:
    """One row per stated figure (:class:`peel_search.retrieve.figures.StatedFigure`): its
    report, measure, subject, value as printed, rate base, unit, area, period, table row
    label, where it stands (text, table, chart), full citation, passage id and the words it
    was read from."""
    out = []
    for r in rows:
        f = r.figure
        out.append(
            (
                r.report,
                f.measure,
                f.subject,
                f.value,
                f.per,
                f.unit,
                f.area,
                f.period,
                f.label,
                f.where,
                r.full_citation or r.citation,
                r.passage_id,
                " ".join(f.context.split()),
            )
        )
    return Table(FIGURE_COLUMNS, tuple(out))


def to_csv(table: Table) -> str:
    """The table as CSV with a header row (RFC 4180 quoting, ``\\n`` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue()


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown_table(table: Table, columns: Sequence[str] | None = None) -> str:
    """The table (or some of its columns) as a Markdown pipe table."""
    chosen = list(columns or table.columns)
    at = [table.columns.index(c) for c in chosen]
    lines = ["| " + " | ".join(chosen) + " |", "|" + "---|" * len(chosen)]
    lines += ["| " + " | ".join(_md_cell(r[i]) for i in at) + " |" for r in table.rows]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return "> " + " ".join(text.split())


def results_markdown(result: SearchResult) -> str:
    """A search result as Markdown: the question, any notice, then each passage with its
    full citation, best sentence in bold, and text quoted."""
    out = [f"## {result.query}", ""]
    out += [f"*{n[:1].upper()}{n[1:]}.*" for n in result.notices]
    if result.notices:
        out.append("")
    out += passages_markdown(result.hits)
    return "\n".join(out).rstrip() + "\n"


def passages_markdown(hits: Iterable[Hit]) -> list[str]:
    """Each passage as a numbered item: full citation, then the text quoted with its best
    sentence in bold."""
    out = []
    for hit in hits:
        text = hit.chunk.text
        a, b = hit.best_sentence_span
        if hit.best_sentence and 0 <= a < b <= len(text):
            text = f"{text[:a]}**{text[a:b].strip()}**{text[b:]}"
        out += [f"{hit.rank}. {_cite(hit)}", "", "   " + _quote(text), ""]
    return out


def compare_markdown(result: CompareResult) -> str:
    """Compare rows as Markdown: a heading per report, its passage quoted or its note."""
    out = [f"## {result.query}", ""]
    for row in result.rows:
        out.append(f"### {row.report.label}")
        if row.hit is None:
            out += ["", f"*{row.note[:1].upper()}{row.note[1:]}.*", ""]
        else:
            out += ["", _cite(row.hit), "", _quote(row.hit.chunk.text), ""]
    return "\n".join(out).rstrip() + "\n"


def export_results(results: Sequence[SearchResult], fmt: str, labels: Mapping[str, str] | None = None) -> str:
    """Search results (one query or many) as ``fmt``: CSV with a query column, or Markdown."""
    if fmt == "csv":
        rows: list[tuple[str, ...]] = []
        columns: tuple[str, ...] = ()
        for result in results:
            table = hits_table(result.hits, labels, query=result.query)
            columns, rows = table.columns, [*rows, *table.rows]
        return to_csv(Table(columns or hits_table((), query="").columns, tuple(rows)))
    return "\n".join(results_markdown(r) for r in results)


def export_passages(
    hits: Sequence[Hit], fmt: str, labels: Mapping[str, str] | None = None, title: str = ""
) -> str:
    """Passages in report order (browse) as ``fmt``."""
    if fmt == "csv":
        return to_csv(hits_table(hits, labels, score=False))
    head = [f"## {title}", ""] if title else []
    return "\n".join([*head, *passages_markdown(hits)]).rstrip() + "\n"


def export_compare(result: CompareResult, fmt: str) -> str:
    """Compare rows as ``fmt``."""
    return to_csv(compare_table(result)) if fmt == "csv" else compare_markdown(result)


def export_matrix(matrix: Any, citations: Mapping[tuple[str, str], str], fmt: str) -> str:
    """The grades matrix as ``fmt``: CSV in long form (a row per report and question, with
    the sentence and its full citation); Markdown as the grid, then each grade's source."""
    table = matrix_table(matrix, citations)
    if fmt == "csv":
        return to_csv(table)
    grid = Table(
        ("report", *(c.name for c in matrix.columns)),
        tuple(
            (row.label, *("—" if c is None else c.grade or "not stated" for c in row.cells))
            for row in matrix.rows
        ),
    )
    sources = [
        f"- **{r[0]}**, {r[1]}: {r[3]}"
        + (f" (carried over from {r[4]})" if r[4] else "")
        + (f" — “{' '.join(r[5].split())}” ({r[6]})" if r[5] else "")
        for r in table.rows
        if r[3] not in ("no such question",)
    ]
    return markdown_table(grid) + "\n" + "\n".join(sources) + "\n"
