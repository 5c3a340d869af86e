"""One citation format, used by the CLI, the API and the web app.

    PEEL Police effectiveness 2015, West Midlands Police — How effective is the force at
    investigating crime…? › How well does the force gather digital evidence? — p. 24, ¶ 3

The top-level heading is shortened when long; the innermost heading is given whole. The
full citation (for copying and export) gives every heading of the path, none shortened.
Tables and figures are cited by their label, footnotes by their number.
"""

from __future__ import annotations

from .types import Citation

#: Top-level headings longer than this are cut at a word boundary and marked with "…".
SHORT_HEADING = 50


def shorten_heading(heading: str, limit: int = SHORT_HEADING) -> str:
    """``"How effective is the force at investigating crime and managing offenders?"``
    -> ``"How effective is the force at investigating crime…?"``."""
    if len(heading) <= limit + 10:
        return heading
    cut = heading[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…" + ("?" if heading.endswith("?") else "")


def format_section(path: tuple[str, ...] | list[str], full: bool = False) -> str:
    """The section path as cited: the top heading (shortened) and the innermost one, or with
    ``full`` every heading whole."""
    if not path:
        return ""
    if full:
        return " › ".join(path)
    if len(path) == 1:
        return shorten_heading(path[0])
    return f"{shorten_heading(path[0])} › {path[-1]}"


def format_location(citation: Citation) -> str:
    page = f"p. {citation.page}"
    if citation.kind == "footnote":
        return f"{page}, {citation.label.lower() or 'footnote'}"
    if citation.kind in {"table", "figure"} and citation.label:
        return f"{page}, {citation.label}"
    return f"{page}, ¶ {citation.paragraph}"


def format_citation(citation: Citation, full: bool = False) -> str:
    """The citation as one line of text; with ``full``, every heading of the section path
    whole (for copying and export)."""
    title = citation.report_title.replace(":", "")
    head = f"{title}, {citation.force}" if citation.force else title
    return f"{head} — {format_section(citation.section, full)} — {format_location(citation)}"
