"""The web app: ask, evidence for a judgment, browse by entity, the report map and, for a
library of reports, compare.

:func:`build_app` returns the Gradio Blocks (it never launches); :mod:`peel_search.web.server`
serves them with safe settings. Every action is also a JSON endpoint for
``gradio_client``: ``/search``, ``/compare``, ``/judgments``, ``/grades``, ``/evidence``,
``/entities``, ``/browse``, ``/sections`` and ``/reports``. Each takes ``reports``,
``forces`` and ``years`` (lists, or one value) to restrict it to some reports.

With several reports in the index the page shows report, force and year selectors above
the tabs, which every tab honours, a Compare tab and the grades matrix; with one report
none of these shows and the page is as it was.

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


def _scope_values(value: Any) -> Any:
    """A report, force or year selector's value: None when nothing is chosen."""
    if value is None or value == "" or (isinstance(value, (list, tuple)) and not value):
        return None
    return value


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
        from ..retrieve.search_index import SearchIndex

        old = self._index
        folder = Path(old.folder)
        try:
            fresh = SearchIndex.load(folder)
        except PeelSearchError as exc:
            log.warning(
                "the index in %s changed but will not load; still using the one loaded: %s", folder, exc
            )
        else:
            embedder = old.library.loaded_embedder
            if embedder is not None:
                fresh.use_embedder(embedder)
            fresh.first_stage_depth = old.first_stage_depth
            try:
                old.backend.attach(fresh)
            except PeelSearchError as exc:
                log.warning(
                    "the rebuilt index in %s cannot use %s; still using the one loaded: %s",
                    folder,
                    old.backend,
                    exc,
                )
                self._stamp = stamp
                return
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

    # -- the reports a request covers --------------------------------------------------------

    def _scope(self, reports: Any = None, forces: Any = None, years: Any = None) -> Any:
        """The widgets' or an endpoint's report, force and year values as a checked
        ``ReportScope`` (an unknown value raises :class:`QueryError` naming the valid ones)."""
        scope = ui_data.scope_of(_scope_values(reports), _scope_values(forces), _scope_values(years))
        if scope:
            self.index.report_numbers(scope)
        return scope

    def _many(self, scope: Any) -> bool:
        """Whether ``scope`` covers several reports."""
        return len(ui_data.report_ids(self.index, scope)) > 1

    # -- Ask -------------------------------------------------------------------------------

    def _search(
        self,
        query: Any,
        k: Any,
        entities: Any,
        section: Any,
        judgment: Any,
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> Any:
        """The index's search with the widgets' values made plain (None, "" and lists)."""
        scope = self._scope(reports, forces, years)
        return self.index.search(
            _text(query),
            k=k,
            entities=_list(entities),
            section=_text(section) or None,
            judgment=_text(judgment) or None,
            **ui_data.search_scope(scope),
        )

    @friendly
    def ask(
        self,
        query: str,
        k: float,
        entities: Any = None,
        section: Any = None,
        judgment: Any = None,
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> str:
        result = self._search(query, k, entities, section, judgment, reports, forces, years)
        return self._result(result)

    # -- Compare ---------------------------------------------------------------------------

    def _compare(
        self,
        query: Any,
        entities: Any = None,
        section: Any = "",
        judgment: Any = "",
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> Any:
        scope = self._scope(reports, forces, years)
        return self.index.compare(
            _text(query),
            entities=_list(entities),
            section=_text(section) or None,
            judgment=_text(judgment) or None,
            **ui_data.search_scope(scope),
        )

    @friendly
    def compare(self, query: Any, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        """One question across the reports in scope, side by side."""
        result = self._compare(query, None, "", "", reports, forces, years)
        terms = ui_data.marked_terms(result.query)
        return ui_render.compare_html(
            result, terms, self.index.acronyms, ui_data.label_group, self._footnotes
        )

    # -- Evidence for a judgment -----------------------------------------------------------

    def grades_view(self, scope: Any = None) -> str:
        """The grades of the reports in scope: the matrix (reports by aligned questions) when
        there are several, else the table of one report's judgments."""
        if ui_data.is_library(self.index) and self._many(scope):
            matrix = self.index.grades_matrix(scope or None)
            return ui_render.matrix_html(matrix, ui_data.grade_citations(self.index, scope))
        rows = self.index.judgments(scope)
        return ui_render.judgments_table(rows)

    @friendly
    def grades(self, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        return self.grades_view(self._scope(reports, forces, years))

    @friendly
    def show_evidence(self, area: Any, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        if not _text(area).strip():
            return ui_render.message_html("Choose a question above to see the evidence for its grade.")
        found = ui_data.evidence(self.index, _text(area), scope=self._scope(reports, forces, years))
        return ui_render.evidence_html(
            found.judgment, found.summary, found.improvements, found.supporting, self._passages
        )

    @friendly
    def check_claim(
        self, claim: Any, k: float = 6, reports: Any = None, forces: Any = None, years: Any = None
    ) -> str:
        scope = self._scope(reports, forces, years)
        return self._result(self.index.search(_text(claim), k=k, **ui_data.search_scope(scope)))

    def check_claim_in(self, claim: Any, reports: Any = None, forces: Any = None, years: Any = None) -> str:
        """:meth:`check_claim` as the page calls it, with the report selectors' values."""
        return self.check_claim(claim, 6, reports, forces, years)

    # -- Browse by entity ------------------------------------------------------------------

    @friendly
    def facets(
        self, facet: Any, reports: Any = None, forces: Any = None, years: Any = None
    ) -> tuple[list[list[Any]], Any]:
        """The entity table rows and the bar chart data for one entity type, counted in the
        reports in scope."""
        import pandas as pd

        rows = ui_data.entity_rows(self.index, _text(facet), self._scope(reports, forces, years))
        table = [[r.group, r.name, r.passages, r.expansion] for r in rows]
        top = sorted(rows, key=lambda r: -r.passages)[:CHART_ENTITIES]
        chart = pd.DataFrame({"entity": [r.name for r in top], "passages": [r.passages for r in top]})
        return table, chart

    @friendly
    def browse(
        self,
        entities: Any,
        query: Any = "",
        section: Any = "",
        reports: Any = None,
        forces: Any = None,
        years: Any = None,
    ) -> str:
        chosen, words, where = _list(entities), _text(query), _text(section)
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
        current = _list(chosen)
        row = evt.row_value or []
        value = self._filter_of.get((row[0], row[1])) if len(row) >= 2 else None
        return [*current, value] if value and value not in current else current

    # -- Report map ------------------------------------------------------------------------

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
        heading = len(row) - 4  # the heading is before page, passages and grade
        return self.section_passages(row[0] if row else None, row[heading] if heading >= 1 else None)

    # -- the report selectors ---------------------------------------------------------------

    @friendly
    def scope_changed(
        self, reports: Any = None, forces: Any = None, years: Any = None, facet: Any = "All"
    ) -> tuple[Any, ...]:
        """What the tabs show for newly chosen reports: the grades (matrix or table), the
        judgment areas to choose from, the entity table and chart, and the report map."""
        scope = self._scope(reports, forces, years)
        table, chart = self.facets(facet, reports, forces, years)
        return (
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

    # -- JSON endpoints --------------------------------------------------------------------

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
        return ui_data.grades_json(self.index, self._scope(reports, forces, years) or None)

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
        if not (_text(area).strip() or _text(claim).strip()):
            raise QueryError('give a judgment area (e.g. "vulnerable") or a claim to check')
        out: dict[str, Any] = {"evidence": None, "claim": None}
        if _text(area).strip():
            out["evidence"] = ui_data.evidence(self.index, _text(area), k=k, scope=scope).to_dict()
        if _text(claim).strip():
            out["claim"] = self.index.search(_text(claim), k=k, **ui_data.search_scope(scope)).to_dict()
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
        return [r.to_dict() for r in ui_data.entity_rows(self.index, _text(label), scope)]

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
        hits = ui_data.browse(self.index, _list(entities), _text(query), _text(section), scope)
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


def _ask_tab(h: Handlers, scope: list[Any]) -> list[Any]:
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
                [("Any judgment area", ""), *ui_data.judgment_filter_choices(h.index)],
                value="",
                label="Only passages in the part of the report on",
            )
    inputs = [question, k, entities, section, judgment, *scope]
    for trigger in (button.click, question.submit):
        trigger(h.ask, inputs, results, api_visibility="private")
    return [entities, section, judgment]


def _evidence_tab(h: Handlers, scope: list[Any]) -> list[Any]:
    judgments = gr.HTML(h.grades_view(), elem_id="ps-judgments", js_on_load=None)
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
    area.change(h.show_evidence, [area, *scope], evidence, api_visibility="private")
    for trigger in (check.click, claim.submit):
        trigger(h.check_claim_in, [claim, *scope], claim_out, api_visibility="private")
    return [judgments, area]


def _browse_tab(h: Handlers, scope: list[Any]) -> list[Any]:
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
        trigger(h.browse, [chosen, words, section, *scope], passages, api_visibility="private")
    return [table, chart, chosen, section, facet]


def _map_tab(h: Handlers) -> list[Any]:
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
    return [sections]


def _compare_tab(h: Handlers, scope: list[Any]) -> None:
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
        trigger(h.compare, [question, *scope], results, api_visibility="private")


def _api(h: Handlers) -> None:
    gr.api(h.api_search, api_name="search")
    gr.api(h.api_compare, api_name="compare")
    gr.api(h.api_judgments, api_name="judgments")
    gr.api(h.api_grades, api_name="grades")
    gr.api(h.api_reports, api_name="reports")
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
        scope_row, scope = _scope_row(h)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                ask_lists = _ask_tab(h, scope)
            with gr.Tab("Compare", id="compare", visible=ui_data.is_library(index)) as compare_tab:
                _compare_tab(h, scope)
            with gr.Tab("Evidence for a judgment", id="evidence"):
                evidence_lists = _evidence_tab(h, scope)
            with gr.Tab("Browse by entity", id="browse"):
                *browse_lists, facet = _browse_tab(h, scope)
            with gr.Tab("Report map", id="map"):
                map_lists = _map_tab(h)
        lists = [*ask_lists, *evidence_lists, *browse_lists, *map_lists]
        # Choosing reports redraws what each tab shows for them.
        judgments, area = evidence_lists
        table, chart = browse_lists[:2]
        for selector in scope:
            selector.change(
                h.scope_changed,
                [*scope, facet],
                [judgments, area, table, chart, map_lists[0]],
                api_visibility="private",
            )
        # A page opened after the index was rebuilt gets the new index's lists.
        app.load(h.refresh_page, None, [header, *lists], api_visibility="private", queue=False)
        app.load(
            h.refresh_scope, None, [scope_row, *scope, compare_tab], api_visibility="private", queue=False
        )
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
