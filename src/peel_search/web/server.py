"""The HTTP server: the web app, plus a plain JSON search route, under one origin policy.

Gradio's own ``launch()`` grants any ``Origin`` (with credentials) whenever the ``Host``
header is not localhost, which is every request behind a reverse proxy. So the Blocks
are mounted in our own FastAPI app instead, whose CORS middleware Gradio defers to: only
the server's own loopback origins and those given with ``--allow-origin`` are granted.

Routes besides the web app at ``/`` (and its ``gradio_api`` endpoints):

``GET /api/search?q=...&k=10&entity=GPE:Wolverhampton&section=...&judgment=...&report=...&force=...&year=...``
    The same JSON as the app's ``/search`` endpoint and the CLI's ``--format json``:
    ``{query, in_report, notices, hits}``. ``entity``, ``report`` (a report id), ``force``
    and ``year`` may be repeated. ``POST /api/search`` takes the same fields as a JSON
    object (``query``, ``k``, ``entities``, ``section``, ``judgment``, ``reports``,
    ``forces``, ``years``; each of the last four a list or one string), for long
    queries. Bad input is a 400 with ``{"error": "..."}``, one line.
``GET /api/compare?q=...&entity=...&section=...&judgment=...&report=...&force=...&year=...``
    One question across reports, as the app's ``/compare`` endpoint:
    ``{query, notices, rows: [{report, hit, note}]}``, one row per report in scope, ``hit``
    null with a ``note`` where the report has nothing that answers it. ``POST`` takes a
    JSON object as for search, without ``k``. Same bounds and errors as ``/api/search``.
``GET /api/figures?measure=rate&subject=...&report=...&force=...&year=...&format=json``
    Every figure the reports in scope state, as the app's ``/figures`` endpoint and the
    CLI's ``figures --format json``: a list of ``{measure, subject, value, per, area,
    period, citation, passage_id, ...}``; ``format=csv`` downloads them. An unknown measure
    is a 400 naming the valid ones.
``GET /api/reports``
    ``{"reports": [...]}``: every report's metadata (id, file, force, period, year, title...).
``GET /api/health``
    ``{"status": "ok", "passages": N}``.
``GET /api/passage/{id}``, ``/api/page/{report}/{page}.png``, ``/api/report/{report}.pdf``
    A passage in context, a PDF report's page drawn with a passage boxed, the report's
    PDF: see :mod:`peel_search.web.context`.

The JSON routes skip Gradio's queue and session bookkeeping (about half of a Gradio
call's cost), so it is the one for scripts and load. It has its own bound: at most
:data:`~peel_search.web.ui.CONCURRENCY` searches run at once and
:data:`~peel_search.web.ui.QUEUE_SIZE` wait; beyond that a request gets a 503 with
``Retry-After`` straight away rather than queueing without end.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from ..errors import IndexUnusableError, PeelSearchError, QueryError
from ..retrieve.export import EXPORT_FORMATS
from . import context as web_context
from . import render as ui_render
from . import ui
from .address import SCRIPT

__all__ = ["Gate", "RunningServer", "create_server", "gradio_settings", "serve", "start"]

log = logging.getLogger(__name__)

#: A POST body larger than this is refused (413) before it is read: queries are cut to
#: :data:`peel_search.retrieve.request.MAX_QUERY_CHARS` anyway, and this leaves room for a 1 MB one.
MAX_BODY_BYTES = 2 * 1024 * 1024
BUSY = "the server is busy: try again in a moment"
#: The fields a POST to ``/api/search`` may carry besides ``query`` (``/api/compare``: all but ``k``).
SEARCH_FIELDS = ("k", "entities", "section", "judgment", "reports", "forces", "years")
_FILTER_DEFAULTS = (
    ("entities", None),
    ("section", ""),
    ("judgment", ""),
    ("reports", None),
    ("forces", None),
    ("years", None),
)
UNEXPECTED = "something went wrong on the server; the details are in its log"


class Gate:
    """Admission for the JSON route: ``running`` requests at once, ``waiting`` more queued,
    the rest turned away. Used from the event loop only, so plain counters suffice."""

    def __init__(self, running: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(running)
        self._capacity = running + waiting
        self.admitted = 0

    def try_enter(self) -> bool:
        if self.admitted >= self._capacity:
            return False
        self.admitted += 1
        return True

    async def run(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` in a worker thread once a slot is free; call after
        :meth:`try_enter` succeeded."""
        try:
            async with self._slots:
                return await run_in_threadpool(fn, *args)
        finally:
            self.admitted -= 1


def gradio_settings(index: Any, host: str = "127.0.0.1", port: int = 7860) -> dict[str, Any]:
    """Safe settings for mounting the Blocks: no stack traces, no uploads to speak of, no run
    history, monitoring or MCP, and nothing of the index or the folder holding it served as
    a file (``allowed_paths`` empty, both folders in ``blocked_paths``)."""
    folder = Path(getattr(index, "folder", "index")).resolve()
    return {
        "server_name": host,
        "server_port": port,
        "show_error": False,
        "max_file_size": ui.MAX_UPLOAD,
        "allowed_paths": [],
        "blocked_paths": [str(folder), str(folder.parent)],
        "run_history": False,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "pwa": False,
        "footer_links": ["api"],
        "theme": ui.theme(),
        "css": ui_render.CSS + web_context.CSS,
        "head": SCRIPT,
    }


def _own_origins(host: str, port: int) -> list[str]:
    names = {host, "localhost", "127.0.0.1"}
    return sorted(f"http://{name}:{port}" for name in names)


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def _status_of(exc: PeelSearchError) -> int:
    if isinstance(exc, QueryError):
        return 400
    if isinstance(exc, IndexUnusableError):
        return 503
    return 500


def create_server(
    index: Any,
    host: str = "127.0.0.1",
    port: int = 7860,
    allow_origins: Sequence[str] = (),
    blocks: gr.Blocks | None = None,
) -> FastAPI:
    """The whole HTTP app for a loaded index: JSON routes, then the web app at ``/``.

    ``blocks`` (built with the same index) replaces the default web app, for tests.
    """
    handlers = ui.Handlers(index, ui.CONCURRENCY, ui.QUEUE_SIZE)
    blocks = blocks if blocks is not None else ui.build_app(index, handlers)
    blocks.state_session_capacity = ui.SESSIONS_KEPT
    gate = Gate(ui.CONCURRENCY, ui.QUEUE_SIZE)

    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    api.add_middleware(
        CORSMiddleware,
        allow_origins=[*_own_origins(host, port), *allow_origins],
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
        allow_credentials=False,
    )

    def search(*args: Any) -> dict[str, Any]:
        handlers.follow_rebuilds()
        return handlers.search_json(*args)

    def compare(*args: Any) -> dict[str, Any]:
        handlers.follow_rebuilds()
        return handlers.compare_json(*args)

    async def gated(fn: Any, route: str, *args: Any) -> Any:
        """``fn(*args)`` in a worker once :class:`Gate` admits it; the error response (503
        busy, 4xx bad input, 500 unexpected) in its place when it cannot answer."""
        if not gate.try_enter():
            return _error(503, BUSY, **{"Retry-After": "1"})
        try:
            return await gate.run(fn, *args)
        except PeelSearchError as exc:
            return _error(_status_of(exc), str(exc))
        except Exception:
            log.exception("unexpected error in %s", route)
            return _error(500, UNEXPECTED)

    async def answer(fn: Any, route: str, *args: Any) -> Response:
        body = await gated(fn, route, *args)
        return body if isinstance(body, Response) else JSONResponse(body)

    async def read_fields(request: Request, allowed: Sequence[str]) -> dict[str, Any] | JSONResponse:
        """The POST body as a JSON object with only ``allowed`` keys, or the error response."""
        size = request.headers.get("content-length", "")
        if not size.isdigit():
            return _error(411, "send the query as a JSON body with a Content-Length")
        if int(size) > MAX_BODY_BYTES:
            return _error(413, f"the request is over {MAX_BODY_BYTES // 1024} kB: send a shorter query")
        try:
            fields = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return _error(400, 'send a JSON object such as {"query": "missing children", "k": 5}')
        if not isinstance(fields, dict) or set(fields) - {"query", *allowed}:
            return _error(400, f"send a JSON object with query, and optionally {', '.join(allowed)}")
        return fields

    async def export(fn: Any, route: str, fmt: str, name: str, *args: Any) -> Response:
        """``fn(fmt, *args)`` as a CSV download or Markdown text, like :func:`answer`."""
        body = await gated(fn, route, fmt, *args)
        if isinstance(body, Response):
            return body
        if fmt == "csv":
            disposition = f'attachment; filename="peel-search-{name}.csv"'
            return Response(
                body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
            )
        return Response(body, media_type="text/markdown; charset=utf-8")

    async def in_format(
        fmt: str, as_json: Any, as_export: Any, route: str, name: str, *args: Any
    ) -> Response:
        """The answer as JSON, or exported as CSV or Markdown (``fmt``); 400 for another format."""
        if fmt not in ("json", *EXPORT_FORMATS):
            return _error(400, f"format is json, csv or markdown, not {fmt[:20]!r}")
        if fmt == "json":
            return await answer(as_json, route, *args)
        return await export(as_export, route, fmt, name, *args)

    def grades(*args: Any) -> dict[str, Any]:
        handlers.follow_rebuilds()
        return handlers.grades_json(*args)

    def export_search(fmt: str, *args: Any) -> str:
        handlers.follow_rebuilds()
        return handlers.export_search(fmt, *args)

    def export_compare(fmt: str, *args: Any) -> str:
        handlers.follow_rebuilds()
        return handlers.export_compare(fmt, *args)

    def export_grades(fmt: str, *args: Any) -> str:
        handlers.follow_rebuilds()
        return handlers.export_grades(fmt, *args)

    @api.get("/api/search")
    async def search_get(
        q: str = "",
        k: str = "10",
        entity: list[str] = Query(default=[]),  # noqa: B008 (FastAPI's way to take a list)
        section: str = "",
        judgment: str = "",
        report: list[str] = Query(default=[]),  # noqa: B008
        force: list[str] = Query(default=[]),  # noqa: B008
        year: list[str] = Query(default=[]),  # noqa: B008
        format: str = "json",
    ) -> Response:
        args = (q, k, entity, section, judgment, report, force, year)
        return await in_format(format, search, export_search, "/api/search", "results", *args)

    @api.post("/api/search")
    async def search_post(request: Request) -> Response:
        fields = await read_fields(request, SEARCH_FIELDS)
        if isinstance(fields, JSONResponse):
            return fields
        return await answer(
            search,
            "/api/search",
            fields.get("query", ""),
            fields.get("k", 10),
            *(fields.get(name, default) for name, default in _FILTER_DEFAULTS),
        )

    @api.get("/api/compare")
    async def compare_get(
        q: str = "",
        entity: list[str] = Query(default=[]),  # noqa: B008
        section: str = "",
        judgment: str = "",
        report: list[str] = Query(default=[]),  # noqa: B008
        force: list[str] = Query(default=[]),  # noqa: B008
        year: list[str] = Query(default=[]),  # noqa: B008
        format: str = "json",
    ) -> Response:
        args = (q, entity, section, judgment, report, force, year)
        return await in_format(format, compare, export_compare, "/api/compare", "compare", *args)

    @api.get("/api/grades")
    async def grades_get(
        report: list[str] = Query(default=[]),  # noqa: B008
        force: list[str] = Query(default=[]),  # noqa: B008
        year: list[str] = Query(default=[]),  # noqa: B008
        format: str = "json",
    ) -> Response:
        return await in_format(format, grades, export_grades, "/api/grades", "grades", report, force, year)

    @api.post("/api/compare")
    async def compare_post(request: Request) -> Response:
        fields = await read_fields(request, SEARCH_FIELDS[1:])
        if isinstance(fields, JSONResponse):
            return fields
        return await answer(
            compare,
            "/api/compare",
            fields.get("query", ""),
            *(fields.get(name, default) for name, default in _FILTER_DEFAULTS),
        )

    def figures(*args: Any) -> list[dict[str, Any]]:
        handlers.follow_rebuilds()
        return handlers.figures_json(*args)

    def export_figures(fmt: str, *args: Any) -> str:
        handlers.follow_rebuilds()
        return handlers.export_figures(fmt, *args)

    @api.get("/api/figures")
    async def figures_get(
        measure: str = "",
        subject: str = "",
        report: list[str] = Query(default=[]),  # noqa: B008
        force: list[str] = Query(default=[]),  # noqa: B008
        year: list[str] = Query(default=[]),  # noqa: B008
        format: str = "json",
    ) -> Response:
        if format not in ("json", "csv"):
            return _error(400, f"format is json or csv, not {format[:20]!r}")
        args = (measure, subject, report, force, year)
        if format == "csv":
            return await export(export_figures, "/api/figures", "csv", "figures", *args)
        return await answer(figures, "/api/figures", *args)

    @api.get("/api/reports")
    def reports() -> dict[str, Any]:  # not async: following a rebuild loads an index
        handlers.follow_rebuilds()
        return {"reports": handlers.reports_json()}

    @api.get("/api/health")
    def health() -> dict[str, Any]:  # not async: following a rebuild loads an index
        handlers.follow_rebuilds()
        return {"status": "ok", "passages": handlers.index.size}

    web_context.register_routes(api, handlers, gate)  # /api/passage, /api/page, /api/report

    api.state.blocks = blocks
    return gr.mount_gradio_app(api, blocks, path="/", **gradio_settings(index, host, port))


def _config(app: FastAPI, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=3,  # the page's event streams would otherwise hold it open
        server_header=False,
    )


def serve(index: Any, host: str = "127.0.0.1", port: int = 7860, allow_origins: Sequence[str] = ()) -> None:
    """Serve the app on ``host:port`` until interrupted."""
    from ..models import set_query_threads

    set_query_threads(1)  # searches run side by side, one core each
    app = create_server(index, host, port, allow_origins)
    print(f"peel-search: serving on http://{host}:{port} (Ctrl+C to stop)", flush=True)
    uvicorn.Server(_config(app, host, port)).run()


class RunningServer:
    """A server started in a background thread (tests, benchmarks): ``url``, ``close()``."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        self.url = f"http://{host}:{port}"
        self._blocks: gr.Blocks = app.state.blocks
        self._server = uvicorn.Server(_config(app, host, port))
        self._thread = threading.Thread(target=self._server.run, name="peel-search-server", daemon=True)

    def _start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.url}")
            time.sleep(0.01)

    def close(self) -> None:
        self._blocks.close(verbose=False)  # its queue and the page's event streams first
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start(
    index: Any,
    host: str = "127.0.0.1",
    port: int = 7860,
    allow_origins: Sequence[str] = (),
    blocks: gr.Blocks | None = None,
) -> RunningServer:
    """Start serving in a background thread; returns once it accepts connections."""
    running = RunningServer(create_server(index, host, port, allow_origins, blocks), host, port)
    running._start()
    return running
