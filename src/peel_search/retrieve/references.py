"""Direct references in questions: "Figure 7", "footnote 3", "page 22", "Annex A",
"the summary of findings for vulnerability".

A question that names an element of a report should get that element first, whatever
the fused ranking says. :func:`find_references` reads the references out of a query
(conservatively: "a figure of 20%", "7 figures", "on page" or "the summary" alone name
nothing); :func:`designate` turns them into the passages they point at, in the order
they should be shown; :func:`promote` puts those passages at the head of a ranking.

How search uses it: rank as usual and apply the filters, then move the designated
passages that passed the filters to the front, in their designated order, and let the
usual ranking follow::

    refs = find_references(text)
    if refs:
        within = None if only_references(text, refs) else order
        order = promote(order, designate(refs, chunks, within))

Designated order, per reference, in tiers (all references' first tier, then all
second tiers):

- figure / table N: the passage labelled "Figure N" ("Chart N") / "Table N"; then the
  passages whose text mentions it ("Figure 2 shows ...").
- footnote N: the footnote's own passage; then the passages carrying its marker.
- page N: the passages on that page.
- annex / appendix A: the passages under a heading "Annex A" or "Appendix A".
- a named section ("summary of findings", "areas for improvement", "overall judgment",
  "force in numbers", "introduction", "overview"): the passages under headings of that
  name; with topic words ("... for vulnerability"), only those whose enclosing headings
  share the most topic stems (no match: all of them).

Within a tier passages go in reading order when the query asks for nothing but the
elements it names ("page 22", "show me figure 7"), and in the order of the ranking
otherwise ("what does page 22 say about forensics?").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..index.lexical import tokenize
from ..types import Chunk

ReferenceKind = Literal["figure", "table", "footnote", "page", "annex", "section"]

#: The named sections a question can cite, as :attr:`Reference.value`.
SECTION_NAMES = (
    "summary of findings",
    "areas for improvement",
    "overall judgment",
    "force in numbers",
    "introduction",
    "overview",
)
#: A page range longer than this ("pages 1-100") names no page in particular.
MAX_PAGE_RANGE = 10


@dataclass(frozen=True, slots=True)
class Reference:
    """One element of a report named by a query.

    ``value`` is the number as digits ("7", "22"), the annex's letter or number ("A"),
    or for ``kind == "section"`` one of :data:`SECTION_NAMES`. ``topic`` holds the
    words naming which part of the report a section belongs to, as written
    (``("vulnerability",)``). ``span`` is where the query names the element, topic
    words excluded; it is not part of equality.
    """

    kind: ReferenceKind
    value: str
    topic: tuple[str, ...] = ()
    span: tuple[int, int] = field(default=(0, 0), compare=False)


# -- parsing ---------------------------------------------------------------------------------

_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_NUMBERS: dict[str, int] = {w: i + 1 for i, w in enumerate(_UNITS)}
_WORD_NUMBERS.update({w: i + 10 for i, w in enumerate(_TEENS)})
_WORD_NUMBERS.update({w: 10 * (i + 2) for i, w in enumerate(_TENS)})

_DIGITS = r"\d{1,3}(?!\d)(?![.,]\d)(?!\s*(?:%|per\s*cent\b|percent\b))"
_WORD = rf"(?:{'|'.join(_TENS)})(?:[\s-](?:{'|'.join(_UNITS)}))?\b|(?:{'|'.join(_TEENS + _UNITS)})\b"
_ITEM = rf"(?:{_DIGITS}|{_WORD})"
_JOIN = r"\s*(?:,\s*(?:and\b|or\b)?|&|\band\b|\bor\b|\bto\b|[-–—])\s*"
_LIST = rf"(?:{_ITEM})(?:{_JOIN}(?:{_ITEM}))*"
_ITEM_RE = re.compile(rf"({_DIGITS}|{_WORD})|({_JOIN})", re.I)

_ELEMENT_RE = re.compile(
    r"(?<![\w'’])(?P<key>figures?|figs?\b\.?|charts?|tables?|foot\s?notes?|endnotes?|pages?|pp?\.)"
    rf"\s*(?:no\.?\s*|number\s+)?(?P<nums>{_LIST})",
    re.I,
)
_NOTE_RE = re.compile(rf"(?<![\w'’])(?P<key>notes?)\s+(?:no\.?\s*)?(?P<nums>{_LIST})", re.I)
#: Words before "note 3" that make it a citation rather than a verb ("we should note 3 things").
_NOTE_AFTER = frozenset(
    "the in see at from of on under per does did is was and about explain explains mean means read cf".split()
)
#: Words before "figure" that make it a verb ("we can't figure one thing out").
_FIGURE_VERB_AFTER = frozenset(
    "to can could cannot can't couldn't we they i you should must will would did didn't not ll".split()
)
#: Words after a number that make it a quantity rather than an element's number.
_QUANTITY_WORDS = frozenset(
    "% times fold per percent pc million millions billion thousand thousands hundred hundreds".split()
)
_KEY_KIND: dict[str, ReferenceKind] = {
    "fig": "figure",
    "figure": "figure",
    "chart": "figure",
    "table": "table",
    "footnote": "footnote",
    "endnote": "footnote",
    "note": "footnote",
    "page": "page",
    "p": "page",
    "pp": "page",
}

_ANNEX_ID = r"(?:[A-Z]|\d{1,2}(?!\d)|[a-z](?=\s*(?:$|[?.!,;:)])))"
_ANNEX_RE = re.compile(
    r"(?<![\w'’])(?i:annex(?:es)?|appendix|appendices)\s+"
    rf"(?P<ids>{_ANNEX_ID}(?![\w'’])(?:\s*(?:,|&|(?i:and))\s*{_ANNEX_ID}(?![\w'’]))*)"
)

_TOPIC_LEAD = (
    r"\s+(?:for|on|about|in|of|under|regarding|concerning|covering|relating\s+to)\s+"
    r"(?:the\s+)?(?:(?:question|section|part|area)\s+(?:on|of|about|for)\s+)?(?P<topic>[^?.,;:!()]+)"
)
#: Words that end a topic: the rest of the question begins ("... for vulnerability say about ...").
_TOPIC_END = frozenset(
    """say says said state states stated show shows showed mention mentions mentioned conclude
    concludes concluded find finds found tell tells told note notes list lists listed contain
    contains include includes including is are was were be been what which that how where when
    why who do does did has have had make makes made give gives identify identifies
    identified recommend recommends recommended""".split()
)
_SECTION_PHRASES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    (
        "summary of findings",
        re.compile(r"\bsummar(?:y|ies)\s+of\s+(?:the\s+)?(?:key\s+)?findings\b", re.I),
        True,
    ),
    ("areas for improvement", re.compile(r"\b(?:areas?|points?)\s+for\s+improvement\b", re.I), True),
    ("overall judgment", re.compile(r"\boverall\s+(?:judge?ments?|grades?|ratings?)\b", re.I), False),
    ("force in numbers", re.compile(r"\bforce\s+in\s+numbers\b", re.I), False),
    (
        "introduction",
        re.compile(r"\b(?:the|report'?s)\s+introduction\b(?!\s+(?:of|to|by|from|for|in)\b)", re.I),
        False,
    ),
    (
        "overview",
        re.compile(r"\b(?:the|report'?s)\s+overview\b(?!\s+(?:of|to|by|from|for|in)\b)", re.I),
        False,
    ),
)
_PRE_TOPIC_RE = re.compile(r"\bthe\s+((?:[\w'’-]+\s+){1,3})$", re.I)


def _number(item: str) -> int:
    item = item.strip().lower()
    if item.isdigit():
        return int(item)
    words = re.split(r"[\s-]+", item)
    return sum(_WORD_NUMBERS[w] for w in words)


def _numbers(text: str, digits_only: bool) -> list[int] | None:
    """The numbers of a list such as "6 and 7", "22-23", "seven"; ``None`` if the list
    is not a list of element numbers (a word number after "p.", a reversed or too
    long range)."""
    out: list[int] = []
    range_next = False
    for m in _ITEM_RE.finditer(text):
        if m.group(2) is not None:
            range_next = m.group(2).strip().lower() in {"-", "–", "—", "to"}
            continue
        if digits_only and not m.group(1).strip().isdigit():
            return None
        n = _number(m.group(1))
        if range_next and out:
            low = out[-1]
            if n <= low or n - low > MAX_PAGE_RANGE:
                return None
            out.extend(range(low + 1, n + 1))
        else:
            out.append(n)
        range_next = False
    return out if out and all(n > 0 for n in out) else None


def _previous_word(query: str, at: int) -> str:
    words = re.findall(r"[\w'’]+", query[:at].lower())
    return words[-1].replace("’", "'") if words else ""


def _element_references(query: str) -> Iterator[Reference]:
    for pattern in (_ELEMENT_RE, _NOTE_RE):
        for m in pattern.finditer(query):
            key = re.sub(r"[\s.]", "", m.group("key").lower())
            key = key.rstrip("s") if key not in {"p", "pp"} else key
            kind = _KEY_KIND[key]
            before = _previous_word(query, m.start())
            if key == "note" and before and before not in _NOTE_AFTER:
                continue
            if kind == "figure" and before in _FIGURE_VERB_AFTER:
                continue
            following = re.match(r"\s*([\w%]+)", query[m.end() :])
            if following and following.group(1).lower() in _QUANTITY_WORDS:
                continue  # "a figure 3 times higher"
            nums = _numbers(m.group("nums"), digits_only=key in {"p", "pp"})
            if nums is None:
                continue
            for n in nums:
                yield Reference(kind, str(n), span=(m.start(), m.end()))


def _annex_references(query: str) -> Iterator[Reference]:
    for m in _ANNEX_RE.finditer(query):
        for ident in re.findall(r"(?<![A-Za-z])(?:\d+|[A-Za-z])(?![A-Za-z])", m.group("ids")):
            yield Reference("annex", ident.upper(), span=(m.start(), m.end()))


def _topic_words(text: str) -> tuple[str, ...]:
    words: list[str] = []
    for word in re.findall(r"[\w'’-]+", text.lower()):
        word = re.sub(r"['’]s?$", "", word)
        if word in _TOPIC_END:
            break
        words.append(word)
    return tuple(w for w in words if tokenize(w))


def _section_references(query: str) -> Iterator[Reference]:
    for name, pattern, takes_topic in _SECTION_PHRASES:
        for m in pattern.finditer(query):
            after = re.match(_TOPIC_LEAD, query[m.end() :], re.I)
            topic = _topic_words(after.group("topic")) if after else ()
            if not topic:
                before = _PRE_TOPIC_RE.search(query[: m.start()])
                topic = _topic_words(before.group(1)) if before else ()
            if not takes_topic:
                if any(_stems(topic) - _GENERIC):
                    continue  # "the overall judgment for vulnerability" is a question's grade
                topic = ()
            yield Reference("section", name, topic, span=(m.start(), m.end()))


def find_references(query: str) -> tuple[Reference, ...]:
    """The report elements ``query`` names, in the order it names them, without repeats.

    Figures ("Figure 7", "fig. 7", "figure seven", "figures 6 and 7", "chart 3"),
    tables ("Table 2"), footnotes ("footnote 3", "note 3" after a word such as "see"
    or "in"), pages ("page 22", "p. 22", "pp. 22-23", "pages 22 to 24"), annexes and
    appendices ("Annex A", "appendix 2") and named sections (see :data:`SECTION_NAMES`,
    with topic words: "the summary of findings for vulnerability", "the areas for
    improvement on investigating crime"). Numbers that are quantities name nothing:
    "a figure of 20%", "7 figures", "figure 1,000", "page 2015".
    """
    found = [*_element_references(query), *_annex_references(query), *_section_references(query)]
    found.sort(key=lambda r: r.span)
    return tuple(dict.fromkeys(found))


def only_references(query: str, refs: Sequence[Reference]) -> bool:
    """Whether ``query`` asks for nothing beyond the elements it names ("show me figure 7",
    "page 22", "what does the introduction say?"): then designated passages are shown in
    reading order. Topic words count as asking for something ("... for vulnerability")."""
    rest = list(query)
    for ref in refs:
        a, b = ref.span
        rest[a:b] = " " * (b - a)
    return not set(tokenize("".join(rest))) - _QUESTION_WORDS


_QUESTION_WORDS = frozenset(
    tokenize(
        """show shows display see look read open give get find tell say says said mean means
        meaning explain explains describe describes contain contains list lists state states
        stand cover covers refer refers write written please me report hmic inspection text
        content contents detail details exactly"""
    )
)


# -- designation -----------------------------------------------------------------------------

_GENERIC = frozenset(
    tokenize("force forces police policing question section part chapter report effective effectiveness hmic")
)
_STEM_PREFIX = 6
_SECTION_HEADINGS: dict[str, tuple[re.Pattern[str], ...]] = {
    "summary of findings": (re.compile(r"summary of (?:the )?(?:key )?findings"), re.compile(r"findings")),
    "areas for improvement": (re.compile(r"areas? for improvement"),),
    "overall judgment": (re.compile(r"overall (?:judge?ment|grade|rating)s?"),),
    "force in numbers": (re.compile(r".*\bin numbers"),),
    "introduction": (re.compile(r"introduction"),),
    "overview": (re.compile(r"overview\b.*"),),
}
_ANNEX_HEADING_RE = re.compile(r"^(?:annex|appendix)\s+([a-z]|\d{1,2})\b")
_MENTION_TEMPLATE = {
    "figure": r"(?<![\w])(?:figure|fig\.?|chart)\s*{n}(?!\d)",
    "table": r"(?<![\w])table\s*{n}(?!\d)",
}


def _stems(words: Sequence[str] | str) -> set[str]:
    text = words if isinstance(words, str) else " ".join(words)
    return {s[:_STEM_PREFIX] for s in tokenize(text)}


def _heading_key(heading: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", heading.casefold()).split())


def _labelled(chunk: Chunk, words: set[str], number: str) -> bool:
    parts = chunk.label.casefold().split()
    return len(parts) == 2 and parts[0] in words and parts[1] == number


def _section_groups(ref: Reference, chunks: Sequence[Chunk]) -> list[list[int]]:
    """The passages under headings named ``ref.value``, narrowed by topic words."""
    paths: list[tuple[str, ...]] = []
    for pattern in _SECTION_HEADINGS[ref.value]:
        paths = list(
            dict.fromkeys(
                c.section[: d + 1]
                for c in chunks
                for d, heading in enumerate(c.section)
                if pattern.fullmatch(_heading_key(heading))
            )
        )
        if paths:
            break
    topic = _stems(ref.topic) - _GENERIC
    if topic and paths:
        overlap = {p: len(topic & (_stems(" ".join(p[:-1])) - _GENERIC)) for p in paths}
        best = max(overlap.values())
        if best:
            paths = [p for p in paths if overlap[p] == best]
    chosen = set(paths)
    return [[i for i, c in enumerate(chunks) if any(c.section[: len(p)] == p for p in chosen)]]


def _groups(ref: Reference, chunks: Sequence[Chunk]) -> list[list[int]]:
    """The passages ``ref`` designates, as tiers (unordered within a tier)."""
    if ref.kind in {"figure", "table"}:
        names = {"figure", "chart"} if ref.kind == "figure" else {"table"}
        own = [i for i, c in enumerate(chunks) if _labelled(c, names, ref.value)]
        mention = re.compile(_MENTION_TEMPLATE[ref.kind].format(n=re.escape(ref.value)), re.I)
        cited = [i for i, c in enumerate(chunks) if i not in own and mention.search(c.text)]
        return [own, cited]
    if ref.kind == "footnote":
        own = [
            i for i, c in enumerate(chunks) if c.kind == "footnote" and _labelled(c, {"footnote"}, ref.value)
        ]
        n = int(ref.value)
        return [own, [i for i, c in enumerate(chunks) if n in c.footnotes]]
    if ref.kind == "page":
        n = int(ref.value)
        return [[i for i, c in enumerate(chunks) if c.page == n]]
    if ref.kind == "annex":
        want = ref.value.casefold()

        def in_annex(c: Chunk) -> bool:
            return any(
                (m := _ANNEX_HEADING_RE.match(_heading_key(h))) is not None and m.group(1) == want
                for h in c.section
            )

        return [[i for i, c in enumerate(chunks) if in_annex(c)]]
    return _section_groups(ref, chunks)


def designate(
    refs: Sequence[Reference], chunks: Sequence[Chunk], ranking: Sequence[int] | None = None
) -> list[int]:
    """Positions in ``chunks`` that ``refs`` designate, in the order to show them.

    Tier by tier (an element's own passage before the passages citing it), and within
    a tier reference by reference; inside each group, reading order (report, then
    offset), or with ``ranking`` (positions, best first) the order of the ranking,
    passages absent from it last. Each position appears once. Empty when nothing is
    designated (a figure the report does not have).
    """
    first_seen: dict[str, int] = {}
    for c in chunks:
        first_seen.setdefault(c.report_id, len(first_seen))
    place = {i: r for r, i in enumerate(ranking)} if ranking is not None else {}

    def key(i: int) -> tuple[int, int, int, int]:
        c = chunks[i]
        reading = (first_seen[c.report_id], c.start, i)
        return (place.get(i, len(place)), *reading) if ranking is not None else (0, *reading)

    tiers: list[list[int]] = []
    for ref in refs:
        for t, group in enumerate(_groups(ref, chunks)):
            while len(tiers) <= t:
                tiers.append([])
            tiers[t].extend(sorted(group, key=key))
    return list(dict.fromkeys(i for tier in tiers for i in tier))


def reference_scores(
    refs: Sequence[Reference], chunks: Sequence[Chunk], ranking: Sequence[int] | None = None
) -> np.ndarray:
    """One score per passage: 0 when ``refs`` do not designate it, else in (0, 1],
    decreasing along :func:`designate`'s order (so ``argsort(-scores)`` starts with it)."""
    scores = np.zeros(len(chunks), dtype=np.float64)
    order = designate(refs, chunks, ranking)
    for r, i in enumerate(order):
        scores[i] = (len(order) - r) / len(order)
    return scores


def promote(order: Sequence[int], designated: Sequence[int]) -> list[int]:
    """``order`` with the designated positions it holds moved to the front, in
    ``designated``'s order; the rest keep their order. Designated positions not in
    ``order`` (filtered out) stay out."""
    present = set(order)
    first = [i for i in dict.fromkeys(designated) if i in present]
    chosen = set(first)
    return first + [i for i in order if i not in chosen]
