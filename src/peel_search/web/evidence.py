"""The Evidence for a judgment tab: the grades (the matrix in a library) with the sentence
each came from, a graded question's summary, areas for improvement and strongest passages,
and a box that checks a claim against the reports."""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from . import data as ui_data
from . import render as ui_render
from .address import url_js
from .page import Page, export_query, friendly, in_page, text


class EvidenceTab(Page):
    """The Evidence tab's callbacks."""

    def grades_view(self, scope: Any = None) -> str:
        """The grades of the reports in scope: the matrix (reports by aligned questions) when
        there are several, else the table of one report's judgments."""
        if ui_data.is_library(self.index) and self._many(scope):
            matrix = self.index.grades_matrix(scope or None)
            fields = export_query(report=scope.reports, force=scope.forces, year=scope.years) if scope else ""
            return ui_render.matrix_html(matrix, ui_data.grade_citations(self.index, scope), fields)
        rows = self.index.judgments(scope)
        return ui_render.judgments_table(rows)

    @friendly
    def grades(self, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        return self.grades_view(self._scope(reports, forces, years))

    @in_page
    def show_evidence(self, area: Any, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        if not text(area).strip():
            return ui_render.message_html("Choose a question above to see the evidence for its grade.")
        found = ui_data.evidence(self.index, text(area), scope=self._scope(reports, forces, years))
        return ui_render.evidence_html(
            found.judgment, found.summary, found.improvements, found.supporting, self._passages
        )

    @in_page
    def check_claim(
        self, claim: Any, k: float = 6, reports: Any = None, forces: Any = None, years: Any = None
    ) -> str:
        scope = self._scope(reports, forces, years)
        return self._result(self.index.search(text(claim), k=k, **ui_data.search_scope(scope)))

    def check_claim_in(self, claim: Any, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        """:meth:`check_claim` as the page calls it, with the report selectors' values."""
        return self.check_claim(claim, 6, reports, forces, years)


def evidence_tab(h: EvidenceTab, scope: list[Any]) -> dict[str, Any]:
    """Lay the tab out; returns its components by name."""
    judgments = gr.HTML(h.grades_view(), elem_id="ps-judgments", js_on_load=None)
    choices = ui_data.judgment_choices(h.index)
    if ui_data.is_library(h.index):  # a report's questions times its reports: a list to filter, not radios
        area: gr.Radio | gr.Dropdown = gr.Dropdown(
            choices, value=None, label="Show the evidence for", elem_id="ps-area", filterable=True
        )
    else:
        area = gr.Radio(choices, label="Show the evidence for", elem_id="ps-area")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            evidence = gr.HTML(h.show_evidence(None), elem_id="ps-evidence", js_on_load=None)
        with gr.Column(scale=2):
            claim = gr.Textbox(
                label="Check a claim against the reports (press Enter)",
                lines=1,
                max_lines=4,
                placeholder="e.g. the force is slow to arrest domestic abuse suspects",
                elem_id="ps-claim",
            )
            check = gr.Button("Find passages that bear on it", elem_id="ps-check")
            claim_out = gr.HTML(elem_id="ps-claim-results", js_on_load=None)
    area.change(h.show_evidence, [area, *scope], evidence, js=url_js("evidence"), api_visibility="private")
    for trigger in (check.click, claim.submit):
        trigger(h.check_claim_in, [claim, *scope], claim_out, api_visibility="private")
    return {"judgments": judgments, "area": area, "evidence": evidence}
