"""Why? A "why" question is answered only where the report gives a reason for what it
asks about (pure functions).

The report often states a fact without its cause ("the victim satisfaction rate ... is
significantly lower than the previous year's"). A "why" question is judged on the
stretches of the report that state the fact (a sentence with one either side, and the
footnotes its passage cites): if none of them gives a reason — a causal word ("because",
"due to", "as a result", "caused by", "so that", "explained by", "limited by" ...) — the
report states it but does not say why. Where the report does not state the fact at all,
other checks decide.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..index.lexical import tokenize
from ..ingest.text import sentences
from .asked import Match
from .inspection_check import Cited

#: Words that give a reason or a purpose (plain English, not any report's wording).
CAUSAL_RE = re.compile(
    r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+(?:result|consequence)|(?:the\s+)?result\s+of|resulting\s+from|"
    r"caused\s+by|causes?\s+of|so\s+that|therefore|thus|hence|reasons?|explains?|explained|explanation|"
    r"attribut\w+|driven\s+by|stems?\s+from|means?\s+that|led\s+to|lead(?:s|ing)?\s+to|"
    r"result(?:s|ed|ing)?\s+in|contribut\w+|affected\s+by|assisted\s+(?:with|in)|helped|"
    # a change and what goes with it ("likely to grow as forces become ...", "is reducing
    # with improved access to ...")
    r"(?:grow|grows|growing|grew|ris(?:e|es|ing)|rose|increas\w+|fall(?:s|ing)?|fell|reduc\w+|improv\w+|"
    r"declin\w+|drop(?:s|ped|ping)?)\s+(?:as\s+(?!(?:well|much|many|far|long|soon|part|such|a|an|high|low|"
    r"good|quickly)\b)|(?:\w+\s+)?(?:with|through|thanks\s+to|following)\s+(?:the\s+)?(?:improved|better|"
    r"greater|increased|more|new|wider|introduction|use|help|arrival)\b)|"
    r"\bif\b[^.;]{0,150}\bthen\b|"
    r"limit(?:s|ed|ing)?\s+by|limiting|lack\s+of|given\s+(?:that|the)|since\s+(?:it|they|the|this|there)\b|"
    r"as\s+(?:its|it|they|their|there|this|these)\b|partly|largely|mainly\s+because|capacity)\b",
    re.I,
)


#: A purpose: why someone does something ("seconded a chief inspector ... to improve the
#: effectiveness of their joint approach"). It answers "why did they ...", not "why is ...".
PURPOSE_RE = re.compile(
    r"\b(?:in\s+order\s+to|so\s+as\s+to|(?:aims?|aimed|aiming|intended|designed|seeks?|sought)\s+to|"
    r"with\s+the\s+(?:aim|intention|purpose|objective)|for\s+the\s+purpose|"
    r"to\s+(?:improve|help|ensure|reduce|support|prevent|protect|tackle|increase|address|enable|allow|"
    r"strengthen|enhance|better|safeguard|disrupt|encourage|raise|make\s+sure|bring|give|keep|provide|deliver|"
    r"offer|meet|respond|deal\s+with))\b",
    re.I,
)
#: A consequence: why something matters ("this could expose children to greater risk").
CONSEQUENCE_RE = re.compile(
    r"\b(?:could|may|might|would|risks?|expos\w+|leav(?:e|es|ing)\s+\w+\s+(?:at|open|vulnerable)|"
    r"jeopardi\w+|undermin\w+|harm\w*|danger\w*|vulnerable)\b",
    re.I,
)
#: "Why does it matter ...", "why is that a concern": asks for consequences, not causes.
_MATTERS_RE = re.compile(
    r"^\s*why\b.*\b(?:matters?|important|significant|a\s+(?:concern|problem|risk|worry|issue)|"
    r"concerning|worrying|problematic|risky|dangerous)\b",
    re.I,
)
#: Verbs of being or happening: a question on them asks for a cause, not a purpose.
_STATE_VERBS = frozenset(
    "be have do matter seem become happen remain stay end get cause explain drive account lie prompt".split()
)


#: What set something off: a finding before it ("research identified that ...") or an
#: event ("following ...", "in response to ..."). It answers "what prompted ...".
TRIGGER_RE = re.compile(
    r"\b(?:(?:identified|found|showed|revealed|highlighted|recognised|realised)\s+that|following|"
    r"in\s+response\s+to|prompted|triggered)\b",
    re.I,
)
_PROMPTED_RE = re.compile(r"^\s*what\s+(?:prompted|triggered|sparked)\b", re.I)


def also_reasons(question: str, verbs: Sequence[str]) -> re.Pattern[str] | None:
    """What besides a causal word answers this "why": a consequence for "why does it
    matter", a trigger for "what prompted", a purpose when the question asks why someone
    did something (``verbs``: the lemmas of the question's verbs)."""
    if _MATTERS_RE.match(question):
        return CONSEQUENCE_RE
    if _PROMPTED_RE.match(question):
        return TRIGGER_RE
    if any(v.lower() not in _STATE_VERBS for v in verbs):
        return PURPOSE_RE
    return None


#: A sentence opening on its cause, given in the sentence before ("As a result, ...").
_OPENS_ON_CAUSE_RE = re.compile(
    r"^\s*(?:as\s+a\s+(?:result|consequence)|consequently|therefore|because\s+of\s+this|this\s+means)\b", re.I
)
#: A sentence giving the cause of the one before ("This is because ..."), or naming what
#: the one before causes ("This is leading to an inconsistent approach").
_GIVES_CAUSE_RE = re.compile(
    r"^\s*(?:this|that|it)\s+(?:is|was|may\s+be|might\s+be)\s+(?:\w+\s+)?(?:because|due\s+to|owing\s+to|the\s+result)\b|"
    r"^\s*(?:this|that|it)\s+(?:is\s+|has\s+|may\s+|could\s+|can\s+)?(?:leading|leads?|led|resulting|results?|"
    r"resulted)\s+(?:to|in)\b",
    re.I,
)


def gives_reason(sentence: str, also: re.Pattern[str] | None = None) -> bool:
    """Whether ``sentence`` holds a causal word (not the "as" of "as quickly as they"), or
    a word of ``also`` (see :func:`also_reasons`)."""
    if also is not None and also.search(sentence):
        return True
    for m in CAUSAL_RE.finditer(sentence):
        if m.group().lower().startswith("as ") and re.search(r"\bas\s+\w+\s+$", sentence[: m.start()], re.I):
            continue
        return True
    return False


def reasons_around(parts: Sequence[str], i: int, also: re.Pattern[str] | None = None) -> bool:
    """Whether sentence ``i`` of ``parts`` is given a reason: a causal word in it (or one of
    ``also``), an opening "As a result" (its cause is the sentence before), or "This is
    because" after it; a consequence may follow ("Errors of this sort could ...")."""
    if gives_reason(parts[i], also) or _OPENS_ON_CAUSE_RE.match(parts[i]):
        return True
    if also is CONSEQUENCE_RE and i + 1 < len(parts) and also.search(parts[i + 1]):
        return True
    if also is TRIGGER_RE and i and also.search(parts[i - 1]):
        return True  # what set it off comes first ("An audit found that ... Work began ...")
    return i + 1 < len(parts) and bool(_GIVES_CAUSE_RE.match(parts[i + 1]))


def states(
    text: str,
    fact: Sequence[str],
    match: Match,
    weight: Callable[[str], float] = lambda w: 1.0,
    share: float = 0.6,
) -> bool:
    """Whether ``text`` states the fact named by ``fact``: two of its words at least, and
    ``share`` of their weight (rare words weigh more: "profiles" over "crime")."""
    stems = frozenset(tokenize(text))
    held = [w for w in fact if match(w, stems)]
    return len(held) >= min(2, len(fact)) and sum(map(weight, held)) >= share * sum(map(weight, fact))


def cause_reason(
    fact: Sequence[str],
    passages: Sequence[Cited],
    match: Match,
    weight: Callable[[str], float] = lambda w: 1.0,
    also: re.Pattern[str] | None = None,
) -> str:
    """Why the report does not say why, or ``""`` when it may.

    ``fact``: the words of what the question asks the reason for (those the report uses);
    ``passages``: the passages in scope that hold them. A footnote that states the fact
    is its explanation; a footnote a passage cites gives a reason only when it speaks of
    the fact too.
    """
    if len(fact) < 1:
        return ""
    stating: list[str] = []
    for passage in passages:
        parts = sentences(passage.text)
        here = [
            i
            for i in range(len(parts))
            if states(" ".join(parts[max(0, i - 1) : i + 2]), fact, match, weight)
            and states(parts[i], fact, match, weight, share=0.5)
        ]
        if here and (passage.is_note or any(reasons_around(parts, i, also) for i in here)):
            return ""  # a footnote explains what it notes
        notes = [n for n in sentences(passage.notes) if any(match(w, frozenset(tokenize(n))) for w in fact)]
        if here and any(gives_reason(n, also) for n in notes):
            return ""
        stating.extend(parts[i] for i in here)
    if not stating:
        return ""
    best = max(stating, key=lambda s: sum(weight(w) for w in fact if match(w, frozenset(tokenize(s)))))
    words = best.split()
    quoted = " ".join(words[:18]) + ("…" if len(words) > 18 else "")
    return f"the report states it but gives no reason; it says “{quoted}”"
