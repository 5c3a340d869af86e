"""The Ask tab: a question, how many passages, entity / section / judgment filters, and
ranked, cited cards."""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from . import data as ui_data
from . import render as ui_render
from .page import ANYWHERE, Page, as_list, export_query, in_page, scope_values

EXAMPLE_QUESTIONS = [
    "What does THRIVE stand for?",
    "How does the force assess risk for missing children?",
    "How well does the force gather digital evidence?",
    "Is the force good at tackling organised crime groups?",
    "How satisfied are victims with the service they receive?",
    "Is there enough capacity to manage registered sex offenders?",
]
DEFAULT_K = 8


class AskTab(Page):
    """The Ask tab's callbacks."""

    @in_page
    def ask(
        self,
        query: str,
        k: Any,
        entities: Any = None,
        section: Any = None,
        judgment: Any = None,
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> str:
        with self.admission:
            result = self._search(query, k, entities, section, judgment, reports, forces, years)
        fields = export_query(
            q=query,
            k=int(k) if isinstance(k, float) and k.is_integer() else k,
            entity=as_list(entities),
            section=section,
            judgment=judgment,
            report=scope_values(reports),
            force=scope_values(forces),
            year=scope_values(years),
        )
        return self._result(result, self._scope(reports, forces, years), fields)


def ask_tab(h: AskTab, scope: list[Any]) -> dict[str, Any]:
    """Lay the tab out; returns its components by name."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    label="Question",
                    placeholder="Ask the report a question…",
                    lines=1,
                    max_lines=4,
                    scale=5,
                    elem_id="ps-question",
                    autofocus=True,
                )
                button = gr.Button("Search", variant="primary", scale=1, elem_id="ps-ask")
            examples = gr.Examples(EXAMPLE_QUESTIONS, inputs=question, label="Example questions")
            results = gr.HTML(
                ui_render.message_html(
                    "Ask a question, or pick an example. Each result is a "
                    "passage of the report, with its citation."
                ),
                elem_id="ps-results",
                js_on_load=None,
            )
        with gr.Column(scale=1, min_width=260):
            k = gr.Slider(1, 30, value=DEFAULT_K, step=1, label="Passages to show")
            entities = gr.Dropdown(
                ui_data.entity_choices(h.entity_rows),
                multiselect=True,
                label="Only passages mentioning",
                info="Grouped by type; all must appear",
            )
            section = gr.Dropdown(
                [ANYWHERE, *ui_data.section_choices(h.section_rows)],
                value="",
                label="Only passages under section",
            )
            judgment = gr.Dropdown(
                [("Any judgment area", ""), *ui_data.judgment_filter_choices(h.index)],
                value="",
                label="Only passages in the part of the report on",
            )
    inputs = [question, k, entities, section, judgment, *scope]
    for trigger in (button.click, question.submit, examples.load_input_event.then):
        # Outside Gradio's queue (one request, no event stream: a question is answered in
        # tens of milliseconds, the queue's round trips cost more); h.admission bounds it.
        # No js step either (it delays the request by ~35 ms): the results carry their
        # address and the page's script writes it (see address.SCRIPT).
        trigger(
            h.ask,
            inputs,
            results,
            api_visibility="private",
            queue=False,
            show_progress="hidden",
        )
    return {
        "question": question,
        "k": k,
        "entities": entities,
        "section": section,
        "judgment": judgment,
        "results": results,
    }
