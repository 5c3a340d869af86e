"""The ``peel-search`` command: a thin layer over the Python API.

Exit codes: 0 success, 1 failure (corpus, index, model), 2 bad usage or bad input.
Errors are one line on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from .errors import PeelSearchError, QueryError
from .retrieve.backend import BACKENDS, Backend

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see `{self.prog} --help`)")


def _common(p: argparse.ArgumentParser, formats: tuple[str, ...] = ()) -> None:
    """The options every subcommand takes (and ``--format`` when it prints data)."""
    p.add_argument("--index", default="index", metavar="DIR", help="index folder (default: index/)")
    p.add_argument(
        "--corpus", default="corpus", metavar="DIR", help="folder of report .txt files (default: corpus/)"
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild the index even if it is up to date")
    p.add_argument(
        "--backend",
        choices=BACKENDS,
        default=os.environ.get("PEEL_SEARCH_BACKEND", "faiss"),
        help="what finds candidates: faiss, in this process (default), or milvus (see README: Scaling out)",
    )
    p.add_argument(
        "--milvus-uri",
        metavar="URI",
        default=os.environ.get("PEEL_SEARCH_MILVUS_URI"),
        help="with --backend milvus: a Milvus Lite file (default: index.milvus.db beside the index) "
        "or a server, e.g. http://host:19530",
    )
    if formats:
        p.add_argument("--format", choices=formats, default=formats[0])


def _scope(p: argparse.ArgumentParser) -> None:
    """The report filters: which reports of the library a command looks at."""
    g = p.add_argument_group("which reports (each repeatable; default: every report)")
    g.add_argument("--report", action="append", default=[], metavar="ID", help="a report id (see `reports`)")
    g.add_argument(
        "--force", action="append", default=[], metavar="NAME", help="a force, e.g. 'West Midlands'"
    )
    g.add_argument(
        "--year", action="append", default=[], metavar="YYYY", help="an inspection year, e.g. 2015"
    )


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--entity",
        action="append",
        default=[],
        metavar="LABEL:TEXT",
        help="only passages mentioning this entity (repeatable), e.g. GPE:Wolverhampton",
    )
    p.add_argument("--section", metavar="TEXT", help="only passages under a heading containing TEXT")
    p.add_argument("--judgment", metavar="AREA", help="only passages in a judged area, e.g. vulnerable")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="peel-search", description="Search HMIC PEEL inspection reports, with citations.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"peel-search {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("index", help="build the index from the corpus folder")
    _common(p)
    adapt = p.add_mutually_exclusive_group()
    adapt.add_argument(
        "--adapt",
        action="store_true",
        default=None,
        help="fine-tune a copy of the encoder on the library's own text and search with both "
        "(kept by later builds; see README: How it works)",
    )
    adapt.add_argument(
        "--no-adapt", dest="adapt", action="store_false", help="drop the adapted encoder from the index"
    )

    p = sub.add_parser("search", help="ask a question; get ranked, cited passages")
    _common(p, ("text", "json", "jsonl", "csv", "markdown"))
    p.add_argument("query", nargs="?", help="the question (or use --queries FILE)")
    p.add_argument("--queries", metavar="FILE", help="one question per line ('-' for standard input)")
    p.add_argument("--k", "-k", default="10", help="how many passages (default 10)")
    _filters(p)
    _scope(p)

    p = sub.add_parser("compare", help="one question across reports: each report's best passage")
    _common(p, ("text", "json", "csv", "markdown"))
    p.add_argument("query", help="the question")
    _filters(p)
    _scope(p)

    p = sub.add_parser("judgments", help="the grades: one row per report, one column per question")
    _common(p, ("text", "json", "csv", "markdown"))
    _scope(p)

    p = sub.add_parser(
        "figures", help="every figure the reports state: measure, subject, period, value, citation"
    )
    _common(p, ("text", "json", "csv"))
    p.add_argument(
        "--measure",
        default="",
        metavar="MEASURE",
        help="only figures of this measure: count, rate, percentage, change, amount, duration or ratio",
    )
    p.add_argument(
        "--subject", default="", metavar="WORDS", help="only figures whose subject has these words"
    )
    _scope(p)

    p = sub.add_parser("entities", help="entity counts (passages mentioning each)")
    _common(p, ("text", "json"))
    p.add_argument("--label", help="only this label, e.g. ORG, GPE, PROGRAMME, TERM")
    _scope(p)

    p = sub.add_parser("browse", help="every passage mentioning entities or words, in report order")
    _common(p, ("text", "json", "csv", "markdown"))
    _filters(p)
    p.add_argument("--words", metavar="TEXT", help="only passages containing every one of these words")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N passages")
    _scope(p)

    p = sub.add_parser("reports", help="the reports in the index: force, programme, year, file")
    _common(p, ("text", "json"))
    _scope(p)

    p = sub.add_parser("sections", help="the section tree with pages and passage counts")
    _common(p, ("text", "json"))
    _scope(p)

    p = sub.add_parser("show", help="a passage in context: its section (or page), previous and next")
    _common(p, ("text", "json"))
    p.add_argument("id", help='a passage id (the "id" of `search --format json`)')
    p.add_argument("--context", default="section", help="section (default) or page")

    p = sub.add_parser("page", help="a page of a PDF report as PNG, a passage boxed on it")
    _common(p)
    p.add_argument("report", help="a report id (see `reports`)")
    p.add_argument("page", help="the page as cited (its printed number, e.g. 12)")
    p.add_argument("--highlight", metavar="ID", help="box this passage on the page")
    p.add_argument("--out", required=True, metavar="FILE.png", help="where to write the image")
    p.add_argument("--scale", type=float, default=1.5, help="pixels per point (default 1.5)")

    p = sub.add_parser("serve", help="run the web app")
    _common(p)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", default=7860, type=int, help="port (default 7860)")
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="URL",
        help="let pages from this origin call the app from a browser (repeatable), e.g. "
        "https://intranet.force.example; none other than the app's own by default",
    )
    return parser


def _say(message: str) -> None:
    print(f"peel-search: {message}", file=sys.stderr, flush=True)


def _open(args: argparse.Namespace) -> Any:
    from .retrieve.search_index import open_index

    return open_index(
        args.index,
        args.corpus,
        rebuild=getattr(args, "rebuild", False),
        notify=_say,
        backend=Backend.of(args.backend, args.milvus_uri),
    )


# -- commands -----------------------------------------------------------------------------------


def cmd_index(args: argparse.Namespace) -> int:
    from .index.build import build_index
    from .retrieve.search_index import SearchIndex

    backend = Backend.of(args.backend, args.milvus_uri)
    if not args.rebuild and args.adapt is None:
        try:
            backend.attach(SearchIndex.load(args.index, args.corpus))
            _say(f"the index in {args.index} is up to date (use --rebuild to build it again)")
            return EXIT_OK
        except PeelSearchError as exc:
            _say(f"building the index: {exc.reason}")
    result = build_index(args.corpus, args.index, reuse=not args.rebuild, adapt=args.adapt)
    if backend.name != "faiss":
        _say(f"bringing {backend} up to date")
        backend.attach(SearchIndex.load(args.index, args.corpus))
    for note in result.notes:
        _say(f"{note.name}: {note.message}")
    m = result.manifest
    kept = f" ({len(result.reused)} reused unchanged)" if result.reused else ""
    adapted = " with an adapted encoder" if m.settings.get("adapted") else ""
    _say(
        f"indexed {len(m.corpus)} report(s){kept}, {m.chunk_count} passages{adapted} in "
        f"{m.build_seconds:.1f} s -> {result.path}"
    )
    return EXIT_OK


def _read_queries(source: str) -> list[str]:
    if source == "-":
        return [line.rstrip("\r\n") for line in sys.stdin]
    path = Path(source)
    try:
        # One bad byte must not cost the whole batch; and only a newline ends a question
        # (str.splitlines would also split at \x1c-\x1e, \x85 and \u2028).
        return path.read_text(encoding="utf-8", errors="replace").split("\n")
    except FileNotFoundError:
        raise QueryError(f"{source} does not exist: give a file with one question per line") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(
            f"cannot read {source} ({exc}): give a UTF-8 text file, one question per line"
        ) from None


def cmd_search(args: argparse.Namespace) -> int:
    from .render import render_result
    from .retrieve.export import EXPORT_FORMATS, export_results

    if args.queries and args.query:
        raise QueryError("give either a question or --queries FILE, not both")
    if not args.queries and args.query is None:
        raise QueryError('give a question, e.g. peel-search search "how is risk assessed?"')
    if args.queries:
        queries = [q for q in _read_queries(args.queries) if q.strip()]
        if not queries:
            raise QueryError(f"{args.queries} holds no questions: put one question per line")
        fmt = "jsonl" if args.format == "text" else args.format
    else:
        queries = [args.query]
        fmt = args.format
    from .retrieve.request import clean_query, parse_entity_filter, parse_k

    if len(queries) == 1:
        clean_query(queries[0])  # a bad question fails before the index loads
    index = _open(args)
    parse_k(args.k, index.size)
    for spec in args.entity:
        parse_entity_filter(spec, index.labels())
    index.report_numbers(_scope_of(args))  # a bad report filter fails once, before any question
    failed = 0
    exported: list[Any] = []  # for csv and markdown, written once at the end
    for query in queries:
        try:
            result = index.search(
                query,
                k=args.k,
                entities=args.entity,
                section=args.section,
                judgment=args.judgment,
                reports=args.report,
                forces=args.force,
                years=args.year,
            )
        except QueryError as exc:
            if len(queries) == 1:
                raise
            failed += 1
            _say(f"{query[:60]!r}: {exc}")
            if fmt in EXPORT_FORMATS:
                continue
            print(
                json.dumps(
                    {"query": query, "error": str(exc), "in_report": False, "hits": []}, ensure_ascii=False
                ),
                flush=True,
            )
            continue
        for notice in result.notices:
            _say(notice)
        if fmt in EXPORT_FORMATS:
            exported.append(result)
        elif fmt == "text":
            print(render_result(result, color=sys.stdout.isatty()))
        elif fmt == "json" and len(queries) == 1:
            print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
    if fmt in EXPORT_FORMATS:
        print(export_results(exported, fmt, _labels(index)), end="")
    return EXIT_USAGE if failed else EXIT_OK


def _labels(index: Any) -> dict[str, str]:
    """Each report's short name, by id (for exports)."""
    return {m.report_id: m.label for m in index.metas}


def _scope_of(args: argparse.Namespace) -> Any:
    from .retrieve.request import ReportScope

    return ReportScope.of(args.report, args.force, args.year)


def cmd_compare(args: argparse.Namespace) -> int:
    from .render import render_compare
    from .retrieve.export import EXPORT_FORMATS, export_compare
    from .retrieve.request import clean_query

    clean_query(args.query)
    index = _open(args)
    result = index.compare(
        args.query,
        entities=args.entity,
        section=args.section,
        judgment=args.judgment,
        reports=args.report,
        forces=args.force,
        years=args.year,
    )
    for notice in result.notices:
        _say(notice)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif args.format in EXPORT_FORMATS:
        print(export_compare(result, args.format), end="")
    else:
        print(render_compare(result, color=sys.stdout.isatty()))
    return EXIT_OK


def cmd_judgments(args: argparse.Namespace) -> int:
    from .render import render_judgments, render_matrix
    from .retrieve.export import EXPORT_FORMATS, export_matrix

    index = _open(args)
    scope = _scope_of(args)
    matrix = index.grades_matrix(scope)
    if args.format == "json":
        data = {**matrix.to_dict(), "judgments": index.judgments(scope)}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif args.format in EXPORT_FORMATS:
        citations = {(j["report_id"], j["area"]): j["full_citation"] for j in index.judgments(scope)}
        print(export_matrix(matrix, citations, args.format), end="")
    elif len(matrix.rows) == 1:  # one report: each grade with the sentence it was read from
        print(render_matrix(matrix) + "\n\n" + render_judgments(index.judgments(scope)))
    else:
        print(render_matrix(matrix))
    return EXIT_OK


def cmd_figures(args: argparse.Namespace) -> int:
    from .render import render_figures
    from .retrieve.export import figures_table, to_csv
    from .retrieve.figures import parse_measure

    parse_measure(args.measure)  # a bad measure fails before the index loads
    rows = _open(args).figures(_scope_of(args), args.measure, args.subject)
    if args.format == "json":
        print(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
    elif args.format == "csv":
        print(to_csv(figures_table(rows)), end="")
    else:
        print(render_figures(rows))
    return EXIT_OK


def cmd_reports(args: argparse.Namespace) -> int:
    from .render import render_reports

    metas = _open(args).report_list(_scope_of(args))
    if args.format == "json":
        print(json.dumps([m.to_dict() for m in metas], ensure_ascii=False, indent=2))
    else:
        print(render_reports(metas))
    return EXIT_OK


def cmd_browse(args: argparse.Namespace) -> int:
    from .render import render_hit
    from .retrieve.export import EXPORT_FORMATS, export_passages

    if args.limit is not None and args.limit < 1:
        raise QueryError(f"--limit must be at least 1, not {args.limit}")
    index = _open(args)
    hits = index.browse(
        entities=args.entity,
        section=args.section,
        judgment=args.judgment,
        query=args.words,
        limit=args.limit,
        reports=args.report,
        forces=args.force,
        years=args.year,
    )
    if args.format == "json":
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
    elif args.format in EXPORT_FORMATS:
        print(export_passages(hits, args.format, _labels(index)), end="")
    elif not hits:
        print("No passage matches.")
    else:
        print("\n\n".join(render_hit(h, color=sys.stdout.isatty()) for h in hits))
    return EXIT_OK


def cmd_entities(args: argparse.Namespace) -> int:
    from .render import render_entities

    index = _open(args)
    rows = index.entity_counts(args.label, _scope_of(args))
    if args.format == "json":
        print(
            json.dumps(
                [{"label": lab, "text": t, "passages": n} for lab, t, n in rows], ensure_ascii=False, indent=2
            )
        )
    else:
        print(render_entities(rows, index.acronyms))
    return EXIT_OK


def cmd_sections(args: argparse.Namespace) -> int:
    from .render import render_sections

    index = _open(args)
    numbers = index.report_numbers(_scope_of(args))
    if args.format == "json":
        print(
            json.dumps(
                [{k: index.reports[n][k] for k in ("report_id", "title", "sections")} for n in numbers],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render_sections(index, numbers))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from .render import render_context
    from .retrieve.context import parse_context

    parse_context(args.context)  # a bad value fails before the index loads
    ctx = _open(args).passage_context(args.id, args.context)
    if args.format == "json":
        print(json.dumps(ctx.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_context(ctx, color=sys.stdout.isatty()))
    return EXIT_OK


def cmd_page(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise QueryError(f"--out must name a .png file, not {args.out!r}")
    image = _open(args).page_image(args.report, args.page, args.highlight, scale=args.scale)
    try:
        out.write_bytes(image.png)
    except OSError as exc:
        raise QueryError(
            f"cannot write {args.out} ({exc.strerror or exc}): give a writable --out path"
        ) from None
    boxed = f", the passage boxed in {len(image.boxes)} line(s)" if args.highlight else ""
    _say(
        f"wrote {out} ({image.width}x{image.height}): page {image.page} of {image.report_id}"
        f" (page {image.physical} of the PDF){boxed}"
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import serve

    if not 0 < args.port < 65536:
        raise QueryError(f"--port must be from 1 to 65535, not {args.port}")
    for origin in args.allow_origin:
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            raise QueryError(f"--allow-origin takes an origin such as https://host.example, not {origin!r}")
    index = _open(args)
    serve(index, host=args.host, port=args.port, allow_origins=args.allow_origin)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "index": cmd_index,
    "search": cmd_search,
    "compare": cmd_compare,
    "judgments": cmd_judgments,
    "figures": cmd_figures,
    "reports": cmd_reports,
    "browse": cmd_browse,
    "entities": cmd_entities,
    "sections": cmd_sections,
    "show": cmd_show,
    "page": cmd_page,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return COMMANDS[args.command](args)
    except _UsageError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except QueryError as exc:
        _say(str(exc))
        return EXIT_USAGE
    except PeelSearchError as exc:
        _say(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("PEEL_SEARCH_DEBUG"):
            raise
        _say(f"unexpected error ({type(exc).__name__}: {exc}); set PEEL_SEARCH_DEBUG=1 for details")
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
