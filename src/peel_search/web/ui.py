"""The web app: ask, evidence for a judgment, browse by entity, and the report map.

:func:`build_app` returns the Gradio Blocks (it never launches); :mod:`peel_search.web.server`
serves them with safe settings. Every action is also a JSON endpoint for
``gradio_client``: ``/search``, ``/judgments``, ``/evidence``, ``/entities``, ``/browse``
and ``/sections``.

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

import functools
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from ..errors import PeelSearchError, QueryError
from ..types import Hit
from . import data as ui_data
from . import render as ui_render

__all__ = ["Handlers", "IndexWatcher", "build_app", "theme"]

log = logging.getLogger(__name__)

EXAMPLE_QUESTIONS = [
    "What does THRIVE stand for?",
    "How does the force assess risk for missing children?",
    "How well does the force gather digital evidence?",
    "Is the force good at tackling organised crime groups?",
    "How satisfied are victims with the service they receive?",
    "Is there enough capacity to manage registered sex offenders?",
]
DEFAULT_K = 8
#: At most this many requests run at once (the machine has few cores) ...
CONCURRENCY = 2
#: ... and at most this many wait; more are turned away rather than queued forever.
QUEUE_SIZE = 64
MAX_UPLOAD = "100kb"
#: Gradio keeps each session's copy of the page's settings (a few hundred kB here: the
#: entity table, the report map); every JSON API call is a new session. Without a bound
#: memory grows by ~0.2 MB a call up to Gradio's default of 10 000 sessions.
SESSIONS_KEPT = 200
ANYWHERE = ("Anywhere in the report", "")
CHART_ENTITIES = 15

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn our errors into ``gr.Error`` with their one-line message; log anything else
    and show a short message instead of a stack trace."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            if args and isinstance(args[0], Handlers):
                args[0].follow_rebuilds()
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except PeelSearchError as exc:
            log.info("%s refused: %s", fn.__name__, exc)
            raise gr.Error(str(exc), title="Please check the input", print_exception=False) from None
        except Exception:
            log.exception("unexpected error in %s", fn.__name__)
            raise gr.Error(
                "Something went wrong on the server; the details are in its log.",
                title="Unexpected error",
                print_exception=False,  # logged just above, once
            ) from None

    return wrapper  # type: ignore[return-value]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)):
        raise QueryError('entities must be a list of filters such as ["GPE:Wolverhampton"]')
    return [str(v) for v in value]


class IndexWatcher:
    """The loaded index, replaced by the one on disk when that is rebuilt.

    :meth:`current` costs one ``stat`` of the manifest. A build swaps in a new folder,
    so a rebuilt index has a manifest with another inode or modification time; the
    first request to notice loads it (others keep using the old one meanwhile). An index
    that will not load is logged and the old one kept until the manifest changes again.
    """

    def __init__(self, index: Any) -> None:
        self._index = index
        folder = getattr(index, "folder", None)
        self._manifest = Path(folder) / "manifest.json" if folder is not None else None
        self._stamp = self._read_stamp()
        self._loading = threading.Lock()

    def _read_stamp(self) -> tuple[int, int, int] | None:
        if self._manifest is None:
            return None
        try:
            st = os.stat(self._manifest)
        except OSError:
            return None  # mid-swap, or removed: keep what is loaded
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def current(self) -> Any:
        """The index to answer from: the loaded one, or the rebuilt one once it loads."""
        stamp = self._read_stamp()
        if stamp is None or stamp == self._stamp or not self._loading.acquire(blocking=False):
            return self._index
        try:
            if stamp != self._stamp:
                self._reload(stamp)
        finally:
            self._loading.release()
        return self._index

    def _reload(self, stamp: tuple[int, int, int]) -> None:
        from ..retrieve.search import SearchIndex

        old = self._index
        folder = Path(old.folder)
        try:
            fresh = SearchIndex.load(folder)
        except PeelSearchError as exc:
            log.warning(
                "the index in %s changed but will not load; still using the one loaded: %s", folder, exc
            )
        else:
            embedder = getattr(old, "_embedder", None)
            if embedder is not None:
                fresh.use_embedder(embedder)
            self._index = fresh
            log.info("the index in %s was rebuilt: now answering from it (%d passages)", folder, fresh.size)
        self._stamp = stamp


class Handlers:
    """What every button and endpoint does, bound to one loaded index (and to the index
    that replaces it on disk, see :class:`IndexWatcher`).

    The visible handlers return HTML or table data; the ``api_*`` ones return
    JSON-friendly values. All raise ``gr.Error`` for bad input.
    """

    _watcher: IndexWatcher | None = None

    def __init__(self, index: Any) -> None:
        self._watcher = IndexWatcher(index)
        self._page_index = index  # the index whose lists the page was built with
        self._bind(index)

    def _bind(self, index: Any) -> None:
        entity_rows = ui_data.entity_rows(index)
        section_rows = ui_data.section_rows(index)
        self._filter_of = {(r.group, r.name): r.filter for r in entity_rows}
        self._section_of = {r.number: r for r in section_rows}
        self.entity_rows, self.section_rows = entity_rows, section_rows
        self.index = index

    def follow_rebuilds(self) -> None:
        """Switch to the index on disk if it has been rebuilt since it was loaded."""
        if self._watcher is not None:
            index = self._watcher.current()
            if index is not self.index:
                self._bind(index)

    # -- rendering helpers -----------------------------------------------------------------

    def _footnotes(self, hit: Hit) -> list[tuple[int, str]]:
        return ui_data.footnotes_for(self.index, hit.chunk)

    def _passages(self, hits: Sequence[Hit], terms: set[str] | None = None, **kwargs: Any) -> str:
        return ui_render.passage_list(
            hits, terms or set(), self.index.acronyms, ui_data.label_group, self._footnotes, **kwargs
        )

    def _result(self, result: Any) -> str:
        terms = ui_data.marked_terms(result.query)
        return ui_render.result_html(result, terms, self.index.acronyms, ui_data.label_group, self._footnotes)

    # -- Ask -------------------------------------------------------------------------------

    def _search(self, query: Any, k: Any, entities: Any, section: Any, judgment: Any) -> Any:
        """The index's search with the widgets' values made plain (None, "" and lists)."""
        return self.index.search(
            _text(query),
            k=k,
            entities=_list(entities),
            section=_text(section) or None,
            judgment=_text(judgment) or None,
        )

    @friendly
    def ask(
        self, query: str, k: float, entities: Any = None, section: Any = None, judgment: Any = None
    ) -> str:
        result = self._search(query, k, entities, section, judgment)
        return self._result(result)

    # -- Evidence for a judgment -----------------------------------------------------------

    @friendly
    def show_evidence(self, area: Any) -> str:
        if not _text(area).strip():
            return ui_render.message_html("Choose a question above to see the evidence for its grade.")
        found = ui_data.evidence(self.index, _text(area))
        return ui_render.evidence_html(
            found.judgment, found.summary, found.improvements, found.supporting, self._passages
        )

    @friendly
    def check_claim(self, claim: Any, k: float = 6) -> str:
        return self._result(self.index.search(_text(claim), k=k))

    # -- Browse by entity ------------------------------------------------------------------

    @friendly
    def facets(self, facet: Any) -> tuple[list[list[Any]], Any]:
        """The entity table rows and the bar chart data for one entity type."""
        import pandas as pd

        rows = ui_data.entity_rows(self.index, _text(facet))
        table = [[r.group, r.name, r.passages, r.expansion] for r in rows]
        top = sorted(rows, key=lambda r: -r.passages)[:CHART_ENTITIES]
        chart = pd.DataFrame({"entity": [r.name for r in top], "passages": [r.passages for r in top]})
        return table, chart

    @friendly
    def browse(self, entities: Any, query: Any = "", section: Any = "") -> str:
        chosen, words, where = _list(entities), _text(query), _text(section)
        if not (chosen or words.strip() or where.strip()):
            return ui_render.message_html(
                "Choose one or more entities (or click a row of the table) "
                "to list every passage that mentions them."
            )
        hits = ui_data.browse(self.index, chosen, words, where)
        terms = ui_data.marked_terms(words)
        return self._passages(
            hits,
            terms,
            heading="Passages in report order",
            empty="No passage mentions all of these together.",
        )

    def add_entity(self, chosen: Any, evt: gr.SelectData) -> list[str]:
        """Add the clicked table row's entity to the chosen ones."""
        current = _list(chosen)
        row = evt.row_value or []
        value = self._filter_of.get((row[0], row[1])) if len(row) >= 2 else None
        return [*current, value] if value and value not in current else current

    # -- Report map ------------------------------------------------------------------------

    def map_rows(self) -> list[list[Any]]:
        return [
            [r.number, "\u2003\u2003" * (r.level - 1) + r.heading, r.page, r.passages, r.grade]
            for r in self.section_rows
        ]

    @friendly
    def section_passages(self, number: Any, shown_heading: Any = None) -> str:
        try:
            row = self._section_of[int(number)]
        except (KeyError, TypeError, ValueError):
            raise QueryError(f"there is no section number {_text(number)[:20]!r} in the report map") from None
        if shown_heading is not None and _text(shown_heading).strip() != row.heading:
            raise QueryError("the index was rebuilt since this page was loaded: reload the page")
        hits = ui_data.passages_under(self.index, row.report_id, row.path)
        return self._passages(
            hits, heading=f"{row.heading} (p. {row.page})", empty="No passages directly under this heading."
        )

    def select_section(self, evt: gr.SelectData) -> str:
        row = evt.row_value or []
        return self.section_passages(row[0] if row else None, row[1] if len(row) > 1 else None)

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
            gr.update(choices=[("Any judgment area", ""), *judgment_choices], value=""),
            ui_render.judgments_table(self.index.judgments()),
            gr.update(choices=judgment_choices, value=None),
            table,
            chart,
            gr.update(choices=entity_choices, value=[]),
            gr.update(choices=section_choices, value=""),
            self.map_rows(),
        )

    # -- JSON endpoints --------------------------------------------------------------------

    def search_json(
        self, query: Any, k: Any = 10, entities: Any = None, section: Any = "", judgment: Any = ""
    ) -> dict[str, Any]:
        """The search endpoints' answer, raising our own errors (the plain HTTP route in
        :mod:`peel_search.web.server` maps them to status codes). Call :meth:`follow_rebuilds` first."""
        result = self._search(query, k, entities, section, judgment)
        out = result.to_dict()
        for hit, row in zip(result.hits, out["hits"], strict=True):
            row["footnote_texts"] = [{"number": n, "text": t} for n, t in self._footnotes(hit)]
        return out

    @friendly
    def api_search(
        self,
        query: str,
        k: int = 10,
        entities: list[str] | None = None,
        section: str = "",
        judgment: str = "",
    ) -> dict[str, Any]:
        """Ranked, cited passages for a question: {query, in_report, notices, hits}."""
        return self.search_json(query, k, entities, section, judgment)

    @friendly
    def api_judgments(self) -> list[dict[str, Any]]:
        """The overall judgment and each PEEL question's grade, with its sentence and citation."""
        return self.index.judgments()

    @friendly
    def api_evidence(self, area: str = "", claim: str = "", k: int = 5) -> dict[str, Any]:
        """Evidence for a judgment area ("overall", "vulnerable", ...) and/or passages bearing on a claim."""
        if not (_text(area).strip() or _text(claim).strip()):
            raise QueryError('give a judgment area (e.g. "vulnerable") or a claim to check')
        out: dict[str, Any] = {"evidence": None, "claim": None}
        if _text(area).strip():
            out["evidence"] = ui_data.evidence(self.index, _text(area), k=k).to_dict()
        if _text(claim).strip():
            out["claim"] = self.index.search(_text(claim), k=k).to_dict()
        return out

    @friendly
    def api_entities(self, label: str = "") -> list[dict[str, Any]]:
        """Entities with the number of passages mentioning each; ``label`` is a type such as
        "places" or "ORG" (empty for all)."""
        return [r.to_dict() for r in ui_data.entity_rows(self.index, _text(label))]

    @friendly
    def api_browse(
        self, entities: list[str] | None = None, query: str = "", section: str = ""
    ) -> list[dict[str, Any]]:
        """Every passage mentioning all the entities, in report order, optionally narrowed to
        those containing the query's words and to a section."""
        return [
            h.to_dict() for h in ui_data.browse(self.index, _list(entities), _text(query), _text(section))
        ]

    @friendly
    def api_sections(self) -> list[dict[str, Any]]:
        """The section tree: heading, level, page, path, passages under it and grade."""
        return [r.to_dict() for r in self.section_rows]


def _header(index: Any) -> str:
    from html import escape

    titles = "; ".join(f"{r['title']} — {r['force']}" for r in index.reports)
    return (
        '<div class="ps-header"><h1>PEEL inspection search</h1>'
        f"<p>{escape(titles)} · {index.size} passages. Every answer is a passage of the report, "
        "cited by section, page and paragraph.</p></div>"
    )


def _ask_tab(h: Handlers) -> list[Any]:
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
            gr.Examples(EXAMPLE_QUESTIONS, inputs=question, label="Example questions")
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
                [("Any judgment area", ""), *ui_data.judgment_choices(h.index)],
                value="",
                label="Only passages in the part of the report on",
            )
    inputs = [question, k, entities, section, judgment]
    for trigger in (button.click, question.submit):
        trigger(h.ask, inputs, results, api_visibility="private")
    return [entities, section, judgment]


def _evidence_tab(h: Handlers) -> list[Any]:
    judgments = gr.HTML(
        ui_render.judgments_table(h.index.judgments()), elem_id="ps-judgments", js_on_load=None
    )
    area = gr.Radio(ui_data.judgment_choices(h.index), label="Show the evidence for", elem_id="ps-area")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            evidence = gr.HTML(h.show_evidence(None), elem_id="ps-evidence", js_on_load=None)
        with gr.Column(scale=2):
            claim = gr.Textbox(
                label="Check a claim against the whole report",
                lines=2,
                placeholder="e.g. the force is slow to arrest domestic abuse suspects",
                elem_id="ps-claim",
            )
            check = gr.Button("Find passages that bear on it", elem_id="ps-check")
            claim_out = gr.HTML(elem_id="ps-claim-results", js_on_load=None)
    area.change(h.show_evidence, area, evidence, api_visibility="private")
    for trigger in (check.click, claim.submit):
        trigger(h.check_claim, claim, claim_out, api_visibility="private")
    return [judgments, area]


def _browse_tab(h: Handlers) -> list[Any]:
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
    facet.change(h.facets, facet, [table, chart], api_visibility="private")
    table.select(h.add_entity, chosen, chosen, api_visibility="private")
    for trigger in (button.click, chosen.change, words.submit):
        trigger(h.browse, [chosen, words, section], passages, api_visibility="private")
    return [table, chart, chosen, section]


def _map_tab(h: Handlers) -> list[Any]:
    with gr.Row(equal_height=False):
        with gr.Column(scale=5):
            sections = gr.Dataframe(
                h.map_rows(),
                headers=["No.", "Section", "Page", "Passages", "Grade"],
                interactive=False,
                wrap=True,
                max_height=640,
                elem_id="ps-map",
                column_widths=["8%", "52%", "9%", "13%", "18%"],
                label="Sections (click one to read it)",
            )
        with gr.Column(scale=6):
            passages = gr.HTML(
                ui_render.message_html("Click a section to read its passages."),
                elem_id="ps-map-passages",
                js_on_load=None,
            )
    sections.select(h.select_section, None, passages, api_visibility="private")
    return [sections]


def _api(h: Handlers) -> None:
    gr.api(h.api_search, api_name="search")
    gr.api(h.api_judgments, api_name="judgments")
    gr.api(h.api_evidence, api_name="evidence")
    gr.api(h.api_entities, api_name="entities")
    gr.api(h.api_browse, api_name="browse")
    gr.api(h.api_sections, api_name="sections")


def build_app(index: Any, handlers: Handlers | None = None) -> gr.Blocks:
    """The app's Blocks for a loaded index, with a bounded queue. Does not launch.
    ``handlers`` (bound to ``index``) lets a server share them with its own routes."""
    h = handlers if handlers is not None else Handlers(index)
    with gr.Blocks(title="PEEL inspection search", analytics_enabled=False) as app:
        _api(h)  # first, so the endpoint names are theirs and not the page's handlers'
        header = gr.HTML(_header(index), js_on_load=None)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                lists = _ask_tab(h)
            with gr.Tab("Evidence for a judgment", id="evidence"):
                lists += _evidence_tab(h)
            with gr.Tab("Browse by entity", id="browse"):
                lists += _browse_tab(h)
            with gr.Tab("Report map", id="map"):
                lists += _map_tab(h)
        # A page opened after the index was rebuilt gets the new index's lists.
        app.load(h.refresh_page, None, [header, *lists], api_visibility="private", queue=False)
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
