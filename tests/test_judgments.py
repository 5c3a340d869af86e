"""Judgments in every PEEL format: the graded areas are whatever the report grades, told by
structure (no year's wording), on PEEL's whole grade scale, and never guessed.

The bundled 2015 report pins the judgments exactly (tests/test_parse.py has the sentences);
small synthetic reports here give the shapes of the other years, and the variant generator
(tests/variant_reports.py) gives each format with known grades, when it is there.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes import INVESTIGATING, SOC, VULNERABLE
from peel_search.ingest.judgments import find_judgments, grade_line, graded_areas
from peel_search.ingest.parse import parse_report
from peel_search.ingest.text import fold_whitespace, passage_text
from peel_search.types import GRADES
from variant_reports import FORMATS, VariantSpec, library, make_variant

PREVENTING = (
    "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?"
)


def judged(text: str) -> list[tuple[str, str | None, str]]:
    return [(j.area, j.grade, j.source) for j in parse_report(text, "synthetic").judgments]


# -- the grade scale ---------------------------------------------------------------------------


def test_the_scale_is_the_whole_of_peels():
    assert GRADES == ("Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate")


@pytest.mark.parametrize(
    ("line", "grade"),
    [
        ("Outstanding", "Outstanding"),
        ("Good", "Good"),
        ("Adequate", "Adequate"),
        ("Requires improvement", "Requires improvement"),
        ("requires  improvement.", "Requires improvement"),
        ("Inadequate", "Inadequate"),
        ("Grade: Adequate", "Adequate"),
        ("Good work was seen", None),
        ("Not graded", None),
        ("", None),
    ],
)
def test_grade_lines(line, grade):
    assert grade_line(line) == grade


# -- the bundled report is unchanged -----------------------------------------------------------


def test_bundled_report_judgments_are_unchanged(report):
    assert [(j.area, j.grade, j.source) for j in report.judgments] == [
        ("Overall", "Good", "grade line"),
        (PREVENTING, "Good", "summary wording"),
        (INVESTIGATING, None, "not stated"),
        (VULNERABLE, "Requires improvement", "grade line"),
        (SOC, "Good", "summary wording"),
    ]
    assert find_judgments(report) == list(report.judgments)
    assert [s.heading for s in graded_areas(report)] == [PREVENTING, INVESTIGATING, VULNERABLE, SOC]


# -- each format's shape, without any 2015 wording ---------------------------------------------

AREAS_2021 = """PEEL 2021/22: An inspection of Kent Police

Preventing crime and anti-social behaviour

Good

Kent Police is good at preventing crime and anti-social behaviour.

Investigating crime

Adequate

The force is adequate at investigating crime. It has improved since our last inspection.

Protecting vulnerable people

Requires improvement

Kent Police requires improvement in protecting vulnerable people.

Managing offenders

Inadequate

The force is judged to be inadequate at managing sex offenders.

Responding to the public

Outstanding

The force is outstanding at answering calls quickly.
"""


def test_areas_of_2021_are_found_by_their_grade_lines():
    assert judged(AREAS_2021) == [
        ("Overall", None, "not stated"),
        ("Preventing crime and anti-social behaviour", "Good", "grade line"),
        ("Investigating crime", "Adequate", "grade line"),
        ("Protecting vulnerable people", "Requires improvement", "grade line"),
        ("Managing offenders", "Inadequate", "grade line"),
        ("Responding to the public", "Outstanding", "grade line"),
    ]


def test_each_2021_area_is_a_top_level_section_with_its_sentence():
    report = parse_report(AREAS_2021, "kent-2021")
    assert [s.heading for s in report.sections if s.level == 1][1:] == [j.area for j in report.judgments[1:]]
    adequate = report.judgments[2]
    assert adequate.sentence == "The force is adequate at investigating crime."
    assert adequate.sentence in fold_whitespace(report.source[adequate.start : adequate.end])


PILLARS_2018 = """How effectively does the force reduce crime and keep people safe?

Good

Essex Police is judged to be good at reducing crime and keeping people safe.

How well does the force protect vulnerable people?

Officers understand vulnerability and refer people to partners.

How efficiently does the force operate and how sustainable are its services?

Summary of findings

The force requires improvement in the efficiency with which it keeps people safe.

How legitimately does the force treat the public and its workforce?

Summary of findings

The force treats people fairly. Officers behave ethically.
"""


def test_2018_pillars_with_grade_lines_and_summaries():
    assert judged(PILLARS_2018) == [
        ("Overall", None, "not stated"),
        ("How effectively does the force reduce crime and keep people safe?", "Good", "grade line"),
        (
            "How efficiently does the force operate and how sustainable are its services?",
            "Requires improvement",
            "summary wording",
        ),
        ("How legitimately does the force treat the public and its workforce?", None, "not stated"),
    ]


def test_2018_sub_question_stays_under_its_pillar():
    report = parse_report(PILLARS_2018, "essex-2018")
    sub = next(s for s in report.sections if s.heading.startswith("How well does the force protect"))
    assert sub.level == 2
    assert report.sections[sub.parent].heading.startswith("How effectively does the force reduce crime")


SPECIALIST_2017 = """Overview – How effective is the force at keeping people safe and reducing crime?

Overall judgement

Adequate

Kent Police is judged to be adequate at keeping people safe and reducing crime.

How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?

Summary of findings

Kent Police is good at preventing crime.

How well does the force work with partners?

The force works with councils and charities on local problems.

Areas for improvement

The force should evaluate its preventative work.

How effective are the force's specialist capabilities?

Summary of findings

Kent Police is judged to be outstanding in its specialist capabilities.
"""


def test_2017_overall_judgement_and_summary_first_areas():
    assert judged(SPECIALIST_2017) == [
        ("Overall", "Adequate", "grade line"),
        (
            "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?",
            "Good",
            "summary wording",
        ),
        ("How effective are the force's specialist capabilities?", "Outstanding", "summary wording"),
    ]
    report = parse_report(SPECIALIST_2017, "kent-2017")
    partners = next(s for s in report.sections if s.heading == "How well does the force work with partners?")
    assert partners.level == 2


@pytest.mark.parametrize(
    ("sentence", "grade"),
    [
        ("The force is adequate at keeping people safe.", "Adequate"),
        ("HMIC judges that the force requires improvement in keeping people safe.", "Requires improvement"),
        ("The force is judged to be inadequate.", "Inadequate"),
        ("The force is judged to be outstanding at keeping people safe.", "Outstanding"),
        ("The force is good at keeping people safe.", "Good"),
        ("Inadequate recording was found; the force is working on it.", None),
        ("The force has adequate resources for this.", None),
        ("Good work was seen in several areas.", None),
    ],
)
def test_summary_wording_on_the_whole_scale(sentence, grade):
    text = f"Keeping people safe\n\nSummary of findings\n\n{sentence}\n"
    _, area = judged(text)
    assert area == ("Keeping people safe", grade, "summary wording" if grade else "not stated")


def test_an_adequate_grade_line_never_reads_inadequate_as_its_sentence():
    text = "Investigating crime\n\nAdequate\n\nSome files were inadequate. Overall the force is adequate.\n"
    (_, area) = parse_report(text, "s").judgments
    assert area.grade == "Adequate"
    assert area.sentence == "Overall the force is adequate."


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Some prose without any heading at all, which is long enough to be a paragraph.\n",
        "Investigating crime\n\nThe force investigates crime well, we found.\n",
        "Introduction\n\nGood\n\nThe inspection looked at the force.\n",
        "Annex A – Our judgments\n\nOutstanding\n\nGood\n\nRequires improvement\n\nInadequate\n",
    ],
)
def test_nothing_graded_is_not_an_area_and_nothing_is_guessed(text):
    report = parse_report(text, "s")
    assert graded_areas(report) == []
    assert all(j.grade is None and j.source == "not stated" for j in report.judgments)


def test_an_area_with_a_summary_but_no_grade_is_not_stated():
    text = "Managing offenders\n\nSummary of findings\n\nThe force manages offenders with partners.\n"
    assert judged(text) == [("Overall", None, "not stated"), ("Managing offenders", None, "not stated")]


# -- every generated format -------------------------------------------------------------------


def stated(variant) -> dict[str, str | None]:
    """What the parser reads from a variant, keyed like its ground truth."""
    report = parse_report(variant.text, variant.name)
    out: dict[str, str | None] = {}
    for j in report.judgments:
        key = "overall" if j.area == "Overall" else variant.questions.get(j.area, f"unexpected: {j.area}")
        assert key not in out, key
        out[key] = j.grade
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_as_the_generator_writes_it(fmt):
    variant = make_variant(VariantSpec("Kent Police", 2019, fmt))
    assert stated(variant) == variant.grades


@pytest.mark.parametrize("variant", library(14), ids=lambda v: v.name)
def test_a_library_of_variants_every_format_grade_and_dropped_section(variant):
    assert stated(variant) == variant.grades


def test_all_five_grades_in_one_2021_report():
    grades = {
        "preventing": "Outstanding",
        "investigating": "Good",
        "offenders": "Adequate",
        "vulnerability": "Requires improvement",
        "serious_organised_crime": "Inadequate",
    }
    variant = make_variant(VariantSpec("Merseyside Police", 2022, "2021", grades))
    assert stated(variant) == {"overall": None, **grades}


@pytest.mark.parametrize(
    ("fmt", "key"),
    [("2015", "investigating"), ("2016", "investigating"), ("2017", "specialist"), ("2021", "offenders")],
)
def test_a_question_the_report_leaves_ungraded_is_listed_as_not_stated(fmt, key):
    variant = make_variant(VariantSpec("Northumbria Police", 2020, fmt))
    assert variant.grades[key] is None  # the generator's default: the text states no grade
    report = parse_report(variant.text, variant.name)
    (judgment,) = [j for j in report.judgments if variant.questions.get(j.area) == key]
    assert (judgment.grade, judgment.source, judgment.sentence) == (None, "not stated", "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dropped_section_has_no_judgment(fmt):
    variant = make_variant(VariantSpec("Kent Police", 2019, fmt, drop=("vulnerability",)))
    assert "vulnerability" not in stated(variant)
    assert stated(variant) == variant.grades


def test_a_list_of_judgments_ahead_of_the_body_does_not_double_the_areas():
    text = (
        "Our judgments\n\nInvestigating crime\n\nGood\n\nManaging offenders\n\nAdequate\n\n"
        "Investigating crime\n\nGood\n\nThe force is good at investigating crime.\n\n"
        "Managing offenders\n\nAdequate\n\nThe force is adequate at managing offenders.\n"
    )
    report = parse_report(text, "s")
    assert [(j.area, j.grade, j.sentence) for j in report.judgments[1:]] == [
        ("Investigating crime", "Good", "The force is good at investigating crime."),
        ("Managing offenders", "Adequate", "The force is adequate at managing offenders."),
    ]
    assert [s.heading for s in report.sections if s.level == 1] == [
        "Our judgments",
        "Investigating crime",
        "Managing offenders",
    ]


PIECES = st.sampled_from(
    [
        "Investigating crime\n\n",
        "How effectively does the force reduce crime and keep people safe?\n\n",
        "Overview – How well does the force keep people safe?\n\n",
        "Overall judgement\n\n",
        "Summary of findings\n\n",
        "Areas for improvement\n\n",
        "Introduction\n\n",
        *(f"{g}\n\n" for g in GRADES),
        "The force is adequate at investigating crime.\n\n",
        "HMIC judges that the force requires improvement.\n\n",
        "Good work was seen. Some files were inadequate.\n\n",
        "",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=25).map("".join))
def test_any_arrangement_of_areas_and_grades_gives_read_judgments(text):
    report = parse_report(text, "fuzz")
    if report.sections:
        assert [j.area for j in report.judgments] == ["Overall", *(s.heading for s in graded_areas(report))]
    for j in report.judgments:
        assert j.grade in (*GRADES, None)
        if j.grade is None:
            assert j.source == "not stated" and j.sentence == ""
        else:
            assert j.sentence in passage_text(text, [(j.start, j.end)], report.markers)
