"""The JSON endpoints for ``gradio_client`` (``/search``, ``/compare``, ``/judgments``,
``/grades``, ``/reports``, ``/evidence``, ``/entities``, ``/browse``, ``/sections``,
``/figures``), and
the answers the plain HTTP routes of :mod:`.server` share with them.

Each takes ``reports``, ``forces`` and ``years`` (lists, or one value) to restrict it to
some reports.
"""

# No ``from __future__ import annotations``: gr.api reads the endpoints' type hints at runtime.

from typing import Any

import gradio as gr

from ..errors import QueryError
from ..retrieve.export import export_compare, export_matrix, export_results, figures_table, to_csv
from . import data as ui_data
from .page import Page, as_list, friendly, text


class Api(Page):
    """The JSON endpoints' callbacks."""

    def search_json(
        self,
        query: Any,
        k: Any = 10,
        entities: Any = None,
        section: Any = "",
        judgment: Any = "",
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> dict[str, Any]:
        """The search endpoints' answer, raising our own errors (the plain HTTP route in
        :mod:`peel_search.web.server` maps them to status codes). Call :meth:`follow_rebuilds` first."""
        result = self._search(query, k, entities, section, judgment, reports, forces, years)
        out = result.to_dict()
        for hit, row in zip(result.hits, out["hits"], strict=True):
            row["footnote_texts"] = [{"number": n, "text": t} for n, t in self._footnotes(hit)]
        return out

    def compare_json(
        self,
        query: Any,
        entities: Any = None,
        section: Any = "",
        judgment: Any = "",
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> dict[str, Any]:
        """The compare endpoints' answer, raising our own errors (see :meth:`search_json`)."""
        return self._compare(query, entities, section, judgment, reports, forces, years).to_dict()

    def grades_json(self, reports: Any = None, forces: Any = None, years: Any = None) -> dict[str, Any]:
        """The grades endpoints' answer, raising our own errors (see :meth:`search_json`)."""
        return ui_data.grades_json(self.index, self._scope(reports, forces, years) or None)

    def figures_json(
        self,
        measure: Any = "",
        subject: Any = "",
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> list[dict[str, Any]]:
        """The figures endpoints' answer, raising our own errors (see :meth:`search_json`)."""
        return [r.to_dict() for r in self._figures(measure, subject, reports, forces, years)]

    def export_figures(self, fmt: str, *args: Any) -> str:
        """The figures as CSV (``args`` as :meth:`figures_json`)."""
        return to_csv(figures_table(self._figures(*args)))

    def _figures(
        self, measure: Any = "", subject: Any = "", reports: Any = None, forces: Any = None, years: Any = None
    ) -> list[Any]:
        scope = self._scope(reports, forces, years)
        return self.index.figures(scope or None, text(measure), text(subject))

    def export_search(self, fmt: str, *args: Any) -> str:
        """The search endpoints' answer as CSV or Markdown (``args`` as :meth:`search_json`)."""
        return export_results([self._search(*args)], fmt, self._labels())

    def export_compare(self, fmt: str, *args: Any) -> str:
        """The compare endpoints' answer as CSV or Markdown (``args`` as :meth:`compare_json`)."""
        return export_compare(self._compare(*args), fmt)

    def export_grades(self, fmt: str, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        """The grades matrix as CSV (long form, full citations) or Markdown."""
        scope = self._scope(reports, forces, years) or None
        matrix = self.index.grades_matrix(scope)
        return export_matrix(matrix, ui_data.grade_citations(self.index, scope, full=True), fmt)

    def _labels(self) -> dict[str, str]:
        return {m.report_id: m.label for m in self.index.metas}

    def reports_json(self) -> list[dict[str, Any]]:
        """Every report in the index: id, file, force, programme, pillar, period, year, ..."""
        return [m.to_dict() for m in self.index.metas]

    @friendly
    def api_search(
        self,
        query: str,
        k: int = 10,
        entities: list[str] | None = None,
        section: str = "",
        judgment: str = "",
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> dict[str, Any]:
        """Ranked, cited passages for a question: {query, in_report, notices, hits}; ``reports``
        (ids), ``forces`` and ``years`` restrict it to some reports of the library."""
        return self.search_json(query, k, entities, section, judgment, reports, forces, years)

    @friendly
    def api_compare(
        self,
        query: str,
        entities: list[str] | None = None,
        section: str = "",
        judgment: str = "",
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> dict[str, Any]:
        """One question across reports: {query, notices, rows}, a row per report in scope with
        its best passage (``hit``), or ``hit`` null and a ``note`` when nothing answers it."""
        return self.compare_json(query, entities, section, judgment, reports, forces, years)

    @friendly
    def api_judgments(
        self,
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """The overall judgment and each PEEL question's grade, with its sentence, citation and report."""
        scope = self._scope(reports, forces, years)
        return self.index.judgments(scope)

    @friendly
    def api_grades(
        self,
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> dict[str, Any]:
        """The grades matrix: {columns, rows}, a column per graded question aligned across
        reports, a row per report whose cells give the grade, its sentence and citation."""
        return self.grades_json(reports, forces, years)

    @friendly
    def api_figures(
        self,
        measure: str = "",
        subject: str = "",
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every figure the reports state, of ``measure`` (count, rate, percentage, change,
        amount, duration, ratio; empty for all) and whose subject has the words of
        ``subject``: value, subject, area, period, passage id and citation."""
        return self.figures_json(measure, subject, reports, forces, years)

    @friendly
    def api_reports(self) -> list[dict[str, Any]]:
        """Every report in the index with its metadata (id, force, period, year, title, ...)."""
        return self.reports_json()

    @friendly
    def api_evidence(
        self,
        area: str = "",
        claim: str = "",
        k: int = 5,
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> dict[str, Any]:
        """Evidence for a judgment area ("overall", "vulnerable", ...) and/or passages bearing on a claim."""
        scope = self._scope(reports, forces, years)
        if not (text(area).strip() or text(claim).strip()):
            raise QueryError('give a judgment area (e.g. "vulnerable") or a claim to check')
        out: dict[str, Any] = {"evidence": None, "claim": None}
        if text(area).strip():
            out["evidence"] = ui_data.evidence(self.index, text(area), k=k, scope=scope).to_dict()
        if text(claim).strip():
            out["claim"] = self.index.search(text(claim), k=k, **ui_data.search_scope(scope)).to_dict()
        return out

    @friendly
    def api_entities(
        self,
        label: str = "",
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Entities with the number of passages mentioning each; ``label`` is a type such as
        "places" or "ORG" (empty for all)."""
        scope = self._scope(reports, forces, years)
        return [r.to_dict() for r in ui_data.entity_rows(self.index, text(label), scope)]

    @friendly
    def api_browse(
        self,
        entities: list[str] | None = None,
        query: str = "",
        section: str = "",
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every passage mentioning all the entities, in report order, optionally narrowed to
        those containing the query's words and to a section."""
        scope = self._scope(reports, forces, years)
        hits = ui_data.browse(self.index, as_list(entities), text(query), text(section), scope)
        return [h.to_dict() for h in hits]

    @friendly
    def api_sections(
        self,
        reports: list[str] | None = None,
        forces: list[str] | None = None,
        years: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """The section tree: report, heading, level, page, path, passages under it and grade."""
        scope = self._scope(reports, forces, years)
        wanted = set(ui_data.report_ids(self.index, scope or None))
        return [r.to_dict() for r in self.section_rows if r.report_id in wanted]


def register_api(h: Api) -> None:
    """Name each endpoint (call first in the Blocks, so the names are theirs)."""
    gr.api(h.api_search, api_name="search")
    gr.api(h.api_compare, api_name="compare")
    gr.api(h.api_judgments, api_name="judgments")
    gr.api(h.api_grades, api_name="grades")
    gr.api(h.api_reports, api_name="reports")
    gr.api(h.api_evidence, api_name="evidence")
    gr.api(h.api_entities, api_name="entities")
    gr.api(h.api_browse, api_name="browse")
    gr.api(h.api_sections, api_name="sections")
    gr.api(h.api_figures, api_name="figures")
