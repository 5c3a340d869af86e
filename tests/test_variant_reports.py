"""The variant-report generator (tests/variant_reports.py): what it writes matches the ground
truth it returns, so parser tests can trust that ground truth. Fast: no models, no index."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache

import pytest

from variant_reports import (
    BUNDLED,
    FORCES,
    FORMATS,
    GRADES,
    HEADINGS,
    Variant,
    VariantSpec,
    _generated,
    library,
    make_variant,
    write_library,
)

WEST_MIDLANDS = FORCES[0]
WEST_MIDLANDS_NAMES = ("West Midlands", "WMP", "west-midlands", WEST_MIDLANDS.district, *WEST_MIDLANDS.places)
_GRADE_WORDING = re.compile(
    r"\b(?:is|to be)\s+(outstanding|good|adequate|inadequate)\b(?=\s+at\b|;|,|\.|\s+but\b|\s+and\b)"
    r"|\b(requires improvement)\b|\bto (require improvement)\b",
    re.I,
)


@cache
def variants() -> tuple[Variant, ...]:
    return tuple(library(12))


@cache
def bundled_variant() -> Variant:
    return make_variant(VariantSpec("West Midlands Police", 2015))


def all_variants() -> tuple[Variant, ...]:
    return (bundled_variant(), *variants())


def contents_lines(text: str) -> list[str]:
    return text.split("Contents\n\n", 1)[1].split("\n\n", 1)[0].split("\n")


def body_of(text: str) -> str:
    return text.split("Contents\n\n", 1)[1].split("\n\n", 1)[1]


def similar(a: str, b: str) -> float:
    """The parser's title comparison: letters and digits only, difflib ratio."""
    ka, kb = (re.sub(r"[^a-z0-9]+", "", s.lower()) for s in (a, b))
    return SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def section_texts(v: Variant) -> dict[str, str]:
    """Each question's body section (from its last heading line to the next one), and the
    overall verdict region (overview heading to the overall summary paragraph)."""
    body = body_of(v.text)
    starts = {}
    for heading, key in v.questions.items():
        found = [m.start() for m in re.finditer(rf"(?m)^{re.escape(heading)}$", body)]
        assert found, heading
        starts[key] = found[-1]
    ends = sorted([*starts.values(), body.index("\nAnnex A")])
    out = {key: body[s : min(e for e in ends if e > s)] for key, s in starts.items()}
    out["overall"] = body[: body.index("Force priorities demonstrate")]
    return out


def stated_grades(section: str) -> set[str]:
    """Grade lines and grade wording in a section (the 2014 crime inspection's grade excepted)."""
    lines = {line.strip() for line in section.split("\n")}
    found = {g for g in GRADES if g in lines}
    for sentence in re.split(r"(?<=[.?])\s+", section):
        if "crime inspection where" in sentence:
            continue
        for m in _GRADE_WORDING.finditer(sentence):
            word = next(g for g in m.groups() if g).lower().replace("require ", "requires ")
            found.add(next(g for g in GRADES if g.lower() == word))
    return found


def test_bundled_spec_reproduces_the_bundled_report_exactly():
    v = bundled_variant()
    assert v.text == BUNDLED.read_text(encoding="utf-8")
    assert v.name == BUNDLED.name
    assert v.programme == "PEEL: Police effectiveness"
    assert v.published == "February 2016"
    assert v.grades == {
        "overall": "Good",
        "preventing": "Good",
        "investigating": None,
        "vulnerability": "Requires improvement",
        "serious_organised_crime": "Good",
    }
    assert set(v.questions.values()) == {
        "preventing",
        "investigating",
        "vulnerability",
        "serious_organised_crime",
    }


def test_output_is_deterministic():
    again = library(12)
    assert [v.text for v in again] == [v.text for v in variants()]
    spec = VariantSpec("Kent Police", 2017, "2017", {"investigating": "Good"}, ("preventing",))
    assert make_variant(spec) == make_variant(spec)


@pytest.mark.parametrize("index", range(12))
def test_no_west_midlands_name_or_place_left_in_another_force(index):
    v = variants()[index]
    if v.force == WEST_MIDLANDS.name:
        pytest.skip("a West Midlands variant")
    left = [name for name in WEST_MIDLANDS_NAMES if name in v.text]
    assert not left, f"{v.name} still says {left}"
    assert f"An inspection of {v.force}\n" in v.text
    assert all(place in v.text for place in v.places)


def test_every_question_heading_is_in_the_contents_list_and_a_body_heading():
    for v in all_variants():
        titles = [line.rpartition("\t")[0] or line for line in contents_lines(v.text)]
        body_lines = set(body_of(v.text).split("\n"))
        for heading in v.questions:
            assert heading in body_lines, (v.name, heading)
            if v.text.startswith("\n\nPEEL: Police effectiveness") and "including its" in heading:
                # the bundled contents list's own PDF typos ("includin", a missing comma) are kept
                assert max(similar(heading, t) for t in titles) >= 0.86, (v.name, heading)
            elif "protecting from harm" in heading:
                assert max(similar(heading, t) for t in titles) >= 0.86, (v.name, heading)
            else:
                assert heading in titles, (v.name, heading)


def test_each_format_rewords_every_question_heading():
    old = HEADINGS["2015"]
    for fmt in FORMATS[1:]:
        v = make_variant(VariantSpec("Kent Police", 2015, fmt))
        lines = set(v.text.split("\n"))
        for key, heading in HEADINGS[fmt].items():
            if key in old:
                assert heading != old[key], (fmt, key)
        for heading in old.values():
            assert heading not in lines, (fmt, heading)
            assert f"{heading}\t" not in v.text, (fmt, heading)


@pytest.mark.parametrize("index", range(13))
def test_grades_in_the_text_are_the_ground_truth(index):
    v = all_variants()[index]
    sections = section_texts(v)
    for key, grade in v.grades.items():
        expected = set() if grade is None else {grade}
        assert stated_grades(sections[key]) == expected, (v.name, key)


def test_a_grade_for_an_ungraded_question_adds_a_grade_line():
    v = make_variant(VariantSpec("Kent Police", 2015, grades={"investigating": "Inadequate"}))
    assert v.grades["investigating"] == "Inadequate"
    assert "Summary of findings\n\n\n\nInadequate\n\nThe force generally conducts" in v.text


def test_grade_wording_is_grammatical():
    ri = make_variant(
        VariantSpec(
            "Kent Police",
            2016,
            "2016",
            {"overall": "Requires improvement", "preventing": "Requires improvement"},
        )
    )
    assert "Kent Police requires improvement in preventing crime" in ri.text
    assert "HMIC judges that Kent Police requires improvement in keeping people safe" in ri.text
    assert "Kent Police is judged to require improvement in keeping people safe" in ri.text
    adequate = make_variant(VariantSpec("Kent Police", 2021, "2021", {"preventing": "Adequate"}))
    assert "Kent Police is adequate at preventing crime" in adequate.text
    bad = make_variant(VariantSpec("Kent Police", 2015, grades={"vulnerability": "Inadequate"}))
    assert "overall HMIC judges the force to be inadequate." in bad.text


def test_dropped_sections_are_absent():
    dropped = [v for v in variants() if v.dropped]
    assert dropped
    for v in dropped:
        fmt = next(f for f in FORMATS if set(HEADINGS[f].values()) >= set(v.questions))
        for key in v.dropped:
            assert key not in v.grades and key not in v.questions.values()
            for heading in (HEADINGS[fmt][key], HEADINGS["2015"].get(key, "\0")):
                assert heading not in v.text, (v.name, key)
    merseyside = next(v for v in variants() if v.force == "Merseyside Police")
    assert merseyside.dropped == ("serious_organised_crime",)
    assert "How well does the force understand the threat and risk posed by serious" not in merseyside.text
    assert "organised crime groups" not in body_of(merseyside.text).split("Force in numbers")[0]


def test_years_and_publication_move_with_the_inspection_year():
    v = make_variant(VariantSpec("Greater Manchester Police", 2016))
    assert v.text.startswith(
        "\n\nPEEL: Police effectiveness 2016\n\nAn inspection of Greater Manchester Police\n"
    )
    assert "\nFebruary 2017\n\n© HMIC 2017\n" in v.text
    assert "12 months to 30 June 2016" in v.text and "30 June 2014" not in v.text
    assert "12 months to 30 June 2010" in v.text  # the baseline stays
    assert "HMIC's 2015 crime inspection" in v.text
    assert "Crime Outcomes in England* and *Wales 2015/16" in v.text
    assert "Code of Practice for Victims of Crime, Ministry of Justice, October 2015" in v.text
    assert "ISBN: 978-1-78655-012-5" in v.text and "66,629" in v.text  # not years


@pytest.mark.parametrize(
    ("fmt", "year", "title", "programme"),
    [
        ("2016", 2016, "PEEL: Police effectiveness 2016\n", "PEEL: Police effectiveness"),
        ("2017", 2017, "PEEL: Police effectiveness 2017\n", "PEEL: Police effectiveness"),
        (
            "2018",
            2018,
            "PEEL: Police effectiveness, efficiency and legitimacy 2018/19\n",
            "PEEL: Police effectiveness, efficiency and legitimacy",
        ),
        (
            "2021",
            2021,
            "PEEL 2021/22\n\nPolice effectiveness, efficiency and legitimacy\n\nAn inspection of Kent Police\n",
            "PEEL",
        ),
    ],
)
def test_title_page_per_format(fmt, year, title, programme):
    v = make_variant(VariantSpec("Kent Police", year, fmt, published=f"May {year + 1}"))
    assert v.text.startswith("\n\n" + title)
    assert v.programme == programme and v.published == f"May {year + 1}"
    assert f"\nMay {year + 1}\n" in v.text
    assert v.name.startswith(f"peel-{year}-") and v.name.endswith("-kent.txt")


def test_format_2021_states_no_overall_grade():
    v = make_variant(VariantSpec("Kent Police", 2021, "2021"))
    assert v.grades["overall"] is None
    assert "Overall judgment" not in v.text
    with pytest.raises(ValueError, match="no overall grade"):
        make_variant(VariantSpec("Kent Police", 2021, "2021", {"overall": "Good"}))


@pytest.mark.parametrize(
    "spec",
    [
        VariantSpec("Atlantis Police", 2016),
        VariantSpec("Kent Police", 2016, "2019"),
        VariantSpec("Kent Police", 2016, "2016", {"preventing": "Adequate"}),
        VariantSpec("Kent Police", 2016, "2016", {"efficiency": "Good"}),
        VariantSpec("Kent Police", 2016, "2016", {"preventing": "good"}),
        VariantSpec("Kent Police", 2016, "2016", drop=("overall",)),
        VariantSpec("Kent Police", 2016, published="spring"),
    ],
)
def test_bad_specs_are_refused(spec):
    with pytest.raises(ValueError):
        make_variant(spec)


def test_library_covers_every_format_and_grade():
    ten = library(10)
    formats = {next(f for f in FORMATS if set(HEADINGS[f].values()) >= set(v.questions)) for v in ten}
    assert formats == set(FORMATS)
    assert {g for v in ten for g in v.grades.values() if g} == set(GRADES)
    assert any(v.dropped for v in ten)
    assert len({v.name for v in ten}) == 10


def test_library_names_stay_distinct_past_the_curated_list():
    names = [v.name for v in library(12)]
    assert len(set(names)) == 12
    # names follow from (year, format, force): check well past the 45-spec cycle without rendering
    keys = {(s.year, s.fmt in {"2018", "2021"}, s.force) for s in map(_generated, range(200))}
    assert len(keys) == 200


def test_write_library_writes_the_bundled_report_and_n_variants(tmp_path):
    paths = write_library(tmp_path / "corpus", 5)
    assert len(paths) == 6 and len({p.name for p in paths}) == 6
    assert paths[0].read_bytes() == BUNDLED.read_bytes()
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == sorted(p.name for p in paths)
    assert paths[1].read_text(encoding="utf-8") == variants()[0].text
    assert len(write_library(tmp_path / "only", 2, include_bundled=False)) == 2
