"""The Report map tab: the section tree with pages, passage counts and grades; a section
opens to its passages."""

# No ``from __future__ import annotations``: Gradio reads callbacks' type hints at runtime.

from typing import Any

import gradio as gr

from ..errors import QueryError
from . import data as ui_data
from . import render as ui_render
from .page import Page, friendly, in_page, text


class MapTab(Page):
    """The Report map tab's callbacks."""

    def map_rows(self, scope: Any = None) -> list[list[Any]]:
        """The report map's rows for the reports in scope: number, heading (indented), page,
        passages, grade; in a library the report's short name comes after the number."""
        if not ui_data.is_library(self.index):
            return [
                [r.number, "\u2003\u2003" * (r.level - 1) + r.heading, r.page, r.passages, r.grade]
                for r in self.section_rows
            ]
        wanted = set(ui_data.report_ids(self.index, scope or None))
        label = {
            m.report_id: " ".join(x for x in (m.force, m.period) if x) or m.report_id
            for m in self.index.metas
        }
        return [
            [
                r.number,
                label[r.report_id],
                "\u2003\u2003" * (r.level - 1) + r.heading,
                r.page,
                r.passages,
                r.grade,
            ]
            for r in self.section_rows
            if r.report_id in wanted
        ]

    @friendly
    def report_map(self, reports: Any = None, forces: Any = None, years: Any = None) -> list[list[Any]]:
        return self.map_rows(self._scope(reports, forces, years))

    @in_page
    def section_passages(self, number: Any, shown_heading: Any = None) -> str:
        try:
            row = self._section_of[int(number)]
        except (KeyError, TypeError, ValueError):
            raise QueryError(f"there is no section number {text(number)[:20]!r} in the report map") from None
        if shown_heading is not None and text(shown_heading).strip() != row.heading:
            raise QueryError("the index was rebuilt since this page was loaded: reload the page")
        hits = ui_data.passages_under(self.index, row.report_id, row.path)
        return self._passages(
            hits, heading=f"{row.heading} (p. {row.page})", empty="No passages directly under this heading."
        )

    def select_section(self, evt: gr.SelectData) -> str:
        row = evt.row_value or []
        heading = len(row) - 4  # the heading is before page, passages and grade
        return self.section_passages(row[0] if row else None, row[heading] if heading >= 1 else None)


def map_tab(h: MapTab) -> dict[str, Any]:
    """Lay the tab out; returns its components by name."""
    widths: list[str | int]
    if ui_data.is_library(h.index):
        headers = ["No.", "Report", "Section", "Page", "Passages", "Grade"]
        widths = ["7%", "18%", "43%", "8%", "11%", "13%"]
        scale = 8
    else:
        headers = ["No.", "Section", "Page", "Passages", "Grade"]
        widths = ["8%", "52%", "9%", "13%", "18%"]
        scale = 5
    with gr.Row(equal_height=False):
        with gr.Column(scale=scale):
            sections = gr.Dataframe(
                h.map_rows(),
                headers=headers,
                interactive=False,
                wrap=True,
                max_height=640,
                elem_id="ps-map",
                column_widths=widths,
                label="Sections (click one to read it)",
            )
        with gr.Column(scale=6):
            passages = gr.HTML(
                ui_render.message_html("Click a section to read its passages."),
                elem_id="ps-map-passages",
                js_on_load=None,
            )
    sections.select(h.select_section, None, passages, api_visibility="private")
    return {"sections": sections}
