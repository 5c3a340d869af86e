"""What every tab of the web app shares: the loaded index (following a rebuild on disk),
the lists the page was built with, the request's report scope, and errors shown as one
line instead of a stack trace.

Each tab is a module of its own (:mod:`.ask`, :mod:`.compare`, :mod:`.evidence`,
:mod:`.browse`, :mod:`.report_map`, and the JSON endpoints in :mod:`.api`): a class of
callbacks over :class:`Page`, and the function that lays the tab out beside them.
:mod:`.ui` puts them together.
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

from ..errors import BusyError, PeelSearchError, QueryError
from ..types import Hit
from . import data as ui_data
from . import render as ui_render

log = logging.getLogger(__name__)

#: The section choice meaning "no section filter".
ANYWHERE = ("Anywhere in the report", "")

F = TypeVar("F", bound=Callable[..., Any])


#: What the page says when something unexpected goes wrong (the details go to the log).
UNEXPECTED = "Something went wrong on the server; the details are in its log."


def web_message(exc: PeelSearchError) -> str:
    """The error as the web app words it: its reason and fix, but never a command-line
    hint (``peel-search reports``): the page has its own lists to choose from."""
    return exc.reason if "peel-search" in exc.fix else str(exc)


def friendly(fn: F) -> F:
    """For the JSON endpoints: our errors become ``gr.Error`` with their one-line web
    message; anything else is logged and a short message shown, never a stack trace. A
    page's callback first follows a rebuild of the index."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            if args and isinstance(args[0], Page):
                args[0].follow_rebuilds()
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except PeelSearchError as exc:
            log.info("%s refused: %s", fn.__name__, exc)
            raise gr.Error(web_message(exc), title="Please check the input", print_exception=False) from None
        except Exception:
            log.exception("unexpected error in %s", fn.__name__)
            raise gr.Error(UNEXPECTED, title="Unexpected error", print_exception=False) from None

    return wrapper  # type: ignore[return-value]


def in_page(fn: F) -> F:
    """For a callback that fills one area of the page with HTML: an error is one message
    in that area, in place of what was there (no pop-up, no stale results)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            if args and isinstance(args[0], Page):
                args[0].follow_rebuilds()
            return fn(*args, **kwargs)
        except PeelSearchError as exc:
            log.info("%s refused: %s", fn.__name__, exc)
            message = web_message(exc)
            return ui_render.message_html(f"{message[:1].upper()}{message[1:]}.", "warning")
        except Exception:
            log.exception("unexpected error in %s", fn.__name__)
            return ui_render.message_html(UNEXPECTED, "warning")

    return wrapper  # type: ignore[return-value]


def text(value: Any) -> str:
    """A widget's value as text ("" for nothing)."""
    return "" if value is None else str(value)


def as_list(value: Any) -> list[str]:
    """A widget's or an endpoint's list of entity filters."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, (list, tuple)):
        raise QueryError('entities must be a list of filters such as ["GPE:Wolverhampton"]')
    return [str(v) for v in value]


def export_query(**fields: Any) -> str:
    """A request's fields as a URL query (lists repeated, empty fields left out), for the
    download and copy links of what it shows."""
    from urllib.parse import urlencode

    pairs = []
    for name, value in fields.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v is not None and str(v).strip():
                pairs.append((name, str(v)))
    return urlencode(pairs)


def scope_values(value: Any) -> Any:
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
            fresh.corpus = getattr(old, "corpus", None)  # where PDF reports' files are
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


#: At most this many requests run at once (the machine has few cores) ...
CONCURRENCY = 2
#: ... and at most this many wait; more are turned away rather than queued forever.
QUEUE_SIZE = 64


class Admission:
    """A bound for callbacks that skip Gradio's queue for speed (one request, no event
    stream): ``running`` at once, ``waiting`` more blocked until a slot frees, the rest
    turned away at once with :class:`~peel_search.errors.BusyError`."""

    def __init__(self, running: int, waiting: int) -> None:
        self._admitted = threading.BoundedSemaphore(running + waiting)
        self._running = threading.BoundedSemaphore(running)

    def __enter__(self) -> None:
        if not self._admitted.acquire(blocking=False):
            raise BusyError("the server is busy", "try again in a moment")
        self._running.acquire()

    def __exit__(self, *exc: object) -> None:
        self._running.release()
        self._admitted.release()


class Page:
    """One loaded index as the page shows it (and the index that replaces it on disk, see
    :class:`IndexWatcher`), with what every tab's callbacks need."""

    _watcher: IndexWatcher | None = None

    def __init__(self, index: Any, running: int = CONCURRENCY, waiting: int = QUEUE_SIZE) -> None:
        self.admission = Admission(running, waiting)
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

    def _result(self, result: Any, scope: Any = None, export: str = "") -> str:
        """A search result's HTML; ``export``: the request's fields for its download bar."""
        terms = ui_data.marked_terms(result.query)
        many = ui_data.is_library(self.index) and self._many(scope or None)
        return ui_render.result_html(
            result, terms, self.index.acronyms, ui_data.label_group, self._footnotes, export, many
        )

    # -- the reports a request covers --------------------------------------------------------

    def _scope(self, reports: Any = None, forces: Any = None, years: Any = None) -> Any:
        """The widgets' or an endpoint's report, force and year values as a checked
        ``ReportScope`` (an unknown value raises :class:`QueryError` naming the valid ones)."""
        scope = ui_data.scope_of(scope_values(reports), scope_values(forces), scope_values(years))
        if scope:
            self.index.report_numbers(scope)
        return scope

    def _many(self, scope: Any) -> bool:
        """Whether ``scope`` covers several reports."""
        return len(ui_data.report_ids(self.index, scope)) > 1

    # -- the index's answers with the widgets' values made plain (None, "" and lists) ---------

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
        scope = self._scope(reports, forces, years)
        return self.index.search(
            text(query),
            k=k,
            entities=as_list(entities),
            section=text(section) or None,
            judgment=text(judgment) or None,
            **ui_data.search_scope(scope),
        )

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
            text(query),
            entities=as_list(entities),
            section=text(section) or None,
            judgment=text(judgment) or None,
            **ui_data.search_scope(scope),
        )
