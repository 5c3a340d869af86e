"""The Figures tab: every statistic the reports in scope state, as a table filtered by
measure and by words of its subject, each row with its citation — "every rate the report
gives" is a table, not passages."""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from ..retrieve.figures import MEASURE_LABELS
from . import render as ui_render
from .page import Page, export_query, in_page, text

#: The measure chooser: every measure first, then each as users name it.
MEASURE_CHOICES = [("Every measure", ""), *((label, m) for m, label in MEASURE_LABELS.items())]


class FiguresTab(Page):
    """The Figures tab's callbacks."""

    @in_page
    def show_figures(
        self, measure: Any = "", subject: Any = "", reports: Any = None, forces: Any = None, years: Any = None
    ) -> str:
        """The figures of the reports in scope of ``measure`` ("" for all) whose subject has
        every word of ``subject``, as an HTML table with citations."""
        scope = self._scope(reports, forces, years)
        rows = self.index.figures(scope or None, text(measure), text(subject))
        fields = export_query(
            measure=text(measure),
            subject=text(subject),
            report=scope.reports if scope else (),
            force=scope.forces if scope else (),
            year=scope.years if scope else (),
        )
        return ui_render.figures_html(rows, fields or "measure=")


def figures_tab(h: FiguresTab, scope: list[Any]) -> dict[str, Any]:
    """Lay the tab out; returns its components by name."""
    with gr.Row(equal_height=True):
        measure = gr.Dropdown(
            MEASURE_CHOICES, value="", label="Measure", elem_id="ps-figures-measure", scale=1
        )
        subject = gr.Textbox(
            label="Subject has the words (press Enter)",
            placeholder="e.g. organised crime",
            lines=1,
            max_lines=1,
            scale=3,
            elem_id="ps-figures-subject",
        )
    table = gr.HTML(h.show_figures(), elem_id="ps-figures", js_on_load=None)
    inputs = [measure, subject, *scope]
    measure.change(h.show_figures, inputs, table, api_visibility="private")
    subject.submit(h.show_figures, inputs, table, api_visibility="private")
    for selector in scope:
        selector.change(h.show_figures, inputs, table, api_visibility="private")
    return {"figures_measure": measure, "figures_subject": subject, "figures": table}
