"""Report text from a web page saved from the HMICFRS site (``.html``, ``.htm``).

Since 2021/22 HMICFRS publishes PEEL reports as web pages first. A saved page holds the
report inside the site's frame: a cookie banner, a skip link, the site header and menu,
breadcrumbs, an in-page contents list, share buttons, related links and the footer.
:func:`extract_html` keeps the report and drops the frame, and writes the report as the
text the parser reads (:mod:`.parse`), the same shape as text extracted from a PDF:

- paragraphs separated by blank lines;
- every heading (``h1``-``h6``) a paragraph of its own, its span recorded so that the
  parser takes it as a heading whatever its wording (``ExtractedHtml.headings``);
- list items as ``- item`` lines, one list a paragraph;
- a table as rows of cells separated by tabs, one paragraph (so the grades table of a
  2021/22 or later report stays a table); a cell holding several paragraphs or items
  ("Investigating crime", "Responding to the public") joins them with ``; ``.

The page is parsed with selectolax (the Lexbor HTML5 engine): it is fast, parses broken
HTML as a browser would, and leaves the choice of what is the report to us, so headings
and tables are kept exactly. trafilatura, measured against it (``bench/layouts.py``),
finds the main text by scoring blocks and drops short lines, among them the grade lines
("Good") under the area headings; see docs/layouts.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..types import Span

#: Elements that are never report text.
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "form",
    "button",
    "input",
    "select",
    "nav",
    "link",
    "meta",
)
#: Elements of the site's frame, dropped when the report's own container cannot be found.
_FRAME_TAGS = ("header", "footer", "aside")
#: An id or class naming a part of the frame.
_FRAME_RE = re.compile(
    r"(^|[-_ ])(cookie|consent|banner|breadcrumbs?|skip|share|social|menu|navbar|nav|navigation|"
    r"sidebar|related|feedback|site-header|site-footer|masthead|print|back-to-top)($|[-_ ])",
    re.I,
)
#: Where the report itself stands, best first.
_MAIN_SELECTORS = ("main", "[role=main]", "article", "#main-content", "#content", ".content", "body")
_BLOCK_TAGS = frozenset(
    "p div section article main header footer aside blockquote figure figcaption ul ol li dl dt dd "
    "table thead tbody tfoot tr td th caption h1 h2 h3 h4 h5 h6 hr pre address details summary".split()
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WS_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ExtractedHtml:
    """A web page's report text, the spans of its headings in that text, and the page's title."""

    text: str
    headings: tuple[Span, ...]
    title: str = ""


class UnreadableHtmlError(ValueError):
    """A page with no report text in it; the message says what to do."""


def _load_parser() -> Any:
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UnreadableHtmlError(
            "reading .html reports needs the selectolax package: pip install selectolax"
        ) from exc
    return LexborHTMLParser


def _is_frame(node: Any) -> bool:
    attrs = node.attributes or {}
    if (attrs.get("aria-hidden") or "").lower() == "true" or "hidden" in attrs:
        return True
    if (attrs.get("role") or "").lower() in {"navigation", "banner", "contentinfo", "search"}:
        return True
    names = f"{attrs.get('id') or ''} {attrs.get('class') or ''}"
    return bool(_FRAME_RE.search(names))


def _is_link_list(node: Any) -> bool:
    """An in-page contents list: a list every item of which is a link within the page."""
    items = node.css("li")
    if not items:
        return False
    for li in items:
        links = li.css("a")
        if not links or not all((a.attributes.get("href") or "").startswith("#") for a in links):
            return False
    return True


class _Writer:
    """Collects blocks of text in reading order."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, bool]] = []  # (text, is heading)
        self.inline: list[str] = []

    def flush(self) -> None:
        text = _WS_RE.sub(" ", "".join(self.inline)).strip()
        self.inline = []
        if text:
            self.blocks.append((text, False))

    def block(self, text: str, heading: bool = False) -> None:
        self.flush()
        if text.strip():
            self.blocks.append((text.strip(), heading))


def _inline_text(node: Any) -> str:
    return _WS_RE.sub(" ", node.text(deep=True, separator=" ")).strip()


def _has_block_inside(node: Any) -> bool:
    return any(d != node and d.tag in {"p", "li", "div"} for d in node.traverse(include_text=False))


def _cell_text(cell: Any) -> str:
    """A table cell's text; several paragraphs, items or lines in it are joined with "; "."""
    blocks = [_inline_text(c) for c in cell.css("p, li, div") if not _has_block_inside(c)]
    blocks = [b for b in blocks if b]
    if len(blocks) > 1:
        return "; ".join(blocks)
    if cell.css_first("br") is not None:
        pieces = re.split(r"<br\s*/?>", cell.html or "", flags=re.I)
        cleaned = [_WS_RE.sub(" ", re.sub(r"<[^>]+>", " ", p)).strip() for p in pieces]
        return "; ".join(p for p in cleaned if p)
    return _inline_text(cell)


def _table_text(table: Any) -> str:
    rows = []
    for tr in table.css("tr"):
        cells = [
            _cell_text(c).replace("\t", " ") for c in tr.iter(include_text=False) if c.tag in {"td", "th"}
        ]
        if any(cells):
            rows.append("\t".join(c or "–" for c in cells))
    caption = table.css_first("caption")
    lines = ([_inline_text(caption)] if caption is not None and _inline_text(caption) else []) + rows
    if len(rows) == 1:  # a one-row table is a line of text, not a table to the parser
        return "  ".join(rows[0].split("\t"))
    return "\n".join(lines)


def _walk(node: Any, out: _Writer) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.inline.append(child.text_content or "")
            continue
        if tag in _DROP_TAGS or tag == "-comment" or _is_frame(child):
            continue
        if tag in _HEADING_TAGS:
            out.block(_inline_text(child), heading=True)
        elif tag == "table":
            out.block(_table_text(child))
        elif tag in {"ul", "ol"}:
            if _is_link_list(child):
                continue
            items = [_inline_text(li) for li in child.css("li") if not li.css_first("ul, ol")]
            out.block("\n".join(f"- {item}" for item in items if item))
        elif tag == "br":
            out.inline.append("\n")
        elif tag in _BLOCK_TAGS:
            out.flush()
            _walk(child, out)
            out.flush()
        else:
            _walk(child, out)


def extract_html(data: bytes | str) -> ExtractedHtml:
    """The report text of a saved web page, the spans of its headings, and its title.

    Raises :class:`UnreadableHtmlError` when the page holds no report text.
    """
    parser_class = _load_parser()
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    tree = parser_class(data)
    title_node = tree.css_first("title")
    title = _inline_text(title_node) if title_node is not None else ""
    root = None
    for selector in _MAIN_SELECTORS:
        root = tree.css_first(selector)
        if root is not None and len(_inline_text(root)) > 200:
            break
    if root is None:
        root = tree.root
    if root is None:
        raise UnreadableHtmlError("the page has no body: save the report's page from the HMICFRS site again")
    for tag in _FRAME_TAGS if root.tag == "body" else ():
        for node in root.css(tag):
            node.decompose()
    writer = _Writer()
    _walk(root, writer)
    writer.flush()
    pieces: list[str] = []
    headings: list[Span] = []
    pos = 0
    for text, is_heading in writer.blocks:
        if pieces:
            pos += 2
        if is_heading:
            headings.append((pos, pos + len(text)))
        pieces.append(text)
        pos += len(text)
    text = "\n\n".join(pieces) + "\n"
    if sum(ch.isalpha() for ch in text) < 20:
        raise UnreadableHtmlError(
            "no report text in the page: save the report's own page, not a list of reports"
        )
    return ExtractedHtml(text=text, headings=tuple(headings), title=title)
