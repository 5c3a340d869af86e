"""The web app: ask, evidence for a judgment, browse by entity, the figures the reports
state, the report map and, for a library of reports, compare.

:func:`build_app` returns the Gradio Blocks (it never launches); :mod:`peel_search.web.server`
serves them with safe settings. Every action is also a JSON endpoint for
``gradio_client``: ``/search``, ``/compare``, ``/judgments``, ``/grades``, ``/evidence``,
``/entities``, ``/browse``, ``/sections``, ``/figures`` and ``/reports``. Each takes ``reports``,
``forces`` and ``years`` (lists, or one value) to restrict it to some reports.

With several reports in the index the page shows report, force and year selectors above
the tabs, which every tab honours, a Compare tab and the grades matrix; with one report
none of these shows and the page is as it was.

Each tab is a module of its own — :mod:`.ask`, :mod:`.compare`, :mod:`.evidence`,
:mod:`.browse`, :mod:`.figures`, :mod:`.report_map` — holding its callbacks and the function that lays it
out; the JSON endpoints are in :mod:`.api`; what they share (the index, the scope, errors)
in :mod:`.page`. This module puts them together: :class:`Handlers`, the page's header
and report selectors, and :func:`build_app`.

Bad input never shows a stack trace: a :class:`PeelSearchError` becomes its one-line
message in the page (``gr.Error``) and one line in the log, anything unexpected a short
apology, logged in full once.

The app follows a rebuild of its index (``peel-search index --rebuild`` while it runs): each
request checks the index's manifest (one ``stat``) and, when it has been replaced, loads
the new index and answers from it; until then, and if the new one will not load, it keeps
answering from the one it has. Lists on the page (entities, sections, the report map) are
refreshed when the page is reloaded.
"""

# No ``from __future__ import annotations``: gr.api reads the endpoints' type hints at runtime.

from typing import Any

import gradio as gr

from ..errors import PeelSearchError
from . import data as ui_data
from . import render as ui_render
from .address import tab_js
from .api import Api, register_api
from .ask import ask_tab
from .browse import browse_tab
from .compare import compare_tab
from .evidence import evidence_tab
from .figures import FiguresTab, figures_tab
from .links import Links, link_outputs
from .page import ANYWHERE, CONCURRENCY, QUEUE_SIZE, IndexWatcher, web_message
from .report_map import MapTab, map_tab

__all__ = ["Handlers", "IndexWatcher", "build_app", "theme"]

MAX_UPLOAD = "100kb"
#: Gradio keeps each session's copy of the page's settings (a few hundred kB here: the
#: entity table, the report map); every JSON API call is a new session. Without a bound
#: memory grows by ~0.2 MB a call up to Gradio's default of 10 000 sessions.
SESSIONS_KEPT = 200


class Handlers(Links, MapTab, FiguresTab, Api):
    """What every button and endpoint does, bound to one loaded index (and to the index
    that replaces it on disk, see :class:`IndexWatcher`): each tab's callbacks, and the
    page's own — the report selectors and a page opened after a rebuild.

    The visible handlers return HTML or table data and show a bad input's one-line message
    in the area they fill; the ``api_*`` ones return JSON-friendly values and raise
    ``gr.Error`` for bad input.
    """

    # -- the report selectors ---------------------------------------------------------------

    def scope_changed(
        self, reports: Any = None, forces: Any = None, years: Any = None, facet: Any = "All"
    ) -> tuple[Any, ...]:
        """What the tabs show for newly chosen reports: a status line, the grades (matrix
        or table), the judgment areas to choose from, the entity table and chart, and the
        report map. A choice that matches no report says so once, in the status line, and
        empties the rest rather than leaving the previous reports' lists under an error."""
        import pandas as pd

        self.follow_rebuilds()
        try:
            scope = self._scope(reports, forces, years)
            table, chart = self.facet_data(facet, scope)
        except PeelSearchError as exc:
            message = web_message(exc)
            return (
                ui_render.message_html(
                    f"{message[:1].upper()}{message[1:]}: choose other reports, forces or years.", "warning"
                ),
                ui_render.message_html("No report in scope."),
                gr.update(choices=[], value=None),
                [],
                pd.DataFrame({"entity": [], "passages": []}),
                [],
            )
        return (
            "",
            self.grades_view(scope),
            gr.update(choices=ui_data.judgment_choices(self.index, scope or None), value=None),
            table,
            chart,
            self.map_rows(scope),
        )

    def refresh_scope(self) -> tuple[Any, ...]:
        """On page load, after :meth:`refresh_page`: the report selectors and what shows only
        for a library (the selectors, the Compare tab) for a rebuilt index."""
        if self.index is self._page_index:
            return tuple(gr.skip() for _ in range(5))
        reports, forces, years = ui_data.scope_choices(self.index)
        library = ui_data.is_library(self.index)
        return (
            gr.update(visible=library),
            gr.update(choices=reports, value=[]),
            gr.update(choices=forces, value=[]),
            gr.update(choices=years, value=[]),
            gr.update(visible=library),
        )

    # -- the page after a rebuild -----------------------------------------------------------

    def refresh_page(self) -> tuple[Any, ...]:
        """On page load: the lists of a rebuilt index for the page's components (see
        :func:`build_app`), or nothing to change if it is the index the page was built for."""
        self.follow_rebuilds()
        outputs = 11
        if self.index is self._page_index:
            return tuple(gr.skip() for _ in range(outputs))
        entity_choices = ui_data.entity_choices(self.entity_rows)
        section_choices = [ANYWHERE, *ui_data.section_choices(self.section_rows)]
        judgment_choices = ui_data.judgment_choices(self.index)
        table, chart = self.facets("All")
        return (
            _header(self.index),
            gr.update(choices=entity_choices, value=[]),
            gr.update(choices=section_choices, value=""),
            gr.update(
                choices=[("Any judgment area", ""), *ui_data.judgment_filter_choices(self.index)], value=""
            ),
            self.grades_view(),
            gr.update(choices=judgment_choices, value=None),
            table,
            chart,
            gr.update(choices=entity_choices, value=[]),
            gr.update(choices=section_choices, value=""),
            self.map_rows(),
        )


def _header(index: Any) -> str:
    from html import escape

    if ui_data.is_library(index):
        forces = len({m.force for m in index.metas if m.force})
        years = sorted({m.year for m in index.metas if m.year})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else "".join(map(str, years))
        return (
            '<div class="ps-header"><h1>PEEL inspection search</h1>'
            f"<p>{len(index.metas)} reports on {forces} force{'s' if forces != 1 else ''}"
            f"{', ' + escape(span) if span else ''} · {index.size} passages. Every answer is a passage "
            "of a report, cited by report, section, page and paragraph.</p></div>"
        )
    titles = "; ".join(f"{r['title']} — {r['force']}" for r in index.reports)
    return (
        '<div class="ps-header"><h1>PEEL inspection search</h1>'
        f"<p>{escape(titles)} · {index.size} passages. Every answer is a passage of the report, "
        "cited by section, page and paragraph.</p></div>"
    )


def _scope_row(h: Handlers) -> tuple[Any, list[Any]]:
    """The report, force and year selectors above the tabs (hidden with one report)."""
    reports, forces, years = ui_data.scope_choices(h.index)
    with gr.Row(visible=ui_data.is_library(h.index), elem_id="ps-scope") as row:
        chosen = [
            gr.Dropdown(
                reports,
                value=[],
                multiselect=True,
                label="Reports",
                info="Every tab covers these; all when none is chosen",
                elem_id="ps-scope-reports",
                scale=3,
            ),
            gr.Dropdown(
                forces, value=[], multiselect=True, label="Forces", elem_id="ps-scope-forces", scale=2
            ),
            gr.Dropdown(years, value=[], multiselect=True, label="Years", elem_id="ps-scope-years", scale=1),
        ]
    return row, chosen


def build_app(index: Any, handlers: Handlers | None = None) -> gr.Blocks:
    """The app's Blocks for a loaded index, with a bounded queue. Does not launch.
    ``handlers`` (bound to ``index``) lets a server share them with its own routes."""
    h = handlers if handlers is not None else Handlers(index)
    with gr.Blocks(title="PEEL inspection search", analytics_enabled=False) as app:
        register_api(h)  # first, so the endpoint names are theirs and not the page's handlers'
        header = gr.HTML(_header(index), js_on_load=None)
        scope_row, scope = _scope_row(h)
        scope_status = gr.HTML("", elem_id="ps-scope-status", js_on_load=None)
        c: dict[str, Any] = dict(zip(("reports", "forces", "years"), scope, strict=True))
        with gr.Tabs(elem_id="ps-tabs") as c["tabs"]:
            with gr.Tab("Ask", id="ask") as tab:
                c.update(ask_tab(h, scope))
            tab.select(None, None, None, js=tab_js("ask"))
            with gr.Tab("Compare", id="compare", visible=ui_data.is_library(index)) as compare_page:
                c.update(compare_tab(h, scope))
            compare_page.select(None, None, None, js=tab_js("compare"))
            with gr.Tab("Evidence for a judgment", id="evidence") as tab:
                c.update(evidence_tab(h, scope))
            tab.select(None, None, None, js=tab_js("evidence"))
            with gr.Tab("Browse by entity", id="browse") as tab:
                c.update(browse_tab(h, scope))
            tab.select(None, None, None, js=tab_js("browse"))
            with gr.Tab("Figures", id="figures") as tab:
                c.update(figures_tab(h, scope))
            tab.select(None, None, None, js=tab_js("figures"))
            with gr.Tab("Report map", id="map") as tab:
                c.update(map_tab(h))
            tab.select(None, None, None, js=tab_js("map"))
        # Lists a rebuilt index refreshes, in the order refresh_page returns them.
        lists = [
            c[name]
            for name in (
                "entities",
                "section",
                "judgment",
                "judgments",
                "area",
                "table",
                "chart",
                "chosen",
                "browse_section",
                "sections",
            )
        ]
        # Choosing reports redraws what each tab shows for them.
        for selector in scope:
            selector.change(
                h.scope_changed,
                [*scope, c["facet"]],
                [scope_status, c["judgments"], c["area"], c["table"], c["chart"], c["sections"]],
                api_visibility="private",
            )
        # A page opened after the index was rebuilt gets the new index's lists; a page opened
        # from a link (its address) shows what the link asks for.
        app.load(h.refresh_page, None, [header, *lists], api_visibility="private", queue=False)
        app.load(
            h.refresh_scope, None, [scope_row, *scope, compare_page], api_visibility="private", queue=False
        ).then(h.open_link, None, link_outputs(c), api_visibility="private")
    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


def theme() -> gr.themes.Base:
    """Calm and plain, with system fonts (nothing fetched from the internet)."""
    return gr.themes.Default(
        primary_hue="blue",
        neutral_hue="slate",
        font=["system-ui", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        button_primary_background_fill="#1f4e79",
        button_primary_background_fill_hover="#173b5c",
        button_primary_text_color="#ffffff",
        button_primary_border_color="#1f4e79",
    )
