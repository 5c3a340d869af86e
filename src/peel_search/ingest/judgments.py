"""Graded judgments: overall, and one for each graded area of the report.

A graded area is whatever the report grades, in its own words: a 2015 question ("How
effective is the force at ...?"), a 2018 pillar ("How efficiently does the force
operate ...?"), a 2021/22 area ("Investigating crime"). It is told by structure, never
by wording: a top-level section (not a part such as the overview or an annex) with a
"Summary of findings" under it or a grade line at its head. The parser puts graded
areas at level 1 by the same signs (:func:`peel_search.ingest.parse._find_headings`).

A grade comes from, in this order (docs/layouts.md shows each year's layout):

1. an explicit grade line ("Adequate", "Requires improvement" standing alone under the
   area's heading, "Overall judgment" or "Summary of findings"; short lines such as
   "Last updated 02/05/2019" may stand between the heading and the grade);
2. the summary's own wording ("is judged to be good at", "is adequate at", "is judged to
   require improvement", "remains outstanding at"); read in an area's own opening
   paragraphs only when what the sentence grades is what the heading asks about
   (:func:`wording_is_about`): "Kent Police is good at preventing crime" grades
   "preventing crime", never "investigating crime";
3. the report's table of areas by grade (2021/22 onwards): grades as column heads, the
   areas listed under each;
4. a grade the report carries over from an earlier inspection ("In 2017 we judged the
   force to be good at preventing crime"), kept with that inspection's period.

Grades are PEEL's whole scale, :data:`~peel_search.types.GRADES`. Where none of these
exists the judgment is recorded as not stated: we never guess a grade the report does
not give ("provides a good service" is praise, not a grade).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from ..types import GRADES, Block, Grade, Judgment, Report, Section
from . import forces
from .contents import title_key, title_similarity
from .questions import content_stems, question_topics
from .text import passage_text, sentences

_GRADE_ALTERNATION = "|".join(re.escape(g) for g in GRADES)
_DATE = r"(?:\d{1,2}[/.]\d{1,2}[/.](?:19|20)?\d{2}|(?:\d{1,2}\s+)?[a-z]+\s+(?:19|20)\d{2})"
#: A line that only dates the page: "Last updated 02/05/2019", "Published on: 9 June 2023".
DATELINE_RE = re.compile(rf"^(?:last\s+updated|updated|published(?:\s+on)?)\s*:?\s*{_DATE}\.?$", re.I)
#: A paragraph that is only a grade: "Good", "Requires improvement.", "Grade: Adequate",
#: or a date line and a grade ("Last updated 18/02/2016 Good").
_GRADE_LINE_RE = re.compile(
    rf"^(?:(?:last\s+updated|updated|published(?:\s+on)?)\s*:?\s*{_DATE}\s+)?"
    rf"(?:(?:overall\s+)?(?:grade|judge?ment|rating)\s*[:–-]\s*)?({_GRADE_ALTERNATION})\.?$",
    re.I,
)
#: The report's own parts, which are never graded areas (their judgment, if any, is the overall one).
PART_RE = re.compile(
    r"^(overview\b|overall summary\b|annex\b|appendix\b|force in numbers$|introduction$|contents$|"
    r"foreword$|about (this|the) (report|inspection)|our judge?ments$|overall judge?ment|summary$)",
    re.I,
)
#: Structural headings that hold an area's verdict.
SUMMARY_OF_FINDINGS = "summary of findings"
_OVERALL_RE = re.compile(r"^overall judge?ment\b", re.I)

_GRADE_WORD = r"(outstanding|good|adequate|inadequate)"
_WORDING_RES = (
    re.compile(rf"\bjudge[sd]?\b.{{0,80}}?\bto be {_GRADE_WORD}\b", re.I),
    re.compile(
        rf"\b(?:is|are|was|were|be)\s+(?:judged\s+(?:to\s+be\s+|as\s+))?{_GRADE_WORD}\s+(?:at|in)\b", re.I
    ),
    re.compile(
        rf"\b(?:response|approach|performance|effectiveness|efficiency|legitimacy)\b.{{0,80}}?\bis {_GRADE_WORD}\b",
        re.I,
    ),
    re.compile(r"\b(requires improvement)\b", re.I),
    # Later wordings, after the ones above so that those read as before:
    re.compile(r"\bjudged\s+to\s+(require\s+improvement)\b", re.I),
    re.compile(
        rf"\b(?:remains|continues\s+to\s+be|(?:has\s+been|have\s+been|is|was|were)\s+"
        rf"(?:assessed|judged|graded|rated)\s+(?:as|to\s+be))\s+{_GRADE_WORD}\b",
        re.I,
    ),
    re.compile(rf"^the\s+extent\s+to\s+which\b.{{0,160}}?\bis:?\s+{_GRADE_WORD}\.?$", re.I),
)
_CARRIED_GRADE = r"(?P<grade>outstanding|good|adequate|inadequate|requires?\s+improvement)"
_CARRIED_WHO = r"(?:the\s+force|the\s+constabulary|it|[\w&'’ -]{2,60}?(?:police(?:\s+service)?|constabulary))"
#: What a carried grade grades, in three word orders: "the force to be good at preventing
#: crime", "the force's effectiveness at preventing crime to be good", "as good the force's
#: effectiveness at investigating crime".
_CARRIED_OBJECT = (
    rf"(?:{_CARRIED_WHO}\s+(?:to\s+be\s+|as\s+|was\s+|is\s+)?{_CARRIED_GRADE}\s+(?:at|in|for)\s+(?P<what>[^.;]+)"
    rf"|(?:{_CARRIED_WHO}['’]s?|its)\s+(?:effectiveness|efficiency|legitimacy|approach|performance)\s+(?:at|in)\s+"
    rf"(?P<what2>[^.;]+?)\s+to\s+be\s+{_CARRIED_GRADE.replace('grade>', 'grade2>')}\b"
    rf"|as\s+{_CARRIED_GRADE.replace('grade>', 'grade3>')}\s+(?:{_CARRIED_WHO}['’]s?|its)\s+"
    r"(?:effectiveness|efficiency|legitimacy|approach|performance)\s+(?:at|in)\s+(?P<what3>[^.;]+))"
)
#: "In 2017 we judged the force to be good at ...": a grade carried over from an earlier year.
_CARRIED_RE = re.compile(
    r"\bin\s+((?:19|20)\d{2}(?:\s*[/–-]\s*\d{2,4})?)\s*,?\s+(?:we|hmic|hmicfrs|inspectors)\s+"
    rf"(?:judged|assessed|graded|found)\s+(?:that\s+)?{_CARRIED_OBJECT}",
    re.I,
)
#: "In 2017, we assessed the force as good at:" over a list of what it was good at.
_CARRIED_LIST_RE = re.compile(
    r"\bin\s+((?:19|20)\d{2}(?:\s*[/–-]\s*\d{2,4})?)\s*,?\s+(?:we|hmic|hmicfrs|inspectors)\s+"
    rf"(?:judged|assessed|graded|found)\s+(?:that\s+)?{_CARRIED_WHO}\s+(?:to\s+be\s+|as\s+|was\s+|is\s+)?"
    rf"{_CARRIED_GRADE}\s+(?:at|in|for)\s*:$",
    re.I,
)
_LIST_ITEM_SPLIT_RE = re.compile(r"\s*(?:\n|[•·▪]|^-\s|\n-\s)\s*")
#: "We also judged it to be good at ...", right after a carried-over grade.
_CARRIED_MORE_RE = re.compile(
    rf"\b(?:we|hmic|hmicfrs)\s+(?:also\s+)?(?:judged|assessed|graded)\s+{_CARRIED_OBJECT}",
    re.I,
)


def _carried_parts(m: re.Match[str]) -> tuple[Grade, str]:
    """The grade and what it grades, whichever word order ``m`` matched."""
    for grade, what in (("grade", "what"), ("grade2", "what2"), ("grade3", "what3")):
        if m.group(grade):
            return _grade(m.group(grade)), m.group(what).strip()
    raise ValueError("a carried grade's match names no grade")


_SUBJECT_RE = re.compile(r"\b(force|police|constabulary)\b", re.I)
#: A grade given before this inspection, not this one's: "In 2016, we judged the force to be
#: good at ...", "consistent with last year's findings, in which we judged the force to be good".
_PAST_GRADE_RE = re.compile(
    r"\b(?:in\s+(?:19|20)\d{2}|last\s+year|previous(?:ly)?)\b[^.;]{0,60}?\b(?:we|hmic\w*)\s+"
    r"(?:judged|assessed|graded|found)\b",
    re.I,
)
#: How many paragraphs at the top of a summary may carry its verdict.
_OPENING_BLOCKS = 2


def grade_line(text: str) -> Grade | None:
    """The grade when ``text`` (one paragraph) is only a grade line, else ``None``."""
    m = _GRADE_LINE_RE.match(" ".join(text.split()))
    return _grade(m.group(1)) if m else None


def grade_wording(paragraph: str) -> Grade | None:
    """The grade a paragraph's own sentence about the force gives ("Testshire
    Constabulary is good at keeping people safe"), else ``None``."""
    for sentence in sentences(" ".join(paragraph.split())):
        if _SUBJECT_RE.search(sentence) and not _PAST_GRADE_RE.search(sentence):
            for pattern in _WORDING_RES:
                if m := pattern.search(sentence):
                    return _grade(m.group(1))
    return None


def wording_is_about(sentence: str, grade_at: int, heading: str, grade_from: int | None = None) -> bool:
    """Whether what ``sentence`` grades (the words after the grade word at ``grade_at``, or
    the whole sentence for "The extent to which ... is good") is what ``heading`` asks
    about: they share a PEEL topic (:func:`~.questions.question_topics`), or, for headings
    of no known topic, a content word ("treatment" ~ "treating").

    A sentence that ends on its grade grades its subject (the words before ``grade_from``,
    where the grade word starts): "The force's approach to the ethical behaviour of its
    workforce requires improvement" grades a part of what "How legitimately does the
    force treat the public and its workforce?" asks, not the whole. Such a sentence grades
    the heading only when its subject is the force itself, names the heading's pillar ("the
    effectiveness of the force"), or names all that the heading asks about."""
    tail = sentence[grade_at:]
    what = tail if len(content_stems(tail)) >= 1 else sentence
    if grade_from is not None and not tail.strip(" .!?;:'’\")") and content_stems(heading):
        return _subject_is(sentence[:grade_from], heading)
    asked, graded = _pillar_named(heading), _pillar_named(what)
    if asked and graded and asked != graded:
        return False  # "good in the efficiency with which ..." under an effectiveness question
    if (_overall_like(heading) and _overall_like(what)) or not content_stems(heading):
        return True  # a pillar's headline, or a heading that asks nothing narrower ("keeping people safe")
    heading_topics, what_topics = set(question_topics(heading)), set(question_topics(what))
    if heading_topics & what_topics:
        return True
    if heading_topics and what_topics:
        return False
    a, b = content_stems(heading), content_stems(what)
    return any(len(x) >= 4 and len(y) >= 4 and (x.startswith(y) or y.startswith(x)) for x in a for y in b)


_VERB_TAIL_RE = re.compile(
    r"(?:\s+(?:is|are|was|were|be|been|has|have|remains|continues|to|judged|assessed|graded|rated|as))+\s*$",
    re.I,
)
#: A force the list does not know, named in full: "Testshire Constabulary".
_UNLISTED_FORCE_RE = re.compile(r"(?:\b[A-Z][\w'’-]*\s+){1,4}(?:Police(?:\s+Service)?|Constabulary)\b")
#: Words that say who or when, not what: "Overall, we found that the force ..."
_SUBJECT_FILLER = frozenset("overal we found that judg assess hmic hmicfrs inspector also".split())


def _subject_is(subject: str, heading: str) -> bool:
    """Whether a sentence's subject, graded as a whole, is what ``heading`` asks about: the
    force itself ("Kent Police", "Overall, the constabulary"), the heading's pillar ("the
    effectiveness of Kent Police"), or every content word of the heading."""
    subject = _VERB_TAIL_RE.sub("", _UNLISTED_FORCE_RE.sub(" ", forces.without_force_names(subject)))
    stems = [s for s in content_stems(subject) if s not in _SUBJECT_FILLER]
    if not stems:
        return True
    asked, named = _pillar_named(heading), _pillar_named(subject)
    if asked and named:
        return asked == named
    wanted = content_stems(heading)
    return bool(wanted) and all(
        any(s.startswith(w[:5]) or w.startswith(s[:5]) for s in stems) for w in wanted
    )


_OVERALL_RE_WORDS = re.compile(
    r"\bkeep(?:s|ing)?\s+(?:the\s+)?people\s+safe\b.*\breduc|\breduc\w*\s+crime\b", re.I
)


_PILLAR_NAMED_RE = re.compile(r"\b(effective|efficien|legitima)\w*", re.I)


def _pillar_named(text: str) -> str:
    """The pillar a text names ("effective", "efficien", "legitima"), ``""`` for none or several."""
    found = {m.group(1).lower() for m in _PILLAR_NAMED_RE.finditer(text)}
    return found.pop() if len(found) == 1 else ""


def _overall_like(text: str) -> bool:
    """A pillar's headline: "keeping people safe and reducing crime", "reduce crime and keep people safe"."""
    return bool(_OVERALL_RE_WORDS.search(text))


def grade_wording_about(paragraph: str, heading: str) -> Grade | None:
    """The grade a paragraph's sentence about the force gives for what ``heading`` asks
    about (:func:`wording_is_about`), else ``None``."""
    for sentence in sentences(" ".join(paragraph.split())):
        if _SUBJECT_RE.search(sentence) and not _PAST_GRADE_RE.search(sentence):
            for pattern in _WORDING_RES:
                if (m := pattern.search(sentence)) and wording_is_about(
                    sentence, m.end(1), heading, m.start(1)
                ):
                    return _grade(m.group(1))
    return None


def _grade(word: str) -> Grade:
    word = " ".join(word.split()).lower()
    if word in {"require improvement", "requires improvement"}:
        return "Requires improvement"
    for g in GRADES:
        if g.lower() == word:
            return g
    raise ValueError(f"{word!r} is not a PEEL grade; grades are: {', '.join(GRADES)}")


def _direct_blocks(report: Report, section: Section) -> list[Block]:
    return [b for b in report.blocks if b.section == section.index and b.kind in {"text", "list"}]


def _block_text(report: Report, block: Block) -> str:
    return passage_text(report.source, block.spans, report.markers)


def graded_areas(report: Report) -> list[Section]:
    """The report's graded areas in report order: top-level sections, other than the
    report's parts and an overview holding the "Overall judgment", that have a "Summary of
    findings" under them or a grade line at their head, or are a question ("...?") or have
    sub-headings (an area the report leaves ungraded)."""
    out = []
    for s in report.sections:
        if s.level != 1 or PART_RE.match(s.heading) or s.heading == report.title:
            continue
        children = [c.heading for c in report.children(s.index)]
        if any(_OVERALL_RE.match(c) for c in children):
            continue
        has_summary = any(c.lower() == SUMMARY_OF_FINDINGS for c in children)
        question = s.heading.rstrip().endswith("?")
        if has_summary or _head_grade(report, s) is not None or question or children:
            out.append(s)
    return out


def _head_grade(report: Report, section: Section) -> Block | None:
    """The section's first paragraph when it is a grade line."""
    head = _direct_blocks(report, section)[:1]
    return head[0] if head and grade_line(_block_text(report, head[0])) is not None else None


def _candidate_sections(report: Report, area: Section | None) -> Iterator[Section]:
    """Where to look for an area's verdict, best first."""
    secs = report.sections
    if area is None:
        yield from (s for s in secs if _OVERALL_RE.match(s.heading))
        for top in (s for s in secs if s.level == 1 and s.heading.lower().startswith("overview")):
            yield from (s for s in secs if s.parent == top.index and s.heading.lower() == "summary")
            yield top
        return
    if _head_grade(report, area) is not None:
        yield area  # a grade line right under the area's heading is its own verdict
    yield from (s for s in secs if s.parent == area.index and s.heading.lower() == SUMMARY_OF_FINDINGS)
    yield area
    for top in (s for s in secs if s.level == 1 and s.heading.lower().startswith("overview")):
        for s in secs:
            if s.start > top.start and s.end <= top.end and title_similarity(s.heading, area.heading) >= 0.86:
                yield s


Source = Literal["grade line", "summary wording"]


def _verdict(
    report: Report, section: Section, about: str | None = None
) -> tuple[Grade, str, Block, Source] | None:
    """The grade ``section`` states: its first grade line, else a sentence of its opening
    paragraphs that grades the force; when ``about`` (the area's heading) is given, only a
    sentence that grades what the heading asks about."""
    blocks = _direct_blocks(report, section)
    for i, block in enumerate(blocks):
        text = _block_text(report, block)
        grade = grade_line(text)
        if grade is not None:
            named = re.compile(rf"\b{re.escape(grade)}\b", re.I)
            for later in blocks[i + 1 : i + 3]:
                for sentence in sentences(_block_text(report, later)):
                    if named.search(sentence):
                        return grade, sentence, later, "grade line"
            return grade, text.strip(), block, "grade line"
    for block in blocks[:_OPENING_BLOCKS]:
        for sentence in sentences(_block_text(report, block)):
            if not _SUBJECT_RE.search(sentence) or _PAST_GRADE_RE.search(sentence):
                continue
            for pattern in _WORDING_RES:
                m = pattern.search(sentence)
                if m and (about is None or wording_is_about(sentence, m.end(1), about, m.start(1))):
                    return _grade(m.group(1)), sentence, block, "summary wording"
    return None


def find_judgments(report: Report) -> list[Judgment]:
    """The overall judgment, then one per graded area, in report order, then any area that
    only the report's table of areas by grade names.

    Each judgment names the section and block its grade was read from; one whose grade the
    report does not state has grade ``None`` and source ``"not stated"``.
    """
    areas: list[Section | None] = [None, *graded_areas(report)]
    out: list[Judgment] = []
    for area in areas:
        name = "Overall" if area is None else area.heading
        verdict = None
        sections = (
            [] if area is not None and _head_to_be_graded(report, area) else _candidate_sections(report, area)
        )
        for section in sections:
            about = area.heading if area is not None and section.index == area.index else None
            verdict = _verdict(report, section, about)
            if verdict:
                grade, sentence, block, how = verdict
                out.append(Judgment(name, grade, sentence, section.index, block.start, block.end, how))
                break
        if verdict is None and (area is not None or report.sections):
            where = area if area is not None else report.sections[0]
            out.append(Judgment(name, None, "", where.index, where.start, where.start, "not stated"))
    return _with_carried_grades(report, _with_table_grades(report, _with_pillar_statements(report, out)))


# -- a force overview page's verdict on each pillar (2015-2018/19) ----------------------------

#: A paragraph that is only a pillar's verdict, as the force overview pages open: "The extent
#: to which the force is effective at keeping people safe and reducing crime is good.", "the
#: extent to which the force operates efficiently and sustainably is outstanding.", or one not
#: given: "The extent to which the force is effective at ...: not yet graded."
_PILLAR_STATEMENT_RE = re.compile(
    r"^(?P<what>the\s+extent\s+to\s+which\s+\S.{8,200}?)(?:\s+is)?\s*:?\s+(?P<verdict>"
    r"outstanding|good|adequate|inadequate|requires\s+improvement|not\s+(?:yet\s+|being\s+)?graded)\.?$",
    re.I,
)
_PILLAR_CONCEPT = {"effective": "effectiveness", "efficien": "efficiency", "legitima": "legitimacy"}
#: A pillar's own question has few content words ("How effective is the force at keeping
#: people safe and reducing crime?"); its questions have more.
_PILLAR_HEADLINE_WORDS = 5


def pillar_statement(paragraph: str) -> tuple[str, str, Grade | None] | None:
    """``(what, pillar, grade)`` when ``paragraph`` is only a pillar's verdict ("The extent
    to which the force is effective at keeping people safe and reducing crime is good"):
    what it grades, in its own words, the pillar's concept key ("effectiveness") and the
    grade, ``None`` where it says the pillar is not (yet) graded. ``None`` for any other
    paragraph."""
    m = _PILLAR_STATEMENT_RE.match(" ".join(paragraph.split()))
    if m is None or (
        not _SUBJECT_RE.search(m.group("what")) and not forces.full_name_mentions(m.group("what"))
    ):
        return None
    pillar = _pillar_named(m.group("what"))
    if not pillar:
        return None
    verdict = m.group("verdict")
    grade = None if verdict.lower().startswith("not") else _grade(verdict)
    what = m.group("what").strip()
    return what[:1].upper() + what[1:], _PILLAR_CONCEPT[pillar], grade


def _is_pillar_headline(heading: str, pillar: str) -> bool:
    """Whether ``heading`` is the pillar's own question ("How legitimately does the force
    treat the public and its workforce?"), not one of the questions under it."""
    topics = question_topics(heading)
    return (
        bool(topics)
        and topics[0] == pillar
        and _PILLAR_CONCEPT.get(_pillar_named(heading)) == pillar
        and len(content_stems(heading)) <= _PILLAR_HEADLINE_WORDS
    )


def _with_pillar_statements(report: Report, judgments: list[Judgment]) -> list[Judgment]:
    """A pillar verdict standing alone grades the pillar's own question where the report
    has it and leaves it not stated; where it has none, the verdict is an area of its own,
    named in its own words."""
    out = list(judgments)
    for block in report.blocks:
        if block.kind != "text":
            continue
        found = pillar_statement(_block_text(report, block))
        if found is None:
            continue
        what, pillar, grade = found
        sentence = " ".join(_block_text(report, block).split())
        k = next((k for k, j in enumerate(out) if _is_pillar_headline(j.area, pillar)), None)
        if k is None:
            # the pillar's own question where the report has one, else the verdict's words
            area = next((x.heading for x in report.sections if _is_pillar_headline(x.heading, pillar)), what)
            if grade is None:
                out.append(Judgment(area, None, "", block.section, block.start, block.start, "not stated"))
            else:
                out.append(
                    Judgment(area, grade, sentence, block.section, block.start, block.end, "summary wording")
                )
        elif out[k].grade is None and grade is not None:
            out[k] = Judgment(
                out[k].area, grade, sentence, block.section, block.start, block.end, "summary wording"
            )
    return out


# -- the table of areas by grade (2021/22 onwards) ------------------------------------------


def grades_table(rows: list[list[str]]) -> list[tuple[str, Grade]]:
    """``(area, grade)`` pairs from a table's rows of cells: either grades as column heads
    with the areas listed under each (several in a cell, separated by ";"), or a row per
    area with its grade in a cell of its own. ``[]`` for any other table."""
    found: list[tuple[str, Grade]] = []
    head_at = next(
        (
            i
            for i, row in enumerate(rows)
            if len([c for c in row if _is_cell(c)]) >= 2 and all(grade_line(c) for c in row if _is_cell(c))
        ),
        None,
    )
    if head_at is not None:
        heads = [grade_line(c) if _is_cell(c) else None for c in rows[head_at]]
        for row in rows[head_at + 1 :]:
            for j, cell in enumerate(row):
                grade = heads[j] if j < len(heads) else None
                if grade is None or not _is_cell(cell):
                    continue
                for item in re.split(r"\s*;\s*", cell):
                    if _is_cell(item) and grade_line(item) is None:
                        found.append((item.strip(" .,"), grade))
        return found
    for row in rows:
        cells = [c for c in row if _is_cell(c)]
        grades = [grade_line(c) for c in cells]
        named = [c for c, g in zip(cells, grades, strict=True) if g is None]
        graded = [g for g in grades if g is not None]
        if len(graded) == 1 and len(named) == 1 and len(named[0].split()) <= 20:
            found.append((named[0].strip(" .,"), graded[0]))
    return found


def _is_cell(text: str) -> bool:
    return bool(text.strip(" –—-"))


def _table_grades(report: Report) -> list[tuple[str, Grade, Block]]:
    out: list[tuple[str, Grade, Block]] = []
    for block in report.blocks:
        if block.kind != "table":
            continue
        text = passage_text(report.source, block.spans, report.markers, "table")
        rows = [line.split("\t") for line in text.split("\n") if "\t" in line]
        out.extend((area, grade, block) for area, grade in grades_table(rows))
    return out + _line_table_grades(report)


#: The head of the table of areas by grade copied from a page without its cells: "Area Grade",
#: "Area | Grade |".
_LINE_TABLE_HEAD_RE = re.compile(
    r"^\|?\s*areas?(?:\s+of\s+policing)?\s*\|?\s*(?:grades?|judge?ments?)\s*\|?$", re.I
)
#: One of its rows: "Protecting vulnerable people Good", "Protecting vulnerable people | Good |".
_LINE_TABLE_ROW_RE = re.compile(
    rf"^\|?\s*(?P<area>[^|]+?)\s*\|?\s*(?P<grade>{_GRADE_ALTERNATION})\s*\|?$", re.I
)
_LINE_TABLE_AREA_WORDS = 20


def _line_table_grades(report: Report) -> list[tuple[str, Grade, Block]]:
    """``(area, grade, block)`` from a table of areas by grade that lost its cells on the way
    (text copied from the page): a line "Area Grade" or "Area | Grade |", then a line per
    area ending on its grade, in one paragraph or a paragraph a line. A row with its grade
    cell empty ("Disrupting serious organised crime |") is passed over; any other line ends
    the table."""
    out: list[tuple[str, Grade, Block]] = []
    active, section = False, -1
    for block in report.blocks:
        if block.kind not in {"text", "list"} or block.section != section:
            active = False
        section = block.section
        for start, end in block.spans:
            for line in report.source[start:end].split("\n"):
                line = " ".join(line.split())
                if not line:
                    continue
                if _LINE_TABLE_HEAD_RE.match(line):
                    active = True
                    continue
                if not active:
                    continue
                m = _LINE_TABLE_ROW_RE.match(line)
                area = m.group("area").strip(" .,;:") if m else ""
                if m and area and grade_line(area) is None and len(area.split()) <= _LINE_TABLE_AREA_WORDS:
                    out.append((area, _grade(m.group("grade")), block))
                elif not (line.endswith("|") and len(line.split()) <= _LINE_TABLE_AREA_WORDS):
                    active = False
    return out


def _same_area(table_name: str, heading: str) -> bool:
    a, b = title_key(table_name), title_key(heading)
    if not a or not b:
        return False
    return a.startswith(b) or b.startswith(a) or title_similarity(table_name, heading) >= 0.86


def _with_table_grades(report: Report, judgments: list[Judgment]) -> list[Judgment]:
    """Fill areas left not stated from the table of areas by grade; add the table's areas
    that no heading of the report opens."""
    entries = _table_grades(report)
    if not entries:
        return judgments
    out = list(judgments)
    used: set[int] = set()
    for k, j in enumerate(out):
        if j.area == "Overall":
            continue
        match = next((n for n, (name, _, _) in enumerate(entries) if _same_area(name, j.area)), None)
        if match is None:
            continue
        used.add(match)
        name, grade, block = entries[match]
        if j.grade is None:
            out[k] = Judgment(j.area, grade, name, block.section, block.start, block.end, "grade table")
    for n, (name, grade, block) in enumerate(entries):
        if n not in used and not any(_same_area(name, j.area) for j in out):
            out.append(Judgment(name, grade, name, block.section, block.start, block.end, "grade table"))
    return out


# -- grades carried over from an earlier inspection ------------------------------------------


def _carried_statements(report: Report) -> list[tuple[str, Grade, str, str, Block]]:
    """``(period, grade, what it grades, sentence, block)`` for each grade the report says it
    gave in an earlier inspection."""
    found: list[tuple[str, Grade, str, str, Block]] = []
    lead: tuple[str, Grade, str, Block] | None = None  # "In 2017, we assessed the force as good at:"
    for block in report.blocks:
        if block.kind not in {"text", "list"}:
            lead = None
            continue
        if lead is not None and block.kind == "list" and block.section == lead[3].section:
            period, grade, sentence, _ = lead
            raw = "\n".join(report.source[a:b] for a, b in block.spans)
            for item in _LIST_ITEM_SPLIT_RE.split(raw):
                what = re.sub(r"[;,.]?\s*(?:and|or)?\s*$", "", item.strip(" -–"))
                if what:
                    found.append((period, grade, what, sentence, block))
        lead = None
        last_period = ""
        for sentence in sentences(_block_text(report, block)):
            if m := _CARRIED_LIST_RE.search(sentence):
                period = re.sub(r"\s*[/–-]\s*", "/", m.group(1))
                lead = (period, _grade(m.group("grade")), sentence, block)
                continue
            m = _CARRIED_RE.search(sentence)
            if m:
                last_period = re.sub(r"\s*[/–-]\s*", "/", m.group(1))
                found.append((last_period, *_carried_parts(m), sentence, block))
                continue
            more = _CARRIED_MORE_RE.search(sentence) if last_period else None
            if more:
                found.append((last_period, *_carried_parts(more), sentence, block))
            else:
                last_period = ""
    return found


def _with_carried_grades(report: Report, judgments: list[Judgment]) -> list[Judgment]:
    """Areas left not stated that the report says it graded in an earlier inspection get
    that grade, marked as carried over from then. Two different grades for one area give
    none."""
    statements = _carried_statements(report)
    if not statements:
        return judgments
    out = list(judgments)
    for k, j in enumerate(out):
        if j.grade is not None or j.area == "Overall" or _to_be_graded(report, j):
            continue
        matches = [s for s in statements if _carried_is_about(s[2], j.area)]
        if len({s[1] for s in matches}) != 1:
            continue
        period, grade, _, sentence, block = matches[0]
        out[k] = Judgment(
            j.area, grade, sentence, block.section, block.start, block.end, "carried over", period
        )
    return out + _carried_areas(report, out, statements)


_PILLARS = frozenset(_PILLAR_CONCEPT.values())


def _carried_areas(
    report: Report, judgments: list[Judgment], statements: list[tuple[str, Grade, str, str, Block]]
) -> list[Judgment]:
    """A pillar's summary that says what it judged earlier of one of the pillar's questions
    ("In 2017, we judged the force to be good at preventing crime and tackling anti-social
    behaviour") where the report has no heading for that question (a page cut short): the
    question is an area of its own, named in the summary's words, its grade carried over.
    Only in a pillar's summary, and never for a pillar itself: "In 2016 we assessed the force
    as good for its efficiency" there says how the pillar's grade has changed."""
    taken = {question_topics(j.area)[0] for j in judgments if question_topics(j.area)}
    by_topic: dict[str, list[tuple[str, Grade, str, str, Block]]] = {}
    for statement in statements:
        topics = question_topics(statement[2])
        block = statement[4]
        summary = report.sections[block.section].heading if block.section < len(report.sections) else ""
        if not topics or topics[0] in _PILLARS or topics[0] in taken:
            continue
        if not any(_is_pillar_headline(summary, p) for p in _PILLARS):
            continue
        by_topic.setdefault(topics[0], []).append(statement)
    out = []
    for found in by_topic.values():
        if len({s[1] for s in found}) != 1:
            continue
        period, grade, what, sentence, block = found[0]
        area = what[:1].upper() + what[1:]
        out.append(
            Judgment(area, grade, sentence, block.section, block.start, block.end, "carried over", period)
        )
    return out


#: An area whose grade is still to come: "To be graded", "Not being graded", "not yet graded".
_TO_BE_GRADED_RE = re.compile(r"^(?:to\s+be\s+graded|not\s+(?:yet\s+|being\s+)?graded)\b", re.I)


def _to_be_graded(report: Report, judgment: Judgment) -> bool:
    """Whether the area's own first paragraph says its grade is still to come."""
    if judgment.source != "not stated" or judgment.section >= len(report.sections):
        return False
    return _head_to_be_graded(report, report.sections[judgment.section])


def _head_to_be_graded(report: Report, section: Section) -> bool:
    head = _direct_blocks(report, section)[:1]
    return bool(head) and _TO_BE_GRADED_RE.match(_block_text(report, head[0]).strip()) is not None


def _carried_is_about(what: str, heading: str) -> bool:
    """Whether a carried grade's object ("preventing crime and tackling anti-social
    behaviour") is the area a heading asks about: the heading's main topic is among it."""
    topics = question_topics(heading)
    asked, graded = _pillar_named(heading), _pillar_named(what)
    if asked and graded and asked != graded:
        return False  # "good for the efficiency with which it ..." is no effectiveness grade
    if any(_is_pillar_headline(heading, p) for p in _PILLARS):
        return False  # a pillar is graded afresh each inspection; what carries over is a question's grade
    return bool(topics) and topics[0] in question_topics(what)
