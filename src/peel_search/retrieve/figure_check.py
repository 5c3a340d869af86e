"""Does the report state the figure a question asks for? (pure functions)

A question asking for a statistic (:class:`.asked.FigureAsk`) is set against the figures
the report states (:mod:`peel_search.ingest.figures`). A figure is *on the subject* when
the noun the question counts is among the figure's own words (its subject, its sentence
or its table cells) and at most a third of the question's other naming words are
missing from the figure's surroundings (its passage and headings). Then:

- an on-subject figure of the measure asked (a rate with the base asked), for the period
  asked and the area asked, answers it;
- on-subject figures that differ in measure, period or area are positive evidence that
  the report does not give what was asked: the notice says what it does give ("the report
  gives the number of offenders for each officer (approximately 90), not a total");
- with no figure on the subject at all, a number the extractor left out (a count in words
  of the report's own parts, say) that stands just before the counted noun in a passage
  still answers it; failing that, the report gives no such figure.

Word matching is left to a ``match(word, stems)`` function (the report's spellings,
acronyms and close words, see :mod:`.in_report`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..index.lexical import STOPWORDS, tokenize
from ..ingest.periods import Period, find_periods, same_period
from ..ingest.text import sentences as split_sentences
from ..types import Figure
from .asked import FigureAsk, Match

#: How the notices name each measure.
MEASURE_NAMES = {
    "count": "number",
    "rate": "rate",
    "percentage": "percentage",
    "change": "percentage change",
    "amount": "amount",
    "duration": "length of time",
    "ratio": "share",
}
_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred "
    "dozen several"
).split()
_NUMBER_RE = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?%?|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_BASES = {"head": 1.0, "capita": 1.0, "person": 1.0, "officer": 1.0, "thousand": 1e3, "million": 1e6}


@dataclass(frozen=True, slots=True)
class FigureFacts:
    """A figure with the stems it is matched on: ``own`` (its subject and sentence or table
    cells) and ``about`` (those, its passage and headings, acronyms expanded)."""

    figure: Figure
    own: frozenset[str]
    about: frozenset[str]
    periods: tuple[Period, ...]


#: Measures whose prose subject is the noun phrase the number counts ("68 organised crime
#: groups"): their own words are that phrase alone, not the whole sentence.
_COUNTED = frozenset({"count", "rate", "ratio", "duration"})


def figure_head(subject: str) -> str:
    """The noun a figure's subject is about: "locally-based teams of ... officers" ->
    "teams", "OCGs per one million population" -> "OCGs"."""
    phrase = re.split(r"\s+(?:per|of|within|for|in)\s+", subject, maxsplit=1)[0]
    words = phrase.split()
    return words[-1] if words else ""


def figure_facts(
    figure: Figure, passage: str = "", expand: Callable[[str], str] = lambda word: ""
) -> FigureFacts:
    """``figure`` with its stems; ``passage`` is the text around it; ``expand`` gives the
    long form of an acronym (or the acronym of a long form) that heads its subject."""
    counted = figure.where == "text" and figure.measure in _COUNTED
    own_text = figure.subject if counted else f"{figure.subject} {figure.context}"
    head = figure_head(figure.subject)
    own = frozenset(tokenize(f"{own_text} {expand(head) if head else ''}"))
    extra = " ".join(expand(w) for w in re.findall(r"[A-Za-z][\w-]*", figure.context) if w.isupper())
    about = own | frozenset(tokenize(f"{figure.context} {passage} {' '.join(figure.section)} {extra}"))
    return FigureFacts(figure, own, about, tuple(p for _, p in find_periods(figure.period)))


def names_row(question_words: Sequence[str], fact: FigureFacts, match: Match) -> bool:
    """Whether the question names a table row's or chart slice's label in full ("taken
    into consideration"): then it asks about that row, whatever noun it counts."""
    label = [w for w in re.findall(r"[a-z][a-z'-]+", fact.figure.label.lower()) if tokenize(w)]
    return bool(label) and all(any(match(q, frozenset(tokenize(w))) for q in question_words) for w in label)


def on_subject(ask: FigureAsk, fact: FigureFacts, match: Match) -> bool:
    """Whether ``fact`` is about what ``ask`` measures (see the module docstring)."""
    if not ask.head and not ask.words:
        return False
    if names_row((*ask.words, ask.head, *ask.mentions), fact, match):
        return True
    if ask.head and not match(ask.head, fact.own):
        return False
    missing = [w for w in ask.words if not match(w, fact.about)]
    # a verb missing weighs half: a table row counts "penalty notices", not how they were "issued"
    weight = sum(0.5 if w in ask.verbs else 1.0 for w in missing)
    return 3 * weight <= len(ask.words) + 1 and (bool(ask.head) or len(missing) < len(ask.words))


def _base(per: str) -> float | None:
    """A rate's base as a number: "1,000 population" -> 1000, "one million" -> 1e6, "head" -> 1."""
    text = per.lower().replace(",", "")
    number = re.search(r"\d+(?:\.\d+)?", text)
    value = float(number.group()) if number else 1.0
    for word, factor in _BASES.items():
        if re.search(rf"\b{word}\b", text):
            return value * factor if word in {"thousand", "million"} else factor
    return value if number else None


def measure_fits(ask: FigureAsk, figure: Figure) -> bool:
    """Whether ``figure`` is of a measure ``ask`` accepts (and, for a rate, its base)."""
    if figure.measure not in ask.measures:
        return False
    if ask.name == "rate" and figure.measure == "rate" and not re.search(r"\brates?\b", figure.context, re.I):
        return False  # "the reoffending rate" is not "90 offenders each"
    if ask.per and figure.measure == "rate":
        asked, given = _base(ask.per), _base(figure.per)
        return asked is None or given is None or asked == given
    return True


def period_fits(ask: FigureAsk, fact: FigureFacts, own_years: frozenset[int]) -> bool:
    """Whether ``fact`` covers every period ``ask`` names; a figure the report gives no
    period for is of the report's own time (``own_years``)."""
    if not ask.periods:
        return True
    if not fact.periods:
        return all(p.end[0] in own_years for p in ask.periods)
    given = list(fact.periods)
    if fact.figure.measure == "change" and len(given) == 1 and given[0].end[0]:
        # a change over a period ("rose 2 percent in the 12 months to June 2015") is set
        # against the period a year before
        last = given[0]
        given.append(replace(last, text=f"a year before {last.text}", end=(last.end[0] - 1, last.end[1])))
    return all(any(same_period(p, g) for g in given) for p in ask.periods)


def area_fits(areas: Sequence[str], fact: FigureFacts, match: Match) -> bool:
    """Whether ``fact`` is about every place the question names (its area or its words)."""
    for area in areas:
        words = [
            w
            for w in re.findall(r"[a-z][a-z'-]+", area.lower())
            if w not in {"police", "constabulary", "city", "of"}
        ]
        if area.lower() in fact.figure.area.lower():
            continue
        if not words or not all(match(w, fact.about) for w in words):
            return False
    return True


def describe(figure: Figure) -> str:
    """``"the number of incidents of anti-social behaviour (66,629, 12 months to 30 June 2015)"``."""
    name = MEASURE_NAMES[figure.measure]
    if figure.measure == "rate" and figure.per:
        name = f"rate per {figure.per}"
    where = f", {figure.area}" if figure.area else ""
    when = f", {figure.period}" if figure.period else ""
    return f"the {name} of {_short(figure.subject)} ({figure.value}{where}{when})"


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _asked(ask: FigureAsk) -> str:
    return " ".join(w for w in (*ask.words, ask.head) if w)


def _known(value: str, sentence: str) -> tuple[str, str]:
    """A value as it stands in a sentence, the same for a figure and for its passage's text."""
    number = value.lower().split()[0].rstrip("%").replace(",", "")
    return number, re.sub(r"[^a-z]+", "", sentence.lower())[:60]


#: A share said in words, before what it is a share of ("almost all of its
#: investigators", "the majority of victims", "two-thirds of forces"). "Many" and "most"
#: say too little to answer "what proportion".
SHARE_IN_WORDS_RE = re.compile(
    r"\b(?:(?:almost|nearly|virtually|practically)\s+(?:all|every)|all\s+but\s+(?:one|two|a\s+few)|"
    r"(?:the\s+|a\s+)?(?:vast\s+|large\s+|small\s+)?(?:majority|minority)|"
    r"(?:a|one|two|three|four)[\s-](?:half|third|thirds|quarter|quarters|fifth|fifths|tenth|tenths)|half|none)"
    r"\s+(?:of\s+)?(?:the\s+|its\s+|their\s+|all\s+|these\s+|those\s+)?(?P<what>(?:[\w'’-]+\s+){0,2}[\w'’-]+)",
    re.I,
)


def share_in_words(ask: FigureAsk, sentences: Sequence[str], match: Match) -> bool:
    """Whether one of ``sentences`` gives a share of what ``ask`` asks the proportion of
    ("what proportion", not "what percentage": that asks for a number) in
    words (see :data:`SHARE_IN_WORDS_RE`), in a sentence that names the rest of the thing."""
    if ask.name != "proportion" or not ask.head or ask.periods:
        return False
    for sentence in sentences:
        stems = frozenset(tokenize(sentence))
        if 2 * sum(1 for w in ask.words if not match(w, stems)) > len(ask.words):
            continue
        if any(
            match(ask.head, frozenset(tokenize(m.group("what"))))
            for m in SHARE_IN_WORDS_RE.finditer(sentence)
        ):
            return True
    return False


def counted_nearby(
    ask: FigureAsk, sentences: Sequence[str], match: Match, known: frozenset[tuple[str, str]] = frozenset()
) -> bool:
    """Whether one of ``sentences`` holds a figure the extractor left out (a number not
    among the ``known`` values): for a count, a number just before the counted noun
    ("twenty different types of outcomes"); for anything else, a percentage, a rate per
    N or a fraction in a sentence that names what was asked."""
    if not ask.head:
        return False
    for sentence in sentences:
        if re.search(r"www\.|https?://|/\S+/", sentence):
            continue
        stems = frozenset(tokenize(sentence))
        missing = [w for w in ask.words if not match(w, stems)]
        names_it = match(ask.head, stems) and 3 * len(missing) <= len(ask.words) + 1
        for m in _NUMBER_RE.finditer(sentence):
            value = m.group().lower().rstrip("%").replace(",", "")
            if _known(m.group(), sentence) in known or re.fullmatch(r"(?:19|20)\d\d", value):
                continue
            after = sentence[m.end() :]
            if re.match(
                r"\s*(?:st|nd|rd|th)?\s*(?:january|february|march|april|may|june|july|august|"
                r"september|october|november|december)\b",
                after,
                re.I,
            ):
                continue  # a date
            if ask.measures == {"count"}:
                following = []
                for w in re.findall(r"[A-Za-z][\w'’-]*|[^\sA-Za-z]", after[:60])[:4]:
                    if not w[0].isalpha() or w.lower() in STOPWORDS:
                        break  # the noun phrase after the number ends here
                    following.append(w)
                if any(match(ask.head, frozenset(tokenize(w))) for w in following):
                    return True
            elif names_it and (
                m.group().endswith("%")
                or re.match(r"\s*(?:percent|per cent)\b", after)
                or ("rate" in ask.measures and re.match(r"\s*(?:\w+\s+){0,3}per\b", after))
            ):
                return True
        if (
            names_it
            and ask.measures != {"count"}
            and re.search(r"\b(?:half|third|thirds|quarter|quarters)\b", sentence)
        ):
            return True
    return False


def _closeness(ask: FigureAsk, fact: FigureFacts, match: Match) -> int:
    """How many of the question's words a figure's own subject holds (more: the nearer
    figure to name in a notice), the counted noun counting double."""
    subject = frozenset(tokenize(fact.figure.subject))
    words = [w for w in ask.words if w]
    head = 2 * (bool(ask.head) and match(ask.head, subject))
    return head + sum(match(w, subject) for w in words) + sum(match(w, fact.own) for w in words)


def figure_reason(
    ask: FigureAsk,
    facts: Sequence[FigureFacts],
    match: Match,
    own_years: frozenset[int],
    areas: Sequence[str] = (),
    passages: Sequence[str] = (),
) -> str:
    """Why the report does not give the figure ``ask`` asks for, or ``""`` when it may.

    ``facts``: the figures of the reports in scope; ``own_years``: the years the reports
    are of (for figures they give no period); ``areas``: places the question names other
    than the force's own; ``passages``: the passages in scope that hold the counted noun
    (for numbers the extractor left out).
    """
    if share_in_words(ask, [x for p in passages for x in split_sentences(p)], match):
        return ""
    about = sorted((f for f in facts if on_subject(ask, f, match)), key=lambda f: -_closeness(ask, f, match))
    known = frozenset(_known(f.figure.value, f.figure.context) for f in facts if f.figure.value)
    if any(
        measure_fits(ask, f.figure) and period_fits(ask, f, own_years) and area_fits(areas, f, match)
        for f in about
    ):
        return ""
    if not about:
        if ask.loose or counted_nearby(ask, [x for p in passages for x in split_sentences(p)], match, known):
            return ""
        if "amount" in ask.measures and any(f.figure.measure == "amount" for f in facts):
            return ""
        if "amount" in ask.measures:
            return "the report gives no amounts of money"
        thing = _asked(ask)
        return f"the report gives no {ask.name} of {thing}" if thing else ""
    fits = [f for f in about if measure_fits(ask, f.figure)]
    if not fits:
        gives = "; ".join(dict.fromkeys(describe(f.figure) for f in about[:2]))
        return f"the report gives {gives}; it gives no {ask.name}"
    timely = [f for f in fits if period_fits(ask, f, own_years)]
    if not timely:
        asked = " and ".join(p.text for p in ask.periods)
        gives = describe(fits[0].figure)
        return f"the report gives {gives}; it gives none for {asked}"
    places = ", ".join(dict.fromkeys(f.figure.area for f in timely if f.figure.area))
    return f"the report gives {describe(timely[0].figure)} for {places or 'the force'}; not for {', '.join(areas)}"
