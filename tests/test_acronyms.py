"""Acronym definitions (Schwartz & Hearst, plus the reverse form) and query expansion."""

from __future__ import annotations

import pytest

from peel_search.ingest.acronyms import expand_query, find_definitions

THRIVE_LONG = "Threat, Risk, Harm, Investigation, Vulnerability, Engagement"


@pytest.fixture(scope="module")
def report_definitions(chunks):
    return find_definitions([c.text for c in chunks])


@pytest.mark.parametrize(
    ("short", "long_form"),
    [
        ("IOM", "integrated offender management"),
        ("THRIVE", THRIVE_LONG),
        ("MAPPA", "multi-agency public protection arrangement"),
        ("ROCU", "regional organised crime unit"),
        ("OCG", "organised crime group"),
        ("PCC", "police and crime commissioner"),
        ("PIP", "professionalising investigation programme"),
        ("TFUN", "tackling families undermining neighbourhoods"),
        ("ACC", "assistant chief constable"),
    ],
)
def test_definitions_found_in_the_report(report_definitions, short, long_form):
    assert report_definitions[short] == long_form


def test_plural_short_forms_are_stored_singular(report_definitions):
    # "(MAPPAs)", "(ROCUs)", "(OCGs)" in the text
    assert "MAPPAs" not in report_definitions
    assert "ROCUs" not in report_definitions
    assert "OCGs" not in report_definitions


def test_reverse_form_with_initials_out_of_order():
    # The report spells T-H-R-I-V-E as Threat, Risk, Harm, ...: initials T, R, H.
    text = "decisions are based on the THRIVE (Threat, Risk, Harm, Investigation, Vulnerability, Engagement) model."
    assert find_definitions([text]) == {"THRIVE": THRIVE_LONG}


def test_reverse_form_needs_the_same_letters():
    assert find_definitions(["the THRIVE (Threat, Risk, Harm) model"]) == {}
    assert find_definitions(["the ABC (Apple, Banana, Zebra) list"]) == {}


def test_schwartz_hearst_takes_the_shortest_covering_long_form():
    text = "Many investigators are trained within the professionalising investigation programme (PIP), which accredits."
    assert find_definitions([text]) == {"PIP": "professionalising investigation programme"}


@pytest.mark.parametrize(
    "text",
    [
        "the force (see below) is good",
        "as at 30 June (2015) the count",
        "the inspection body (HMIC) reported",  # letters not covered by the words before
        "a single letter (A) is not an acronym",
        "no brackets at all",
        "",
    ],
)
def test_non_definitions(text):
    assert find_definitions([text]) == {}


def test_first_definition_wins():
    texts = ["integrated offender management (IOM) works", "intelligence operations manual (IOM) too"]
    assert find_definitions(texts) == {"IOM": "integrated offender management"}


TABLE = {
    "IOM": "integrated offender management",
    "THRIVE": THRIVE_LONG,
    "PIP": "professionalising investigation programme",
    "ACC": "assistant chief constable",
    "UK": "United Kingdom",
}


@pytest.mark.parametrize(
    ("query", "added"),
    [
        ("what is IOM?", ["integrated offender management"]),
        ("how do iom teams work", ["integrated offender management"]),
        ("IOMs in the force", ["integrated offender management"]),
        ("what does THRIVE stand for", [THRIVE_LONG]),
        ("integrated offender management", ["IOM"]),
        ("Integrated Offender-Management schemes", ["IOM"]),
        ("IOM and integrated offender management", []),
        ("pip training", []),  # "pip" and "acc" are ordinary words in lower case
        ("acc meetings", []),
        ("PIP training", ["professionalising investigation programme"]),
        ("uk forces", []),  # two-letter acronyms only as written
        ("UK forces", ["United Kingdom"]),
        ("nothing relevant here", []),
    ],
)
def test_expand_query_both_ways(query, added):
    assert expand_query(query, TABLE) == added


def test_expand_query_with_no_table():
    assert expand_query("IOM", {}) == []


def test_singular_long_form_in_a_query_finds_a_plural_definition():
    # The report defines "organised crime groups (OCGs)"; a question about "an organised crime
    # group" should still be expanded with OCG.
    assert expand_query("what is an organised crime group?", {"OCG": "organised crime groups"}) == ["OCG"]
