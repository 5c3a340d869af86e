"""What a question asks for, read from its wording (pure functions).

:func:`figure_ask` reads a question that asks for a statistic: the measure it wants
(a count, a rate per N, a percentage, a change, an amount, an average), the words naming
what is measured (the head noun that is counted and its modifiers), and the periods it
names. The not-answered checks (:mod:`.answerability`) set that against the figures the
report states (:mod:`peel_search.ingest.figures`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Set
from dataclasses import dataclass

from ..index.lexical import STOPWORDS
from ..ingest.periods import Period, find_periods
from ..types import MEASURES

#: Whether a question's word is among a set of stems, in any of the ways a report may
#: write it (its spellings, close words, acronym): the checks' one way to compare words.
Match = Callable[[str, Set[str]], bool]

#: Measures a question's wording accepts.
_RATE_OR_SHARE = frozenset({"rate", "percentage"})
_SHARE = frozenset({"percentage", "ratio", "rate"})
_CHANGE = frozenset({"change"})
_ANY = frozenset(MEASURES)
_COUNT = frozenset({"count"})
_AMOUNT = frozenset({"amount"})
_AVERAGE = frozenset({"rate", "duration", "amount"})

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’/\-]*")
#: Words that frame a figure question rather than say what is measured.
FRAMING = frozenset(
    """many much number numbers percentage percentages proportion proportions share shares rate rates
    total totals amount amounts level levels figure figures count average mean median roughly
    approximately around about exactly overall year years month months period force forces force's
    police constabulary did does do done make made get got give gave given record recorded records
    report reported reports there what which who how were was is are have has had when since long
    often hmic per cent percent expressed terms currently current latest recent last previous
    respectively each every value figure stand stood come came whole end back area areas january february march
    april may june july august september october november december""".split()
)
_CHANGE_WORDS = (
    r"(?:change|changed|fall|fell|fallen|rise|rose|risen|increase|increased|decrease|decreased|drop|"
    r"dropped|grow|grew|grown|reduce|reduced|reduction|decline|declined|go\s+up|go\s+down|went\s+up|"
    r"went\s+down|gone\s+up|gone\s+down|up\s+or\s+down|cut)"
)
_MONEY_WORDS = r"(?:money|spend|spent|spending|budget|budgets|cost|costs|costing|£|funding|fund|funds|save|saved|saving|savings|pay|paid|price|income|grant)"


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a question as spaCy tags it: its text, lemma, part of speech, dependency
    label and the position of its head."""

    text: str
    lemma: str
    pos: str
    dep: str
    head: int

    @property
    def lower(self) -> str:
        return self.text.lower()


#: Verbs that carry little of a question's meaning ("saw crime go up", "get", "use").
LIGHT_VERBS = frozenset(
    """be have do get got go goes went gone see saw seen make made take took taken give gave given
    put keep kept use used come came show showed shown say said let set become became seem seemed
    happen happened exist existed expressed involve involved mean meant compare compared""".split()
)
#: Parts of speech that name a question's subject (verbs and function words do not).
_NAMING = frozenset({"NOUN", "PROPN", "ADJ", "NUM", "X"})


def naming_words(words: tuple[Word, ...], drop: frozenset[str] = frozenset()) -> list[str]:
    """The question's words that name things (nouns, names, adjectives), lower-case,
    without framing words; hyphenated compounds stay one word ("anti-social")."""
    out: list[str] = []
    joined: list[tuple[str, str]] = []
    i = 0
    while i < len(words):
        w = words[i]
        text, pos = w.text, w.pos
        while i + 2 < len(words) and words[i + 1].text == "-" and words[i + 2].text[:1].isalnum():
            text += "-" + words[i + 2].text
            pos = words[i + 2].pos if words[i + 2].pos in _NAMING else pos
            i += 2
        joined.append((text, pos))
        i += 1
    for text, pos in joined:
        if pos in _NAMING or "-" in text:
            out.extend(content_words(text, drop))
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class FigureAsk:
    """A question asking for a statistic.

    ``measures`` are the measures that answer it (see :data:`peel_search.types.MEASURES`),
    ``name`` what the notice calls it ("percentage", "rate per 1,000 population");
    ``head`` the noun that is counted or measured ("incidents") and ``words`` the other
    words naming it ("anti-social", "behaviour"); ``periods`` the periods it names
    (two for a change between them).
    """

    measures: frozenset[str]
    name: str
    head: str
    words: tuple[str, ...]
    per: str = ""
    periods: tuple[Period, ...] = ()
    #: Every content word of the question, verbs too ("taken into consideration").
    mentions: tuple[str, ...] = ()
    #: Verbs among ``words`` that only say how the thing came to be counted ("issued",
    #: "recorded"): a table row that counts it seldom repeats them.
    verbs: tuple[str, ...] = ()
    #: Asked as a noun phrase ("community resolutions, year to June 2014"): judged only
    #: where the report gives figures of the thing.
    loose: bool = False


#: Words of a question that frame rather than name its subject: "vs", a number word, a
#: period ("mid-2015").
NOT_A_SUBJECT_RE = re.compile(
    r"vs|versus|v|hundreds?|thousands?|millions?|billions?|dozens?|[\w-]*\d[\w-]*|"
    r"(?:early|mid|late)(?:-[\w]*)?"
)


#: Where a question asks a second thing: "..., and where?", "... and what do they
#: oversee?", "...? When did it start?", "...; how often ...".
_NEXT_QUESTION_RE = re.compile(
    r"\?\s+(?=\S)|;\s*|,?\s+and\s+(?=(?:what|how|when|where|who|whom|which|why|whether|at\s+what|"
    r"in\s+what|to\s+what|does|do|did|is|are|was|were|has|have|can)\b)",
    re.I,
)


#: A part that asks more about the thing the part before named ("... and how does it
#: plan to close it?") is not a question of its own.
_BACK_REFERENCE_RE = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her)\b", re.I)


#: Two question words sharing one question ("Where and when were the marches?").
_TWO_ASKS_RE = re.compile(r"^\s*(where|when|who|why|how)\s+and\s+(where|when|who|why|how)\s+(.+)$", re.I)
#: A bare question word after the question ("..., and when?"): it asks that of the same thing.
_BARE_ASK_RE = re.compile(r"^(?:where|when|who|why|how\s+(?:many|much|often|long))$", re.I)


def question_parts(question: str) -> tuple[str, ...]:
    """The questions one question asks ("Who is the X and what do they oversee?": two), each
    with something of its own to ask about. "Where and when were X?" asks where and when
    of X; "..., and when?" asks when of the thing before; a part that asks more about the
    thing before ("and when did it happen?") is no question of its own, nor one with no
    content word but light verbs."""
    text = " ".join(question.split())
    two = _TWO_ASKS_RE.match(text)
    if two:
        rest = two.group(3).rstrip(" ?")
        return (f"{two.group(1)} {rest}?", f"{two.group(2)} {rest}?")
    parts = [p.strip(" ,?") for p in _NEXT_QUESTION_RE.split(text)]
    kept = [
        p
        for i, p in enumerate(parts)
        if any(w not in LIGHT_VERBS and not w.isdigit() for w in content_words(p))
        and (i == 0 or not _BACK_REFERENCE_RE.search(p))
    ]
    kept += [f"{p} {parts[0]}" for p in parts[1:] if _BARE_ASK_RE.match(p)]  # "when <the thing>"
    return tuple(f"{p}?" for p in kept) if len(kept) > 1 and kept[0] == parts[0] else (question,)


def content_words(text: str, drop: frozenset[str] = frozenset()) -> list[str]:
    """Lower-case content words: not stop words, framing, bare numbers or years."""
    out = []
    for raw in _WORD_RE.findall(text.lower()):
        w = re.sub(r"['’]s$", "", raw).strip("'’-/")
        if not w or w in STOPWORDS or w in FRAMING or w in drop or re.fullmatch(r"[\d,./]+", w):
            continue
        out.append(w)
    return list(dict.fromkeys(out))


def question_periods(question: str) -> tuple[Period, ...]:
    """The periods a question names; a year inside a name ("WMP 2020") is not one."""
    out = []
    for (a, _), period in find_periods(question):
        before = question[max(0, a - 12) : a]
        if (
            period.text.isdigit()
            and re.search(r"\b[A-Z][A-Za-z]*\s$", before)
            and not re.search(r"\b(?:In|At|By|Since|From|To|During)\s$", before)
        ):
            continue
        out.append(period)
    return tuple(out)


def _strip_periods(text: str) -> str:
    for (a, b), _ in reversed(find_periods(text)):
        text = text[:a] + " " + text[b:]
    return text


_NOUNS = frozenset({"NOUN", "PROPN"})
#: Nouns of a figure question that are never what it measures.
_NOT_HEAD = frozenset("year years month months period end rate rates number force forces' time".split())


def _head_noun(words: tuple[Word, ...], cue: re.Pattern[str]) -> str:
    """The noun a figure question measures: what "many" counts, what a share, number or
    rate is "of", the noun before "rate", the subject of a change ("did crime fall");
    else the first noun after the cue word, or the last before it."""
    nouns = frozenset(i for i, w in enumerate(words) if w.pos in _NOUNS and w.lower not in _NOT_HEAD)
    for i, w in enumerate(words):
        if not cue.fullmatch(w.lower):
            continue
        if w.lower == "many" and w.head in nouns:
            return words[w.head].lower
        for j, x in enumerate(words):
            if x.head == i and x.lower in {"of", "in"} and j > i:
                objects = [k for k in range(j + 1, len(words)) if words[k].head == j and k in nouns]
                if objects:
                    return words[objects[0]].lower
        before = [k for k in range(i) if words[k].head == i and k in nouns and words[k].dep != "poss"]
        if before:
            return words[before[-1]].lower
        after = [k for k in range(i + 1, len(words)) if k in nouns]
        if after and w.lower not in {"rate", "rates"}:
            return words[after[0]].lower
        previous = [x for x in words[:i] if x.pos in _NOUNS | {"VERB", "ADJ"} and x.lower not in FRAMING]
        if previous:
            return previous[-1].lower
    return ""


_HEAD_CUES = {
    "count": re.compile(r"many|number|total|count"),
    "share": re.compile(r"percentage|proportion|share|fraction|percent|part|%"),
    "rate": re.compile(r"rates?"),
    "average": re.compile(r"average|mean"),
    "change": re.compile(rf"{_CHANGE_WORDS}|changes?|reductions?|increases?|falls?|rises?|drops?|decreases?"),
    "amount": re.compile(r"money|budget|cost|costs|spend|spending|savings?|funding|income"),
    "figure": re.compile(r"figures?|statistics|stats"),
    "phrase": re.compile(r"(?!)"),  # a noun phrase: its first noun is the head
}


#: Verbs by which counted things come about ("notices issued", "crimes recorded").
_COUNTING_VERBS = frozenset(
    """issue issued issues record recorded records log logged logs report reported receive received
    hand handed give given make made handle handled handling deal dealt dealing carry carried conduct
    conducted manage managed managing track tracked tracking monitor monitored monitoring face faced facing
    hold held holding""".split()
)


def figure_ask(
    question: str, words: tuple[Word, ...], drop: frozenset[str] = frozenset()
) -> FigureAsk | None:
    """What statistic ``question`` (tagged as ``words``) asks for, or ``None`` when it asks
    for none. ``drop``: words that frame rather than name the subject (the force's name).
    """
    if _WHY_RE.match(question):
        return None  # "what's behind the better rates": a reason, not the figure
    q = " ".join(question.lower().replace("’", "'").split())
    q = re.sub(r"\b(what|who|where|when|how)'s\b", r"\1 is", q)  # "what's the budget"
    periods = question_periods(question)
    body = _strip_periods(q)
    per_m = re.search(
        r"\bper\s+(?:head|capita|person|officer|\d[\d,]*\s+\w+|one\s+million\s+\w+|million\s+\w+|thousand\s+\w+|\w+)",
        body,
    )
    per = per_m.group().removeprefix("per ").strip() if per_m else ""
    measure = _asked_measure(body, dated=bool(periods))
    if measure is None:
        return None
    measures, name, cue = measure
    if per or (measures == _COUNT and re.search(r"\beach\b", body)):
        measures, name = frozenset({"rate"}), f"rate per {per}" if per else "number for each"
    named = naming_words(words, drop)
    head = _head_noun(words, _HEAD_CUES[cue])
    if cue == "phrase":
        head = next(
            (
                w.lower
                for w in words
                if w.pos in _NOUNS
                and w.lower not in drop | _NOT_HEAD
                and not re.fullmatch(rf"{_CHANGE_WORDS}|changes|year|years|months?", w.lower)
            ),
            "",
        )
    head = "" if head in drop or head in STOPWORDS else head
    base = set(content_words(per)) | {"population", "people", "head", "million", "thousand"} if per else set()
    verbs = tuple(
        dict.fromkeys(
            w.lower
            for w in words
            if w.pos == "VERB"
            and w.lower not in FRAMING
            and w.lemma.lower() not in LIGHT_VERBS
            and w.lower != head
        )
    )
    in_periods = {w for p in periods for w in p.text.lower().split()}
    if measures == _CHANGE:  # "change", "fall": what is asked, not what it is of
        in_periods |= {
            w for w in [*named, *verbs] if re.fullmatch(_CHANGE_WORDS + r"|changes|reductions?|increases?", w)
        }
    kept = tuple(
        dict.fromkeys(
            w
            for w in [*named, *verbs]
            if w != head
            and w not in base
            and w not in in_periods
            and w not in _SIDE_WORDS
            and not NOT_A_SUBJECT_RE.fullmatch(w)
        )
    )
    mentions = tuple(content_words(" ".join(w.text for w in words), drop))
    counting = tuple(w for w in kept if w in _COUNTING_VERBS)  # "did the force issue": tagged a noun
    loose = cue == "phrase" and measures == _ANY
    return FigureAsk(measures, name, head, kept, per, periods, mentions, counting, loose=loose)


#: A figure asked for as a noun phrase, with no question word ("burglary rate per 1,000
#: people, year to June 2014?"); a question that opens with "how", "why", "does" ...
#: asks something else of the figure.
_TELEGRAPHIC_MEASURE_RE = re.compile(
    r"^(?!\s*(?:what|how|why|does|did|do|is|are|was|were|has|have|had|can|could|should|will|would|which|who|"
    r"where|when|tell|list|show|give|describe|explain)\b)"
    r"[^?]{0,60}?\b(?P<kind>total|percentage|proportion|share|average|rate)s?\s+(?:of|per|for|in)\b"
)


#: A question that opens on a question word or a request, not a noun phrase.
_ASKS_RE = re.compile(
    r"\s*(?:(?:in|at|by|for|from|to|on|of|with|during|over|and|so|but)\s+)?"
    + _TELEGRAPHIC_MEASURE_RE.pattern.removeprefix("^(?!\\s*").split(")\\b)")[0]
    + r")\b",
    re.I,
)


def _phrase_measure(body: str, dated: bool) -> tuple[frozenset[str], str, str] | None:
    """The measure a noun phrase asks for ("victim satisfaction year to march 2014 %",
    "calls for assistance per 1,000 population", "community resolutions in the year to
    June 2014"): a percentage, a rate, or with a period whatever figure the report gives."""
    if _ASKS_RE.match(body):
        return None
    if re.search(r"%|\bper\s?cent\b|\bpercent(?:age)?\b", body):
        return _SHARE, "percentage", "phrase"
    if re.search(r"\bper\s+(?:head|capita|person|\d|one\s+million|million|thousand)", body):
        return frozenset({"rate"}), "rate", "phrase"
    if re.search(rf"\b(?:{_CHANGE_WORDS}|changes?)\b", body):
        return _CHANGE, "change", "phrase"
    if dated:
        return _ANY, "figure", "phrase"
    return None


def _asked_measure(body: str, dated: bool = False) -> tuple[frozenset[str], str, str] | None:
    """The measures a figure question accepts, what to call it, and the cue to its head noun
    (``dated``: the question names a period)."""
    if re.search(rf"\bhow\s+much\b.*\b{_CHANGE_WORDS}\b", body) or re.match(
        r"^\s*by\s+(?:how\s+much|what\s+(?:percentage|proportion|amount))\b", body
    ):
        return _CHANGE, "change", "change"
    if re.search(
        r"\bwhat\s+(?:was\s+the\s+|is\s+the\s+)?(?:\w+\s+)?(?:reduction|increase|fall|rise|drop|decrease|change)\s+in\b",
        body,
    ):
        return _CHANGE, "change", "change"
    if re.search(rf"\bhow\s+much\b.*\b{_MONEY_WORDS}\b|\bhow\s+much\s+{_MONEY_WORDS}", body) or re.search(
        r"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+)?(?:[\w'-]+\s+){0,4}?(?:annual\s+)?"
        r"(?:budget|cost|costs|spend|spending|savings?|funding|income)\b",
        body,
    ):
        return _AMOUNT, "amount of money", "amount"
    if re.search(r"\bhow\s+many\b", body):
        return _COUNT, "number", "count"
    if re.search(
        r"\b(?:what\s+(?:is|was|are|were)|give\s+me|tell\s+me|show\s+me|list)\s+(?:the\s+)?[^?]{0,60}?"
        r"\b(?:figures?|statistics|stats)\b(?!\s*\d)",
        body,
    ):
        return _ANY, "figure", "figure"  # "the adult caution figures": whatever measure it takes
    if dated and re.search(
        r"\bhow\s+(?:did|has|have|does|do)\b[^?]*\b(?:change|changed|move|moved|vary|varied)\b", body
    ):
        return _CHANGE, "change", "change"  # "how did crime change in the year to June 2016"
    share = re.search(
        r"\b(?:what|which)\s+(?:(?P<number>percentage|percent|per\s+cent|%)|proportion|share|fraction|part)\s+of\b",
        body,
    )
    if share:  # a proportion may be said in words ("almost all"); a percentage is a number
        return _SHARE, "percentage" if share.group("number") else "proportion", "share"
    m = re.search(
        r"\bwhat\s+(?:is|was|are|were)\s+(?:the\s+)?[^?]{0,60}?\b(?:(?P<kind>total|count|"
        r"percentage|proportion|share|average|mean|rate)s?\b|number\s+of\b)",
        body,
    ) or _TELEGRAPHIC_MEASURE_RE.search(body)
    if not m:
        return _phrase_measure(body, dated)
    kind = m.group("kind") or "number"
    if kind in {"number", "total", "count"}:
        return _COUNT, "number", "count"
    if kind in {"percentage", "proportion", "share"}:
        return _SHARE, "percentage" if kind == "percentage" else "proportion", "share"
    if kind in {"average", "mean"}:
        return _AVERAGE, "average", "average"
    return _RATE_OR_SHARE, "rate", "rate"  # a rate with no base stated is a percentage


#: Nouns that name a post or a person ("the chief constable", "a detective superintendent").
POSTS = frozenset(
    """constable constables commissioner commissioners inspector inspectors superintendent
    superintendents sergeant sergeants officer officers head heads chair chairs chairman chairperson
    chairwoman lead leads leader leaders director directors secretary minister manager managers
    commander commanders chief deputy assistant person people individual individuals
    spokesperson coordinator coordinators academic academics professor professors researcher
    researchers detective detectives pcc acc dcc""".split()
)
#: The posts a "which ..." question asks a person's name for ("Which chief inspector ...?"),
#: not a kind of worker ("Which officers attend?").
_NAMED_POST = (
    r"(?:[\w'’-]+\s+){0,2}?(?:inspector|superintendent|constable|commissioner|academic|professor|"
    r"director|sergeant|minister|researcher|chair|chairman|chairwoman|chairperson)"
)
_WHO_RE = re.compile(
    r"^\s*(?:(?:and\s+)?who|whom|to\s+whom|with\s+whom|by\s+whom|from\s+whom|which\s+(?:named\s+)?"
    r"(?:organisation|organization|charity|charities|university|universities|body|bodies|agency|agencies|"
    r"company|companies|partner|partners|unit|team|department|officer|officers|person|individual|"
    r"inspector|hm\s+inspector|named)|which\s+" + _NAMED_POST + r"|"
    r"which\s+(?:[\w'’-]+\s+){1,2}?(?:officer|officers|manager|managers|lead|leader|leaders|head))\b",
    re.I,
)
#: "What is the name of", "What's the name of": a person's, or a scheme's (see detail_ask).
_NAME_OF = (
    r"(?:\bwhat(?:\s+(?:is|was|are|were)|['’]s)\s+the\s+|"
    r"^\s*(?:(?:give|tell|show)\s+me\s+|list\s+|find\s+)?(?:the\s+)?(?:full\s+)?)names?\s+of\s+"
)
_NAME_OF_RE = re.compile(_NAME_OF + r"(?:the\s+)?(?P<what>[^?]+)", re.I)
_IDENTITY_RE = re.compile(
    r"^\s*who\s+(?:is|was|are|were)\s+(?:(?:the|its|their|this|that)\s+)?(?P<post>[^?]+?)\s*\??$", re.I
)
_ROLE_WORDS = re.compile(r"\b(?:responsible|in\s+charge|accountable|charged)\b", re.I)
_NOT_VERBS = frozenset(
    {"be", "have", "do", "will", "would", "can", "could", "should", "may", "might", "must"}
)


@dataclass(frozen=True, slots=True)
class WhoAsk:
    """A question asking who does something, or who someone is.

    ``identity``: it asks for a person's name ("Who is the chief constable?", "What is the
    name of the detective superintendent ...?", "Which named officer ...?"); ``post`` the
    words naming the post; ``verbs`` the lemmas of what is done ("chair", "lead");
    ``about`` the words naming what it is done to ("violence", "prevention", "alliance").
    """

    identity: bool
    post: tuple[str, ...]
    verbs: tuple[str, ...]
    about: tuple[str, ...]
    asked: str
    #: What "which ..." asks for ("university" in "Which university ...?").
    kind: str = ""
    #: The words of the thing itself ("prevent team" of "the serious and organised crime
    #: prevent team"): a sentence speaks of it only if it has them all.
    core: tuple[str, ...] = ()


def who_ask(question: str, words: tuple[Word, ...], drop: frozenset[str] = frozenset()) -> WhoAsk | None:
    """What a "who" question asks (see :class:`WhoAsk`), or ``None`` for other questions."""
    text = " ".join(question.split())
    name_of = _NAME_OF_RE.search(text)
    identity_m = _IDENTITY_RE.match(text)
    if not (_WHO_RE.match(text) or name_of):
        return None
    named = naming_words(words, drop)
    posts = tuple(w for w in named if w in POSTS)
    identity = False
    if name_of:
        what = content_words(name_of.group("what"))
        if not any(w in POSTS for w in what):
            return None  # the name of a scheme or a system, not of a person
        identity = True
    elif identity_m and not _ROLE_WORDS.search(identity_m.group("post")):
        tail = identity_m.group("post")
        identity = any(w in POSTS for w in content_words(re.split(r"\b(?:who|that|which)\b", tail)[0]))
    elif re.match(r"^\s*which\s+(?:named|hm\s+inspector|" + _NAMED_POST + r")\b", text, re.I):
        identity = True  # "Which chief inspector ..."
    if re.search(r"\bby\s+name\b|\((?:full\s+)?names?\)", text, re.I):
        identity = True  # "Which officer, by name, ...", "Who is the ACC (name)?"
    if re.match(
        r"^\s*(?i:who\s+(?:at|in|from|within|inside))\s+(?:the\s+)?[A-Z](?![\w'’ -]*\b(?:Police|Constabulary)\b)",
        text,
    ):  # "Who at Victim Support runs ...": a person within another body the question names
        identity = True
    verbs = [
        w.lemma.lower()
        for i, w in enumerate(words)
        if w.pos == "VERB"
        and w.lemma.lower() not in _NOT_VERBS
        and w.dep in {"ROOT", "conj", "xcomp", "advcl", "relcl"}  # the verb asked about, not a modifier
    ]
    verbs += [m.group().lower().split()[-1] for m in _ROLE_WORDS.finditer(text)]
    after_do = re.match(
        r"^\s*who(?:m)?\s+(?:did|does|do|will|would|can|should)\s+(?:the\s+)?[\w'’-]+\s+(?P<verb>[a-z]+)",
        text,
        re.I,
    )
    if after_do:  # "Who did HMIC interview ...": tagged as a noun at times
        verbs.append(after_do.group("verb").lower())
    # "which senior officer": the kind asked is the post, not its adjective
    which = re.match(
        r"^\s*which\s+(?:named\s+|senior\s+|junior\s+|local\s+|specific\s+|external\s+)*(?P<kind>[a-z]+)",
        text,
        re.I,
    )
    asked_for = {which.group("kind").lower()} if which else set()
    about = tuple(
        w for w in named if w not in POSTS and w not in verbs and w not in asked_for and w != "name"
    )
    asked = re.sub(r"^\s*(?:who|which\s+(?:named\s+)?\w+)\s+", "", text.rstrip("?"), flags=re.I)
    if name_of:  # "give me the names of the business leads"
        asked = f"is {name_of.group('what').rstrip('?')}"
    core = tuple(w for w in _object_words(words, drop | frozenset(verbs)) if w in about)
    return WhoAsk(identity, posts, tuple(dict.fromkeys(verbs)), about, asked, next(iter(asked_for), ""), core)


def _object_words(words: tuple[Word, ...], drop: frozenset[str]) -> list[str]:
    """The noun a question's verb acts on, with the nouns and adjectives that name it
    ("six-month evaluation", "prevent team", "Catch 22 scheme")."""
    objects = [
        i
        for i, w in enumerate(words)
        if w.dep in {"dobj", "pobj", "nsubjpass", "attr"}
        and w.pos in _NOUNS
        and w.lower not in POSTS
        and w.lemma.lower() not in drop
    ]
    if not objects:
        return []
    head = objects[0]
    parts = [
        i
        for i, w in enumerate(words)
        if i == head or (w.head == head and w.dep in {"compound", "amod", "nmod", "nummod"} and i < head)
    ]
    text = " ".join(words[i].text for i in range(min(parts), head + 1) if i in parts or words[i].text == "-")
    return content_words(text.replace(" - ", "-"), drop)


#: Nouns naming an inspection, a report or another source of findings.
SOURCE_NOUNS = frozenset(
    """inspection inspections re-inspection reinspection self-inspection report reports review reviews
    study studies evaluation evaluations assessment assessments audit audits survey surveys bulletin
    research analysis inquiry investigation self-inspections self-assessment self-assessments pilot pilots
    trial trials exercise exercises""".split()
)
#: Words of a source's name that do not tell one source from another.
_SOURCE_GENERIC = frozenset(
    """hmic hmic's hmicfrs inspection inspections report reports the force force's its own recent full
    latest main key police separate standalone subsequent later published""".split()
)
#: ("report" is left out: it is the noun of too many sources' names.)
_FINDING_VERBS = (
    r"(?:find|found|say|said|conclude|concluded|show|showed|reveal|revealed|identify|identified|recommend|"
    r"recommended|note|noted|highlight|highlighted|discover|discovered|suggest|suggested|expose|exposed|"
    r"uncover|uncovered|reach|reached|rank|ranked|produce|produced)"
)
_SOURCE_PATTERNS = (
    re.compile(
        rf"^\s*(?:what|which)(?:\s+(?P<asked>[^?]+?))?\s+(?:did|does|do|has|have|had)\s+(?P<source>.+?)\s+"
        rf"(?:(?:actually|really|ever|eventually|ultimately|specifically)\s+)?{_FINDING_VERBS}\b"
        r"(?:\s+(?:about|on|regarding|concerning|as|in|for))?\s*(?P<topic>[^?]*)",
        re.I,
    ),
    re.compile(
        r"^\s*what\s+(?:were|was|are|is)\s+the\s+(?:\w+\s+)?(?:findings?|conclusions?|results?|recommendations?|"
        r"outcomes?|verdict)\s+(?:of|from)\s+(?P<source>.+?)(?:\s+(?:about|on|regarding|for)\s+(?P<topic>[^?]*))?\s*\??$",
        re.I,
    ),
    re.compile(r"^\s*according\s+to\s+(?P<source>[^,]+),\s*(?P<topic>[^?]*)", re.I),
    re.compile(
        rf"^\s*what\s+(?:(?:were|was|are|is)\s+(?:the\s+)?)?(?P<topic>[^?]+?)\s+(?:(?:were|was|are|is|did)\s+)?"
        rf"(?:\w+\s+)?(?:{_FINDING_VERBS})\s+(?:in|by)\s+(?P<source>[^?]+)",
        re.I,
    ),
)


@dataclass(frozen=True, slots=True)
class SourceAsk:
    """A question about what another inspection, report or study found or graded.

    ``words`` name the source ("2014", "crime", "inspection"), ``noun`` is its kind
    ("inspection", "review", "evaluation"), ``topic`` the words of what is asked about it,
    ``years`` the years its name gives; ``name`` is the source as the question names it.
    """

    words: tuple[str, ...]
    noun: str
    topic: tuple[str, ...]
    years: tuple[int, ...]
    name: str


def source_ask(question: str, drop: frozenset[str] = frozenset()) -> SourceAsk | None:
    """What another source ``question`` asks about (see :class:`SourceAsk`), or ``None``
    when it names no inspection, report, review, study or evaluation other than this one."""
    text = " ".join(question.split())
    for pattern in _SOURCE_PATTERNS:
        m = pattern.match(text)
        if m:
            source = m.group("source").strip()
            topic = f"{m.groupdict().get('topic') or ''} {m.groupdict().get('asked') or ''}"
            return source_named(source, topic, drop)
    return None


def source_named(source: str, topic: str = "", drop: frozenset[str] = frozenset()) -> SourceAsk | None:
    """The source a phrase names ("HMIC's 2014 crime inspection"), or ``None`` when it names
    no source other than the report itself ("HMIC", "this inspection")."""
    # "the survey HMIC carried out for this inspection" is a source of its own
    source = re.sub(
        r"\s+(?:for|in|of|during)\s+(?:this|these)\s+(?:inspection|report)s?\b.*$", "", source, flags=re.I
    )
    lower = source.lower()
    nouns = [w for w in re.findall(r"[a-z][a-z'-]*", lower) if w.strip("'") in SOURCE_NOUNS]
    if not nouns or re.search(r"\b(?:this|these)\s+(?:inspection|report)\b", lower):
        return None
    years = tuple(int(y) for y in re.findall(r"\b(?:19|20)\d\d\b", source))
    words = tuple(
        w for w in content_words(re.sub(r"\b(?:19|20)\d\d\b", " ", source), drop) if w not in _SOURCE_GENERIC
    )
    if not words and not years:
        return None  # "HMIC's inspection": this one
    name = re.sub(
        r"^(?:(?:how|what|which|when|why|did|does|do|was|were|is|are|has|have)\s+)+",
        "",
        source.strip(),
        flags=re.I,
    )
    name = re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)
    asked = tuple(w for w in content_words(topic, drop) if w not in _FINDING_NOUNS)
    return SourceAsk(words, nouns[-1].strip("'"), asked, years, name)


#: What a source yields, as a question names it ("what conclusions did it reach").
_FINDING_NOUNS = frozenset("conclusion conclusions result results finding findings outcome outcomes".split())


_GRADE_VOCABULARY = frozenset(
    """grade grades graded grading rating ratings rated rate judgment judgement judgments judged judge
    outstanding good adequate inadequate requires require required improvement award awarded give gave
    given receive received get got achieve achieved score scored effectiveness effective efficiency
    legitimacy leadership peel pillar people response approach service services performance work
    ability way job specifically separately overall area areas handling hmic""".split()
)
_SOURCE_PHRASE_RE = re.compile(
    r"((?:hmic(?:frs)?['’]?s?\s+)?(?:[\w'’/-]+\s+){0,5}?(?:inspection|re-inspection|reinspection|review|report|"
    r"study|evaluation|assessment|audit)s?)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class GradeAsk:
    """A question asking for a grade: the words naming the area graded, and the inspection
    it asks about when that is not the report's own."""

    area: tuple[str, ...]
    source: SourceAsk | None = None


def grade_ask(question: str, words: tuple[Word, ...], drop: frozenset[str] = frozenset()) -> GradeAsk:
    """What a grade question asks for (call it for questions that ask for a grade)."""
    source = None
    source_words: set[str] = set()
    for m in _SOURCE_PHRASE_RE.finditer(question):
        found = source_named(m.group(1), "", drop)
        if found is not None:
            source, source_words = found, set(content_words(m.group(1)))
            break
    doing = " ".join(w.text for w in words if w.pos == "VERB" and w.lemma.lower() not in LIGHT_VERBS)
    area = tuple(
        w
        for w in dict.fromkeys([*naming_words(words, drop), *content_words(doing, drop)])
        if w not in _GRADE_VOCABULARY and w not in source_words and w not in STOPWORDS
    )
    return GradeAsk(area, source)


#: Words that compare or tell a change: what a "why" question asks about, not its subject.
COMPARATIVES = frozenset(
    """higher lower smaller bigger larger fewer more less greater faster slower better worse highest
    lowest largest smallest fall fell fallen falling rise rose risen rising increase increased decrease
    decreased drop dropped much so compare compared nationally national change changes changed high low big small
    large above below""".split()
)
#: Words that set a figure beside another ("force vs national", "and how did that
#: change") or ask how it is taken ("what is it measured per"), not what it counts.
_SIDE_WORDS = (
    COMPARATIVES
    | {"england", "wales", "nationally", "average", "changes", "change"}
    | {
        "measured",
        "measure",
        "calculated",
        "expressed",
    }
)
_WHY_RE = re.compile(
    r"^\s*(?:why\b|how\s+come\b|for\s+what\s+reasons?\b|"
    r"what\s+(?:caused|causes|explains|explained|led\s+to|drove|drives|prompted|accounts?\s+for|lies\s+behind)\b|"
    r"what(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:behind|driving|causing|the\s+reasons?\s+(?:for|why|behind))\b)",
    re.I,
)


def why_ask(question: str, words: tuple[Word, ...], drop: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The words of what a "why" question asks the reason for, or ``()`` for other questions."""
    if not _WHY_RE.match(question):
        return ()
    doing = " ".join(w.text for w in words if w.pos == "VERB" and w.lemma.lower() not in LIGHT_VERBS)
    found = [*naming_words(words, drop), *content_words(doing, drop)]
    # what it is set against ("than England and Wales") is not what is explained
    sides: set[str] = set()
    if _COMPARES_RE.search(question) or re.search(r"\b(?:more|fewer|less|higher|lower)\b", question, re.I):
        sides = {w for m in _NATIONAL_RE.finditer(question) for w in content_words(m.group())}
        sides |= {w for m in PEERS_RE.finditer(question) for w in content_words(m.group())}
    return tuple(
        w for w in dict.fromkeys(found) if w not in _WHY_WORDS and w not in COMPARATIVES and w not in sides
    )


#: Words of a "why" question that ask for the reason, or only say how much.
_WHY_WORDS = frozenset(
    """why reason reasons cause caused causes causing explain explains explained drove drives driving
    prompted prompt behind account accounts way lot far""".split()
)


_COMPARES_RE = re.compile(
    r"\bcompar(?:e|es|ed|ing|ison)\b|\bversus\b|\bvs\.?\s|\bthan\b|"
    r"\b(?:higher|lower|more|fewer|bigger|smaller|greater|less|better|worse|above|up|rise|risen|increased?)\s+or\s+"
    r"(?:higher|lower|more|fewer|bigger|smaller|greater|less|better|worse|below|down|fall|fallen|decreased?)\b|"
    # "which has more crime per head, A or B?"
    r"\bwhich\s+(?:\w+\s+){0,3}?(?:more|higher|lower|fewer|less|most|highest|lowest|bigger|larger|smaller|"
    r"greater|worse|better)\b[^?]*\bor\b|"
    # "has it risen since 2014?"
    r"\b(?:risen|rise|rose|fallen|fall|fell|increased?|decreased?|gone\s+(?:up|down)|changed?|grown|dropped)\s+"
    r"since\s+(?:19|20)\d\d\b",
    re.I,
)
_EARLIER_RE = re.compile(
    r"\b(?:previous|last|prior|preceding|earlier|past)\s+(?:year|years|12\s+months|twelve\s+months|period|periods)\b|"
    r"\byear\s+before\b|\byear[- ]on[- ]year\b|\bover\s+time\b|\bsince\s+(?:(?:19|20)\d\d|the\s+previous|last)\b",
    re.I,
)
_NATIONAL_RE = re.compile(
    r"\b(?:england\s+and\s+wales|national(?:ly)?|all\s+forces|other\s+forces|forces\s+nationally|"
    r"average\s+force)\b",
    re.I,
)
#: A force's peers: another side than England and Wales.
PEERS_RE = re.compile(
    r"\b(?:most\s+similar\s+(?:group|forces)|(?:other\s+)?similar\s+forces|msg|peer\s+(?:group|forces)|"
    r"comparable\s+forces|forces\s+like\s+(?:it|this|the\s+force))\b",
    re.I,
)
#: Words that say only that the other side is somewhere else ("elsewhere in the country").
VAGUE_PLACES = frozenset("elsewhere country rest others other areas places parts".split())


@dataclass(frozen=True, slots=True)
class CompareAsk:
    """A question comparing something with something else: ``subject`` names what is
    compared ("charge", "rate"); the other side is an earlier period (``earlier``), the
    national picture (``national``), or ``other`` words (a place, another force, another
    group: "warwickshire", "victims of violent crime")."""

    subject: tuple[str, ...]
    earlier: bool = False
    national: bool = False
    other: tuple[str, ...] = ()
    asked: str = ""
    #: The other side is the force's peers ("similar forces", "its most similar group").
    peers: bool = False


def compare_ask(
    question: str, words: tuple[Word, ...], drop: frozenset[str] = frozenset(), places: tuple[str, ...] = ()
) -> CompareAsk | None:
    """What a comparison question compares (see :class:`CompareAsk`), or ``None``."""
    text = " ".join(question.split())
    if not _COMPARES_RE.search(text) or re.search(
        r"\b(?:defin\w*|differen\w*|mean|meaning|distinguish\w*)\b", text, re.I
    ):
        return None  # "absent vs missing": what words mean, not how much
    earlier = bool(_EARLIER_RE.search(text))
    national = bool(_NATIONAL_RE.search(text))
    tail = re.split(r"\b(?:than|compared?\s+(?:with|to)|versus|vs\.?)\b", text, maxsplit=1, flags=re.I)
    if len(tail) == 2 and re.search(r"\b(?:19|20)\d\d\b", tail[1]):
        earlier = True  # "compare with 2014", "than it was in 2014": another period
    other_words: list[str] = []
    for place in places:
        other_words.extend(content_words(place, drop))
    peers = PEERS_RE.search(text)
    if len(tail) == 2:
        names = re.findall(r"\b[A-Z][a-z][\w'’-]+", tail[1])  # "neighbouring Staffordshire"
        other_words.extend(w for n in names for w in content_words(n, drop))
        if not (earlier or national or peers or _WHY_RE.match(text)):  # a "why" names its sides
            other_words.extend(content_words(tail[1], drop))
    side = set(other_words) | set(content_words(" ".join(m.group() for m in _EARLIER_RE.finditer(text))))
    if len(tail) == 2:  # what it is compared with is not what is compared
        side |= set(content_words(tail[1], drop))
    side |= set(content_words(" ".join(m.group() for m in _NATIONAL_RE.finditer(text))))
    if peers:
        side |= set(content_words(peers.group()))
    # "per head": the base of a rate, which a report gives as "per one million of the population"
    side |= {"head", "capita", "population", "person"} & set(
        content_words(" ".join(re.findall(r"\bper\s+\w+", text, re.I)))
    )
    # "reoffending" is tagged a verb: a gerund names the thing compared too
    gerunds = [w.lower for w in words if w.pos == "VERB" and w.lower.endswith("ing") and w.lower not in drop]
    # after "do", a verb takes no -s: "how do calls for assistance compare" names "calls"
    gerunds += [
        w.lower
        for before, w in itertools.pairwise(words)
        if w.pos == "VERB" and before.lower in {"do", "did"} and re.fullmatch(r"[a-z]{3,}s", w.lower)
    ]
    subject = tuple(
        w
        for w in dict.fromkeys([*naming_words(words, drop), *gerunds])
        if w not in side
        and w not in COMPARATIVES
        and w not in _GRADE_VOCABULARY - {"effectiveness", "efficiency", "legitimacy", "leadership"}
        and w not in {"comparison", "figure", "average", "possible"}
    )
    other = tuple(w for w in dict.fromkeys(other_words) if w not in VAGUE_PLACES and w not in subject)
    if not (earlier or national or other or peers):
        return None
    asked = tail[1].strip(" ?") if len(tail) == 2 else ""
    return CompareAsk(subject, earlier, national, other, asked, peers=bool(peers))


#: Kinds of thing that have names of their own ("the WMP 2020 change programme").
NAMED_KINDS = frozenset(
    """system systems software package packages application applications app apps tool tools database
    databases programme programmes program scheme schemes operation operations project projects initiative
    initiatives exercise exercises campaign campaigns course courses website platform product model""".split()
)
_NAME_REQUEST_RES = (
    re.compile(
        _NAME_OF + r"(?:the\s+|its\s+|their\s+)?(?P<what>[^?]+)",
        re.I,
    ),
    re.compile(r"^\s*what\s+(?:is|was|are|were)\s+(?P<what>[^?]+?)\s+called\b", re.I),
    re.compile(
        r"^\s*which\s+(?P<what>(?:[\w'’/-]+\s+){0,3}?(?:"
        + "|".join(sorted(NAMED_KINDS))
        + r"))\b(?P<rest>[^?]*)",
        re.I,
    ),
)
_WHERE_RE = re.compile(r"^\s*where\s+(?:is|are|was|were|do|does|did|have|has|had)\s+(?P<what>[^?]+)", re.I)
#: Nouns naming a kind of place: "In which town ...?", "Which estate ...?"
PLACE_KINDS = frozenset(
    """town towns city cities estate estates district districts borough boroughs ward wards street streets
    neighbourhood neighbourhoods neighborhood county counties village villages venue venues building
    buildings site sites location locations country countries suite suites station stations""".split()
)
_WHICH_PLACE_RE = re.compile(
    r"^\s*(?:(?:in|at|from|to)\s+)?(?:which|what)\s+(?:[\w'’-]+\s+){0,2}?(?P<kind>"
    + "|".join(sorted(PLACE_KINDS))
    + r")\b(?P<rest>[^?]*)",
    re.I,
)
#: What "where" asks of a record is a document, not a place ("Where are the risks recorded?").
_RECORDED_RE = re.compile(
    r"\b(?:from|come|comes|came|originate\w*|derive\w*|recorded|documented|listed|set\s+out|published|"
    r"written|described|captured|logged|reported|stored|noted|explained)\s*\??$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DetailAsk:
    """A question asking for a name ("What is the computer application called?") or a
    place ("Where are the teams based?"): ``thing`` names what it is asked of."""

    kind: str  # "name" or "place"
    thing: tuple[str, ...]
    asked: str
    #: "Which custody suites ...?" asks for named places; "where ...?" is answered by a
    #: venue too ("at the police station").
    named: bool = False


def detail_ask(question: str, drop: frozenset[str] = frozenset()) -> DetailAsk | None:
    """What name or place ``question`` asks for, or ``None``."""
    text = re.sub(r"\b([Ww]hat)['’]s\b", r"\1 is", " ".join(question.split()))  # "What's the app called?"
    where = _WHERE_RE.match(text)
    if where:
        if _RECORDED_RE.search(text):
            return None  # "where does the data come from": a source, not a place
        return _place_ask(where.group("what"), drop)
    which_place = _WHICH_PLACE_RE.match(text)
    if which_place:
        rest = re.sub(
            r"^\s*(?:(?:in|at|of)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*\s+)?"  # "Which estate in Walsall had ..."
            r"(?:(?:is|are|was|were|do|does|did|has|have|had|will|would)\s+)?",
            "",
            which_place.group("rest"),
        )
        # "Which custody suites run the scheme?": the thing follows the verb
        rest = _LEADING_VERB_RE.sub("", rest)
        return _place_ask(rest, drop, named=True)
    for pattern in _NAME_REQUEST_RES:
        m = pattern.search(text)
        if not m:
            continue
        what = m.group("what")
        phrase = re.split(r"\b(?:that|which|who|the\s+force|do|does|did|is|are|was|were|to|for)\b", what)[0]
        thing = tuple(content_words(phrase, drop))
        if not thing or not (set(thing) & NAMED_KINDS) or set(thing) & POSTS:
            return None  # a person's name is for the person check
        return DetailAsk("name", thing, _bare(phrase))
    return None


#: The verb after "which <places>": "Which custody suites | run | the scheme?"
_LEADING_VERB_RE = re.compile(
    r"^\s*(?:runs?|ran|hosts?|hosted|holds?|held|offers?|offered|uses?|used|provides?|provided|has|have|had|"
    r"sees?|saw|takes?|took|took\s+part\s+in|piloted|trialled|delivers?|delivered)\s+",
    re.I,
)
#: Where a place question's thing ends: "Where are the teams | based?"
_PLACE_VERBS_RE = re.compile(
    r"\b(?:based|located|held|run|found|piloted|situated|kept|been|being|used|delivered|introduced|"
    r"deployed|trialled|rolled|operating|operated|working|offered|provided)\b"
)


def _place_ask(what: str, drop: frozenset[str], named: bool = False) -> DetailAsk | None:
    """A place question about the thing ``what`` names (up to its verb)."""
    what = _PLACE_VERBS_RE.split(what)[0]
    thing = tuple(w for w in content_words(what, drop) if w not in PLACE_KINDS)
    return DetailAsk("place", thing, _bare(what), named) if thing else None


def _bare(phrase: str) -> str:
    """A noun phrase without its article: "the computer application" -> "computer application"."""
    return re.sub(r"^(?:the|a|an|its|their)\s+", "", phrase.strip(), flags=re.I)
