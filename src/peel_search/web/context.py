"""A passage opened in context, on the web: the "Show in context" view of every result
card, and the HTTP routes behind it.

Routes (registered on the server's FastAPI app by :func:`register_routes`):

``GET /api/passage/{id}?context=section|page``
    The passage among the passages of its section (or page) as JSON
    (:meth:`~peel_search.types.PassageContext.to_dict`, plus each page's image and PDF
    address); ``&format=html`` gives the card's context view as an HTML fragment instead.
``GET /api/page/{report}/{page}.png?highlight={id}``
    A page of a PDF report (``page`` as cited: the printed label) as PNG, the passage's
    characters boxed.
``GET /api/report/{report}.pdf``
    The PDF the report was indexed from (``#page=N`` opens it at physical page N), found
    by report id among the corpus files the index names, never by a path from the request.

Bad input is a 400 (a bad value) or a 404 (an id, report or page the index does not hold)
with ``{"error": "..."}``, one line. The routes share the JSON routes' bound on requests
running at once (:class:`~peel_search.web.server.Gate`).

The card's view is fetched when its button is pressed (nothing is fetched for a card that
is never opened) and steps to the previous or next passage in place. Every piece of
report text is escaped; the only markup is what this module writes.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any
from urllib.parse import quote

from ..errors import IndexUnusableError, NotFoundError, PeelSearchError, QueryError
from ..types import PassageContext

log = logging.getLogger(__name__)

FORMATS = ("json", "html")


def context_button(passage_id: str) -> str:
    """The card's "Show in context" button and the (empty, hidden) box it opens."""
    target = escape(passage_id, quote=True)
    return (
        f'<div class="ps-context-bar"><button type="button" class="ps-context-open" data-target="{target}" '
        f'data-context="section" aria-expanded="false" title="Read the passage within its section, '
        f'with its page" data-ps="context">Show in context</button></div>'
        '<div class="ps-context-box" hidden></div>'
    )


# -- addresses -----------------------------------------------------------------------------------


def page_url(report_id: str, page: str, highlight: str = "", root: str = "") -> str:
    """The address of a page's image (``root`` "/" for an absolute path, "" relative to the page)."""
    tail = f"?highlight={quote(highlight, safe='')}" if highlight else ""
    return f"{root}api/page/{quote(report_id, safe='')}/{quote(page, safe='')}.png{tail}"


def pdf_url(report_id: str, physical: int | None = None, root: str = "") -> str:
    """The address of a report's PDF, opening at physical page ``physical``."""
    return f"{root}api/report/{quote(report_id, safe='')}.pdf" + (f"#page={physical}" if physical else "")


def passage_json(ctx: PassageContext) -> dict[str, Any]:
    """The JSON of ``/api/passage/{id}``: the context, each page with its image and PDF
    address, and the report's PDF address (``null`` for a text or web report)."""
    out = ctx.to_dict()
    report = ctx.report.report_id
    out["pages"] = [
        {
            "page": page.label,
            "physical": page.physical,
            "image": page_url(report, page.label, ctx.passage.id, root="/"),
            "pdf": pdf_url(report, page.physical, root="/"),
        }
        for page in ctx.pages
    ]
    out["pdf"] = pdf_url(report, root="/") if ctx.report.source_format == "pdf" else None
    return out


# -- the view ------------------------------------------------------------------------------------


def _step(label: str, target: str | None, context: str, css: str) -> str:
    if target is None:
        return f'<span class="ps-context-step ps-context-end">{escape(label)}</span>'
    return (
        f'<button type="button" class="ps-context-step {css}" data-target="{escape(target, quote=True)}" '
        f'data-context="{escape(context, quote=True)}" data-ps="context">'
        f"{escape(label)}</button>"
    )


def context_html(ctx: PassageContext) -> str:
    """The card's context view: where the passage stands (heading path, or page), the
    passages there with this one marked, steps to the passages before and after it and
    to the other context, and for a PDF report its page(s) with the passage boxed and a
    link opening the PDF at that page."""
    c = ctx.passage
    other = "page" if ctx.context == "section" else "section"
    can_switch = not (other == "page" and ctx.report.source_format == "html")
    if ctx.context == "section":
        path = " › ".join(c.section) or "The report's opening (before its first heading)"
        where = f'<div class="ps-context-path" title="The section the passage stands in">{escape(path)}</div>'
    else:
        where = f'<div class="ps-context-path">Page {c.page} of the report</div>'
    switch = (
        _step("Same page" if other == "page" else "Whole section", c.id, other, "ps-context-switch")
        if can_switch
        else ""
    )
    nav = (
        '<nav class="ps-context-nav">'
        f"{_step('← Previous passage', ctx.previous, ctx.context, 'ps-context-prev')}"
        f"{switch}"
        f"{_step('Next passage →', ctx.next, ctx.context, 'ps-context-next')}"
        "</nav>"
    )
    paragraphs = []
    for p, cite in zip(ctx.passages, ctx.citations, strict=True):
        this = p.id == c.id
        css = (
            "ps-context-para"
            + (" ps-context-this" if this else "")
            + (" ps-table" if p.kind == "table" else "")
        )
        kind = (
            f'<span class="ps-kind">{escape(p.label or p.kind.capitalize())}</span> '
            if p.kind != "text"
            else ""
        )
        location = f"p. {p.page}" + (f", ¶ {p.paragraph}" if p.paragraph else "")
        text = f"<mark>{escape(p.text)}</mark>" if this else escape(p.text)
        section = ""
        if ctx.context == "page" and p.section:
            section = f'<span class="ps-context-section">{escape(p.section[-1])}</span> '
        paragraphs.append(
            f'<div class="{css}" data-id="{escape(p.id, quote=True)}" title="{escape(cite, quote=True)}">'
            f'<div class="ps-context-where">{section}{kind}<span class="ps-context-loc">{location}</span></div>'
            f'<p class="ps-context-text">{text}</p></div>'
        )
    pages = "".join(_page_figure(ctx, page.label, page.physical) for page in ctx.pages)
    report = escape(ctx.report.report_id, quote=True)
    return (
        f'<div class="ps-context" data-passage="{escape(c.id, quote=True)}" data-report="{report}" '
        f'data-context="{ctx.context}">{nav}{where}'
        f'<div class="ps-context-body">{"".join(paragraphs)}</div>{pages}</div>'
    )


def _page_figure(ctx: PassageContext, label: str, physical: int) -> str:
    report = ctx.report.report_id
    image = escape(page_url(report, label, ctx.passage.id), quote=True)
    pdf = escape(pdf_url(report, physical), quote=True)
    alt = escape(f"Page {label} of the report's PDF, the passage boxed", quote=True)
    return (
        f'<figure class="ps-context-page" data-page="{escape(label, quote=True)}">'
        f'<img src="{image}" alt="{alt}" loading="lazy" width="893" height="1263">'
        f"<figcaption>Page {escape(label)} (page {physical} of the PDF file) · "
        f'<a href="{pdf}" target="_blank" rel="noopener">Open the PDF at this page</a></figcaption></figure>'
    )


CSS = """
.ps-context-bar {margin-top: .5rem;}
.ps-context-open, .ps-context-step {font-size: .78rem; padding: .2rem .55rem; border-radius: 5px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color);}
.ps-context-open:hover, .ps-context-step:hover {border-color: #1f4e79;}
.ps-context-box {margin-top: .5rem; border-top: 1px solid var(--border-color-primary); padding-top: .5rem;}
.ps-context-box[aria-busy] {opacity: .6;}
.ps-context-nav {display: flex; gap: .5rem; align-items: center; justify-content: space-between;}
.ps-context-end {font-size: .78rem; color: var(--body-text-color-subdued); padding: .2rem .55rem;}
.ps-context-path {font-size: .85rem; font-weight: 600; margin: .45rem 0 .3rem 0;}
.ps-context-body {max-height: 26rem; overflow-y: auto; padding-right: .4rem;}
.ps-context-para {margin: .35rem 0; padding: .25rem .5rem; border-left: 3px solid transparent;}
.ps-context-this {border-left-color: #1f4e79; background: var(--background-fill-secondary);}
.ps-context-this mark {background: rgba(255, 214, 102, .45); color: inherit;}
.ps-context-where {font-size: .75rem; color: var(--body-text-color-subdued);}
.ps-context-text {margin: .1rem 0 0 0; line-height: 1.5; white-space: pre-line;}
.ps-context-para.ps-table .ps-context-text {white-space: pre-wrap; font-family: var(--font-mono); font-size: .82rem;}
.ps-context-page {margin: .6rem 0 0 0;}
.ps-context-page img {display: block; width: 100%; max-width: 640px; height: auto;
  border: 1px solid var(--border-color-primary);}
.ps-context-page figcaption {font-size: .8rem; margin-top: .25rem;}
"""


# -- the routes ------------------------------------------------------------------------------------


def status_of(exc: PeelSearchError) -> int:
    """The HTTP status for one of our errors."""
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, QueryError):
        return 400
    if isinstance(exc, IndexUnusableError):
        return 503
    return 500


def parse_format(value: object) -> str:
    text = str(value or "json").strip().lower()
    if text not in FORMATS:
        raise QueryError(f"format must be json or html, not {str(value)[:20]!r}")
    return text


def register_routes(api: Any, handlers: Any, gate: Any) -> None:
    """Add the passage, page and PDF routes to ``api`` (the server's FastAPI app), answering
    from ``handlers.index`` (following a rebuild), bounded by ``gate``."""
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

    from .server import BUSY, UNEXPECTED

    def error(status: int, message: str, **headers: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status, headers=headers or None)

    def current() -> Any:
        handlers.follow_rebuilds()
        return handlers.index

    async def run(route: str, work: Any) -> Response:
        if not gate.try_enter():
            return error(503, BUSY, **{"Retry-After": "1"})
        try:
            response: Response = await gate.run(work)
            return response
        except PeelSearchError as exc:
            return error(status_of(exc), str(exc))
        except Exception:
            log.exception("unexpected error in %s", route)
            return error(500, UNEXPECTED)

    @api.get("/api/passage/{passage_id}")
    async def passage(passage_id: str, context: str = "section", format: str = "json") -> Response:
        def work() -> Response:
            fmt = parse_format(format)
            ctx = current().passage_context(passage_id, context)
            if fmt == "html":
                return HTMLResponse(context_html(ctx))
            return JSONResponse(passage_json(ctx))

        return await run("/api/passage", work)

    @api.get("/api/page/{report_id}/{page}.png")
    async def page_png(report_id: str, page: str, highlight: str = "") -> Response:
        def work() -> Response:
            image = current().page_image(report_id, page, highlight or None)
            return Response(image.png, media_type="image/png", headers={"Cache-Control": "no-cache"})

        return await run("/api/page", work)

    @api.get("/api/report/{report_id}.pdf")
    async def report_pdf(report_id: str) -> Response:
        def work() -> Response:
            path = current().report_pdf(report_id)
            return FileResponse(
                path,
                media_type="application/pdf",
                filename=path.name,
                content_disposition_type="inline",
                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
            )

        return await run("/api/report", work)

    usage = {
        "passage": "/api/passage/ID?context=section|page",
        "page": "/api/page/REPORT/PAGE.png?highlight=ID",
        "report": "/api/report/REPORT.pdf",
    }
    for name, shape in usage.items():

        def nothing_here(rest: str = "", shape: str = shape) -> JSONResponse:
            return error(404, f"nothing at that address: ask for {shape}")

        api.add_api_route(f"/api/{name}/{{rest:path}}", nothing_here, methods=["GET"])
        api.add_api_route(f"/api/{name}", nothing_here, methods=["GET"])
