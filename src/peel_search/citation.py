"""One citation format, used by the CLI, the API and the web app.

    PEEL Police effectiveness 2015, West Midlands Police — How effective is the force at
    investigating crime…? › How well does the force gather digital evidence? — p. 24, ¶ 3

The top-level heading is shortened when long; the innermost heading is given whole.
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


def format_section(path: tuple[str, ...] | list[str]) -> str:
    if not path:
        return ""
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


def format_citation(citation: Citation) -> str:
    """The citation as one line of text."""
    title = citation.report_title.replace(":", "")
    head = f"{title}, {citation.force}" if citation.force else title
    return f"{head} — {format_section(citation.section)} — {format_location(citation)}"
