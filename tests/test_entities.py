"""Entities: the gazetteer, the domain EntityRuler (on a blank pipeline), and the real pipeline."""

from __future__ import annotations

import pytest

from peel_search.ingest.entities import (
    LABEL_NAMES,
    _entities,
    entity_key,
    entity_text,
    gazetteer_acronyms,
    load_gazetteer,
    ruler_patterns,
    tag_chunks,
    tag_texts,
)
from peel_search.types import Chunk, Entity


def test_gazetteer_is_well_formed():
    entries = load_gazetteer()
    assert entries
    names = [(e.label, e.name.casefold()) for e in entries]
    assert len(names) == len(set(names))
    for e in entries:
        assert e.label in LABEL_NAMES
        assert e.name.strip() == e.name and e.name
        for acronym in e.acronyms:
            assert acronym[0].isupper() or acronym[0].isdigit()


def test_gazetteer_acronyms():
    table = gazetteer_acronyms()
    assert table["IOM"] == "integrated offender management"
    assert table["THRIVE"] == "Threat, Risk, Harm, Investigation, Vulnerability, Engagement"
    assert table["MAPPA"] == "multi-agency public protection arrangements"
    assert table["PCC"] == "police and crime commissioner"


@pytest.fixture(scope="module")
def blank_nlp():
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(ruler_patterns(nlp, {"XYZQ": "extra yellow zebra quota", "IOM": "ignored duplicate"}))
    return nlp


def _ents(nlp, text):
    (ents,) = tag_texts(nlp, [text])
    return [(e.text, e.label, e.canonical) for e in ents]


def test_ruler_tags_gazetteer_names(blank_nlp):
    text = "The force works with Victim Support and West Midlands Police in Wolverhampton."
    assert _ents(blank_nlp, text) == [
        ("Victim Support", "ORG", "Victim Support"),
        ("West Midlands Police", "ORG", "West Midlands Police"),
        ("Wolverhampton", "GPE", "Wolverhampton"),
    ]


def test_names_match_case_insensitively_acronyms_only_as_written(blank_nlp):
    assert _ents(blank_nlp, "working with victim support") == [("victim support", "ORG", "Victim Support")]
    assert _ents(blank_nlp, "local IOMs and the IOM scheme") == [
        ("IOMs", "TERM", "IOM"),
        ("IOM", "TERM", "IOM"),
    ]
    assert _ents(blank_nlp, "an iom scheme") == []


def test_report_definitions_become_term_patterns(blank_nlp):
    assert _ents(blank_nlp, "The XYZQ and the extra yellow zebra quota.") == [
        ("XYZQ", "TERM", "XYZQ"),
        ("extra yellow zebra quota", "TERM", "XYZQ"),
    ]
    # A definition of a gazetteer acronym does not add a second, conflicting pattern.
    assert _ents(blank_nlp, "ignored duplicate") == []


def test_entity_offsets_index_the_text(blank_nlp):
    texts = ["In Walsall, police research found", "Operation Sentinel seeks to highlight awareness"]
    for text, ents in zip(texts, tag_texts(blank_nlp, texts), strict=True):
        assert ents
        for e in ents:
            assert text[e.start : e.end] == e.text


def test_tag_chunks_fills_in_entities(blank_nlp):
    chunk = Chunk(
        id="x",
        report_id="r",
        kind="text",
        text="Project Concord runs in Birmingham East.",
        section=("S",),
        page=1,
        paragraph=1,
        start=0,
        end=40,
        spans=((0, 40),),
    )
    (tagged,) = tag_chunks(blank_nlp, [chunk])
    assert [(e.text, e.label) for e in tagged.entities] == [
        ("Project Concord", "PROGRAMME"),
        ("Birmingham East", "GPE"),
    ]
    assert tagged.text == chunk.text and tagged.id == chunk.id


def test_entity_key_prefers_the_canonical_name():
    assert entity_key(Entity("IOMs", "TERM", 0, 4, "IOM")) == "iom"
    assert entity_key(Entity("Coventry", "GPE", 0, 8)) == "coventry"


# -- the real pipeline ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_nlp():
    from peel_search.ingest.entities import build_pipeline

    return build_pipeline({"TFUN": "tackling families undermining neighbourhoods"})


@pytest.mark.models
def test_real_pipeline_tags_domain_organisations(real_nlp):
    text = (
        "The force is one of nine forces nationally who for about 12 months have been working with "
        "Victim Support to provide 'Victim/Consequence Awareness training'. West Midlands Police "
        "recognises the importance of persistent partnership engagement."
    )
    (ents,) = tag_texts(real_nlp, [text])
    found = {(e.text, e.label) for e in ents}
    assert ("Victim Support", "ORG") in found
    assert ("West Midlands Police", "ORG") in found
    assert not [e for e in ents if e.text == "Victim Support" and e.label != "ORG"]


def test_entity_text_folds_possessives_and_edge_punctuation():
    assert entity_text("Durham Police's") == (0, "Durham Police")
    assert entity_text("“Durham Police’s”") == (1, "Durham Police")
    assert entity_text("(HMIC)") == (1, "HMIC")
    assert entity_text("St James's Park") == (0, "St James's Park")


def _doc_with(nlp, text, spans):
    """A doc of ``text`` whose entities are ``spans``: ``(words, label)`` found in order."""

    doc = nlp(text)
    ents = []
    for words, label in spans:
        start = text.index(words)
        span = doc.char_span(start, start + len(words), label=label)
        assert span is not None, words
        ents.append(span)
    doc.ents = ents
    return doc


def test_facets_hold_names_not_numbers_times_or_grades():
    import spacy

    nlp = spacy.blank("en")
    text = (
        "In the first year Durham Police's officers in Walsall saw 1,000 cases, 12 percent of them "
        "in March, and Inadequate was the grade (www.example.gov.uk/hmic/)."
    )
    doc = _doc_with(
        nlp,
        text,
        [
            ("the first year", "DATE"),
            ("Durham Police's", "ORG"),
            ("Walsall", "GPE"),
            ("1,000", "CARDINAL"),
            ("12 percent", "PERCENT"),
            ("March", "DATE"),
            ("Inadequate", "GPE"),
            ("www.example.gov.uk/hmic/", "ORG"),
        ],
    )
    found = _entities(doc)
    assert [(e.text, e.label) for e in found] == [("Durham Police", "ORG"), ("Walsall", "GPE")]
    for e in found:
        assert text[e.start : e.end] == e.text


@pytest.mark.models
def test_real_pipeline_tags_places_but_not_figures(real_nlp):
    (ents,) = tag_texts(
        real_nlp, ["In Walsall, police research identified that 66,629 incidents were recorded in 2015."]
    )
    labels = {e.text: e.label for e in ents}
    assert labels["Walsall"] == "GPE"
    assert "2015" not in labels and "66,629" not in labels


@pytest.mark.models
def test_index_entities_point_into_their_chunk_text(index):
    tagged = 0
    for chunk in index.chunks:
        for e in chunk.entities:
            assert chunk.text[e.start : e.end] == e.text
            tagged += 1
    assert tagged > len(index.chunks)
    orgs = {e.text for c in index.chunks for e in c.entities if e.label == "ORG"}
    assert {"Victim Support", "West Midlands Police", "HMIC"} <= orgs
    places = {e.text for c in index.chunks for e in c.entities if e.label == "GPE"}
    assert {"Wolverhampton", "Birmingham East", "Walsall"} <= places


@pytest.mark.models
def test_table_entities_never_span_cells_or_rows(index):
    for chunk in index.chunks:
        if chunk.kind != "table":
            continue
        for e in chunk.entities:
            assert "\t" not in e.text and "\n" not in e.text, (e.text, e.label)
