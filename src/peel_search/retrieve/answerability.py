"""Does the report answer the question at all? Answer-type checks (pure functions).

Scores alone cannot tell "not in the report" from a paraphrase: both leave the best
passage only loosely matched. What can is the kind of answer a question asks for
(the classic answer-type check of question answering, Harabagiu et al. 2000):

- a quantity ("how many knife crimes ...", "what was the total budget ..."): the
  thing counted must be something the report talks about; if one of its words is
  nowhere in the report, nor anything close to it, the report gives no figure for it;
- a named person ("who is the chief constable?"): a passage must name a person;
- what was said about a topic ("what did HMIC say about Tasers?"): the topic's words
  must be in the report.

A word counts as present when the report has it (stemmed), an acronym of the report
expands to it, or a word of the report is close to it in the embedding model's own
word-piece space (so "kids" finds "children" and "fall" finds "fell").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..index.lexical import STOPWORDS

_QUANTITY_RE = re.compile(
    r"^\s*(?:how (?:many|much)\b|what (?:percentage|proportion|share|number)\b|"
    r"what (?:is|was|are|were) the\b.{0,40}?\b(?:number|percentage|proportion|rate|share|total|"
    r"amount|level|budget|cost|figure)s?\b)",
    re.IGNORECASE,
)
_IDENTITY_RE = re.compile(
    r"^\s*(?:who (?:is|are|was|were)\b|what is the name of\b|which (?:officer|person)\b)", re.I
)
_TOPIC_RE = re.compile(
    r"^\s*(?:what (?:did|does|do) (?:hmic|the inspection|the inspectors|the report|the force) "
    r"(?:say|find|found|report|note) (?:about|on|regarding|of)|"
    r"what is the force's (?:policy|approach|strategy|position) (?:on|to|towards|for)|"
    r"how satisfied (?:were|are)) (?P<topic>.+)$",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’\-]*")
#: Words that frame a question rather than name its subject.
_FRAMING = frozenset(
    """many much number numbers percentage proportion rate share total amount level figure roughly
    approximately around about year years month months force forces force's police west midlands
    did does do carry carried out recorded record records report reported there what which who
    how were was is are have has had""".split()
)


@dataclass(frozen=True, slots=True)
class AnswerType:
    """What a question asks for, and the words that name its subject."""

    kind: str  # "quantity", "person", "topic" or "" (anything else)
    subject: tuple[str, ...]


def focus_words(text: str) -> tuple[str, ...]:
    """Content words of ``text``: not stop words, not question framing, not bare numbers."""
    words = (w.strip("'’-") for w in _WORD_RE.findall(text.lower()))
    return tuple(
        dict.fromkeys(w for w in words if w and w not in STOPWORDS and w not in _FRAMING and not w.isdigit())
    )


def answer_type(question: str) -> AnswerType:
    """The kind of answer ``question`` asks for (see the module docstring)."""
    topic = _TOPIC_RE.match(question)
    if topic:
        return AnswerType("topic", focus_words(topic.group("topic")))
    if _QUANTITY_RE.match(question):
        return AnswerType("quantity", focus_words(question))
    if _IDENTITY_RE.match(question):
        return AnswerType("person", focus_words(question))
    return AnswerType("", focus_words(question))


def missing_words(words: Iterable[str], present: Callable[[str], bool]) -> list[str]:
    """The words for which ``present`` says the report has nothing."""
    return [w for w in words if not present(w)]


def unanswered_reason(
    kind: AnswerType, present: Callable[[str], bool], names_a_person: Callable[[], bool]
) -> str:
    """Why the report cannot answer a question of this kind, or ``""`` when it may.

    ``present(word)`` tells whether the report has a word (or a close one);
    ``names_a_person()`` whether the best passages name anyone.
    """
    if kind.kind in {"quantity", "topic"}:
        missing = missing_words(kind.subject, present)
        if missing:
            return "the report never mentions " + ", ".join(f"“{w}”" for w in missing)
    if kind.kind == "person" and not names_a_person():
        return "the passages that match name no person"
    return ""
