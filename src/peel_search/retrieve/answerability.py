"""Does the report answer the question at all? Answer-type checks (pure functions).

Scores alone cannot tell "not in the report" from a paraphrase: both leave the best
passage only loosely matched. What can is the kind of answer a question asks for
(the classic answer-type check of question answering, Harabagiu et al. 2000), set
against what the report holds. Each check is named (the names are the ablation rows
of ``bench/quality.py``) and says why in words a user understands:

- ``words``: a quantity or "what did HMIC say about X" question whose subject (the words
  that name things, never a verb) has a word the report never uses, in any spelling
  (hyphenated or not, British or American, singular or plural) nor any close word;
- ``figures``: a statistic set against the figures the report states
  (:mod:`.figure_check`): a measure, period or place it does not give them for;
- ``person``: "who ..." needs a named person, or a post or body that does the thing
  (:mod:`.person_check`);
- ``period``: a year the report does not cover (its own period, from its metadata)
  and that the passages found never mention;
- ``grade``: the grade of a pillar or area the report does not judge, a grade from
  another inspection, or another pillar's topic it never mentions (:mod:`.inspection_check`);
- ``inspection``: what another inspection, review or study found, where the report only
  names it (:mod:`.inspection_check`);
- ``cause``: "why ..." where the report states the fact but gives no reason
  (:mod:`.cause_check`);
- ``comparison``: a comparison the report does not draw, by its figures or in a sentence
  (:mod:`.comparison_check`);
- ``detail``: a name or a place the report does not give (:mod:`.detail_check`);
- ``value``: a number, share, amount, date or duration the best passages do not hold
  next to the thing asked about ("the report gives the number of organised crime
  groups, not of arrests").

Each check is a function of one :class:`_Case` (the question, its answer type, the
:class:`Evidence`); the first to find a reason gives it. A check flags only on positive
evidence of absence: what the report does say instead.

A word counts as present when the report has it (stemmed), an acronym of the report
expands to it, or a word of the report is close to it in the embedding model's own
word-piece space (so "kids" finds "children" and "fall" finds "fell").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..index.lexical import STOPWORDS, tokenize
from .asked import (
    COMPARATIVES,
    NOT_A_SUBJECT_RE,
    Match,
    SourceAsk,
    Word,
    compare_ask,
    detail_ask,
    figure_ask,
    grade_ask,
    naming_words,
    question_periods,
    source_ask,
    who_ask,
    why_ask,
)
from .cause_check import also_reasons, cause_reason
from .comparison_check import comparison_drawn
from .detail_check import detail_reason
from .figure_check import FigureFacts, figure_reason
from .inspection_check import (
    Cited,
    GradedArea,
    finding_reason,
    other_forces_grade_reason,
    other_grade_reason,
    other_year_grade_reason,
    own_grade_reason,
)
from .person_check import REFERENCE_RE, person_reason
from .plain_words import other_words

T = TypeVar("T")

#: Every check, in the order they are tried.
CHECKS = (
    "words",
    "figures",
    "person",
    "period",
    "grade",
    "inspection",
    "cause",
    "comparison",
    "detail",
    "value",
)

_QUANTITY_RE = re.compile(
    r"^\s*(?:(?:by )?how (?:many|much)\b|what (?:percentage|proportion|share|number)\b|"
    r"what (?:is|was|are|were) the\b.{0,40}?\b(?:number|percentage|proportion|rate|share|total|"
    r"amount|level|budget|cost|figure|time|age|target|limit|minimum|maximum|length|size)s?\b|by what (?:percentage|proportion|amount)\b)",
    re.IGNORECASE,
)
#: "When does HMIC judge ..." asks under what conditions, not for a date.
_DATE_RE = re.compile(
    r"^\s*(?:when\b(?!\s+(?:does|do|should|would|can|could|might|must)\b)|since when\b|"
    r"(?:in |on )?(?:what|which) (?:year|month|date|day)\b)",
    re.I,
)
_DURATION_RE = re.compile(r"^\s*how (?:long|often)\b", re.I)
_IDENTITY_RE = re.compile(
    r"^\s*(?:who (?:is|are|was|were)\b|what is the name of\b|which (?:officer|person)\b)", re.I
)
_GRADE_RE = re.compile(
    r"\b(?:what|which) (?:grade|rating|judgment|judgement)\b(?! categor)|"
    # "graded", but not how something is graded ("risk levels graded correctly", "rated as high risk")
    r"(?<!\brisk\s)(?<!\brisks\s)\b(?:graded|rated)\b(?!\s+(?:correctly|incorrectly|appropriately|"
    r"inappropriately|properly|accurately|consistently|wrongly|differently|too|as\s+(?:high|medium|low|standard)))|"
    r"^\s*(?:what|which)\b.{0,60}\b(?:grade|rating)\b|"
    r"^\s*(?:how|was|were|is) (?:the )?(?:force|police)?.{0,45}\bjudged\b|"
    r"^\s*how\s+(?:did|does|do|would|has|have)\s+(?:[\w'’]+\s+){1,4}(?:grade|rate|judge)\s+"
    r"(?:the|its|their|this|that|(?-i:[A-Z]))|"  # "... review rate the force", not "... rate compare"
    # a question that is a noun phrase ("legitimacy grade for Kent 2015?")
    r"^\s*(?:the\s+)?(?:[\w'’-]+\s+){0,4}?grades?\b(?:\s+(?:for|of|given|awarded|in)\b|\s*\d{4}|\s*\??\s*$)|"
    r"\bjudged\s+(?:to\s+be\s+|as\s+)?(?:outstanding|good|inadequate|requires?\s+improvement)\b|"
    r"^\s*(?:what|which)\b.{0,60}\b(?:effectiveness|efficiency|legitimacy|leadership|overall|peel)\s+"
    r"judg(?:e)?ments?\b",  # "what was the legitimacy judgment"
    re.I,
)
#: Risks are graded as a matter of course: grading them is work the report describes.
_RISK_GRADING_RE = re.compile(r"\brisks?\b(?:\s+\w+){0,5}?\s+(?:graded|rated|scored)\b", re.I)
_TOPIC_RE = re.compile(
    r"^\s*(?:what (?:did|does|do) (?:hmic|the inspection|the inspectors|the report|the force) "
    r"(?:say|find|found|report|note) (?:about|on|regarding|of)|"
    r"what is the force's (?:policy|approach|strategy|position) (?:on|to|towards|for)|"
    r"how satisfied (?:were|are)) (?P<topic>.+)$",
    re.IGNORECASE,
)
#: What a quantity question counts: the words after "how many", "number of" ...
_COUNTED_RE = re.compile(
    r"\b(?:how many|number of|percentage of|proportion of|share of|how much)\s+(?P<what>.+)$", re.I
)
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’\-]*")
#: Words that frame a question rather than name its subject.
_FRAMING = frozenset(
    """many much number numbers percentage proportion rate share total amount level figure roughly
    approximately around about year years month months force forces force's police constabulary
    did does do carry carried out recorded record records report reported there what which who
    how were was is are have has had when since long often grade graded rating rated judged
    judgment judgement get got give gave given receive received hmic inspection""".split()
)
#: Words that end the thing a quantity question counts ("how many arrests *did* ...").
_COUNT_END = frozenset(
    """work works worked take took taken make made get got attend attended use used live lived
    employ employs serve served go went receive received carry carried operate operates
    did does do is are was were has have had in on at by for from with of per under after
    before during to the a an each every this that these those it its their than into over
    within across between""".split()
)
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand million billion dozen half third quarter"
)
_NUMBER_RE = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])|\b(?:" + _NUMBER_WORDS.replace(" ", "|") + r")s?\b", re.I
)
#: A capitalised word just before a year makes it part of a name ("WMP 2020", "Vision 2025").
_IN_NAME_RE = re.compile(
    r"\b(?!(?:In|Since|From|By|Until|To|Of|January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\b)[A-Z][A-Za-z]*\s$"
)
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}(?:/\d{2,4})?\b")
_VALUE_RES = {
    "number": _NUMBER_RE,
    "share": re.compile(
        r"\d(?:[\d.,]*)\s*(?:%|percent\b|per cent\b)|\bper (?:1,000|one million|million|100,000)\b|"
        r"\b(?:half|third|quarter|thirds|quarters)\b|\brate\b[^.]{0,40}\d|"
        r"\b(?:almost|nearly|virtually|practically)\s+(?:all|every)\b|\b(?:majority|minority)\s+of\b",
        re.I,
    ),
    "amount": re.compile(r"£\s?\d|\b\d[\d,.]*\s*(?:million|billion|pounds)\b", re.I),
    "date": re.compile(
        r"\b(?:19|20)\d{2}\b|\b(?:january|february|march|april|may|june|july|august|september|"
        r"october|november|december)\b",
        re.I,
    ),
    "duration": re.compile(
        r"\b(?:since|from)\s+(?:(?:january|february|march|april|may|june|july|august|september|october|"
        r"november|december)\s+)?(?:19|20)\d\d\b|"
        r"\b(?:\d[\d,.]*|" + _NUMBER_WORDS.replace(" ", "|") + r"|a|an)\s*(?:-\s*)?"
        r"(?:hours?|days?|weeks?|months?|years?|minutes?)\b|\b(?:daily|weekly|monthly|annually|"
        r"quarterly|yearly|immediately)\b",
        re.I,
    ),
}
_VALUE_NAMES = {
    "number": "number",
    "share": "share or rate",
    "amount": "amount of money",
    "date": "date",
    "duration": "length of time",
}
#: Pillars of a PEEL inspection, and words that name them in a question.
PILLARS = {
    "effectiveness": ("effectiveness", "effective"),
    "efficiency": ("efficiency", "efficient", "value for money"),
    "legitimacy": ("legitimacy", "legitimate", "fairness", "ethical"),
    "leadership": ("leadership", "well-led", "well led"),
}
#: What each PEEL pillar inspects beyond effectiveness (HMIC's PEEL framework): a
#: question on one of these, put to a report of another pillar that never mentions it, is
#: for that pillar's report.
PILLAR_TOPICS = {
    "efficiency": (
        "budget",
        "budgets",
        "spending review",
        "savings",
        "financial plans",
        "finances",
        "cost per head",
        "value for money",
        "reserves",
        "precept",
        "sickness absence",
        "sickness",
        "overtime",
        "workforce planning",
        "funding gap",
        "funding",
        "efficiency",
    ),
    "legitimacy": (
        "stop and search",
        "use of force",
        "taser",
        "complaints",
        "complaint",
        "misconduct",
        "corruption",
        "vetting",
        "vet",
        "code of ethics",
        "ethical culture",
        "ethics",
        "treat the public fairly",
        "fair treatment",
        "discrimination",
        "whistleblowing",
        "abuse of position",
        "black and minority ethnic",
        "bme",
        "legitimacy",
    ),
    "leadership": (
        "talent",
        "wellbeing",
        "well-being",
        "succession planning",
        "leadership development",
        "morale",
        "leadership",
    ),
}
#: American endings and their British forms (the reports are British).
_BRITISH = (
    (r"iz(e|es|ed|ing|ation|ations)$", r"is\1"),
    (r"yz(e|es|ed|ing)$", r"ys\1"),
    (
        r"(ior|avor|olor|abor|umor|eighbor|ehavior)(s|ed|ing|al)?$",
        lambda m: m.group(1)[:-2] + "our" + (m.group(2) or ""),
    ),
    (r"(ent|t)er(s)?$", r"\1re\2"),
    (r"ense(s)?$", r"ence\1"),
    (r"(g)(s)?$", r"gue\2"),
    (r"el(ed|ing)$", r"ell\1"),
)
_PREFIXES = ("ex", "re", "non", "co", "pre", "anti", "cyber", "multi", "self", "sub")


@dataclass(frozen=True, slots=True)
class AnswerType:
    """What a question asks for and the words that name its subject.

    ``kind`` is "quantity", "date", "duration", "person", "grade", "topic" or "" (anything
    else); ``value`` the kind of value a quantity asks for ("number", "share", "amount");
    ``counted`` the words naming what is counted ("organised crime groups").
    """

    kind: str
    subject: tuple[str, ...]
    value: str = ""
    counted: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Scope:
    """What the reports in scope cover: their own years and the pillars and areas they judge."""

    years: frozenset[int] = frozenset()
    #: The years the reports are of (their inspection years): a figure given no period is of these.
    own_years: frozenset[int] = frozenset()
    period: str = ""  # "2015 (published February 2016)", for messages
    pillars: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()  # "preventing crime ...: Good", for messages
    forces: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the checks may look at: word presence in scope, the best passages' text and
    whether they name a person, and the scope's coverage."""

    present: Callable[[str], bool]
    passages: Sequence[str] = ()
    scope: Scope = field(default_factory=Scope)
    #: The question's words as tagged (part of speech, dependencies); empty: not tagged.
    words: tuple[Word, ...] = ()
    #: The figures the reports in scope state, and how a question's word is matched on
    #: a set of stems (spellings, acronyms, close words).
    figures: Sequence[FigureFacts] = ()
    match: Match = lambda word, stems: _stem_in(word, set(stems))
    #: Places the question names other than the forces in scope.
    places: tuple[str, ...] = ()
    #: The passages in scope that hold a word (or a close one).
    passages_with: Callable[[str], Sequence[str]] = lambda word: ()
    #: The passages in scope that name a person.
    named_people: Callable[[], Sequence[str]] = lambda: ()
    #: The areas the reports in scope grade, with their grades.
    graded: Sequence[GradedArea] = ()
    #: How rare a word is in the reports in scope (an inverse document frequency).
    rarity: Callable[[str], float] = lambda word: 1.0
    #: The passages in scope that hold a word, in their text or in the footnotes they cite.
    cited_with: Callable[[str], Sequence[Cited]] = lambda word: ()


def focus_words(text: str) -> tuple[str, ...]:
    """Content words of ``text``: not stop words, not question framing, not bare numbers."""
    words = (re.sub(r"['’]s$", "", w).strip("'’-") for w in _WORD_RE.findall(text.lower()))
    return tuple(
        dict.fromkeys(
            w
            for w in words
            if w
            and w not in STOPWORDS
            and w not in _FRAMING
            and not w.isdigit()
            and not _YEAR_RE.fullmatch(w)
        )
    )


def question_years(text: str) -> tuple[int, ...]:
    """The years a question names: "2018" -> 2018, "2016/17" -> 2016 and 2017."""
    years: list[int] = []
    for match in _YEAR_RE.finditer(text):
        first, _, second = match.group().partition("/")
        years.append(int(first))
        if second:
            years.append(int(first[: 4 - len(second)] + second) if len(second) < 4 else int(second))
    return tuple(dict.fromkeys(years))


def _counted(question: str) -> tuple[str, ...]:
    match = _COUNTED_RE.search(question)
    if not match:
        return ()
    words: list[str] = []
    for raw in _WORD_RE.findall(match.group("what").lower()):
        word = raw.strip("'’-")
        if word in _COUNT_END or (words and word in {"were", "are", "was"}):
            break
        if word and word not in STOPWORDS and word not in _FRAMING and not word.isdigit():
            words.append(word)
    return tuple(words[:4])


def answer_type(question: str) -> AnswerType:
    """The kind of answer ``question`` asks for (see the module docstring)."""
    years = question_years(question)
    subject = focus_words(question)
    if _GRADE_RE.search(question) and not _RISK_GRADING_RE.search(question):
        return AnswerType("grade", subject, years=years)
    topic = _TOPIC_RE.match(question)
    if topic:
        return AnswerType("topic", focus_words(topic.group("topic")), years=years)
    if _QUANTITY_RE.match(question):
        lower = question.lower()
        value = "number"
        if re.search(r"\b(?:percentage|proportion|share|percent|rate)\b", lower) or re.match(
            r"\s*by how much\b", lower
        ):
            value = "share"
        elif re.search(r"\b(?:money|spend|spent|budget|cost|costs|£|funding|pay|paid)\b", lower):
            value = "amount"
        elif re.match(r"\s*what (?:is|was|are|were) the\b.{0,40}?\btimes?\b", lower):
            value = "duration"
        elif lower.lstrip().startswith("how much"):
            value = (
                "share"
                if re.search(r"\b(?:fall|fell|rise|rose|change|increase|decrease)", lower)
                # "how much crime involves phones": a quantity in words, not money
                else ""
                if re.match(r"\s*how much\s+(?!of\b|does\b|did\b|is\b|was\b|will\b|has\b)\w", lower)
                else "amount"
            )
        return AnswerType("quantity", subject, value, _counted(question), years)
    if _DATE_RE.match(question):
        return AnswerType("date", subject, "date", years=years)
    if _DURATION_RE.match(question):
        return AnswerType("duration", subject, "duration", years=years)
    if _IDENTITY_RE.match(question):
        return AnswerType("person", subject, years=years)
    return AnswerType("", subject, years=years)


def spellings(word: str) -> list[str]:
    """``word`` and the other ways a report may write it: hyphenated compounds joined and
    split ("re-offending", "reoffending"), British for American ("organized" ->
    "organised", "behavior" -> "behaviour"), without a possessive."""
    word = word.lower().replace("’", "'").removesuffix("'s")
    out = [word]
    if "-" in word:
        out.append(word.replace("-", ""))
    for us, gb in _BRITISH:
        british = re.sub(us, gb, word)
        if british != word and not (us.startswith("(g)") and not word.endswith(("log", "logs"))):
            out.append(british)
    # the doctrine and its followers: "terrorism" is spoken of as "counter-terrorist"
    if re.search(r"\w{4}ism$", word):
        out.append(f"{word[:-3]}ist")
    elif re.search(r"\w{4}ists?$", word):
        out.append(re.sub(r"ists?$", "ism", word))
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 3 and "-" not in word:
            out.append(f"{prefix}-{word[len(prefix) :]}")
    return list(dict.fromkeys(out))


def word_present(word: str, has: Callable[[str], bool]) -> bool:
    """Whether ``has`` finds ``word`` in any of its :func:`spellings`, or, for a hyphenated
    compound, each of its parts ("ex-gangsters": "gangsters", close to "gangs")."""
    if any(has(w) for w in [*spellings(word), *other_words(word)]):
        return True
    parts = [p for p in word.split("-") if p and p not in _PREFIXES]
    return "-" in word and bool(parts) and all(has(p) for p in parts)


def missing_words(words: Iterable[str], present: Callable[[str], bool]) -> list[str]:
    """The words for which ``present`` says the report has nothing."""
    return [w for w in words if not present(w)]


def _quote(words: Sequence[str]) -> str:
    return ", ".join(f"“{w}”" for w in words)


def _sentences(passage: str) -> list[str]:
    """Sentences of a passage; a table or chart (lines without full stops) stays one block."""
    parts = re.split(r"(?<=[.!?])\s+", passage)
    return [p.strip() for p in parts if p.strip()]


def _has_all(sentence: str, words: Sequence[str], present_in: Callable[[str, set[str]], bool]) -> bool:
    stems = set(tokenize(sentence))
    return all(present_in(w, stems) for w in words)


def _stem_in(word: str, stems: set[str]) -> bool:
    return any(all(t in stems for t in tokenize(w)) for w in spellings(word) if tokenize(w))


_UNITS = frozenset(
    """january february march april may june july august september october november december
    month months year years week weeks day days hour hours minute minutes percent per cent
    times""".split()
)


def _what_it_counts(sentence: str) -> str:
    """What the first number of ``sentence`` counts ("68 organised crime groups (OCGs)" ->
    "organised crime groups"), or ``""`` when it is a date, a period or a share."""
    for match in _NUMBER_RE.finditer(sentence):
        if _YEAR_RE.fullmatch(match.group()):
            continue
        words: list[str] = []
        after = re.split(r"[(),.;:\n\t]", sentence[match.end() : match.end() + 80], maxsplit=1)[0]
        for w in _WORD_RE.findall(after.lower()):
            if w in STOPWORDS or w in _COUNT_END or w.isdigit() or w in _UNITS:
                break
            words.append(w)
        if words:
            return " ".join(words[:4])
    return ""


def _shorten(sentence: str, words: int = 16) -> str:
    parts = sentence.split()
    return f"“{' '.join(parts[:words])}{'…' if len(parts) > words else ''}”"


#: What a reference's date answers: when a source was published, or the inspection it reports.
_PUBLISHED = frozenset(
    """publish published publication issue issued release released inspect inspected inspection
    review reviewed report reported document documents paper papers guidance strategy publication
    publications""".split()
)
#: Words of a "when" question that ask, not name what happened.
_WHEN_FRAMING = frozenset("date dates time times happen happened happens take took place day year".split())


def value_reason(kind: AnswerType, passages: Sequence[str], window: int = 1) -> str:
    """Why the best ``passages`` do not hold the value ``kind`` asks for, or ``""``.

    A sentence holds it when it has a value of the right kind (a number, a share, an
    amount of money, a date, a length of time) and, within ``window`` sentences, every
    word of what is counted ("organised crime groups"), or for dates and durations a word
    of the question's subject.
    """
    if not kind.value or not passages:
        return ""
    pattern = _VALUE_RES[kind.value]
    asked = kind.counted or kind.subject
    if not asked:
        return ""
    closest, counts = "", ""
    for passage in passages:
        sentences = _sentences(passage)
        for i, sentence in enumerate(sentences):
            found = list(pattern.finditer(sentence))
            if kind.value == "date":  # "WMP 2020" is a name, not a date
                found = [m for m in found if not _IN_NAME_RE.search(sentence[: m.start()])]
            values = [m.group() for m in found]
            if kind.value == "number":
                values = [v for v in values if not _YEAR_RE.fullmatch(v)]
            if not values:
                continue
            closest = closest or sentence
            counts = counts or (_what_it_counts(sentence) if kind.value == "number" else "")
            near = " ".join(sentences[max(0, i - window) : i + window + 1])
            if kind.counted:
                counted_here = _what_it_counts(sentence).split()
                if _has_all(near, kind.counted, _stem_in) or (
                    counted_here and tokenize(counted_here[-1]) == tokenize(kind.counted[-1])
                ):
                    return ""
            elif kind.value in {"date", "duration"}:
                if REFERENCE_RE.search(sentence) and not set(asked) & _PUBLISHED:
                    continue  # a source's publication date ("…, HMIC, December 2015"), not the event's
                held = sum(1 for w in asked if _stem_in(w, set(tokenize(near))))
                if held >= min(2, -(-len([w for w in asked if w not in _WHEN_FRAMING]) // 2)):
                    return ""
            elif any(_stem_in(w, set(tokenize(near))) for w in asked):
                return ""
    thing = " ".join(asked)
    name = _VALUE_NAMES[kind.value]
    if kind.kind == "quantity" and kind.counted:
        if counts and counts != thing:
            return f"the report gives the number of {counts}, not of {thing}"
        said = f"the report gives no {name} of {thing}"
    else:
        said = f"the passages about {thing} give no {name}"
    if closest:
        return f"{said}; the nearest figure it gives: {_shorten(closest)}"
    return said


def period_reason(kind: AnswerType, scope: Scope, passages: Sequence[str]) -> str:
    """Why a question about a year the reports in scope do not cover is not answered, or
    ``""``. A year counts as covered when it is a report's own (its period, the year
    before, the publication year) or when the passages found mention it."""
    if not kind.years or not scope.years:
        return ""
    found = " ".join(passages)
    outside = [y for y in kind.years if y not in scope.years and not re.search(rf"\b{y}\b", found)]
    if not outside:
        return ""
    years = ", ".join(str(y) for y in outside)
    covers = scope.period if scope.period.startswith("the reports") else f"the report covers {scope.period}"
    return f"{covers}; it says nothing about {years}"


_COMPARE_RE = re.compile(
    r"\b(?:compare[sd]?|comparison|comparing|versus|vs\.?|than|against|relative to)\b\s*(?:with |to )?"
    r"(?:the )?(?P<name>(?:[A-Z][\w'’&-]*)(?:\s+(?:and\s+|of\s+)?[A-Z][\w'’&-]*)*)"
)
_NOT_A_FORCE = frozenset({"england", "wales", "england and wales", "the", "national", "hmic", "home office"})
_FORCE_SUFFIX_RE = re.compile(r"\s+(?:police(?: service)?|constabulary|police force)$", re.I)


def comparison_reason(question: str, scope: Scope, passages: Sequence[str]) -> str:
    """Why a comparison with a named other force is not answered ("than Kent Police"):
    the passages found never name that force. ``""`` for comparisons with England and
    Wales, with the force in scope, or with a force the passages name."""
    found = " ".join(passages).lower()
    own = " ".join(scope.forces).lower()
    for match in _COMPARE_RE.finditer(question):
        name = match.group("name").strip()
        core = _FORCE_SUFFIX_RE.sub("", name).strip()
        if not core or core.lower() in _NOT_A_FORCE or core.lower() in own:
            continue
        if core.lower() in found:
            continue
        forces = " and ".join(scope.forces) or "the force"
        return f"the report compares {forces} with England and Wales, not with {name}"
    return ""


def topic_reason(question: str, scope: Scope, mentions: Callable[[str], bool]) -> str:
    """Why a question on another pillar's topic ("complaints", "stop and search") is not
    answered by the reports in scope: they inspect another pillar and never mention it
    (``mentions`` says whether they do); ``""`` otherwise."""
    if not scope.pillars:
        return ""
    judged = " ".join(scope.pillars).lower()
    lower = question.lower()
    for pillar, topics in PILLAR_TOPICS.items():
        if pillar in judged:
            continue
        for topic in topics:
            if re.search(rf"\b{re.escape(topic)}\b", lower) and not mentions(topic):
                return (
                    f"{topic} is a matter for HMIC's {pillar} inspection; the report is of "
                    f"{', '.join(scope.pillars)} and never mentions it"
                )
    return ""


def pillar_reason(kind: AnswerType, question: str, scope: Scope) -> str:
    """Why a grade question is not answered: it names a pillar the reports in scope do
    not inspect ("efficiency" in an effectiveness report); ``""`` when they may grade it.
    (Areas and other inspections: :mod:`.inspection_check`.)"""
    if kind.kind != "grade" or not (scope.pillars or scope.areas):
        return ""
    lower = question.lower()
    judged = " ".join([*scope.pillars, *scope.areas]).lower()
    graded = "; ".join(scope.grades) or ", ".join(scope.pillars)
    for pillar, names in PILLARS.items():
        if any(re.search(rf"\b{re.escape(n)}\b", lower) for n in names) and pillar not in judged:
            return (
                f"the report grades {', '.join(scope.pillars) or 'other questions'} ({graded}), not {pillar}"
            )
    return ""


def _mentions(phrase: str, evidence: Evidence) -> bool:
    """Whether the reports in scope use ``phrase`` (a word in any spelling or close word;
    several words together in one passage, as written)."""
    words = phrase.split()
    if len(words) == 1:
        return word_present(phrase, evidence.present)
    if not all(word_present(w, evidence.present) for w in words if w not in STOPWORDS):
        return False
    rarest = max((w for w in words if w not in STOPWORDS), key=len)
    return any(
        phrase in " ".join(p.lower().replace("-", " ").split()) for p in evidence.passages_with(rarest)
    )


def _own_source(source: SourceAsk, scope: Scope) -> bool:
    """Whether a source the question names is the report itself ("HMIC's 2015 PEEL
    effectiveness inspection")."""
    own = {"peel", "effectiveness", "police", *(w for p in scope.pillars for w in p.split())}
    return set(source.words) <= own and all(y in scope.own_years for y in source.years)


_GRADE_VALUE_RE = re.compile(r"\b(?:outstanding|inadequate|requires?\s+improvement)\b", re.I)
#: A grade question about forces other than the report's ("Which forces were judged outstanding?").
_OTHER_FORCES_RE = re.compile(
    r"\b(?:which|what|how\s+many|other|most\s+similar|neighbouring|all)\s+(?:other\s+)?(?:police\s+)?forces\b",
    re.I,
)


def _grade_reason(question: str, evidence: Evidence) -> str:
    """A grade question's check: the grade of another inspection, or of an area."""
    asked = grade_ask(question, evidence.words)
    source, scope = asked.source, evidence.scope
    if source is not None and set(source.words) <= {
        "peel",
        "effectiveness",
        "police",
        *(w for p in scope.pillars for w in p.split()),
    }:
        other_years = [y for y in source.years if y not in scope.own_years]
        if other_years and scope.own_years:
            own = ", ".join(str(y) for y in sorted(scope.own_years))
            return f"the report gives the grades of its {own} inspection; none from {other_years[0]}"
        source = None  # this report's own inspection
    if source is not None:
        cited = _gathered(source.words, evidence.cited_with)
        return other_grade_reason(source, asked.area, cited, evidence.match)
    if _OTHER_FORCES_RE.search(question):
        forces = " and ".join(scope.forces) or "the force it inspects"
        found = _gathered(("forces",), evidence.passages_with)
        return other_forces_grade_reason(forces, found)
    other_years = [
        y
        for clause in re.split(r",|;|\band\b|\bbut\b", question)  # "What grade ..., and does it match 2014?"
        if _GRADE_RE.search(clause) or re.search(r"\bgrades?\b", clause, re.I)
        for y in question_years(clause)
        if scope.own_years and y not in scope.own_years
    ]
    if other_years:
        found = _gathered((*asked.area, str(other_years[0])), evidence.passages_with)
        return other_year_grade_reason(other_years[0], asked.area, scope.own_years, found, evidence.match)
    if _GRADE_VALUE_RE.search(
        question
    ):  # "What stops it being rated outstanding?": about a grade, not for one
        return ""
    area = _in_grade_clause(question, asked.area)
    found = _gathered(area, evidence.passages_with)
    return own_grade_reason(area, evidence.graded, found, evidence.match)


def _in_grade_clause(question: str, area: tuple[str, ...]) -> tuple[str, ...]:
    """The words of ``area`` in the clause that asks for the grade ("What grade did
    prevention get, and does it match ...?": "prevention")."""
    clauses = re.split(r",|;|\band\b|\bbut\b", question)
    asking = [c for c in clauses if _GRADE_RE.search(c) or re.search(r"\bgrades?\b", c, re.I)]
    if len(clauses) < 2 or not asking:
        return area
    text = asking[0].lower()
    kept = tuple(w for w in area if re.search(rf"\b{re.escape(w)}", text))
    return kept or area


def _gathered(
    words: Iterable[str], fetch: Callable[[str], Sequence[T]], key: Callable[[str], Any] = len, n: int = 2
) -> list[T]:
    """What ``fetch`` finds for the ``n`` first of ``words`` by ``key`` (longest: the most
    telling), each once."""
    out: list[T] = []
    for word in sorted(words, key=key, reverse=True)[:n]:
        out.extend(x for x in fetch(word) if x not in out)
    return out


@dataclass(frozen=True, slots=True)
class _Case:
    """One question before the checks: its answer type, the evidence, its text."""

    kind: AnswerType
    evidence: Evidence
    question: str
    window: int = 1
    checks: frozenset[str] = frozenset(CHECKS)

    @property
    def tagged(self) -> bool:
        return bool(self.evidence.words and self.question)


def _words_check(case: _Case) -> str:
    """A quantity or topic question naming a thing the report never mentions."""
    kind, evidence = case.kind, case.evidence
    if kind.kind not in {"quantity", "topic"}:
        return ""
    subject = kind.subject
    if evidence.words:  # only the words that name things: a verb is never the subject
        named = set(naming_words(evidence.words)) - COMPARATIVES  # "saw crime rise": a change, not a thing
        # "the twelve months ending June 2015" says when, not what
        named -= {w for p in question_periods(case.question) for w in p.text.lower().split()}
        subject = tuple(w for w in subject if w in named and not NOT_A_SUBJECT_RE.fullmatch(w))
    missing = missing_words(subject, lambda w: word_present(w, evidence.present))
    return f"the report never mentions {_quote(missing)}, in any spelling or close word" if missing else ""


def _figure_check(case: _Case) -> str:
    """A statistic set against the figures the report states (:mod:`.figure_check`)."""
    evidence = case.evidence
    asked = figure_ask(case.question, evidence.words) if case.tagged else None
    if asked is None or not evidence.figures:
        return ""
    return figure_reason(
        asked,
        evidence.figures,
        evidence.match,
        evidence.scope.own_years,
        evidence.places,
        evidence.passages_with(asked.head) if asked.head else (),
    )


def _person_check(case: _Case) -> str:
    """ "Who ...": a named person or someone who does it (:mod:`.person_check`)."""
    evidence = case.evidence
    who = who_ask(case.question, evidence.words) if case.tagged else None
    if who is None:
        return ""
    passages = _gathered(who.core or who.about, evidence.passages_with)
    return person_reason(who, passages, evidence.named_people(), evidence.match)


def _period_check(case: _Case) -> str:
    return period_reason(case.kind, case.evidence.scope, case.evidence.passages)


def _grade_check(case: _Case) -> str:
    """Pillars not inspected, other pillars' topics, areas not graded, other inspections."""
    evidence = case.evidence
    reason = pillar_reason(case.kind, case.question, evidence.scope) or topic_reason(
        case.question, evidence.scope, lambda topic: _mentions(topic, evidence)
    )
    if not reason and case.kind.kind == "grade" and case.tagged:
        reason = _grade_reason(case.question, evidence)
    return reason


def _inspection_check(case: _Case) -> str:
    """What another inspection or study found (:mod:`.inspection_check`)."""
    if case.kind.kind == "grade" or not case.tagged:
        return ""
    source = source_ask(case.question)
    if source is None or _own_source(source, case.evidence.scope):
        return ""
    evidence = case.evidence
    # a source named by its year alone ("the 2014 inspection") is looked for by its year
    named_by = source.words or tuple(str(y) for y in source.years)
    return finding_reason(source, _gathered(named_by, evidence.cited_with), evidence.match, evidence.present)


def _cause_check(case: _Case) -> str:
    """ "Why ...": a reason where the report states the fact (:mod:`.cause_check`)."""
    evidence = case.evidence
    fact = why_ask(case.question, evidence.words) if case.tagged else ()
    fact = tuple(w for w in fact if evidence.present(w))  # words the report never uses cannot be stated
    if not fact:
        return ""
    verbs = [w.lemma for w in evidence.words if w.pos == "VERB"]
    also = also_reasons(case.question, verbs)
    return cause_reason(
        fact, _gathered(fact, evidence.cited_with, n=3), evidence.match, evidence.rarity, also
    )


def _comparison_check(case: _Case) -> str:
    """A comparison the report does not draw (:mod:`.comparison_check`)."""
    evidence = case.evidence
    reason = comparison_reason(case.question, evidence.scope, evidence.passages)
    compared = compare_ask(case.question, evidence.words, places=evidence.places) if case.tagged else None
    if reason or compared is None:
        return reason
    passages = _gathered(compared.subject, evidence.passages_with, key=evidence.rarity)
    return comparison_drawn(compared, evidence.figures, passages, evidence.match, evidence.rarity)


def _detail_check(case: _Case) -> str:
    """A name or place the report does not give (:mod:`.detail_check`)."""
    evidence = case.evidence
    detail = detail_ask(case.question) if case.question else None
    if detail is None:
        return ""
    passages = _gathered(detail.thing, evidence.passages_with, key=evidence.rarity)
    # a name the question gives is not the one it asks for ("Which estate in Walsall ...?")
    given = re.findall(r"(?<=\s)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*", case.question)
    return detail_reason(
        detail, passages, evidence.match, (*evidence.scope.forces, "England and Wales", *given)
    )


def _value_check(case: _Case) -> str:
    """A number, date or length of time the passages on the subject do not hold."""
    kind, evidence = case.kind, case.evidence
    if kind.kind not in {"quantity", "date", "duration"}:
        return ""
    if (
        "figures" in case.checks
        and evidence.figures
        and case.tagged
        and figure_ask(case.question, evidence.words)
    ):
        return ""  # the figures the report states have answered it
    passages = list(evidence.passages)
    if kind.kind in {"date", "duration"}:  # every passage on the subject, not only the best
        passages.extend(p for p in _gathered(kind.subject, evidence.passages_with) if p not in passages)
    return value_reason(kind, passages, case.window)


#: Each check by its name in :data:`CHECKS`.
_RUN: dict[str, Callable[[_Case], str]] = {
    "words": _words_check,
    "figures": _figure_check,
    "person": _person_check,
    "period": _period_check,
    "grade": _grade_check,
    "inspection": _inspection_check,
    "cause": _cause_check,
    "comparison": _comparison_check,
    "detail": _detail_check,
    "value": _value_check,
}


def unanswered_reason(
    kind: AnswerType,
    evidence: Evidence,
    question: str = "",
    checks: Iterable[str] = CHECKS,
    window: int = 1,
) -> str:
    """Why the report cannot answer a question of this kind, or ``""`` when it may.

    ``evidence`` holds what the report has; ``checks`` names which checks to run (all
    by default, see :data:`CHECKS`); the first that finds a reason gives it.
    """
    case = _Case(kind, evidence, question, window, frozenset(checks))
    for name in CHECKS:
        if name in case.checks:
            reason = _RUN[name](case)
            if reason:
                return reason
    return ""
