"""Named entities: spaCy's statistical NER behind a domain EntityRuler that wins.

The ruler runs before ``ner``, so the model keeps every span the gazetteer tagged
("Victim Support" is an ORG, not a PERSON) and only fills in the rest. Gazetteer
names and aliases match case-insensitively; acronyms match as written, plurals too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..types import GRADES, Chunk, Entity

if TYPE_CHECKING:
    import spacy.language

#: Labels a user can filter on, with the names shown for them.
LABEL_NAMES: dict[str, str] = {
    "ORG": "Organisations",
    "GPE": "Places",
    "LOC": "Places",
    "PROGRAMME": "Programmes and operations",
    "TERM": "Policing terms",
    "PERSON": "People",
    "NORP": "Groups",
    "FAC": "Places",
    "LAW": "Laws and documents",
    "EVENT": "Events",
    "PRODUCT": "Other",
    "WORK_OF_ART": "Laws and documents",
    "LANGUAGE": "Other",
}


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    expansion: str = ""


@cache
def load_gazetteer() -> tuple[GazetteerEntry, ...]:
    """The domain gazetteer shipped in ``peel_search/data/gazetteer.json``."""
    raw = json.loads(resources.files("peel_search").joinpath("data/gazetteer.json").read_text("utf-8"))
    return tuple(
        GazetteerEntry(
            label=e["label"],
            name=e["name"],
            aliases=tuple(e.get("aliases", ())),
            acronyms=tuple(e.get("acronyms", ())),
            expansion=e.get("expansion", ""),
        )
        for e in raw["entries"]
    )


def gazetteer_acronyms() -> dict[str, str]:
    """``{acronym: expansion}`` from the gazetteer."""
    out: dict[str, str] = {}
    for e in load_gazetteer():
        if e.expansion:
            out[e.name] = e.expansion
        for a in e.acronyms:
            out.setdefault(a, e.name)
    return out


def _phrase_pattern(nlp: spacy.language.Language, phrase: str, exact: bool) -> list[dict[str, str]]:
    key = "ORTH" if exact else "LOWER"
    return [{key: t.text if exact else t.lower_} for t in nlp.make_doc(phrase)]


def ruler_patterns(
    nlp: spacy.language.Language, definitions: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """EntityRuler patterns from the gazetteer plus the report's own acronym definitions."""
    patterns: list[dict[str, Any]] = []
    known: set[str] = set()
    for e in load_gazetteer():
        canonical = e.acronyms[0] if e.acronyms and e.label == "TERM" else e.name
        for phrase in (e.name, *e.aliases):
            exact = phrase.isupper() and len(phrase) <= 8
            patterns.append(
                {"label": e.label, "pattern": _phrase_pattern(nlp, phrase, exact), "id": canonical}
            )
        for acronym in e.acronyms:
            for form in {acronym, acronym + "s"}:
                patterns.append(
                    {"label": e.label, "pattern": _phrase_pattern(nlp, form, True), "id": canonical}
                )
        known.update(a.lower() for a in (e.name, *e.aliases, *e.acronyms))
    for short, long_form in (definitions or {}).items():
        if short.lower() in known:
            continue
        for form in {short, short + "s"}:
            patterns.append({"label": "TERM", "pattern": _phrase_pattern(nlp, form, True), "id": short})
        patterns.append({"label": "TERM", "pattern": _phrase_pattern(nlp, long_form, False), "id": short})
    return patterns


def build_pipeline(definitions: Mapping[str, str] | None = None) -> spacy.language.Language:
    """A fresh spaCy pipeline with the domain ruler placed before ``ner``."""
    import spacy

    from ..models import SPACY_MODEL

    # NER needs only the tokenizer and tok2vec; the tagger and parser would triple the time.
    nlp = spacy.load(SPACY_MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    ruler.add_patterns(ruler_patterns(nlp, definitions))  # type: ignore[attr-defined]
    return nlp


def use_definitions(nlp: spacy.language.Language, definitions: Mapping[str, str] | None = None) -> None:
    """Give ``nlp``'s domain ruler the gazetteer plus these acronym definitions (those
    of the report about to be tagged), in place of the previous report's."""
    ruler = nlp.get_pipe("entity_ruler")
    ruler.clear()  # type: ignore[attr-defined]
    ruler.add_patterns(ruler_patterns(nlp, definitions))  # type: ignore[attr-defined]


#: Times, dates and numbers: words of the text (found by search), not things to browse by.
_NOT_NAMES = frozenset({"CARDINAL", "ORDINAL", "DATE", "TIME", "QUANTITY", "PERCENT", "MONEY"})
#: Grade words the tagger sometimes takes for a place or an organisation ("Inadequate").
_GRADE_WORDS = frozenset(g.casefold() for g in GRADES) | {"require improvement", "requires improvement"}
_EDGE_PUNCTUATION = " \t\n*,;:.'\"‘’“”()[]"
_POSSESSIVE = ("'s", "’s")


def entity_text(raw: str) -> tuple[int, str]:
    """The name a tagged span stands for, and its offset into the span: edge punctuation
    dropped and a possessive folded into the name ("Durham Police's" -> "Durham Police")."""
    text = raw.strip(_EDGE_PUNCTUATION)
    if text.endswith(_POSSESSIVE):
        text = text[:-2].rstrip(_EDGE_PUNCTUATION)
    return len(raw) - len(raw.lstrip(_EDGE_PUNCTUATION)), text


def _is_address(text: str) -> bool:
    """A web or mail address the tagger took for an organisation."""
    return "://" in text or text.casefold().startswith("www.") or "@" in text or text.endswith("/")


def _entities(doc: Any) -> tuple[Entity, ...]:
    out = []
    for ent in doc.ents:
        raw = ent.text
        if ent.label_ in _NOT_NAMES or "\n" in raw or "\t" in raw:
            continue  # a number or a time, or a span across table cells or paragraphs: not one name
        lead, text = entity_text(raw)
        if not any(ch.isalpha() for ch in text) or text.casefold() in _GRADE_WORDS or _is_address(text):
            continue
        start = ent.start_char + lead
        out.append(
            Entity(
                text=text, label=ent.label_, start=start, end=start + len(text), canonical=ent.ent_id_ or ""
            )
        )
    return tuple(out)


def tag_texts(nlp: spacy.language.Language, texts: Sequence[str]) -> list[tuple[Entity, ...]]:
    """Entities for each text, offsets into that text."""
    return [_entities(doc) for doc in nlp.pipe(texts, batch_size=32)]


def tag_chunks(nlp: spacy.language.Language, chunks: Iterable[Chunk]) -> list[Chunk]:
    """The chunks with their ``entities`` filled in."""
    chunks = list(chunks)
    tagged = tag_texts(nlp, [c.text for c in chunks])
    return [replace(c, entities=ents) for c, ents in zip(chunks, tagged, strict=True)]


def entity_key(entity: Entity) -> str:
    """What two mentions share when they name the same thing."""
    return (entity.canonical or entity.text).casefold()
