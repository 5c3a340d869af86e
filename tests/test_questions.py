"""Questions aligned across reports by meaning, and the grades matrix on top of them."""

from __future__ import annotations

import itertools

import pytest

from fakes import INVESTIGATING, SOC, VULNERABLE
from peel_search.ingest.parse import parse_report
from peel_search.ingest.questions import (
    GradedArea,
    ReportGrades,
    align_questions,
    grades_matrix,
    question_topics,
    report_grades,
)
from variant_reports import FORMATS, VariantSpec, make_variant

PREVENTING = (
    "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?"
)
Q2015 = ["Overall", PREVENTING, INVESTIGATING, VULNERABLE, SOC]
Q2016 = [
    "Overall",
    "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?",
    "How effective is the force at investigating crime and reducing re-offending?",
    "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?",
    "How effective is the force at tackling serious and organised crime?",
]
Q2017 = [*Q2016, "How effective are the force's specialist capabilities?"]
Q2018 = [
    "How effectively does the force reduce crime and keep people safe?",
    "How efficiently does the force operate and how sustainable are its services?",
    "How legitimately does the force treat the public and its workforce?",
]
Q2021 = [
    "Preventing crime and anti-social behaviour",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders",
    "Developing a positive workplace",
    "Good use of resources",
]
ALL = {"wm-2015": Q2015, "wm-2016": Q2016, "wm-2017": Q2017, "wm-2018": Q2018, "wm-2021": Q2021}


def column_of(columns, report_id, heading):
    (found,) = [c for c in columns if c.heading(report_id) == heading]
    return found


# -- topics ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "topics"),
    [
        ("Overall", ("overall",)),
        (PREVENTING, ("preventing",)),
        (INVESTIGATING, ("investigating", "offenders")),
        (VULNERABLE, ("vulnerability", "victims")),
        (SOC, ("serious_organised_crime",)),
        ("Tackling SOC", ("serious_organised_crime",)),
        ("How effective are the force's specialist capabilities?", ("specialist",)),
        ("How efficiently does the force operate and how sustainable are its services?", ("efficiency",)),
        ("How legitimately does the force treat the public and its workforce?", ("legitimacy", "workforce")),
        ("Protecting vulnerable people", ("vulnerability",)),
        ("Managing offenders and suspects", ("offenders",)),
        ("Leadership and force management", ()),
    ],
)
def test_question_topics_ignore_the_question_frame(heading, topics):
    assert question_topics(heading) == topics


# -- alignment across the formats --------------------------------------------------------------


def test_same_question_in_different_words_shares_a_column():
    columns = align_questions(ALL)
    keys = [c.key for c in columns]
    assert keys[0] == "overall"
    assert column_of(columns, "wm-2015", VULNERABLE) is column_of(
        columns, "wm-2021", "Protecting vulnerable people"
    )
    assert column_of(columns, "wm-2015", INVESTIGATING) is column_of(
        columns, "wm-2021", "Investigating crime"
    )
    assert column_of(columns, "wm-2015", PREVENTING).key == "preventing"
    assert column_of(columns, "wm-2016", Q2016[1]).key == "preventing"
    assert column_of(columns, "wm-2021", Q2021[0]).key == "preventing"
    assert column_of(columns, "wm-2017", Q2017[-1]).key == "specialist"
    assert column_of(columns, "wm-2018", Q2018[1]).key == "efficiency"
    assert column_of(columns, "wm-2021", "Good use of resources").key == "efficiency"
    assert column_of(columns, "wm-2018", Q2018[2]).key == "legitimacy"


def test_a_2015_joint_question_aligns_with_its_first_topic_and_the_second_stays_apart():
    columns = align_questions(ALL)
    offenders = column_of(columns, "wm-2021", "Managing offenders")
    assert offenders.key == "offenders" and offenders.name == "Managing offenders"
    assert offenders.heading("wm-2015") is None
    assert column_of(columns, "wm-2015", INVESTIGATING).key == "investigating"


def test_every_heading_is_in_exactly_one_column_and_no_column_holds_two_of_one_report():
    columns = align_questions(ALL)
    for report_id, headings in ALL.items():
        placed = [h for c in columns for r, h in c.headings if r == report_id]
        assert sorted(placed) == sorted(headings)
    for c in columns:
        ids = [r for r, _ in c.headings]
        assert len(ids) == len(set(ids)), c


def test_two_headings_of_one_report_on_the_same_topic_get_two_columns():
    columns = align_questions(
        {
            "a": ["Investigating crime and managing offenders", "Investigating crime"],
            "b": ["Managing offenders"],
        }
    )
    joint = column_of(columns, "a", "Investigating crime and managing offenders")
    single = column_of(columns, "a", "Investigating crime")
    assert joint is not single
    assert single.key == "investigating" and joint.key == "offenders"
    assert joint is column_of(columns, "b", "Managing offenders")


def test_unknown_questions_align_by_shared_words_and_otherwise_stand_alone():
    columns = align_questions(
        {
            "a": ["Leadership and force management", "Crime data integrity"],
            "b": ["Force management and leadership"],
        }
    )
    lead = column_of(columns, "a", "Leadership and force management")
    assert lead is column_of(columns, "b", "Force management and leadership")
    assert lead.key.startswith("other:")
    assert column_of(columns, "a", "Crime data integrity") is not lead


def test_column_order_is_overall_then_peels_order_whatever_the_report_order():
    orders = set()
    for perm in itertools.permutations(ALL):
        columns = align_questions({r: ALL[r] for r in perm})
        orders.add(tuple(c.key for c in columns))
    assert len(orders) == 1
    (order,) = orders
    assert order[0] == "overall"
    assert order.index("preventing") < order.index("investigating") < order.index("vulnerability")
    assert order.index("investigating") < order.index("offenders")
    assert align_questions(ALL) == align_questions(ALL)


def test_overall_is_always_the_first_column():
    (overall,) = align_questions({})
    assert overall.key == "overall" and overall.headings == ()
    columns = align_questions({"a": ["Investigating crime", "Overall"]})
    assert columns[0].key == "overall" and columns[0].heading("a") == "Overall"


# -- the grades matrix -------------------------------------------------------------------------


def area(heading, grade, page=1):
    sentence = f"The force is {grade.lower()} at it." if grade else ""
    return GradedArea(heading, grade, sentence, (heading, "Summary of findings"), page, 10, 40)


def test_grades_matrix_rows_are_reports_and_cells_link_to_their_sentence():
    reports = [
        ReportGrades(
            "wm-2015",
            "West Midlands 2015",
            (
                area("Overall", "Good"),
                area(INVESTIGATING, None),
                area(VULNERABLE, "Requires improvement", 30),
            ),
        ),
        ReportGrades(
            "wm-2021",
            "West Midlands 2021/22",
            (area("Investigating crime", "Adequate"), area("Managing offenders", "Inadequate")),
        ),
    ]
    matrix = grades_matrix(reports)
    keys = [c.key for c in matrix.columns]
    assert keys == ["overall", "investigating", "vulnerability", "offenders"]
    first, _ = matrix.rows
    assert (first.report_id, first.label) == ("wm-2015", "West Midlands 2015")
    grades = [[cell.grade if cell else "-" for cell in row.cells] for row in matrix.rows]
    assert grades == [["Good", None, "Requires improvement", "-"], ["-", "Adequate", "-", "Inadequate"]]
    vulnerable = first.cells[keys.index("vulnerability")]
    assert vulnerable.page == 30 and vulnerable.section == (VULNERABLE, "Summary of findings")
    assert vulnerable.sentence == "The force is requires improvement at it."


def test_a_missing_section_leaves_an_empty_cell():
    reports = [
        ReportGrades("a", "A", (area("Preventing crime", "Good"), area("Investigating crime", "Good"))),
        ReportGrades("b", "B", (area("Preventing crime and anti-social behaviour", "Adequate"),)),
    ]
    matrix = grades_matrix(reports)
    investigating = [c.key for c in matrix.columns].index("investigating")
    assert matrix.rows[1].cells[investigating] is None
    assert matrix.rows[0].cells[investigating].grade == "Good"


def test_report_ids_must_be_unique():
    with pytest.raises(ValueError, match="given more than once: a"):
        grades_matrix([ReportGrades("a", "A", ()), ReportGrades("a", "A again", ())])


def test_empty_matrix():
    matrix = grades_matrix([])
    assert [c.key for c in matrix.columns] == ["overall"] and matrix.rows == ()


# -- across the generated formats --------------------------------------------------------------


def parsed(spec):
    variant = make_variant(spec)
    return variant, parse_report(variant.text, variant.name.removesuffix(".txt"))


@pytest.fixture(scope="module")
def five_formats():
    return [parsed(VariantSpec("Kent Police", 2015 + i, fmt)) for i, fmt in enumerate(FORMATS)]


def test_each_format_s_questions_land_in_their_meaning_s_column(five_formats):
    columns = align_questions({r.report_id: [j.area for j in r.judgments] for _, r in five_formats})
    assert columns[0].key == "overall"
    for variant, report in five_formats:
        assert {c.key for c in columns if c.heading(report.report_id) == "Overall"} == {"overall"}
        for heading, key in variant.questions.items():
            assert column_of(columns, report.report_id, heading).key == key, (variant.name, heading)
    for c in columns:
        ids = [r for r, _ in c.headings]
        assert len(ids) == len(set(ids))
    keys = [c.key for c in columns]
    assert keys.index("investigating") < keys.index("offenders")
    investigating = columns[keys.index("investigating")]
    assert len(investigating.headings) == len(FORMATS)  # 2015's joint question aligns here


def test_grades_matrix_of_a_library_matches_what_each_report_states():
    variants = [parsed(spec) for spec in library_specs()]
    matrix = grades_matrix([report_grades(r, v.force) for v, r in variants])
    keys = [c.key for c in matrix.columns]
    for (variant, report), row in zip(variants, matrix.rows, strict=True):
        assert row.report_id == report.report_id and row.label == variant.force
        for key in keys:
            cell = row.cells[keys.index(key)]
            if key == "overall":
                assert cell is not None and cell.grade == variant.grades["overall"]
            elif key in variant.grades:
                assert cell is not None and cell.grade == variant.grades[key], (variant.name, key)
                if cell.grade is not None:
                    assert cell.sentence and cell.section[0] in [s.heading for s in report.sections]
                    assert cell.start < cell.end
            else:  # a section the report left out, or a question its format never asked
                assert cell is None, (variant.name, key)


def library_specs():
    return [
        VariantSpec(
            "Merseyside Police", 2015, "2015", {"vulnerability": "Inadequate"}, ("serious_organised_crime",)
        ),
        VariantSpec("Kent Police", 2017, "2017", {"specialist": "Outstanding"}, ("preventing",)),
        VariantSpec(
            "Thames Valley Police", 2018, "2018", {"efficiency": "Requires improvement"}, ("vulnerability",)
        ),
        VariantSpec(
            "South Wales Police",
            2021,
            "2021",
            {"investigating": "Inadequate", "offenders": "Adequate", "preventing": "Good"},
            ("vulnerability",),
        ),
    ]
