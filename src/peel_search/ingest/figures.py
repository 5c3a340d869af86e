"""Every statistic a report states, as :class:`~peel_search.types.Figure` records.

Figures stand in three places, each read its own way:

- **prose**: a number with what follows it ("68 organised crime groups", "fell by 15
  percent", "24 OCGs per one million of the population", "approximately 90 offenders
  each", "every six weeks", "two-thirds of forces"). Its measure comes from its unit
  and the words around it; its subject from the noun phrase it counts or the clause it
  stands in; its period from the sentence ("in the 12 months to 30 June 2015", "as at
  30 June 2015"), or the figure before it when the sentence says "over the same period";
- **tables** (tab-separated rows under a caption): a value's measure and subject come
  from its column header, the header's first cell, its row label and the caption
  ("Rate" with no base stated is a percentage, as PEEL's outcome rates are), its area
  from the column header ("West Midlands Police", "England and Wales"), its period
  from the caption; a note under the table may give a row another base ("the rate for
  burglary in a dwelling is the rate per 1,000 households");
- **charts and panels**: a data label ("Drug activity 54%") under a caption, and a
  "force in numbers" panel (a line of values under a line naming the areas, under
  a caption).

What is not a statistic is left out: years and dates, periods ("12 months to"), footnote
markers, references to figures, questions, pages and levels, numbers inside names and
addresses ("WMP 2020", "Catch 22", URLs), footnotes, and counts of the report's own parts
("four in-depth questions", "twenty types of outcomes"). A number spelled in words counts
only when it counts something ("ten locally-based teams"), not when it names a known set
("the six national threats").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..types import Block, Figure, FigureSource, Measure, Report, Span
from . import pages
from .periods import NUMBER_WORDS, Period, find_periods
from .text import SUPERSCRIPT_RE, sentence_spans

_WORD_NUMBERS = {word: n for word, n in NUMBER_WORDS.items() if n > 1}  # "one" is rarely a count
_FRACTIONS = {
    "half": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "one-third": 1 / 3,
    "two thirds": 2 / 3,
    "two-thirds": 2 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "one-quarter": 0.25,
    "three quarters": 0.75,
    "three-quarters": 0.75,
}
_DURATION_UNITS = r"(?:minutes?|hours?|days?|weeks?|months?|years?)"
_NUMBER_RE = re.compile(
    r"(?P<cur>£\s?)?"
    r"(?P<num>(?<![\w.,/£-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"(?P<hyphen>-(?=(?:hour|day|week|month|year|minute)s?\b))?"
    r"(?P<scale>\s?(?:million|billion|bn|m)\b)?"
    r"(?P<pct>\s?(?:%|percent\b|per\s+cent\b))?"
    r"|(?P<frac>\b(?:" + "|".join(re.escape(f) for f in _FRACTIONS) + r")\b)"
    r"|(?P<word>\b(?:" + "|".join(_WORD_NUMBERS) + r")\b)",
    re.IGNORECASE,
)
#: Words before a number that make it a reference, not a statistic ("Figure 4", "level two").
_REFERENCE_BEFORE_RE = re.compile(
    r"\b(?:figures?|tables?|charts?|questions?|q|pages?|paragraphs?|para|annex|appendix|footnotes?|"
    r"sections?|chapters?|levels?|tiers?|stages?|phases?|steps?|grades?|no\.?|number|part|version|"
    r"article|schedule|isbn|cm|operation|project|catch)\s*(?:\d+\s*,\s*|\d+\s+and\s+)*$",
    re.IGNORECASE,
)
#: A number spelled in words right after these names a known set ("the six national threats").
_SET_BEFORE_RE = re.compile(r"\b(?:the|these|those|its|their|all|each of the|of the)\s+$", re.I)
#: Counts of the report's own parts or of kinds of things, not statistics.
_NOT_COUNTED = frozenset(
    """questions question types type kinds kind ways categories forms levels stages
    pillars parts sections chapters pages principles areas elements strands themes""".split()
)
_CHANGE_RE = re.compile(
    r"\b(?:fell|fall|falls|fallen|rose|rise|rises|risen|increased?|increases|increasing|decreased?|"
    r"decreases|decreasing|reductions?|reduced|drop|dropped|drops|grew|grow|growth|declined?|cut|"
    r"change|changes|changed)\b",
    re.I,
)
_CHANGE_AFTER_RE = re.compile(
    r"^\s*(?:fewer|more|lower|higher|less|greater|increase|decrease|reduction|rise|fall)\b", re.I
)
_PER_RE = re.compile(
    r"^\s*(?:[a-z][\w'’-]*\s+){0,3}?per\s+(?P<per>(?:one\s+|a\s+)?(?:\d[\d,]*|one|a|hundred|thousand|million)?"
    r"\s*(?:million|thousand|hundred)?\s*(?:of\s+the\s+)?[a-z]+)",
    re.I,
)
_EACH_RE = re.compile(r"^\s*(?:[a-z][\w'’-]*\s+){0,3}?each\b", re.I)
_DURATION_RE = re.compile(rf"^[\s-]*(?P<unit>{_DURATION_UNITS})\b", re.I)
#: "the previous 12 months", "the first six months": a period, not a length of time.
_RELATIVE_PERIOD_RE = re.compile(r"\b(?:previous|last|past|next|first|same|following|preceding)\s+$", re.I)
_APPROX_RE = re.compile(
    r"\b(?:approximately|about|around|roughly|some|nearly|almost|over|under|more than|less than|fewer than|"
    r"up to|at least|just over|just under)\s+$",
    re.I,
)
_STOP = frozenset(
    """the a an and or but who which that this these those is are was were be been being has have had
    do does did will would can could should may might must in on at for to with from by as than into
    onto over under about across after before during since until per each every its their his her our
    we they it he she there here not no nationally locally currently""".split()
)
#: Words that may join a counted noun phrase to its tail ("teams of officers").
_PHRASE_JOINERS = frozenset({"of", "within"})
_AREA_NATIONAL_RE = re.compile(r"\b(?:england and wales|nationally|national|all forces)\b", re.I)
_WORD_RE = re.compile(r"[A-Za-z][\w'’/-]*|\(|\)")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.I)
_DATE_AFTER_RE = re.compile(
    r"^\s*(?:st|nd|rd|th)?\s*(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b",
    re.I,
)
_MONTH_BEFORE_RE = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\s*$", re.I
)
_CAPTION_RE = re.compile(r"^(?:figure|table|chart)\s+\d+\s*[:.]\s*", re.I)
_LABEL_RE = re.compile(r"^(?P<label>[A-Z][^\n\d%]{1,60}?)\s+(?P<value>-?\d+(?:\.\d+)?%)$")
_VALUE_CELL_RE = re.compile(r"^[-−]?£?\d[\d,]*(?:\.\d+)?%?$")


@dataclass(frozen=True, slots=True)
class _Found:
    """A value in prose before its subject and period are settled."""

    value: str
    number: float
    measure: Measure
    start: int
    end: int
    unit: str = ""
    per: str = ""
    counted: str = ""


def extract_figures(report: Report) -> list[Figure]:
    """Every statistic ``report`` states, in source order (see the module docstring)."""
    text = _masked(report)
    areas = _area_names(report.force)
    figures: list[Figure] = []
    last: dict[int, Figure] = {}  # the last figure in prose of each section
    for block in report.blocks:
        if block.kind == "footnote":
            continue
        if block.kind == "table":
            found = list(_table_figures(report, text, block, areas))
        elif block.kind == "figure":
            found = list(_chart_figures(report, text, block))
        elif _is_value_line(text[block.start : block.end]):
            found = list(_panel_figures(report, text, block, areas))
        else:
            found = list(_prose_figures(report, text, block, last.get(block.section)))
            if found:
                last[block.section] = found[-1]
        figures.extend(found)
    return sorted(figures, key=lambda f: f.start)


# -- the source with what is never a statistic blanked out -------------------------------------


def _masked(report: Report) -> str:
    """The source text with footnote markers, superscripts and URLs blanked (offsets kept)."""
    chars = list(report.source)
    for m in report.markers:
        chars[m.start : m.end] = " " * (m.end - m.start)
    text = "".join(chars)
    text = SUPERSCRIPT_RE.sub(lambda m: " " * len(m.group()), text)
    return _URL_RE.sub(lambda m: " " * len(m.group()), text)


def _area_names(force: str) -> list[str]:
    """The names a column header or panel may give an area by: the force, and England and Wales."""
    names = ["England and Wales"]
    if force:
        names.insert(0, force)
        short = re.sub(r"\s+(?:police(?:\s+service)?|constabulary)$", "", force, flags=re.I)
        if short != force:
            names.append(short)
    return names


def _figure(
    report: Report,
    block: Block,
    found: _Found,
    subject: str,
    context: str,
    area: str,
    period: str,
    where: FigureSource,
    label: str = "",
) -> Figure:
    section = report.sections[block.section]
    return Figure(
        report_id=report.report_id,
        value=found.value,
        number=found.number,
        measure=found.measure,
        subject=_tidy(subject),
        context=" ".join(context.split()),
        per=found.per,
        unit=found.unit,
        area=area,
        period=period,
        label=_tidy(label),
        where=where,
        section=section.path,
        page=max(section.page, pages.page_at(found.start, report.page_anchors)),
        start=found.start,
        end=found.end,
    )


def _tidy(text: str) -> str:
    text = " ".join(text.replace("^{*}", "").replace("*", "").split()).strip(" ,;:.'’")
    text = re.sub(r"\(\s*\)", "", text).strip()
    return text


# -- prose ---------------------------------------------------------------------------------------


def _prose_figures(report: Report, text: str, block: Block, last: Figure | None) -> Iterator[Figure]:
    """The figures of a paragraph; ``last`` is the figure before it in its section."""
    force = report.force
    for span_start, span_end in block.spans:
        piece = text[span_start:span_end]
        for s, e in sentence_spans(piece):
            start, end = span_start + s, span_start + e
            sentence = text[start:end]
            periods = [(a + start, b + start, p) for (a, b), p in find_periods(sentence)]
            explicit = [p for p in periods if p[2].months != 12 or p[2].end[1]]
            blocked = [(a, b) for a, b, _ in periods]
            for found in _values(text, start, end, blocked):
                subject = _prose_subject(text, start, end, found, last)
                if not subject:
                    continue
                clause = _clause(text, start, end, found.start)
                area = (
                    "England and Wales"
                    if _AREA_NATIONAL_RE.search(clause) and not (force and force.lower() in clause.lower())
                    else force
                )
                period = _prose_period(sentence, explicit, last)
                figure = _figure(report, block, found, subject, sentence, area, period, "text")
                last = figure
                yield figure


def _values(text: str, start: int, end: int, blocked: Sequence[Span]) -> Iterator[_Found]:
    """The candidate statistics in ``text[start:end]`` (a sentence)."""
    sentence = text[start:end]
    for m in _NUMBER_RE.finditer(sentence):
        a, b = start + m.start(), start + m.end()
        if any(x <= a < y for x, y in blocked):
            continue  # inside "12 months to 30 June 2015"
        before = text[max(start, a - 80) : a]
        after = text[b : min(end, b + 80)]
        if _REFERENCE_BEFORE_RE.search(before) or re.search(r"\bper\s*$", before, re.I):
            continue  # "Figure 4", "per 1,000 population"
        found = _value_at(m, a, b, before, after)
        if found is not None:
            yield found


def _value_at(m: re.Match[str], a: int, b: int, before: str, after: str) -> _Found | None:
    g = m.groupdict()
    raw = m.group().strip()
    if g["frac"]:
        of = re.match(r"^\s*of\s+(?:the\s+|all\s+)?", after)
        if not of:
            return None
        return _Found(
            raw, _FRACTIONS[g["frac"].lower()], "ratio", a, b, counted=_noun_phrase(after[of.end() :])
        )
    if g["word"]:
        number = float(_WORD_NUMBERS[g["word"].lower()])
        if _SET_BEFORE_RE.search(before) or _RELATIVE_PERIOD_RE.search(before):
            return None
        duration = _DURATION_RE.match(after)
        if duration:
            return _duration(raw, number, a, b, after, duration)
        counted = _noun_phrase(after)
        if not counted or _head(counted).lower() in _NOT_COUNTED or not _is_plural(_head(counted)):
            return None
        return _Found(raw, number, "count", a, b, counted=counted)
    number_text = g["num"]
    number = float(number_text.replace(",", ""))
    if _DATE_AFTER_RE.match(after) or _MONTH_BEFORE_RE.search(before):
        return None  # a day of a month
    if re.match(r"^[\w.-]", after) and not g["pct"] and not g["hyphen"] and not g["scale"]:
        return None  # inside a code or name ("978-1-...", "2014/15")
    if g["cur"] or re.match(r"^\s*(?:pounds|gbp)\b", after, re.I):
        scale = (g["scale"] or "").strip().lower()
        factor = {"million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}.get(scale, 1)
        return _Found(raw, number * factor, "amount", a, b, unit="£", counted=_noun_phrase(after))
    if g["pct"]:
        if _CHANGE_AFTER_RE.match(after) or (
            _CHANGE_RE.search(before[-60:]) and re.search(r"\b(?:by|of)\s*$", before)
        ):
            return _Found(raw, number, "change", a, b, unit="percent", counted=_noun_phrase(after))
        return _Found(raw, number, "percentage", a, b, unit="percent", counted=_noun_phrase(after))
    if not g["hyphen"] and re.fullmatch(r"(?:19|20)\d\d", number_text):
        return None  # a year
    if g["hyphen"]:  # "24-hour"
        unit = re.match(r"[a-z]+", after, re.I)
        word = unit.group() if unit else "hours"
        return _Found(f"{raw}{word}", number, "duration", a, b + len(word), unit=_plural(word.lower()))
    if _RELATIVE_PERIOD_RE.search(before):
        return None
    duration = _DURATION_RE.match(after)
    if duration:
        return _duration(raw, number, a, b, after, duration)
    per = _PER_RE.match(after)
    if per:
        counted = _noun_phrase(after[: per.start("per")].rsplit("per", 1)[0])
        return _Found(raw, number, "rate", a, b, per=_base(per.group("per")), counted=counted)
    each = _EACH_RE.match(after)
    if each:
        counted = _noun_phrase(after[: each.end()].rsplit("each", 1)[0])
        return _Found(raw, number, "rate", a, b, per=_each_of(before), counted=counted)
    counted = _noun_phrase(after)
    if not counted:
        return None
    return _Found(raw, number, "count", a, b, counted=counted)


def _duration(raw: str, number: float, a: int, b: int, after: str, unit: re.Match[str]) -> _Found:
    """A length of time: the number and its unit ("six months", "24 hours")."""
    return _Found(
        f"{raw}{after[: unit.end()]}".strip(),
        number,
        "duration",
        a,
        b + unit.end(),
        unit=_plural(unit.group("unit").lower()),
    )


def _plural(unit: str) -> str:
    return unit if unit.endswith("s") else unit + "s"


def _base(per: str) -> str:
    """``"one million of the population"`` -> ``"one million population"``."""
    return " ".join(re.sub(r"\bof the\b", "", per).split())


def _each_of(before: str) -> str:
    """What "each" refers to: the plural noun before the verb ("officers currently managing
    approximately 90 offenders each" -> "officer")."""
    m = re.search(r"\b([a-z]+s)\s+(?:[a-z]+ly\s+)?[a-z]+ing\s+(?:[a-z]+\s+)?$", before, re.I)
    return m.group(1).lower()[:-1] if m else "each"


def _head(phrase: str) -> str:
    """The noun a phrase is about: its last word before "of" or "within"."""
    words = re.split(r"\s+(?:of|within)\s+", phrase, maxsplit=1)[0].split()
    return words[-1] if words else ""


def _is_plural(phrase: str) -> bool:
    last = phrase.split()[-1].lower() if phrase.split() else ""
    return last.endswith("s") or last in {
        "people",
        "children",
        "staff",
        "police",
        "personnel",
        "men",
        "women",
    }


_TOKEN_RE = re.compile(r"[A-Za-z][\w'’/-]*|[,.;:!?()\n]")


def _noun_phrase(after: str, limit: int = 8) -> str:
    """The noun phrase at the start of ``after``: the words up to a stop word, a verb or
    punctuation; "of" and "within" may join a tail ("teams of specialist officers")."""
    words: list[str] = []
    tokens = [m.group() for m in _TOKEN_RE.finditer(after)]
    for i, w in enumerate(tokens):
        lower = w.lower()
        if not w[0].isalpha():
            break
        if words and (lower in _PHRASE_JOINERS or (lower == "and" and not _is_plural(words[-1]))):
            words.append(w)
            continue
        following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        verb_like = re.fullmatch(r"[a-z]+(?:ed|ing)", lower) and (
            not following[:1].isalpha() or following in _STOP
        )
        if lower in _STOP or (words and verb_like):
            break
        words.append(w)
        if len(words) >= limit:
            break
    while words and (words[-1].lower() in _PHRASE_JOINERS or words[-1].lower() == "and"):
        words.pop()
    return " ".join(words)


def _clause(text: str, start: int, end: int, at: int) -> str:
    """The clause of the sentence ``text[start:end]`` holding offset ``at`` (commas and
    "compared with" end clauses)."""
    sentence = text[start:end]
    cuts = (
        [0]
        + [m.end() for m in re.finditer(r",|;|\bcompared with\b|\bwhereas\b|\bwhile\b", sentence)]
        + [len(sentence)]
    )
    rel = at - start
    for lo, hi in itertools.pairwise(cuts):
        if lo <= rel < hi:
            return sentence[lo:hi]
    return sentence


_SUBJECT_BEFORE_RE = re.compile(
    r"(?P<subject>[A-Za-z][\w'’()/ -]{2,80}?)\s+(?:\([^)]*\)\s+)?(?:for\s+the\s+[^,]*?\s+|in\s+[A-Z][\w ]+?\s+)?"
    r"(?:has\s+|have\s+|had\s+)?(?:fell|fallen|rose|risen|increased|decreased|dropped|grew|declined|reduced|changed)\s+by\s*$",
    re.I,
)
_RATE_OF_RE = re.compile(
    r"(?:the\s+)?(?P<subject>[A-Za-z][\w'’ -]{2,60}?\s(?:rate|share|proportion|percentage|level))\s+(?:of|was|is|at)\s*$",
    re.I,
)
_CHANGE_IN_RE = re.compile(
    r"\b(?:reduction|increase|fall|rise|drop|decrease|change)\s+in\s+(?P<subject>[\w'’ -]{3,60}?)\s+of\s*$",
    re.I,
)


def _prose_subject(text: str, start: int, end: int, found: _Found, last: Figure | None) -> str:
    """What the value measures, in the sentence's words; the figure before's subject for a
    clause such as "compared with a reduction of 13 percent"."""
    if found.measure in {"count", "duration", "amount"}:
        if found.measure == "duration":
            return _clause(text, start, end, found.start).strip()
        return found.counted
    if found.measure == "rate":
        per = f" per {found.per}" if found.per and found.per != "each" else ""
        return f"{found.counted}{per}" if found.counted else ""
    before = re.sub(r"\([^)]*\)", lambda m: " " * len(m.group()), text[start : found.start])
    if found.measure == "ratio":
        return found.counted
    # percentages and changes
    m = _CHANGE_IN_RE.search(before)
    if m:
        return m.group("subject")
    m = _SUBJECT_BEFORE_RE.search(_last_clause(before))
    if m:
        return _strip_lead(m.group("subject"))
    m = _RATE_OF_RE.search(before)
    if m:
        words = m.group("subject").split()
        stops = [i for i, w in enumerate(words) if w.lower() in _STOP]
        return " ".join(words[stops[-1] + 1 :] if stops else words)
    of = re.match(r"^\s*\)?\s*of\s+(?:the\s+|all\s+)?(?P<what>.+)$", text[found.end : end])
    if of:
        return _noun_phrase(of.group("what"), 10) or of.group("what")[:60]
    if last is not None and last.measure in {"percentage", "change"}:
        counted = found.counted.split()[-1].lower() if found.counted else ""
        if not counted or counted in last.subject.lower():
            return last.subject
    predicate = _predicate(text[found.end : end])
    if predicate:
        return predicate
    return last.subject if last is not None else ""


def _last_clause(before: str) -> str:
    parts = re.split(r",\s*(?![^()]*\))", before)
    return parts[-1]


def _strip_lead(subject: str) -> str:
    subject = re.sub(
        r"^(?:over this same period|when compared with[^,]*|this is|there were|the)\s+",
        "",
        subject.strip(),
        flags=re.I,
    )
    subject = re.sub(r"\s+(?:in|for|across)\s+(?:the\s+)?(?:\d+\s+months?|[A-Z][\w ]+)$", "", subject)
    return subject.strip()


def _predicate(after: str) -> str:
    """What a share is of, from the words after it ("83.0 percent were satisfied with
    their whole experience" -> "satisfied with their whole experience")."""
    m = re.match(r"^\s*(?:of\s+\w+\s+)?(?:were|are|was|is|had|have)\s+(?P<what>[^,.;]{3,80})", after, re.I)
    return m.group("what").strip() if m else ""


def _prose_period(sentence: str, explicit: Sequence[tuple[int, int, Period]], last: Figure | None) -> str:
    """A prose figure's period: the one its sentence names (the later of two it compares:
    "12 months to 30 June 2015 compared with 12 months to 30 June 2010"), else the figure
    before's when the sentence refers back to it ("over the same period", "This ...")."""
    named = list({p.text: p for _, _, p in explicit}.values())
    if len(named) >= 2 and re.search(r"\bcompar|\bagainst\b|\bwith the\b", sentence, re.I):
        ordered = sorted(named, key=lambda p: p.end, reverse=True)
        return " compared with ".join(_clean_period(p.text) for p in ordered[:2])
    if named:
        return _clean_period(named[0].text)
    if last is not None and (
        re.search(
            r"\b(?:same|this|that)\s+(?:time\s+)?period\b|\bprevious\s+(?:12 months|year)\b", sentence, re.I
        )
        or re.match(r"^\s*(?:this|these|that|it|which)\b", sentence, re.I)
    ):
        return last.period
    return ""


def _clean_period(text: str) -> str:
    """``"The 12 months to ..."`` -> ``"12 months to ..."``, ``"As at ..."`` -> ``"as at ..."``."""
    text = re.sub(r"^the\s+", "", text, flags=re.I)
    return text[:1].lower() + text[1:] if re.match(r"^(?:As|At)\b", text) else text


# -- tables, charts and panels --------------------------------------------------------------------


def _caption_subject(caption: str) -> str:
    """A caption's subject without its label and period ("Figure 4: Outcomes recorded in the
    12 months to 30 June 2015 for all ..." -> "Outcomes recorded ... for all ...")."""
    text = _CAPTION_RE.sub("", " ".join(caption.split()))
    for (a, b), _ in reversed(find_periods(text)):
        text = text[:a] + text[b:]
    text = re.sub(
        r"\b(?:in|for|as at|as of|during|comparing|over)\s+(?:the\s+)?(?=\s|,|$)", " ", text, flags=re.I
    )
    text = re.sub(r"\s+(?:by force|by the force)\b", "", text, flags=re.I)
    return " ".join(text.split()).strip(" ,;:")


def _caption_period(caption: str) -> str:
    found = [p for _, p in find_periods(caption) if p.months != 12 or p.end[1]]
    return _clean_period(found[0].text) if found else ""


def _area_in(header: str, areas: Sequence[str]) -> str:
    lower = header.lower()
    for name in areas:
        if name.lower() in lower:
            return name if name == "England and Wales" else areas[0]
    if re.search(r"\bnational\b", lower):
        return "England and Wales"
    return ""


def _measure_of(words: str, value: str) -> tuple[Measure, str, str] | None:
    """A table value's measure, base and unit from the words describing its column."""
    per = re.search(
        r"\bper\s+(?P<per>(?:one\s+)?(?:\d[\d,]*|one|a|hundred|thousand|million)\s*(?:million|thousand)?\s*(?:of\s+the\s+)?[a-z]+)",
        words,
        re.I,
    )
    if per:
        return "rate", _base(per.group("per")), ""
    if value.endswith("%") or re.search(r"\b(?:percentage|percent|proportion|share|rate)s?\b", words, re.I):
        return "percentage", "", "percent"
    if value.startswith("£") or re.search(r"\b(?:cost|spend|budget|£)\b", words, re.I):
        return "amount", "", "£"
    if re.search(r"\b(?:change|increase|decrease|reduction)\b", words, re.I):
        return "change", "", ""
    if re.fullmatch(r"[-−]?\d[\d,]*", value):
        return "count", "", ""
    return None


def _number(value: str) -> float:
    return float(value.replace(",", "").replace("%", "").replace("£", "").replace("−", "-"))


def _table_figures(report: Report, text: str, block: Block, areas: Sequence[str]) -> Iterator[Figure]:
    pieces = [(s, e, text[s:e]) for s, e in block.spans]
    grid = next((i for i, (_, _, t) in enumerate(pieces) if "\t" in t), None)
    if grid is None:
        return
    caption = " ".join(t for _, _, t in pieces[:grid])
    section = report.sections[block.section]
    # Notes under the table, in it or in the paragraphs just after it ("*the rate for ...").
    notes = (
        " ".join(t for _, _, t in pieces[grid + 1 :])
        + " "
        + text[block.end : min(section.end, block.end + 600)]
    )
    subject_of_caption = _caption_subject(caption)
    period = _caption_period(caption)
    start = pieces[grid][0]
    rows = _rows(text, start, pieces[grid][1])
    if not rows:
        return
    header: list[str] = []
    if not any(_VALUE_CELL_RE.match(c) for _, c in rows[0][1:]) and not all(
        _VALUE_CELL_RE.match(c) for _, c in rows[0]
    ):
        header = [c for _, c in rows[0]]
        rows = rows[1:]
    for cells in rows:
        values = [(i, offset, cell) for i, (offset, cell) in enumerate(cells) if _VALUE_CELL_RE.match(cell)]
        if not values:
            continue
        label = cells[0][1] if not _VALUE_CELL_RE.match(cells[0][1]) else ""
        shift = len(header) - len(cells)  # a header with no cell over the row labels
        column_area = ""
        for i, offset, cell in values:
            column = header[i + shift] if header and 0 <= i + shift < len(header) else ""
            corner = header[0] if header and shift == 0 and len(header) == len(cells) else ""
            column_area = _area_in(column, areas) or column_area if i else column_area
            area = (
                _area_in(column, areas)
                or column_area
                or (report.force if not header else column_area or report.force)
            )
            described = " ".join(x for x in (_strip_areas(column, areas), corner, caption) if x)
            measure = _measure_of(_strip_areas(column, areas) or corner or caption, cell) or _measure_of(
                described, cell
            )
            if measure is None:
                continue
            kind, per, unit = measure
            if kind == "rate" and label.endswith("*"):
                per = _note_base(notes, label) or per
            what = _strip_areas(column, areas)
            subject = "; ".join(
                x
                for x in (
                    subject_of_caption
                    if not label
                    else f"{subject_of_caption}: {label}"
                    if subject_of_caption
                    else label,
                    what,
                )
                if x
            )
            context = " | ".join(x for x in (caption, corner, column, label) if x)
            found = _Found(cell, _number(cell), kind, offset, offset + len(cell), unit=unit, per=per)
            yield _figure(report, block, found, subject, context, area, period, "table", label)


def _rows(text: str, start: int, end: int) -> list[list[tuple[int, str]]]:
    """A table's rows as lists of ``(offset, cell)``."""
    rows = []
    pos = start
    for line in text[start:end].split("\n"):
        cells = []
        cell_pos = pos
        for cell in line.split("\t"):
            stripped = cell.strip()
            if stripped:
                cells.append((cell_pos + cell.index(stripped), stripped))
            cell_pos += len(cell) + 1
        if cells:
            rows.append(cells)
        pos += len(line) + 1
    return rows


def _strip_areas(header: str, areas: Sequence[str]) -> str:
    out = header
    for name in areas:
        out = re.sub(re.escape(name), " ", out, flags=re.I)
    return " ".join(out.split())


def _note_base(notes: str, label: str) -> str:
    """The base a table note gives a starred row ("the rate for burglary in a dwelling is
    the rate per 1,000 households")."""
    name = label.rstrip("*").strip().lower()
    for sentence in re.split(r"(?<=[.;])\s+|,\s+and\s+|\band\s+the\b", notes):
        if name in sentence.lower():
            m = re.search(r"\bper\s+(?P<per>\d[\d,]*\s+[a-z]+)", sentence, re.I)
            if m:
                return m.group("per")
    return ""


def _chart_figures(report: Report, text: str, block: Block) -> Iterator[Figure]:
    caption = next((text[s:e] for s, e in block.spans if _CAPTION_RE.match(text[s:e].strip())), "")
    subject = _caption_subject(caption)
    period = _caption_period(caption)
    for s, e in block.spans:
        m = _LABEL_RE.match(text[s:e].strip())
        if not m:
            continue
        offset = s + text[s:e].index(m.group("value"))
        value = m.group("value")
        found = _Found(value, _number(value), "percentage", offset, offset + len(value), unit="percent")
        label = m.group("label").strip()
        yield _figure(
            report,
            block,
            found,
            f"{subject}: {label}" if subject else label,
            f"{caption} | {label}",
            report.force,
            period,
            "chart",
            label,
        )


def _is_value_line(text: str) -> bool:
    tokens = text.split()
    return (
        bool(tokens)
        and len(tokens) <= 8
        and all(_VALUE_CELL_RE.match(t) for t in tokens)
        and not all(re.fullmatch(r"(?:19|20)\d\d", t) for t in tokens)
    )


def _panel_figures(report: Report, text: str, block: Block, areas: Sequence[str]) -> Iterator[Figure]:
    """A "force in numbers" panel: values on one line, the areas' names on the line before,
    a caption before that."""
    section = report.sections[block.section]
    before = text[section.heading_end : block.start]
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", before) if p.strip()]
    names: list[str] = []
    caption = ""
    for p in reversed(paragraphs):
        if not names and not re.search(r"\d", p) and any(a.lower() in p.lower() for a in areas):
            names = _split_areas(p, areas)
            continue
        caption = p
        break
    values = [
        (m.start() + block.start, m.group()) for m in re.finditer(r"\S+", text[block.start : block.end])
    ]
    if names and len(names) != len(values):
        names = []
    subject = _caption_subject(caption) or section.heading
    period = _caption_period(caption)
    for i, (offset, value) in enumerate(values):
        measure = _measure_of(caption, value)
        if measure is None:
            continue
        kind, per, unit = measure
        found = _Found(value, _number(value), kind, offset, offset + len(value), unit=unit, per=per)
        area = names[i] if names else report.force
        yield _figure(report, block, found, subject, f"{caption} | {area}", area, period, "table")


def _split_areas(line: str, areas: Sequence[str]) -> list[str]:
    found: list[tuple[int, int, str]] = []
    lower = line.lower()
    for name in areas:
        i = lower.find(name.lower())
        if i >= 0 and not any(a <= i < b for a, b, _ in found):
            found.append((i, i + len(name), name if name == "England and Wales" else areas[0]))
    return [n for _, _, n in sorted(found)]
