"""Every year's layout read back: force, year and grades (tests/layout_reports.py), the
force list, HTML input and the ways a report states a grade."""

from __future__ import annotations

from pathlib import Path

import pytest

from layout_reports import LAYOUTS, generate, write
from peel_search.ingest import forces
from peel_search.ingest.corpus import read_corpus
from peel_search.ingest.html import extract_html
from peel_search.ingest.judgments import grades_table
from peel_search.ingest.metadata import NOT_FOUND, read_metadata
from peel_search.ingest.parse import parse_report

FAST = tuple(layout for layout in LAYOUTS if not layout.endswith(".pdf"))


def _read(tmp_path: Path, layout: str, seed: int):
    g = generate(layout, seed)
    write(g, tmp_path)
    files, _ = read_corpus(tmp_path)
    (f,) = files
    report = parse_report(
        f.text,
        f.report_id,
        page_numbers=f.page_numbers if f.source_format == "pdf" else None,
        headings=f.headings,
    )
    return g, f, report


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layout", FAST)
def test_each_layout_gives_its_metadata_and_every_stated_grade(tmp_path, layout, seed):
    g, f, report = _read(tmp_path, layout, seed)
    meta = read_metadata(f.text, f.path.name, f.report_id)
    assert (meta.force, meta.year, meta.period, meta.programme, meta.pillar) == (
        g.force,
        g.year,
        g.period,
        g.programme,
        g.pillar,
    )
    by_area = {j.area: j for j in report.judgments}
    for heading, grade in g.grades.items():
        j = by_area.get(heading)
        if grade is None:
            assert j is None or j.grade is None, (heading, j)
        else:
            assert j is not None and j.grade == grade, (heading, j)
            assert j.carried_from == g.carried.get(heading, "")
    assert {j.area for j in report.judgments if j.grade} <= set(g.grades) | {"Overall"}


def test_the_pdf_layout_reads_back_from_its_pdf(tmp_path):
    g, f, report = _read(tmp_path, "pdf-2015.pdf", 0)
    assert f.source_format == "pdf"
    meta = read_metadata(f.text, f.path.name, f.report_id)
    assert (meta.force, meta.year, meta.pillar) == (g.force, g.year, g.pillar)
    stated = {h: v for h, v in g.grades.items() if v}
    assert {j.area: j.grade for j in report.judgments if j.area in stated} == stated


# -- the force ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "official"),
    [
        ("An inspection of Dyfed Powys Police", "Dyfed-Powys Police"),
        ("Avon & Somerset PEEL 2016", "Avon and Somerset Constabulary"),
        ("Greater Manchester PEEL 2015", "Greater Manchester Police"),
        ("Thames Valley 2018/19", "Thames Valley Police"),
        (
            "PEEL 2023–2025: An inspection of Hampshire and Isle of Wight Constabulary",
            "Hampshire and Isle of Wight Constabulary",
        ),
        ("An inspection of the Metropolitan Police Service", "Metropolitan Police Service"),
    ],
)
def test_a_title_line_gives_the_official_name(line, official):
    found = forces.in_title_line(line)
    assert found is not None and found.name == official


def test_every_territorial_force_is_listed_once():
    names = [f.name for f in forces.FORCES]
    assert len(names) == len(set(names))
    territorial = [f.name for f in forces.FORCES[:43]]
    assert len(set(territorial)) == 43 and "British Transport Police" not in territorial
    assert {"Dyfed-Powys Police", "Avon and Somerset Constabulary", "British Transport Police"} <= set(names)


def test_a_title_without_the_force_falls_back_to_the_text_then_the_file_name():
    text = "PEEL 2021/22\n\nAn inspection of Police\n\nThe inspection found many things.\n"
    meta = read_metadata(text, "peel-2021-22-north-wales.txt", "x")
    assert (meta.force, dict(meta.origin)["force"]) == ("North Wales Police", "file name")
    body = text + "North Wales Police has plans. North Wales Police trains its staff.\n"
    meta = read_metadata(body, "report.txt", "x")
    assert (meta.force, dict(meta.origin)["force"]) == ("North Wales Police", "text")


def test_a_field_found_nowhere_is_empty_and_says_so():
    meta = read_metadata("Some notes about a meeting.\n", "notes.txt", "x")
    assert (meta.force, meta.programme, meta.pillar, meta.year) == ("", "", "", None)
    assert dict(meta.origin)["force"] == NOT_FOUND and dict(meta.origin)["year"] == NOT_FOUND


# -- HTML -------------------------------------------------------------------------------------


def test_html_keeps_the_report_and_drops_the_site_frame():
    g = generate("html-2021", 3)
    assert isinstance(g.content, bytes)
    page = extract_html(g.content)
    for frame in ("We use cookies", "Skip to main content", "Related publications", "Crown copyright"):
        assert frame not in page.text
    headings = [page.text[s:e] for s, e in page.headings]
    assert "Investigating crime" in headings and "Areas for improvement" in headings
    table = next(p for p in page.text.split("\n\n") if p.startswith("Outstanding\t"))
    assert table.split("\n")[0].split("\t") == [
        "Outstanding",
        "Good",
        "Adequate",
        "Requires improvement",
        "Inadequate",
    ]
    # The in-page contents list is navigation: its links are not the report's text.
    assert page.text.count("Strategic planning, organisational management and value for money") == 2


def test_a_page_with_no_text_is_skipped_with_a_reason(tmp_path):
    (tmp_path / "empty.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (tmp_path / "ok.txt").write_text("A report of some length about policing in the county.\n")
    files, notes = read_corpus(tmp_path)
    assert [f.path.name for f in files] == ["ok.txt"]
    assert notes[0].name == "empty.html" and notes[0].message.startswith("skipped: no report text")


# -- how grades are stated ----------------------------------------------------------------------


def _grades(text: str) -> dict[str, tuple[str | None, str, str]]:
    return {j.area: (j.grade, j.source, j.carried_from) for j in parse_report(text, "x").judgments}


def test_a_date_line_between_the_heading_and_its_grade():
    text = (
        "How legitimate is the force at keeping people safe and reducing crime?\n\n"
        "Last updated 02/05/2019\n\nOutstanding\n\nThe force treats people fairly.\n\n"
        "How efficient is the force at keeping people safe and reducing crime?\n\n"
        "Last updated 02/05/2019\nRequires improvement\n\nThe force has plans.\n"
    )
    got = _grades(text)
    assert got["How legitimate is the force at keeping people safe and reducing crime?"][0] == "Outstanding"
    assert (
        got["How efficient is the force at keeping people safe and reducing crime?"][0]
        == "Requires improvement"
    )


def test_wordings_of_later_years():
    text = (
        "Effectiveness\n"
        "How effective is the force at keeping people safe and reducing crime?\n"
        "How effective is the force at tackling serious and organised crime?\n"
        "Kent Police is judged to require improvement in tackling serious and organised crime. It has plans.\n"
        "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?\n"
        "Overall, Kent Police remains outstanding at protecting those who are vulnerable from harm.\n"
    )
    got = _grades(text)
    assert (
        got["How effective is the force at tackling serious and organised crime?"][0]
        == "Requires improvement"
    )
    vulnerable = (
        "How effective is the force at protecting those who are vulnerable from harm, and supporting victims?"
    )
    assert got[vulnerable][0] == "Outstanding"


def test_praise_of_one_thing_is_not_another_questions_grade():
    text = (
        "Effectiveness\n"
        "How effective is the force at keeping people safe and reducing crime?\n"
        "How effective is the force at investigating crime and reducing re-offending?\n"
        "Kent Police is good at preventing crime in rural areas. It has plans for investigations.\n"
        "How effective is the force at tackling serious and organised crime?\n"
        "Requires improvement\n"
        "The force provides a good service to some victims of organised crime.\n"
    )
    got = _grades(text)
    assert (
        got.get("How effective is the force at investigating crime and reducing re-offending?", (None,))[0]
        is None
    )
    assert (
        got["How effective is the force at tackling serious and organised crime?"][0]
        == "Requires improvement"
    )


def test_a_grade_carried_over_from_an_earlier_year_is_marked_so():
    text = (
        "How effectively does the force reduce crime and keep people safe?\n\n"
        "Kent Police is good at reducing crime and keeping people safe.\n\n"
        "In 2017/18, we judged Kent Police to be outstanding at preventing crime and tackling anti-social behaviour.\n\n"
        "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?\n\n"
        "This question was not subject to detailed inspection in 2018/19, and our judgment has been carried over.\n\n"
        "How effective is the force at investigating crime and reducing re-offending?\n\n"
        "This question was not subject to detailed inspection in 2018/19.\n"
    )
    got = _grades(text)
    preventing = "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?"
    assert got[preventing] == ("Outstanding", "carried over", "2017/18")
    assert got["How effective is the force at investigating crime and reducing re-offending?"][0] is None


def test_the_table_of_areas_by_grade_both_ways():
    columns = [
        ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"],
        ["–", "Investigating crime; Responding to the public", "Managing offenders", "–", "–"],
    ]
    assert grades_table(columns) == [
        ("Investigating crime", "Good"),
        ("Responding to the public", "Good"),
        ("Managing offenders", "Adequate"),
    ]
    assert grades_table([["Investigating crime", "Adequate"], ["Figure 1", "12%"]]) == [
        ("Investigating crime", "Adequate")
    ]
    assert grades_table([["Crime type", "2019", "2020"], ["Burglary", "Good", "Bad"]]) == []


def test_a_sentence_ending_on_a_grade_grades_its_subject_not_the_whole_pillar():
    text = (
        "Testshire PEEL 2018\n\n"
        "How legitimately does the force treat the public and its workforce?\n\n"
        "Last updated 03/04/2019\n\n"
        "Testshire Police deals fairly with most people it meets.\n\n"
        "The force's handling of complaints made by its own staff requires improvement.\n\n"
        "How effective is the force at keeping people safe and reducing crime?\n\n"
        "Overall, the effectiveness of Testshire Police is good.\n"
    )
    got = _grades(text)
    assert got["How legitimately does the force treat the public and its workforce?"][0] is None
    assert got["How effective is the force at keeping people safe and reducing crime?"][0] == "Good"


def test_an_earlier_grade_for_another_pillar_is_not_carried_over():
    text = (
        "Testshire 2017\n\n"
        "How effective is the force at keeping people safe and reducing crime?\n\n"
        "To be graded\n\n"
        "How efficient is the force at keeping people safe and reducing crime?\n\n"
        "Last updated 09/11/2017\n\nRequires improvement\n\n"
        "Testshire Police has been assessed as requiring improvement in the efficiency with which it keeps "
        "people safe and reduces crime. In 2016, HMICFRS assessed Testshire Police as good for the efficiency "
        "with which it keeps people safe and reduces crime.\n"
    )
    got = _grades(text)
    assert got["How effective is the force at keeping people safe and reducing crime?"][0] is None
    assert (
        got["How efficient is the force at keeping people safe and reducing crime?"][0]
        == "Requires improvement"
    )


# -- metadata from a page with no title page ----------------------------------------------------


def _meta(text: str, name: str = "report.txt"):
    return read_metadata(text, name, "x")


def test_an_overview_page_counts_its_peel_years():
    text = (
        "Northshire 2016\nRead more about NorthshireThis is HMIC's third PEEL (police effectiveness, "
        "efficiency and legitimacy) assessment of Northumbria Police. It tells you how the force is doing.\n"
    )
    meta = _meta(text)
    assert (meta.force, meta.programme, meta.period) == ("Northumbria Police", "PEEL", "2016")
    opening = "In making this first PEEL Assessment of Cumbria I have looked at the county's roads.\n"
    meta = _meta(opening)
    assert (meta.force, meta.year, meta.programme) == ("Cumbria Constabulary", 2014, "PEEL")


def test_an_opening_with_no_title_gives_its_period_from_the_assessment_framework():
    text = (
        "Overall summary\nOur judgments\n"
        "Our inspection looked at how good Suffolk Constabulary is in ten areas of policing and graded nine.\n"
        "We also looked at the service Suffolk Constabulary gives to victims, which we do not grade.\n"
        "Important changes to PEEL\n"
        "We now judge forces against the characteristics of good performance in the PEEL Assessment "
        "Framework 2021/22, and link our judgments to causes of concern.\n"
    )
    meta = _meta(text)
    assert (meta.force, meta.year, meta.period, meta.programme) == (
        "Suffolk Constabulary",
        2021,
        "2021/22",
        "PEEL",
    )


def test_an_inspection_of_a_force_in_a_run_on_line():
    text = (
        "PEEL: Police effectiveness, efficiency and legitimacy 2018/19\n\n"
        "PEEL Police effectiveness, efficiency and legitimacy 2018/19 An inspection of Norfolk Constabulary "
        "Contents What this report contains 1 Force in context 3 Overall summary 4 Effectiveness 8\n"
    )
    meta = _meta(text)
    assert (meta.force, meta.period, meta.pillar) == (
        "Norfolk Constabulary",
        "2018/19",
        "Police effectiveness, efficiency and legitimacy",
    )


def test_a_page_about_many_forces_is_no_one_forces_report():
    lines = [
        "PEEL: police legitimacy 2017 – force press releases",
        "As part of our yearly inspections we looked at how fairly every force treats the people it serves. "
        "Below are the notes that went with the reports.",
        "- The force judged as outstanding is Surrey Police.",
        "- The forces judged as requiring improvement are Dorset Police, Wiltshire Police and Gwent Police.",
        "- All other forces were judged as good.",
        "Please open each heading below to read the note for each force and a link to its report.",
        "PEEL: Police legitimacy 2017 – Cheshire Constabulary",
        "Cheshire Constabulary treats people fairly. Cheshire Constabulary listens to its staff.",
    ]
    meta = _meta("\n".join(lines) + "\n")
    assert (meta.force, meta.period, meta.pillar) == ("", "2017", "Police legitimacy")


def test_a_pillar_page_names_its_pillar_by_its_question():
    text = "Gwent PEEL 2016\n\n\nHow legitimate is the force at keeping people safe and reducing crime?\n\nGood\n"
    meta = _meta(text)
    assert (meta.force, meta.pillar, meta.period) == ("Gwent Police", "Police legitimacy", "2016")
    lowered = "peel: police efficiency, legitimacy and leadership\n\nAn inspection of Gwent Police\n\nNovember 2017\n"
    assert _meta(lowered).pillar == "Police efficiency, legitimacy and leadership"
    assert _meta("Upload: someone\n\nA page about a meeting.\n").programme == ""


def test_carried_grades_in_other_word_orders_and_on_a_page_cut_short():
    text = (
        "Northshire PEEL 2018\n\n"
        "How effectively does the force reduce crime and keep people safe?\n\n"
        "Last updated 04/06/2019\n\n"
        "Overall, Northumbria Police is good at reducing crime and keeping people safe.\n\n"
        "In 2016, we judged the force's effectiveness at preventing and tackling anti-social behaviour to be "
        "outstanding. We also judged the force's effectiveness at tackling serious and organised crime to be "
        "good. In 2017, we judged as inadequate the force's effectiveness at investigating crime.\n\n"
        "Questions for Ef\n"
    )
    got = _grades(text)
    assert got["Preventing and tackling anti-social behaviour"] == ("Outstanding", "carried over", "2016")
    assert got["Tackling serious and organised crime"] == ("Good", "carried over", "2016")
    assert got["Investigating crime"] == ("Inadequate", "carried over", "2017")


def test_how_a_pillars_grade_changed_is_no_area_and_to_be_graded_stays_ungraded():
    text = (
        "Northshire 2017\n\n"
        "How effective is the force at keeping people safe and reducing crime?\n\n"
        "To be graded\n\n"
        "In 2016, we judged the force to be good at keeping people safe and reducing crime.\n\n"
        "How efficient is the force at keeping people safe and reducing crime?\n\n"
        "Last updated 09/11/2017\n\nRequires improvement\n\n"
        "In 2016, we judged the force to be good in the efficiency with which it keeps people safe.\n"
    )
    got = _grades(text)
    assert got["How effective is the force at keeping people safe and reducing crime?"][0] is None
    assert {area for area, (grade, _, _) in got.items() if grade} == {
        "How efficient is the force at keeping people safe and reducing crime?"
    }


def test_a_carried_grade_is_a_questions_never_a_pillars_and_may_come_as_a_list():
    text = (
        "Southshire PEEL 2018\n\n"
        "How legitimately does the force treat the public and its workforce?\n\n"
        "Last updated 27/09/2019\n\n"
        "On the whole the force deals with people fairly and lawfully.\n\n"
        "In 2017, we judged Sussex Police to be good at treating the public and its workforce fairly.\n\n"
        "How effectively does the force reduce crime and keep people safe?\n\n"
        "Sussex Police is good at reducing crime and keeping people safe.\n\n"
        "In 2017, we assessed the force as outstanding at:\n\n"
        "- preventing crime and tackling anti-social behaviour; and\n- tackling serious and organised crime.\n\n"
        "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?\n\n"
        "This question was not subject to detailed inspection in 2018/19, and our judgment has been carried over.\n"
    )
    got = _grades(text)
    assert got["How legitimately does the force treat the public and its workforce?"][0] is None
    preventing = "How effective is the force at preventing crime, tackling anti-social behaviour and keeping people safe?"
    assert got[preventing] == ("Outstanding", "carried over", "2017")
    assert got["Tackling serious and organised crime"] == ("Outstanding", "carried over", "2017")


def test_a_force_the_list_does_not_know_is_still_the_force_when_a_sentence_ends_on_its_grade():
    text = (
        "How effective is the force at keeping people safe and reducing crime?\n\n"
        "Overall, Testshire Constabulary requires improvement.\n\n"
        "How effective is the force at keeping people safe?\n\n"
        "Testshire Constabulary is good at keeping people safe.\n"
    )
    got = _grades(text)
    assert (
        got["How effective is the force at keeping people safe and reducing crime?"][0]
        == "Requires improvement"
    )
    assert got["How effective is the force at keeping people safe?"][0] == "Good"
