"""The Browse by entity tab: entity facets with counts and a chart, and every passage
mentioning the chosen entities, in report order."""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from . import data as ui_data
from . import render as ui_render
from .address import url_js
from .page import ANYWHERE, Page, as_list, friendly, in_page, text

#: Entities in the "Most mentioned" chart.
CHART_ENTITIES = 15


class BrowseTab(Page):
    """The Browse tab's callbacks."""

    @friendly
    def facets(
        self, facet: Any, reports: Any = None, forces: Any = None, years: Any = None
    ) -> tuple[list[list[Any]], Any]:
        """The entity table rows and the bar chart data for one entity type, counted in the
        reports in scope."""
        return self.facet_data(facet, self._scope(reports, forces, years))

    def facet_data(self, facet: Any, scope: Any) -> tuple[list[list[Any]], Any]:
        """:meth:`facets` for a checked scope."""
        import pandas as pd

        rows = ui_data.entity_rows(self.index, text(facet), scope)
        table = [[r.group, r.name, r.passages, r.expansion] for r in rows]
        top = sorted(rows, key=lambda r: -r.passages)[:CHART_ENTITIES]
        chart = pd.DataFrame({"entity": [r.name for r in top], "passages": [r.passages for r in top]})
        return table, chart

    @in_page
    def browse(
        self,
        entities: Any,
        query: Any = "",
        section: Any = "",
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> str:
        chosen, words, where = as_list(entities), text(query), text(section)
        scope = self._scope(reports, forces, years)
        if not (chosen or words.strip() or where.strip()):
            return ui_render.message_html(
                "Choose one or more entities (or click a row of the table) "
                "to list every passage that mentions them."
            )
        hits = ui_data.browse(self.index, chosen, words, where, scope)
        terms = ui_data.marked_terms(words)
        return self._passages(
            hits,
            terms,
            heading="Passages in report order",
            empty="No passage mentions all of these together.",
        )

    def add_entity(self, chosen: Any, evt: gr.SelectData) -> list[str]:
        """Add the clicked table row's entity to the chosen ones."""
        current = as_list(chosen)
        row = evt.row_value or []
        value = self._filter_of.get((row[0], row[1])) if len(row) >= 2 else None
        return [*current, value] if value and value not in current else current


def browse_tab(h: BrowseTab, scope: list[Any]) -> dict[str, Any]:
    """Lay the tab out; returns its components by name."""
    table_rows, chart_data = h.facets("")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            facet = gr.Radio(
                ["All", *ui_data.LABEL_GROUPS], value="All", label="Entity type", elem_id="ps-facet"
            )
            table = gr.Dataframe(
                table_rows,
                headers=["Type", "Entity", "Passages", "Stands for"],
                interactive=False,
                max_height=380,
                wrap=True,
                elem_id="ps-entity-table",
                column_widths=["22%", "34%", "16%", "28%"],
                label="Entities (click a row to add it)",
            )
            chart = gr.BarPlot(
                chart_data,
                x="entity",
                y="passages",
                sort="-y",
                x_label_angle=-50,
                height=320,
                label="Most mentioned",
                x_title=" ",
                y_title="passages",
                elem_id="ps-entity-chart",
            )
        with gr.Column(scale=3):
            chosen = gr.Dropdown(
                ui_data.entity_choices(h.entity_rows),
                multiselect=True,
                label="Passages mentioning all of",
                elem_id="ps-chosen",
            )
            with gr.Row():
                words = gr.Textbox(label="and containing any of the words", scale=2)
                section = gr.Dropdown(
                    [ANYWHERE, *ui_data.section_choices(h.section_rows)],
                    value="",
                    label="under section",
                    scale=3,
                )
            button = gr.Button("List passages", variant="primary", elem_id="ps-browse")
            passages = gr.HTML(h.browse(None), elem_id="ps-browse-results", js_on_load=None)
    facet.change(h.facets, [facet, *scope], [table, chart], api_visibility="private")
    table.select(h.add_entity, chosen, chosen, api_visibility="private")
    for trigger in (button.click, chosen.change, words.submit):
        trigger(
            h.browse,
            [chosen, words, section, *scope],
            passages,
            js=url_js("browse"),
            api_visibility="private",
        )
    return {
        "table": table,
        "chart": chart,
        "chosen": chosen,
        "words": words,
        "browse_section": section,
        "facet": facet,
        "browse_results": passages,
    }
