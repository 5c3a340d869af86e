"""The Compare tab (a library only): one question, each report's best passage side by side,
or a note where a report has nothing that answers it."""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from . import data as ui_data
from . import render as ui_render
from .address import url_js
from .page import Page, in_page


class CompareTab(Page):
    """The Compare tab's callbacks."""

    @in_page
    def compare(self, query: Any, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        """One question across the reports in scope, side by side."""
        result = self._compare(query, None, "", "", reports, forces, years)
        terms = ui_data.marked_terms(result.query)
        return ui_render.compare_html(
            result, terms, self.index.acronyms, ui_data.label_group, self._footnotes
        )


def compare_tab(h: CompareTab, scope: list[Any]) -> dict[str, Any]:
    """Lay the tab out; returns its components by name."""
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            label="One question for every report",
            placeholder="e.g. how does the force assess risk for missing children?",
            lines=1,
            max_lines=4,
            scale=5,
            elem_id="ps-compare-question",
        )
        button = gr.Button("Compare", variant="primary", scale=1, elem_id="ps-compare-ask")
    results = gr.HTML(
        ui_render.message_html(
            "Ask one question of every report chosen above (all when none is): each report's "
            "best passage, side by side, or a note where it has nothing that answers it."
        ),
        elem_id="ps-compare-results",
        js_on_load=None,
    )
    for trigger in (button.click, question.submit):
        trigger(h.compare, [question, *scope], results, js=url_js("compare"), api_visibility="private")
    return {"compare_question": question, "compare_results": results}
