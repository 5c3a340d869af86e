"""Report text (extracted from a PDF) -> :class:`~peel_search.types.Report`.

The text comes in paragraphs separated by blank lines. Each paragraph is sorted
into one of: heading, prose, list, table, figure caption / source / note / data
label, footnote body, a fragment of another paragraph (split by a page or column
break), or residue left by the PDF (page numbers, chart axis ticks, legend words,
lone ``_``). Residue is dropped; everything else lands in exactly one block under
exactly one section. Any text parses: the worst case is one section holding prose.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from ..types import Block, BlockKind, ContentsEntry, Footnote, PageAnchor, Report, Section, Span
from . import pages
from .contents import align_entries, parse_contents_lines, title_key, title_similarity
from .footnotes import find_markers
from .judgments import (
    DATELINE_RE,
    SUMMARY_OF_FINDINGS,
    find_judgments,
    grade_line,
    grade_wording,
    grade_wording_about,
)
from .text import SUPERSCRIPT_RE, fold_whitespace, passage_text, superscript_value

_FOOTNOTE_BODY_RE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*(?=\S)")
_QUESTION_RE = re.compile(
    r"^(how|what|why|which|who|where|when|is|are|does|do|to what extent)\b.{8,}\?$", re.I
)
#: The report's own top-level parts. Graded areas are the other top-level headings, found by
#: structure (:func:`_graded_areas`), never by their wording.
_PART_RE = re.compile(
    r"^(overview\b|overall summary\b|annex\b|appendix\b|force in numbers$|introduction$)", re.I
)
_OVERALL_JUDGMENT_RE = re.compile(r"^overall judge?ment\b", re.I)
_STRUCTURAL = {
    "summary of findings": 2,
    "areas for improvement": 2,
    "overall judgment": 0,
    "overall judgement": 0,
    "summary": 0,
    "our judgments": 0,
    "force in numbers": 1,
    "introduction": 1,
}
#: A question the year's inspection left alone, its grade standing from an earlier year.
_NOT_INSPECTED_RE = re.compile(
    r"^this question was not (?:subject to detailed )?inspect|\b(?:grade|judge?ment)\b.{0,80}"
    r"\b(?:still stands?|has been carried over|carried forward)\b",
    re.I,
)
_CAPTION_RE = re.compile(r"^(figure|table|chart)\s+\d+\s*[:.]", re.I)
_SOURCE_RE = re.compile(r"^source\s*:", re.I)
_NOTE_RE = re.compile(r"^(\^\{\*\}|\*)\s*\S")
_DATA_LABEL_RE = re.compile(r"^[A-Z][\w ,'’&/()\-]{1,60}?\s-?\d+(?:\.\d+)?%$")
_NUMERIC_TOKEN_RE = re.compile(r"^[-−]?\d+(?:[.,]\d+)*%?$")
_URL_RE = re.compile(r"^(https?://|www\.)\S+$", re.I)
_INSPECTION_OF_RE = re.compile(r"^an inspection of (.+)$", re.I)
_FINISHED_RE = re.compile(r"[.!?:;)\]\"'’”]$")
#: A footnote ending in a colon ("Available from:") goes on in the next fragment.
_FOOTNOTE_FINISHED_RE = re.compile(r"[.!?;)\]\"'’”]$")


@dataclass
class _Para:
    start: int
    end: int
    text: str
    kind: str = "text"
    heading_level: int = 0
    in_contents: bool = False
    #: marked a heading by its source (a web page's ``h1``-``h6``)
    known: bool = False
    page: int | None = None
    section: int = -1
    extra: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [line for line in self.text.split("\n") if line.strip()]

    @property
    def clean(self) -> str:
        return fold_whitespace(SUPERSCRIPT_RE.sub("", self.text))


def split_paragraphs(source: str) -> list[tuple[int, int]]:
    """Spans of the runs of non-blank lines, trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", source):
        start, end = m.start(), m.end()
        while start < end and source[start].isspace():
            start += 1
        while end > start and source[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


#: A text with fewer blank-line breaks than one per this many lines has a paragraph a line
#: (text copied from a web page), not paragraphs wrapped over lines (text from a PDF).
_LINES_PER_BREAK = 8


def _line_spans(source: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^\n]*\S[^\n]*", source[start:end]):
        s, e = start + m.start(), start + m.end()
        while source[s].isspace():
            s += 1
        while source[e - 1].isspace():
            e -= 1
        out.append((s, e))
    return out


def _stands_alone(line: str) -> bool:
    """A line that is a paragraph of its own even inside a run of lines: a question heading
    or a date line ("Last updated 02/05/2019")."""
    line = fold_whitespace(line)
    return bool(_QUESTION_RE.match(line)) or bool(DATELINE_RE.match(line))


def paragraph_spans(source: str) -> list[tuple[int, int]]:
    """The report's paragraphs: runs of lines between blank lines (:func:`split_paragraphs`),
    with a question heading or a date line on a line of its own split from the lines around
    it; in a text with (almost) no blank lines, every line."""
    spans = split_paragraphs(source)
    lines = sum(1 for line in source.split("\n") if line.strip())
    if lines >= 3 and len(spans) * _LINES_PER_BREAK <= lines:
        return [ls for s, e in spans for ls in _line_spans(source, s, e)]
    out: list[tuple[int, int]] = []
    for s, e in spans:
        pieces = _line_spans(source, s, e)
        if len(pieces) == 1 or "\t" in source[s:e] or not any(_stands_alone(source[a:b]) for a, b in pieces):
            out.append((s, e))
            continue
        run: list[tuple[int, int]] = []
        for a, b in pieces:
            if _stands_alone(source[a:b]):
                if run:
                    out.append((run[0][0], run[-1][1]))
                out.append((a, b))
                run = []
            else:
                run.append((a, b))
        if run:
            out.append((run[0][0], run[-1][1]))
    return out


def parse_report(
    source: str,
    report_id: str,
    page_numbers: Sequence[int | None] | None = None,
    headings: Sequence[Span] = (),
) -> Report:
    """Parse a report's text into its section tree, blocks, footnotes and judgments.

    ``page_numbers``: for text extracted from a PDF (a ``\f`` after each page), the page
    number of each page; pages are then read off the breaks, not estimated.
    ``headings``: for text extracted from a web page, the spans of the page's headings;
    each paragraph standing at one is a heading (unless it is only a grade)."""
    paras = [_Para(s, e, source[s:e]) for s, e in paragraph_spans(source)]
    title, force, body_from, entries, dropped = _front_matter(paras, report_id)
    body = paras[body_from:]
    _classify(body)
    _mark_known_headings(body, headings)
    _find_headings(body, entries)
    _attach_fragments(body)
    markers = find_markers(source, [(p.start, p.end, p.kind) for p in body])
    sections, anchors = _build_sections(source, body, entries, title, page_numbers)
    blocks = _build_blocks(body, source, markers)
    footnotes = _build_footnotes(source, body, markers)
    dropped += [(p.start, p.end) for p in body if p.kind == "residue"]
    report = Report(
        report_id=report_id,
        title=title,
        force=force,
        source=source,
        contents=tuple(entries),
        sections=tuple(sections),
        blocks=tuple(blocks),
        footnotes=tuple(footnotes),
        markers=tuple(markers),
        judgments=(),
        page_anchors=tuple(anchors),
        dropped=tuple(sorted(dropped)),
    )
    return _with_judgments(report)


def _with_judgments(report: Report) -> Report:
    return replace(report, judgments=tuple(find_judgments(report)))


def _front_matter(
    paras: list[_Para], report_id: str
) -> tuple[str, str, int, list[ContentsEntry], list[Span]]:
    """Title, force, where the body starts, the contents entries, and what was dropped."""
    title, force = "", ""
    contents_at = next(
        (i for i, p in enumerate(paras[:40]) if p.clean.lower() in {"contents", "table of contents"}),
        None,
    )
    front = paras[: contents_at if contents_at is not None else 0]
    for p in front:
        text = p.clean
        m = _INSPECTION_OF_RE.match(text)
        if m:
            force = m.group(1).strip()
        elif not title and len(text.split()) <= 12 and not text.startswith("©"):
            title = text
    if contents_at is None:
        return title or report_id, force, 0, [], []
    lines: list[str] = []
    end = contents_at + 1
    while end < len(paras) and ("\t" in paras[end].text or not lines) and not _looks_like_prose(paras[end]):
        lines.extend(paras[end].text.split("\n"))
        end += 1
    entries = parse_contents_lines(lines)
    dropped = [(paras[0].start, paras[end - 1].end)] if end > 0 else []
    return title or report_id, force, end, entries, dropped


def _looks_like_prose(p: _Para) -> bool:
    return len(p.text.split()) > 40 and "\t" not in p.text


def _is_axis_residue(text: str) -> bool:
    """A chart's axis ticks spilled as text: four or more percentages, or a run of four
    or more bare numbers, with no sentence around them."""
    tokens = text.split()
    percents = sum(1 for t in tokens if t.endswith("%") and _NUMERIC_TOKEN_RE.match(t))
    run = longest = 0
    for t in tokens:
        run = run + 1 if _NUMERIC_TOKEN_RE.match(t) else 0
        longest = max(longest, run)
    return (percents >= 4 or longest >= 4) and not _FINISHED_RE.search(text)


def _classify(paras: list[_Para]) -> None:
    """First pass: the kind of each paragraph on its own, before headings are known."""
    for p in paras:
        text = p.clean
        lines = p.lines
        if _FOOTNOTE_BODY_RE.match(p.text):
            p.kind = "footnote"
        elif re.fullmatch(r"[\W_]*", text) or re.fullmatch(r"\d{1,3}", text) or DATELINE_RE.match(text):
            p.kind = "residue"
        elif sum("\t" in line for line in lines) >= 2:
            p.kind = "table"
        elif _CAPTION_RE.match(text):
            p.kind = "caption"
        elif _SOURCE_RE.match(text):
            p.kind = "source"
        elif _NOTE_RE.match(p.text.strip()):
            p.kind = "note"
        elif _DATA_LABEL_RE.match(text):
            p.kind = "label"
        elif _is_axis_residue(text):
            p.kind = "residue"  # chart axis ticks run together with series names
        elif _URL_RE.match(text) or (
            not text[:1].isupper() and re.search(r"available (from|at)|www\.|https?://", text, re.I)
        ):
            p.kind = "citation-fragment"
        elif text[:1].islower():
            p.kind = "fragment"
        elif text.startswith(("- ", "• ", "· ")):
            p.kind = "list"
    _mark_legend_residue(paras)


def _mark_legend_residue(paras: list[_Para]) -> None:
    """Chart legends: short word-only lines repeating a nearby data label or table header."""
    for i, p in enumerate(paras):
        if p.kind not in {"text", "list"} or "\n" in p.text:
            continue
        text = p.clean.lstrip("-•· ").strip()
        if not text or len(text.split()) > 5 or re.search(r"\d|[.?!:;]$", text):
            continue
        window = paras[max(0, i - 12) : i + 12]
        for q in window:
            if q is p:
                continue
            if q.kind == "label":
                name = re.sub(r"\s-?\d+(?:\.\d+)?%$", "", q.clean)
                if SequenceMatcher(None, name.lower(), text.lower()).ratio() >= 0.8:
                    p.kind = "residue"
                    break
            elif q.kind == "table" and text.lower() in q.text.split("\n")[0].lower():
                if grade_line(text) is not None and _is_grades_header(q.text.split("\n")[0]):
                    continue  # an area's grade line near the table of areas by grade
                p.kind = "residue"
                break


def _mark_known_headings(paras: list[_Para], headings: Sequence[Span]) -> None:
    """Paragraphs that the source marks as headings (a web page's ``h1``-``h6``)."""
    starts = {start for start, _ in headings}
    for p in paras:
        if p.start in starts and grade_line(p.clean) is None:
            p.kind, p.known = "heading", True


def _is_grades_header(row: str) -> bool:
    """A table row whose cells are all grades: the head of a table of areas by grade."""
    cells = [c.strip() for c in row.split("\t") if c.strip()]
    return len(cells) >= 2 and all(grade_line(c) is not None for c in cells)


def _heading_candidate(p: _Para) -> bool:
    if p.kind not in {"text", "fragment"} or "\n" in p.text.strip():
        return False
    text = p.clean
    return (0 < len(text.split()) <= 40 and not _FINISHED_RE.search(text)) or text.endswith("?")


def _find_headings(paras: list[_Para], entries: Sequence[ContentsEntry]) -> None:
    """Mark headings and give each a level.

    Headings are the contents entries found in the body, question lines ("How well
    does the force ...?"), the report's structural headings ("Summary of findings"),
    short title lines standing over a grade line or a "Summary of findings"
    ("Investigating crime" / "Adequate"), and infographic titles whose next paragraph
    begins with the same words. A grade line itself is never a heading.

    Levels come from structure, not from any year's question wording: the report's parts
    (overview, introduction, annexes; the heading over "Overall judgment" is the overview
    whatever it says) and its graded areas (:func:`_graded_areas`) are 1; other listed
    headings are 2; "Summary of findings" and "Areas for improvement" are 2; anything
    else sits one level below the last listed heading.
    """
    candidates = [i for i, p in enumerate(paras) if _heading_candidate(p)]
    matched = align_entries(entries, [paras[i].clean for i in candidates])
    for ci, ei in matched.items():
        p = paras[candidates[ci]]
        p.kind, p.in_contents, p.page = "heading", True, entries[ei].page

    for i in candidates:
        p = paras[i]
        if p.kind == "heading" or grade_line(p.clean) is not None:
            continue
        text = p.clean
        key = text.lower().rstrip(":")
        nxt = next((q for q in paras[i + 1 :] if q.kind != "residue"), None)
        if (
            (_QUESTION_RE.match(text) and not text.startswith(("-", "•")))
            or key in _STRUCTURAL
            or _PART_RE.match(text)
        ):
            p.kind = "heading"
        elif _is_area_title(text) and nxt is not None and _opens_verdict(nxt):
            p.kind = "heading"  # a graded area's title over its verdict: "Investigating crime" / "Good"
        elif (
            nxt is not None
            and nxt.kind == "text"
            and len(text.split()) <= 5
            and text[:1].isupper()
            and not re.search(r"\d|[.?!:;,]$", text)
            and len(nxt.clean.split()) >= 6
            and nxt.clean.lower().startswith(text.lower().split()[0])
            and title_key(nxt.clean).startswith(title_key(text)[: max(4, len(title_key(text)) - 1)])
        ):
            p.kind = "heading"  # an infographic title: "Charge rate" / "Charge rate as a percentage ..."

    overviews = _overview_headings(paras)
    areas = _graded_areas(paras, overviews)
    anchor_level = 0
    have_top = False
    for i, p in enumerate(paras):
        if p.kind != "heading":
            continue
        text = p.clean
        key = text.lower().rstrip(":")
        top = i in areas or i in overviews or bool(_PART_RE.match(text))
        if p.in_contents or p.known or i in areas or i in overviews or (not entries and top):
            p.heading_level = 1 if top else 2
            anchor_level = p.heading_level
            have_top = have_top or top
        elif _STRUCTURAL.get(key) == 2 and have_top:
            p.heading_level = 2
        elif _STRUCTURAL.get(key) == 1 and not entries:
            p.heading_level = 1
            anchor_level = 1
        else:
            p.heading_level = min(anchor_level + 1, 6) if anchor_level else 1
            if not anchor_level:
                anchor_level = 1


#: A heading this similar to the first of its run repeats it (typos aside); sibling
#: sub-questions ("work to prevent" / "work with partners to prevent") score about 0.93.
_REPEAT_THRESHOLD = 0.97


def _opens_verdict(p: _Para) -> bool:
    """A grade line, or a "Summary of findings" heading line."""
    return p.kind in {"text", "heading"} and (
        grade_line(p.clean) is not None or p.clean.lower().rstrip(":") == SUMMARY_OF_FINDINGS
    )


def _is_area_title(text: str) -> bool:
    """A line that can title a graded area: short, capitalised, no sentence or list mark."""
    return (
        0 < len(text.split()) <= 20
        and text[:1].isupper()
        and not text.startswith(("- ", "• ", "· "))
        and not re.search(r"[.!:;,]$", text)
    )


def _overview_headings(paras: list[_Para]) -> set[int]:
    """Headings directly over an "Overall judgment" heading: the report's overview, whatever
    it is called ("How effectively does the force reduce crime and keep people safe?")."""
    out: set[int] = set()
    previous: int | None = None
    for i, p in enumerate(paras):
        if p.kind == "residue":
            continue
        overall = p.kind == "heading" and _OVERALL_JUDGMENT_RE.match(p.clean)
        if overall and previous is not None and paras[previous].kind == "heading":
            out.add(previous)
        previous = i
    return out


def _graded_areas(paras: list[_Para], overviews: set[int]) -> set[int]:
    """Indices of the headings that open a graded area, told by structure alone.

    A heading directly over a grade line ("Investigating crime" / "Adequate"), a heading
    that opens a run and whose first paragraph states the force's grade ("Testshire
    Constabulary is good at keeping people safe"), a question whose first paragraph
    grades what it asks (a sub-question of the web pages, right under the pillar's own
    question: "Kent Police is good at preventing crime ..."), or a heading directly
    over a "Summary of findings" (no text between) opens a graded area. Otherwise a
    "Summary of findings" closes one, and the area is the first heading of the run it
    closes: the run starts after the last part heading ("Introduction"), the overview (the
    heading over "Overall judgment") or the last summary or "Areas for improvement", and
    starts again when a heading repeats the run's first heading (an overview that lists the
    questions before the body takes them one by one). A grade line under a structural
    heading ("Overall judgment", "Summary of findings") or a part opens nothing: it is that
    section's verdict. When two areas share a title, the earlier is a summary list's entry
    and only the later opens the area.

    A question ("...?"), or a heading with sub-headings, that follows an area's end (its
    "Areas for improvement", or a summary that closed it) and has no verdict of its own
    before the next part or the end of the text is an area too, one the report leaves
    ungraded.
    """
    areas: set[int] = set()
    run: list[int] = []
    closed = False  # the next heading starts a new run
    ended = False  # ... and follows an area's end
    after_area = False  # the run began at an area's end

    def ungraded_question(before: list[int]) -> None:
        question_or_chapter = bool(before) and (paras[before[0]].clean.endswith("?") or len(before) > 1)
        if after_area and question_or_chapter and not areas.intersection(before):
            areas.add(before[0])

    previous: int | None = None  # the last paragraph that is not residue
    for i, p in enumerate(paras):
        if p.kind == "residue":
            continue
        text = p.clean
        key = text.lower().rstrip(":")
        if p.kind == "heading":
            if _PART_RE.match(text) or i in overviews:
                ungraded_question(run)
                run, closed, ended, after_area = [], False, False, False
            elif key == SUMMARY_OF_FINDINGS:
                if previous is not None and previous == (run[-1] if run else None) and len(run) > 1:
                    areas.add(previous)  # the summary opens its area: "Q2" / "Summary of findings"
                    ungraded_question(run[:-1])
                elif run and not areas.intersection(run):
                    areas.add(run[0])
                    ended = True  # the summary closes its area
                closed = True
            elif key == "areas for improvement":
                if (
                    previous is not None
                    and run
                    and previous == run[-1]
                    and paras[previous].clean.endswith("?")
                ):
                    areas.add(previous)  # a question opening on its areas for improvement (2018 web pages)
                    ungraded_question(run[:-1])
                closed = ended = True
            elif key not in _STRUCTURAL:
                repeats = bool(run) and title_similarity(paras[run[0]].clean, text) >= _REPEAT_THRESHOLD
                if closed or repeats:
                    run, after_area = [], closed and ended
                    closed = ended = False
                run.append(i)
        elif (
            previous is not None
            and p.kind == "text"
            and (
                grade_line(text) is not None
                or (not run[1:] and grade_wording(text) is not None)
                or (
                    paras[previous].kind == "heading"
                    and paras[previous].clean.endswith("?")
                    and (
                        grade_wording_about(text, paras[previous].clean) is not None
                        or _NOT_INSPECTED_RE.search(text) is not None
                    )
                )
            )
        ):
            head = paras[previous]
            head_key = head.clean.lower().rstrip(":")
            if (
                head.kind == "heading"
                and head_key not in _STRUCTURAL
                and not _PART_RE.match(head.clean)
                and previous not in overviews
            ):
                areas.add(previous)
                ungraded_question([j for j in run if j != previous])
                run, closed, ended, after_area = [previous], False, False, False
        previous = i
    ungraded_question(run)
    # A list of the graded areas with their grades ("Our judgments") ahead of the body names
    # each area again: only the last heading of a title opens its area.
    last = {title_key(paras[i].clean): i for i in sorted(areas)}
    return set(last.values())


def _attach_fragments(paras: list[_Para]) -> None:
    """Glue text broken by a page or column break back onto the paragraph it ends.

    A prose fragment (starting in lower case) joins the nearest earlier prose paragraph
    that stops mid-sentence, provided only footnotes, residue or other fragments lie
    between. A citation fragment (a bare URL, "... available from: ...") joins the
    nearest footnote that stops mid-sentence: the one before it, else the next one.
    """
    for i, p in enumerate(paras):
        if p.kind == "fragment":
            for j in range(i - 1, max(-1, i - 6), -1):
                q = paras[j]
                if q.kind in {"footnote", "residue", "fragment", "citation-fragment", "attached"}:
                    continue
                if q.kind in {"text", "list"} and not _FINISHED_RE.search(_full_text(q, paras)):
                    q.extra.append(i)
                    p.kind = "attached"
                break
            if p.kind == "fragment":
                p.kind = "text"
        elif p.kind == "citation-fragment":
            target = _footnote_to_continue(paras, i)
            if target is not None:
                paras[target].extra.append(i)
                p.kind = "attached"
            else:
                p.kind = "text"


def _full_text(p: _Para, paras: list[_Para]) -> str:
    return " ".join([p.clean] + [paras[k].clean for k in p.extra])


def _footnote_to_continue(paras: list[_Para], i: int) -> int | None:
    for j in range(i - 1, max(-1, i - 4), -1):
        q = paras[j]
        if q.kind == "footnote":
            if not _FOOTNOTE_FINISHED_RE.search(_full_text(q, paras)):
                return j
            break
        if q.kind not in {"attached", "residue", "citation-fragment"}:
            break
    for j in range(i + 1, min(len(paras), i + 4)):
        q = paras[j]
        if q.kind == "footnote":
            return j if not _FOOTNOTE_FINISHED_RE.search(q.clean) else None
        if q.kind not in {"citation-fragment", "residue", "attached"}:
            return None
    return None


def _build_sections(
    source: str,
    paras: list[_Para],
    entries: Sequence[ContentsEntry],
    title: str,
    page_numbers: Sequence[int | None] | None = None,
) -> tuple[list[Section], list[PageAnchor]]:
    headings = [p for p in paras if p.kind == "heading"]
    first_body = next((p for p in paras if p.kind not in {"residue"}), None)
    if first_body is not None and (not headings or first_body.start < headings[0].start):
        # Text before any heading: an implicit section named after the report.
        intro = _Para(first_body.start, first_body.start, "", "heading", 1)
        intro.extra = [-1]
        headings.insert(0, intro)
        intro_title = title
    else:
        intro_title = ""

    _borrow_missing_pages(headings)
    anchors: list[PageAnchor] = []
    for h in headings:
        if h.in_contents and h.page is not None:
            anchors.append(pages.heading_anchor(h.start, h.page))
    for p in paras:
        if p.kind == "residue" and re.fullmatch(r"\d{1,3}", p.clean):
            anchors.append(pages.footer_anchor(p.start, int(p.clean)))
    anchors.sort(key=lambda a: a.offset)
    anchors = _monotone(anchors)
    if page_numbers is not None:  # from a PDF: every page's extent is known
        anchors = pages.pdf_page_anchors(source, page_numbers)

    sections: list[Section] = []
    stack: list[int] = []
    for idx, h in enumerate(headings):
        level = h.heading_level or 1
        while stack and sections[stack[-1]].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        heading = intro_title if h.extra == [-1] else h.clean
        path = (sections[parent].path if parent is not None else ()) + (heading,)
        if h.in_contents and h.page is not None and page_numbers is None:
            page = h.page
        else:
            page = pages.page_at(h.start, anchors)
            if parent is not None:
                page = max(page, sections[parent].page)
        end = len(source)
        for later in headings[idx + 1 :]:
            if (later.heading_level or 1) <= level:
                end = later.start
                break
        sections.append(
            Section(
                index=idx,
                heading=heading,
                level=level,
                parent=parent,
                start=h.start,
                end=_rstrip_offset(source, h.start, end),
                heading_end=h.end,
                page=page,
                path=path,
                in_contents=h.in_contents,
            )
        )
        stack.append(idx)
    for p in paras:
        p.section = _section_at(sections, p.start)
    return sections, anchors


#: A listed heading with no page number shares the page of the next listed heading when
#: no more text than this stands between them (a chapter title and its first subheading).
_SAME_PAGE_CHARS = 600


def _borrow_missing_pages(headings: list[_Para]) -> None:
    """Give a contents-listed heading whose page number was lost the next listed
    heading's page when only a few lines separate them."""
    listed = [h for h in headings if h.in_contents]
    for h, nxt in itertools.pairwise(listed):
        if h.page is None and nxt.page is not None and nxt.start - h.end <= _SAME_PAGE_CHARS:
            h.page = nxt.page


def _monotone(anchors: list[PageAnchor]) -> list[PageAnchor]:
    """Drop anchors whose page goes backwards (a misread page number)."""
    out: list[PageAnchor] = []
    for a in anchors:
        if out and a.position < out[-1].position:
            continue
        out.append(a)
    return out


def _rstrip_offset(source: str, start: int, end: int) -> int:
    while end > start and source[end - 1].isspace():
        end -= 1
    return end


def _section_at(sections: Sequence[Section], offset: int) -> int:
    found = 0
    for s in sections:
        if s.start <= offset:
            found = s.index
        else:
            break
    return found


def _build_blocks(paras: list[_Para], source: str, markers: Sequence) -> list[Block]:
    blocks: list[Block] = []
    used: set[int] = set()
    # Tables first, so that each claims its caption before the caption is read as a figure.
    for i, p in enumerate(paras):
        if p.kind == "table":
            blocks.append(_table_block(paras, i, used))
    for i, p in enumerate(paras):
        if i in used or p.kind in {"heading", "residue", "attached", "footnote"}:
            continue
        if p.kind in {"caption", "label"}:
            blocks.append(_figure_block(paras, i, used))
        else:
            kind: BlockKind = "list" if p.kind == "list" else "text"
            spans = [(p.start, p.end)] + [(paras[k].start, paras[k].end) for k in p.extra]
            blocks.append(Block(kind=kind, spans=tuple(spans), section=p.section))
        used.add(i)
    blocks.sort(key=lambda b: min(s for s, _ in b.spans))
    out = []
    for b in blocks:
        keep = "table" if b.kind == "table" else ("list" if b.kind == "list" else "prose")
        if not passage_text(source, b.spans, markers, keep).strip():
            continue
        numbers = tuple(sorted({m.number for m in markers for s, e in b.spans if s <= m.start < e}))
        out.append(Block(kind=b.kind, spans=b.spans, section=b.section, footnotes=numbers, label=b.label))
    return out


def _caption_label(text: str) -> str:
    m = re.match(r"^((?:figure|table|chart)\s+\d+)", text, re.I)
    return m.group(1).capitalize() if m else ""


def _table_block(paras: list[_Para], i: int, used: set[int]) -> Block:
    """A table with its caption before it and its source line and notes after it."""
    p = paras[i]
    caption = None
    for j in range(i - 1, max(-1, i - 3), -1):
        q = paras[j]
        if j in used or q.section != p.section:
            break
        if q.kind == "caption":
            caption = j
            break
        if q.kind == "residue":
            continue
        if q.kind == "text" and len(q.clean.split()) <= 20 and not _FINISHED_RE.search(q.clean):
            caption = j  # an untitled chart's own heading line
        break
    after: list[int] = []
    for j in range(i + 1, min(len(paras), i + 5)):
        q = paras[j]
        # Only what follows the table directly (past residue and a page's footnotes): a
        # note after a paragraph of prose stands on its own, so the table never encloses
        # another passage's text.
        if q.section != p.section or q.kind not in {"source", "note", "residue", "footnote"}:
            break
        if q.kind in {"source", "note"}:
            after.append(j)
    order = ([caption] if caption is not None else []) + [i] + after
    used.update(order)
    label = _caption_label(paras[caption].clean) if caption is not None else ""
    return Block(
        kind="table",
        spans=tuple((paras[k].start, paras[k].end) for k in order),
        section=p.section,
        label=label,
    )


def _figure_block(paras: list[_Para], i: int, used: set[int]) -> Block:
    """A figure: its caption, the data labels around it, and its source line.

    Labels may stand before the caption (PDF order) or after it; the passage keeps
    source order, so that it is a verbatim citation.
    """
    section = paras[i].section
    j = i
    labels: list[int] = []
    while j < len(paras) and paras[j].section == section and paras[j].kind in {"label", "residue"}:
        if paras[j].kind == "label":
            labels.append(j)
        j += 1
    caption = None
    if paras[i].kind == "caption":
        caption = i
        j = i + 1
        while j < len(paras) and paras[j].section == section and paras[j].kind in {"label", "residue"}:
            if paras[j].kind == "label":
                labels.append(j)
            j += 1
    elif j < len(paras) and paras[j].kind == "caption" and paras[j].section == section and j not in used:
        caption = j
        j += 1
    sources = []
    while j < len(paras) and paras[j].section == section and paras[j].kind in {"source", "note", "residue"}:
        if paras[j].kind != "residue":
            sources.append(j)
        j += 1
    order = sorted(([caption] if caption is not None else []) + labels + sources)
    used.update(order)
    label = _caption_label(paras[caption].clean) if caption is not None else ""
    return Block(
        kind="figure",
        spans=tuple((paras[k].start, paras[k].end) for k in order),
        section=section,
        label=label,
    )


def _build_footnotes(source: str, paras: list[_Para], markers: Sequence) -> list[Footnote]:
    found: dict[int, Footnote] = {}
    for p in paras:
        if p.kind != "footnote":
            continue
        m = _FOOTNOTE_BODY_RE.match(p.text)
        if m is None:  # classified as a footnote by this same pattern
            continue
        number = superscript_value(m.group(1))
        body_start = p.start + m.end()
        spans = ((body_start, p.end), *tuple((paras[k].start, paras[k].end) for k in p.extra))
        text = passage_text(source, spans, markers)
        if number in found or not text:
            continue
        found[number] = Footnote(
            number=number,
            text=text,
            spans=spans,
            section=p.section,
            markers=tuple(mk for mk in markers if mk.number == number),
        )
    return [found[n] for n in sorted(found)]
