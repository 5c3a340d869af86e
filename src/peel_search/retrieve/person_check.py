"""Who does it? A "who" question is answered only where the report names a person, or a
post, team or body that does what is asked (pure functions).

- Asked for a person's name ("Who is the chief constable?", "Which named officer heads
  Project Concord?"), the report must name a person where it speaks of that post.
- Asked who does something ("Who chairs the alliance?", "Which organisation runs the
  scheme?"), a sentence about the thing must say it is done — the question's verb, or a
  word of the same family ("chaired", "chairman"; "led", "head of"; "answers to" for
  "reports to") — and so name who does it. Where the report speaks of the thing but
  never of its being done, it does not say who does it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..index.lexical import tokenize
from ..ingest.text import sentences
from .asked import Match, WhoAsk

#: Words of one family: a question's verb is answered by any of them. Plain English, not
#: the reports' wording.
VERB_FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(f.split())
    for f in (
        "chair chairs chaired chairing chairman chairwoman chairperson preside presides presided",
        "lead leads led leading leader leaders head heads headed heading",
        "run runs ran running operate operates operated operating provide provides provided providing "
        "deliver delivers delivered delivering",
        "responsible charge accountable lead leads led head heads headed",
        "report reports reported reporting answer answers answered accountable",
        "carry carries carried conduct conducts conducted undertake undertook undertaken perform performed",
        "work works worked working alongside",
        "manage manages managed managing management manager managers",
        "oversee oversees oversaw overseen oversight supervise supervises supervised supervision governance "
        "govern governs governed",
        "assess assesses assessed assessment",
        "staff staffs staffed staffing",
        "issue issues issued publish publishes published",
        "attend attends attended",
        "evaluate evaluates evaluated evaluating evaluation study studies studied studying",
        "fund funds funded funding",
        "employ employs employed employment",
        "appoint appoints appointed appointment",
        "set sets setting",
        "interview interviews interviewed",
        "recommend recommends recommended recommendation",
        "second seconds seconded secondment",
        "submit submits submitted",
        "locate located co-located colocated",
    )
)


def _family(verb: str) -> frozenset[str]:
    """The words of ``verb``'s families (as written: stems would join "responsible" and
    "responsibilities")."""
    out: set[str] = set()
    for family in VERB_FAMILIES:
        if verb in family:
            out |= family
    return frozenset(out)


def does_it(sentence: str, verbs: Sequence[str]) -> bool:
    """Whether ``sentence`` says one of ``verbs`` (in any inflection) or a word of its
    family is done."""
    words = {w.lower() for w in re.findall(r"[A-Za-z][\w-]*", sentence)}
    stems = set(tokenize(sentence))
    return any(_family(v) & words or set(tokenize(v)) & stems for v in verbs)


def share_of(sentence: str, words: Sequence[str], match: Match) -> float:
    """The share of ``words`` that ``sentence`` holds."""
    stems = frozenset(tokenize(sentence))
    return sum(1 for w in words if match(w, stems)) / len(words) if words else 0.0


def about_it(sentence: str, words: Sequence[str], match: Match) -> bool:
    """Whether ``sentence`` speaks of the thing named by ``words`` (at most a third missing)."""
    return share_of(sentence, words, match) >= 2 / 3


def speaks_of(window: str, words: Sequence[str], match: Match) -> bool:
    """Whether ``window`` speaks of the thing ``words`` name: half of them, and two at least."""
    held = share_of(window, words, match) * len(words)
    return held >= max(min(2, len(words)), len(words) / 2)


#: A reference ("Code of Practice for Victims of Crime, Ministry of Justice, October 2015")
#: says who published what it names.
REFERENCE_RE = re.compile(r",\s*[A-Z][\w'’ ]+,\s*(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b")
_PUBLISHING = frozenset({"publish", "issue", "produce", "write", "author"})


_BACK_TO_RE = re.compile(r"\b(?:this|that|these|those|the)\s+([a-z]{3,})\b", re.I)


def refers_back(sentence: str, earlier: str) -> bool:
    """Whether ``sentence`` speaks again of a thing ``earlier`` named ("... a scheme
    called 'Catch 22' ..." then "... to evaluate this scheme")."""
    named = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", earlier)}
    return any(
        m.group(1).lower() in named for m in _BACK_TO_RE.finditer(sentence) if m.group(1).lower() != "force"
    )


def windows(passages: Sequence[str]) -> list[tuple[str, str]]:
    """Each sentence of ``passages`` as ``(window, said)``: the window is the sentence with
    one either side (what it speaks of), ``said`` the sentence and the next one ("This
    team is led by ..."), and a later one of the next three that speaks of its thing again
    ("... to evaluate this scheme")."""
    out: list[tuple[str, str]] = []
    for passage in passages:
        parts = sentences(passage)
        for i in range(len(parts)):
            later = [s for s in parts[i + 2 : i + 4] if refers_back(s, parts[i])]
            out.append((" ".join(parts[max(0, i - 1) : i + 2]), " ".join([*parts[i : i + 2], *later])))
    return out


def _names_kind(text: str, kind: str) -> bool:
    """Whether ``text`` has the word ``kind`` ("university", "universities") as written."""
    kind = kind.lower()
    singular = kind[:-3] + "y" if kind.endswith("ies") else kind[:-1] if kind.endswith("s") else kind
    forms = {kind, singular, singular + "s", re.sub(r"y$", "ies", singular)}
    return bool({w.lower() for w in re.findall(r"[A-Za-z]+", text)} & forms)


#: A sentence that asks who rather than says it ("unclear as to who holds responsibility").
_UNKNOWN_WHO_RE = re.compile(
    r"\b(?:as\s+to|unclear|unsure|uncertain|confusion\s+(?:about|over)|(?:not|no)\s+(?:know|knew|clear))\s+who\b",
    re.I,
)


#: Kinds of person too common to answer "which ..." by being mentioned.
_ANYONE = frozenset("officer officers person people individual individuals staff member members".split())


def person_reason(ask: WhoAsk, passages: Sequence[str], named_people: Sequence[str], match: Match) -> str:
    """Why the report does not say who, or ``""`` when it may.

    ``passages``: the passages in scope about the thing asked; ``named_people``: the
    passages in scope that name a person.
    """
    if ask.identity:
        post = ask.post or ask.about
        if any(about_it(p, post, match) for p in named_people):
            return ""
        if not ask.post and ask.asked:
            return f"the report names no one: it does not say who {ask.asked}"
        what = " ".join(post) or "person"
        return f"the report names no {what}: it names no one"
    if not ask.about or not any(_family(v) for v in ask.verbs):
        return ""  # a verb of no known family ("turns up", "decides"): the report's wording may differ
    if (
        ask.kind
        and ask.kind not in _ANYONE
        and any(
            share_of(p, ask.core or ask.about, match) == 1.0 and _names_kind(p, ask.kind) for p in passages
        )
    ):
        return (
            ""  # "Which university ...": the passage on the thing names one ("... with Cambridge University")
        )
    around = windows(passages)
    if ask.core:  # a sentence speaks of the thing only if it names it
        around = [(w, s) for w, s in around if share_of(s, ask.core, match) == 1.0]
    if not any(speaks_of(w, ask.about, match) for w, _ in around):
        return ""  # the report does not speak of it: other checks decide
    for window, said in around:
        if _UNKNOWN_WHO_RE.search(said):
            continue  # "varying understanding as to who holds responsibility": not said
        if share_of(window, ask.about, match) >= 0.5 and (
            does_it(said, ask.verbs)
            or (set(ask.verbs) & _PUBLISHING and REFERENCE_RE.search(window))
            # "Which university": one is named ("officers" are everywhere: no answer to "which officer")
            or (ask.kind and ask.kind not in _ANYONE and _names_kind(window, ask.kind))
        ):
            return ""
    return f"the report does not say who {ask.asked}"
