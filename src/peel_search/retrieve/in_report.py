"""Whether the reports in scope answer a query, and if not, why: the checks of
:mod:`.answerability` (pure functions over words and passages) applied to a library —
what its reports cover (years, periods, pillars, graded areas, forces), which words they
use, and the best passages a search found.

A search's ``in_report`` and its "not answered in the report: …" notice come from
:meth:`InReport.answers`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np

from ..index.interaction import similarities
from ..index.lexical import tokenize
from ..index.represent import lexical_text
from ..ingest.acronyms import expand_query
from ..ingest.questions import without_frame
from ..types import Hit
from .answerability import CHECKS, Evidence, Scope, answer_type, question_years, spellings, unanswered_reason
from .asked import Word, question_parts
from .figure_check import FigureFacts, figure_facts
from .filters import Filters
from .inspection_check import Cited, GradedArea
from .library import Library
from .plain_words import other_words

#: Late-interaction score (see :mod:`peel_search.index.interaction`) of the best passage below
#: which the report is taken not to answer, whatever the question: evidence this weak
#: is rare for answerable questions (2 of 75 in the dev and calibration sets).
IN_REPORT_THRESHOLD = 0.40
#: A word absent from the report still counts as present when a word of the report is
#: this close to it in the model's word-piece space ("kids" ~ "children" 0.77,
#: "fall" ~ "fell" 0.63; "knife" ~ "cutting" 0.37, "drones" ~ "cameras" 0.25).
NEAR_WORD_SIMILARITY = 0.6
NO_CLOSE_MATCH = "no passage matches the question closely"
#: What a question opens on to ask ("how many", "what", "who is").
_ASKING_RE = re.compile(
    r"^\s*(?:how\s+(?:many|much|often|long)|what|which|who|whom|where|when|why|how)\b\s*", re.I
)
#: How a notice says the report does not answer the question, or one part of it.
NOT_ANSWERED = "not answered in the report: "
PART_NOT_ANSWERED = "part of the question is not answered in the report: "
#: Second parts of hyphenated words that say how, not what ("drug-focused", "force-wide").
HYPHEN_FRAMING = frozenset(
    "focused related based led linked specific driven enabled wide type style level".split()
)


def part_of_compound(near: str, word: str) -> bool:
    """Whether ``near`` is only the first part of the closed compound ``word`` ("well" of
    "wellbeing", "work" of "workforce"): close in word pieces, not in meaning. (A
    hyphenated one, "crime-type", is matched part by part.)"""
    return "-" not in word and len(near) < len(word) and word.startswith(near) and len(word) - len(near) >= 4


class InReport:
    """Answers "do the reports in scope say this?" for one library."""

    #: The checks run (see :data:`.answerability.CHECKS`); ``bench/quality.py`` switches
    #: them off one at a time.
    checks: tuple[str, ...] = CHECKS
    #: How many of the best passages the value and period checks read, and how many
    #: sentences either side of a value may name what it counts.
    passages = 3
    window = 1

    def __init__(self, library: Library, filters: Filters) -> None:
        self.library = library
        self.filters = filters
        self._vocabulary_vectors: Any = None
        self._vocabulary_words: list[str] = []
        self._scope_word_cache: dict[bytes, set[str]] = {}
        self._scope_cache: dict[tuple[int, ...], Scope] = {}
        self._equivalents: dict[str, tuple[frozenset[str], ...]] = {}
        self._tags: dict[str, tuple[Word, ...]] = {}
        self._facts: dict[int, list[FigureFacts]] = {}
        self._places: list[str] | None = None
        self._notes: dict[tuple[str, int], str] | None = None
        self._rarity: dict[tuple[str, bytes], float] = {}

    def warm_up(self) -> None:
        """Load the word tables and the tagger some checks read questions with now, rather
        than on the first query (a served app's first user would wait seconds for spaCy)."""
        self.word_present("warm")
        self.tag("Who leads the warm-up?")

    # -- words -------------------------------------------------------------------------------

    def word_present(self, word: str, mask: np.ndarray | None = None) -> bool:
        """Whether the report has ``word``, an acronym for it, or a word close to it;
        with ``mask``, whether the passages in it do (the reports in scope)."""
        library = self.library
        scoped = mask is not None and not bool(mask.all())
        words_in_scope = self.scope_words(mask) if scoped and mask is not None else None

        def has(term: str) -> bool:
            terms = tokenize(term)
            return (
                bool(terms) and all(t in words_in_scope for t in terms)
                if words_in_scope is not None
                else False
            )

        if has(word) if scoped else library.lexical.knows(word):
            return True
        if any(has(x) if scoped else True for x in expand_query(word, library.acronyms)):
            return True
        self._load_vocabulary()
        if not len(self._vocabulary_vectors):
            return False
        near = self.near_words(word)
        return any(has(w) for w in near) if scoped else bool(near)

    def scope_words(self, mask: np.ndarray) -> set[str]:
        """The stemmed words of the passages in ``mask`` (the last few scopes cached)."""
        key = np.packbits(mask).tobytes()
        words = self._scope_word_cache.get(key)
        if words is None:
            words = set().union(*(self.library.words(int(i)) for i in np.flatnonzero(mask)))
            if len(self._scope_word_cache) > 16:
                self._scope_word_cache = {}  # a new dict: readers holding the old one are unaffected
            self._scope_word_cache[key] = words
        return words

    def _load_vocabulary(self) -> None:
        """The reports' words and their vectors in the model's word-piece space (once)."""
        if self._vocabulary_vectors is None:
            import torch

            library = self.library
            text = " ".join(lexical_text(c).lower() for c in library.chunks)
            self._vocabulary_words = sorted(set(re.findall(r"[a-z][a-z'’\-]+", text)))
            self._vocabulary_vectors = torch.from_numpy(library.embedder.word_vectors(self._vocabulary_words))

    def near_words(self, word: str) -> list[str]:
        """Words of the reports close to ``word`` in the model's word-piece space."""
        library = self.library
        self._load_vocabulary()
        if not len(self._vocabulary_vectors):
            return []
        query = library.embedder.word_vectors([word])[0]
        # On torch's thread pool, like every other product on the query path (see interaction.py).
        close = similarities(query[None, :], self._vocabulary_vectors).reshape(-1)
        near = (
            self._vocabulary_words[int(i)] for i in np.flatnonzero(np.asarray(close) >= NEAR_WORD_SIMILARITY)
        )
        return [w for w in near if not part_of_compound(w, word.lower())]

    def equivalents(self, word: str) -> tuple[frozenset[str], ...]:
        """The ways the reports may write ``word``, each as the stems it takes: its
        spellings, the words close to it, its acronym or long form (cached)."""
        found = self._equivalents.get(word)
        if found is None:
            variants = [
                *spellings(word),
                *other_words(word),
                *self.near_words(word),
                *expand_query(word, self.library.acronyms),
            ]
            found = tuple(dict.fromkeys(frozenset(tokenize(v)) for v in variants if tokenize(v)))
            if len(self._equivalents) > 4096:
                self._equivalents = {}
            self._equivalents[word] = found
        return found

    def match(self, word: str, stems: AbstractSet[str]) -> bool:
        """Whether ``stems`` hold ``word`` in one of its :meth:`equivalents`."""
        own = tokenize(word)
        if own and all(t in stems for t in own):
            return True
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1:  # "six-month": "six months"; "drug-focused": "drug"
            named = [p for p in parts if p not in HYPHEN_FRAMING] or parts
            if all(self.match(p, stems) for p in named):
                return True
        return any(way <= stems for way in self.equivalents(word))

    def tag(self, question: str) -> tuple[Word, ...]:
        """``question``'s words tagged by spaCy (loaded on first use; cached)."""
        tags = self._tags.get(question)
        if tags is None:
            from ..models import get_spacy

            doc = get_spacy()(question)
            tags = tuple(Word(t.text, t.lemma_, t.pos_, t.dep_, t.head.i) for t in doc)
            if len(self._tags) > 1024:
                self._tags = {}
            self._tags[question] = tags
        return tags

    def graded(self, numbers: tuple[int, ...]) -> list[GradedArea]:
        """The areas the reports numbered ``numbers`` grade (their judgments), with grades."""
        return [
            GradedArea(without_frame(j["area"]), str(j.get("grade") or ""))
            for n in numbers
            for j in self.library.reports[n].get("judgments", [])
        ]

    # -- the figures the reports state ---------------------------------------------------------

    def figure_facts(self, numbers: tuple[int, ...]) -> list[FigureFacts]:
        """The figures of the reports numbered ``numbers``, with the stems each is matched on."""
        out: list[FigureFacts] = []
        library = self.library
        for n in numbers:
            facts = self._facts.get(n)
            if facts is None:
                report_id = library.metas[n].report_id
                facts = []
                for figure, at in zip(library.figures, library.figure_passage, strict=True):
                    if figure.report_id != report_id:
                        continue
                    passage = library.chunks[at].text if at >= 0 else ""
                    facts.append(figure_facts(figure, passage, self._expand))
                self._facts[n] = facts
            out.extend(facts)
        return out

    def _expand(self, word: str) -> str:
        """The long form of an acronym, or the acronym of a long form."""
        return " ".join(expand_query(word, self.library.acronyms))

    def passages_with(self, word: str, mask: np.ndarray, limit: int = 300) -> list[str]:
        """The passages in ``mask`` that hold ``word`` (or an equivalent), in report order."""
        out: list[str] = []
        for i in np.flatnonzero(mask):
            if self.match(word, self.library.words(int(i))):
                out.append(self.library.chunks[int(i)].text)
                if len(out) >= limit:
                    break
        return out

    def rarity(self, word: str, mask: np.ndarray) -> float:
        """How rare ``word`` is among the passages in ``mask``: log(N / (1 + passages with it))
        (the last few thousand cached)."""
        key = (word, np.packbits(mask).tobytes())
        found = self._rarity.get(key)
        if found is None:
            positions = np.flatnonzero(mask)
            holding = sum(1 for i in positions if self.match(word, self.library.words(int(i))))
            found = float(np.log((len(positions) + 1) / (1 + holding)))
            if len(self._rarity) > 4096:
                self._rarity = {}
            self._rarity[key] = found
        return found

    def cited_with(self, word: str, mask: np.ndarray, limit: int = 300) -> list[Cited]:
        """The passages in ``mask`` that hold ``word`` in their text or in the footnotes
        they cite, each with those footnotes' text."""
        library = self.library
        if self._notes is None:
            self._notes = {
                (r["report_id"], int(f["number"])): str(f["text"])
                for r in library.reports
                for f in r.get("footnotes", [])
            }
        notes = self._notes
        out: list[Cited] = []
        for i in np.flatnonzero(mask):
            chunk = library.chunks[int(i)]
            cited = " ".join(notes.get((chunk.report_id, n), "") for n in chunk.footnotes)
            if self.match(word, library.words(int(i))) or (
                cited and self.match(word, frozenset(tokenize(cited)))
            ):
                out.append(Cited(chunk.text, cited, chunk.kind == "footnote"))
                if len(out) >= limit:
                    break
        return out

    def places(self, question: str, forces: tuple[str, ...]) -> tuple[str, ...]:
        """Places the question names (places the reports mention, other forces) other than
        the forces in scope and England and Wales."""
        if self._places is None:
            self._places = sorted(
                {
                    e.text
                    for c in self.library.chunks
                    for e in c.entities
                    if e.label == "GPE" and len(e.text) > 3
                },
                key=len,
                reverse=True,
            )
        own = " ".join(forces).lower()
        found: list[str] = []
        for name in self._places:
            if name.lower() in own or name.lower() in {
                "england",
                "wales",
                "england and wales",
                "uk",
                "london",
            }:
                continue
            if re.search(rf"\b{re.escape(name)}\b", question, re.I) and not any(name in f for f in found):
                found.append(name)
        for m in re.finditer(r"\b((?:[A-Z][\w'’-]+\s+){1,3})(?:Police|Constabulary)\b", question):
            name = m.group(1).strip()
            if name.lower() not in own and not any(name in f or f in name for f in found):
                found.append(name)
        return tuple(found)

    # -- what the reports cover ----------------------------------------------------------------

    def scope(self, mask: np.ndarray) -> Scope:
        """What the reports with passages in ``mask`` cover: their years and period, the
        pillars they inspect and the areas they grade."""
        numbers = tuple(int(n) for n in np.unique(self.library.chunk_report[mask]) if n >= 0)
        scope = self._scope_cache.get(numbers)
        if scope is None:
            if len(self._scope_cache) > 64:
                self._scope_cache = {}  # a new dict: readers holding the old one are unaffected
            scope = self._scope_cache[numbers] = self._describe_scope(numbers)
        return scope

    def _describe_scope(self, numbers: tuple[int, ...]) -> Scope:
        metas = [self.library.metas[n] for n in numbers]
        years: set[int] = set()
        for m in metas:
            if m.year:
                years |= {m.year - 1, m.year}
            years |= set(question_years(f"{m.period} {m.published}"))
        periods = [
            (m.period or (str(m.year) if m.year else ""))
            + (f" (published {m.published})" if m.published else "")
            for m in metas
        ]
        periods = [p for p in dict.fromkeys(periods) if p]
        period = (
            periods[0] if len(periods) == 1 else ", ".join(periods[:4]) + ("…" if len(periods) > 4 else "")
        )
        areas, grades = [], []
        for n in numbers:
            for j in self.library.reports[n].get("judgments", []):
                area = without_frame(j["area"])
                areas.append(area)
                if j.get("grade"):
                    grades.append(f"{area[:1].lower()}{area[1:]}: {str(j['grade']).lower()}")
        return Scope(
            frozenset(years),
            frozenset(m.year for m in metas if m.year),
            period if len(metas) == 1 else f"the reports in scope cover {period}",
            tuple(dict.fromkeys(m.pillar.lower() for m in metas if m.pillar)),
            tuple(dict.fromkeys(areas)),
            tuple(dict.fromkeys(g for g in grades if g.startswith("overall")))
            or tuple(dict.fromkeys(grades))[:3],
            tuple(dict.fromkeys(m.force for m in metas if m.force)),
        )

    # -- the verdict -----------------------------------------------------------------------------

    def reason(self, query: str, hits: Sequence[Hit], mask: np.ndarray) -> str:
        """Why the reports in ``mask`` cannot answer ``query`` (see :mod:`.answerability`), or ``""``."""
        best = hits[: self.passages]
        scope = self.scope(mask)
        numbers = tuple(int(n) for n in np.unique(self.library.chunk_report[mask]) if n >= 0)
        evidence = Evidence(
            present=lambda word: self.word_present(word, mask),
            passages=[h.chunk.text for h in best],
            scope=scope,
            words=self.tag(self._generic(query, scope)),
            figures=self.figure_facts(numbers),
            match=self.match,
            places=self.places(query, scope.forces),
            passages_with=lambda word: self.passages_with(word, mask),
            graded=self.graded(numbers),
            cited_with=lambda word: self.cited_with(word, mask),
            rarity=lambda word: self.rarity(word, mask),
            named_people=lambda: [
                self.library.chunks[int(i)].text
                for i in np.flatnonzero(mask)
                if any(e.label == "PERSON" for e in self.library.chunks[int(i)].entities)
            ],
        )
        kind = answer_type(self._generic(query, scope))
        return unanswered_reason(kind, evidence, query, self.checks, self.window)

    def _generic(self, query: str, scope: Scope) -> str:
        """``query`` with the forces in scope called "the force": the force a report is about
        frames a question ("how many officers does Kent Police have?") rather than naming
        its subject; another force is left as asked."""
        generic = query
        for force in sorted(scope.forces, key=len, reverse=True):
            name = re.sub(r"\s+(?:police(?: service| force)?|constabulary)$", "", force, flags=re.I)
            pattern = (
                rf"\b(?:the\s+)?{re.escape(name)}(?:\s+(?:police(?: service| force)?|constabulary))?\b"
                r"(?!\s+(?:police\s+)?(?:and|&)\s+crime\b)"  # its police and crime commissioner is a post
            )
            generic = re.sub(pattern, "the force", generic, flags=re.I)
            initials = "".join(w[0] for w in force.split() if w[:1].isupper())
            shorts = [
                s for s, long_form in self.library.acronyms.items() if long_form.lower() == force.lower()
            ]
            for short in shorts:
                generic = re.sub(rf"\b{re.escape(short)}\b(?:['’]s)?", "the force", generic)
            if len(initials) >= 3:  # "WMP", as typed in a search box too: "wmp"
                generic = re.sub(rf"\b{re.escape(initials)}\b(?:['’]s)?", "the force", generic, flags=re.I)
        return generic

    def _part_reason(self, i: int, parts: Sequence[str], hits: Sequence[Hit], mask: np.ndarray) -> str:
        """Why part ``i`` of a question is not answered, or ``""``; a later part may lean on
        the first for its subject ("..., and what share were drug-focused?")."""
        reason = self.reason(parts[i], hits, mask)
        if reason and i:
            first = re.sub(_ASKING_RE, "", parts[0].rstrip("?"), count=1)  # its subject, not its ask
            with_first = f"{parts[i].rstrip('?')} ({first})?"
            return reason if self.reason(with_first, hits, mask) else ""
        return reason

    def answers(
        self,
        query: str,
        hits: Sequence[Hit],
        signals: dict[str, Any],
        mask: np.ndarray,
        notices: list[str],
        in_scope: np.ndarray | None = None,
    ) -> bool:
        """Whether the report seems to answer ``query``; says why not in ``notices``.
        A question that only names an element of the report ("what is on page 22?") is
        answered when that element passes the filters. "The report" is the reports in
        scope (``in_scope``; default: the passages in ``mask``): a section or entity
        filter narrows the passages, not what the report is known to say."""
        from .references import find_references, only_references

        refs = find_references(query)
        if refs and only_references(query, refs) and any(mask[i] for i in self.filters.designated(query)):
            return True
        scope = mask if in_scope is None else in_scope
        reason = self.reason(query, hits, scope)
        # a question that asks two things is answered only when the report answers both:
        # when it answers one, the notice names the part it does not
        parts = question_parts(query)
        per_part = (
            [self._part_reason(i, parts, hits, scope) for i in range(len(parts))] if len(parts) > 1 else []
        )
        if reason and (not per_part or all(per_part)):
            notices.append(f"{NOT_ANSWERED}{reason}")
            return False
        if any(per_part):
            notices.append(f"{PART_NOT_ANSWERED}{next(r for r in per_part if r)}")
            return False
        if float(signals["tokens"][mask].max()) < IN_REPORT_THRESHOLD:
            notices.append(f"{NOT_ANSWERED}{NO_CLOSE_MATCH}")
            return False
        return True
