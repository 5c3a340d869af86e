"""The parser on the real report: section tree, pages, judgments, footnotes, tables and figures,
residue; and on small synthetic reports for the cases the real one does not have.

Expected headings, pages and footnote texts below were read off the report text
(corpus/peel-2015-effectiveness-west-midlands.txt) and its contents list.
"""

from __future__ import annotations

import re
import statistics

import pytest

from fakes import INVESTIGATING, SOC, VULNERABLE
from peel_search.ingest.contents import parse_contents_lines, title_similarity
from peel_search.ingest.parse import parse_report, split_paragraphs
from peel_search.ingest.text import SUPERSCRIPT_RE, fold_whitespace, passage_text
from peel_search.types import ContentsEntry

OVERVIEW = "Overview – How well does the force keep people safe and reduce crime?"
PREVENTING = (
    "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?"
)
ANNEX = "Annex A – HMIC judgments"
INVESTIGATE_VICTIMS = "How well does the force investigate crime and keep victims safe and informed?"
MANAGE_OFFENDERS = "How well does the force identify and manage offenders to prevent re-offending?"
SOC_THREAT = "How well does the force understand the threat and risk posed by serious and organised crime?"


def body_section(report, heading, level=None):
    """The one section with this heading (at this level, when the overview repeats it)."""
    found = [s for s in report.sections if s.heading == heading and (level is None or s.level == level)]
    assert len(found) == 1, f"{heading!r}: {[(s.index, s.level) for s in found]}"
    return found[0]


def chunk_keep(report, chunk):
    """How chunk.py folds a chunk's text: tables keep tabs, chunks holding a list keep items."""
    if chunk.kind == "table":
        return "table"
    if chunk.kind == "text":
        for block in report.blocks:
            if block.kind == "list" and any(
                s < be and bs < e for s, e in chunk.spans for bs, be in block.spans
            ):
                return "list"
    return "prose"


# -- the section tree -------------------------------------------------------------------------


def test_report_title_and_force(report):
    assert report.title == "PEEL: Police effectiveness 2015"
    assert report.force == "West Midlands Police"


def test_top_level_sections_in_order(report):
    assert [s.heading for s in report.sections if s.level == 1] == [
        OVERVIEW,
        "Force in numbers",
        "Introduction",
        PREVENTING,
        INVESTIGATING,
        VULNERABLE,
        SOC,
        ANNEX,
    ]
    assert all(s.parent is None for s in report.sections if s.level == 1)


@pytest.mark.parametrize(
    ("parent", "children"),
    [
        (
            PREVENTING,
            [
                "How much crime and anti-social behaviour is there in the West Midlands?",
                "How well does the force work to prevent crime and antisocial behaviour, and keep people safe?",
                "How well does the force work with partners to prevent crime and anti-social behaviour, "
                "and keep people safe?",
                "Summary of findings",
                "Areas for improvement",
            ],
        ),
        (
            INVESTIGATING,
            [INVESTIGATE_VICTIMS, MANAGE_OFFENDERS, "Summary of findings", "Areas for improvement"],
        ),
        (VULNERABLE, ["Summary of findings"]),
        (
            SOC,
            [
                SOC_THREAT,
                "How effectively does the force respond to serious and organised crime?",
                "How effectively is the force working with partners to prevent serious and organised crime?",
                "How effective are the arrangements in place to ensure that the force can fulfil its national "
                "policing responsibilities?",
                "Summary of findings",
                "Areas for improvement",
            ],
        ),
    ],
)
def test_level_two_sections_sit_under_their_peel_question(report, parent, children):
    top = body_section(report, parent, level=1)
    found = [s.heading for s in report.children(top.index)]
    assert all(s.level == 2 for s in report.children(top.index))
    # Every expected child, in this order (other unlisted sub-questions may sit between).
    positions = [found.index(c) for c in children]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("heading", "parent"),
    [
        ("How much crime and anti-social behaviour is there in the West Midlands?", PREVENTING),
        ("How satisfied are victims of crime with the service provided by the force?", INVESTIGATE_VICTIMS),
        ("How well does the force gather digital evidence?", INVESTIGATE_VICTIMS),
        ("How well does the force deal with repeat offenders?", MANAGE_OFFENDERS),
        (
            "How well is the force prioritising the prevention of crime and anti-social behaviour?",
            "How well does the force work to prevent crime and antisocial behaviour, and keep people safe?",
        ),
    ],
)
def test_deeper_questions_sit_under_the_right_parent(report, heading, parent):
    section = body_section(report, heading)
    parent_section = report.sections[section.parent]
    assert parent_section.heading == parent
    assert section.level == parent_section.level + 1
    assert section.path == (*parent_section.path, heading)


def test_overall_judgment_and_summary_sit_under_the_overview(report):
    overview = body_section(report, OVERVIEW)
    assert [s.heading for s in report.children(overview.index)] == ["Overall judgment", "Summary"]


def test_tree_is_well_formed(report, source_text):
    for s in report.sections:
        assert s.index == report.sections.index(s)
        assert 0 <= s.start < s.heading_end <= s.end <= len(source_text)
        if s.parent is None:
            assert s.level == 1 and s.path == (s.heading,)
        else:
            parent = report.sections[s.parent]
            assert parent.index < s.index
            assert parent.level < s.level
            assert parent.start <= s.start and s.end <= parent.end
            assert s.path == (*parent.path, s.heading)
        assert fold_whitespace(source_text[s.start : s.heading_end].replace("¹", "")) == s.heading


@pytest.mark.parametrize(
    ("heading", "page"),
    [
        (OVERVIEW, 3),
        ("Overall judgment", 3),
        ("Force in numbers", 8),
        ("Introduction", 10),
        (PREVENTING, 12),
        (
            "How well does the force work with partners to prevent crime and anti-social behaviour, and keep "
            "people safe?",
            17,
        ),
        (INVESTIGATING, 20),
        (INVESTIGATE_VICTIMS, 22),
        (MANAGE_OFFENDERS, 26),
        (SOC_THREAT, 35),
        ("How effectively does the force respond to serious and organised crime?", 37),
        (
            "How effective are the arrangements in place to ensure that the force can fulfil its national "
            "policing responsibilities?",
            39,
        ),
        (ANNEX, 42),
    ],
)
def test_pages_come_from_the_contents_list(report, heading, page):
    section = next(s for s in report.sections if s.heading == heading and s.in_contents)
    assert section.page == page


def test_contents_entries_with_garbled_pages_still_match_their_headings(report):
    # Listed as "... and leading people safe?\t•": matched despite the typo, page unknown.
    prevent = body_section(
        report,
        "How well does the force work to prevent crime and antisocial behaviour, and keep people safe?",
    )
    assert prevent.in_contents
    assert 12 <= prevent.page <= 17
    # Listed as "... includin its arrangements ...\t_".
    assert body_section(report, SOC, level=1).in_contents
    assert body_section(report, MANAGE_OFFENDERS).in_contents


def test_section_pages_never_go_backwards(report):
    pages = [s.page for s in report.sections]
    assert pages == sorted(pages)


def test_contents_list_is_read_but_is_not_content(report, chunks, source_text):
    assert len(report.contents) == 22
    assert report.contents[4] == ContentsEntry("Introduction", 10)
    first_heading = body_section(report, OVERVIEW)
    contents_at = source_text.index("Contents")
    assert contents_at < first_heading.start
    assert any(a <= contents_at and first_heading.start - 2 <= b for a, b in report.dropped)
    for chunk in chunks:
        assert chunk.start >= first_heading.start
        for line in chunk.text.split("\n"):
            assert not re.search(r"\t(\d{1,3}|•|_|\? \d+)$", line), line
            assert not re.fullmatch(r"\s*\d{1,3}\s*", line), line
        assert "Introduction\t10" not in chunk.text
        assert "Annex A – HMIC judgments\t42" not in chunk.text


def test_parse_contents_lines_handles_pdf_garbling():
    entries = parse_contents_lines(
        [
            "Introduction\t10",
            "How well does the force identify and manage offenders to prevent re-offending\t? 26",
            "How well does the force work to prevent crime\t•",
            "How effective is the force at tackling serious and organised crime?\t_",
            "",
            "Annex A – HMIC judgments 42",
        ]
    )
    assert entries == [
        ContentsEntry("Introduction", 10),
        ContentsEntry("How well does the force identify and manage offenders to prevent re-offending?", 26),
        ContentsEntry("How well does the force work to prevent crime", None),
        ContentsEntry("How effective is the force at tackling serious and organised crime?", None),
        ContentsEntry("Annex A – HMIC judgments", 42),
    ]


def test_title_similarity_tolerates_typos_but_not_other_titles():
    assert title_similarity("Summary of findings", "Summary of Findings") == 1.0
    assert (
        title_similarity(
            "How effective is the force at tackling serious and organised crime, includin its arrangements",
            "How effective is the force at tackling serious and organised crime, including its arrangements",
        )
        >= 0.86
    )
    assert title_similarity("Introduction", "Force in numbers") < 0.86
    assert title_similarity("", "Introduction") == 0.0


# -- judgments --------------------------------------------------------------------------------


def test_judgments_are_overall_then_each_peel_question(report):
    assert [j.area for j in report.judgments] == ["Overall", PREVENTING, INVESTIGATING, VULNERABLE, SOC]


def test_explicit_grade_lines(report):
    overall, _, _, vulnerable, _ = report.judgments
    assert overall.grade == "Good"
    assert overall.source == "grade line"
    assert (
        overall.sentence
        == "Overall West Midlands Police is judged to be good at keeping people safe and reducing crime."
    )
    assert report.sections[overall.section].path == (OVERVIEW, "Overall judgment")

    assert vulnerable.grade == "Requires improvement"
    assert vulnerable.source == "grade line"
    assert vulnerable.sentence == (
        "Given the scale of the challenge in this area and risk that is posed to some of the most "
        "vulnerable people overall HMIC judges that the force requires improvement."
    )
    assert report.sections[vulnerable.section].path == (VULNERABLE, "Summary of findings")


def test_grades_from_summary_wording(report):
    _, preventing, _, _, soc = report.judgments
    assert preventing.grade == "Good"
    assert preventing.source == "summary wording"
    assert preventing.sentence == (
        "West Midlands Police is good at preventing crime and anti-social behaviour and keeping people safe."
    )
    assert report.sections[preventing.section].path == (PREVENTING, "Summary of findings")
    assert soc.grade == "Good"
    assert soc.source == "summary wording"
    assert soc.sentence.startswith(
        "West Midlands Police's overall response to tackling organised crime groups is good"
    )
    assert report.sections[soc.section].path == (SOC, "Summary of findings")


def test_investigating_has_no_stated_grade_and_none_is_guessed(report):
    investigating = report.judgments[2]
    assert investigating.grade is None
    assert investigating.source == "not stated"
    assert investigating.sentence == ""


def test_judgment_sentences_are_in_the_report(report, source_text):
    folded = fold_whitespace(source_text)
    for j in report.judgments:
        if j.grade is not None:
            assert j.sentence in folded
            assert j.sentence in passage_text(source_text, [(j.start, j.end)], report.markers)


SYNTHETIC_PREFIX = "How effective is the force at keeping people safe?\n\n"


@pytest.mark.parametrize(
    ("body", "grade", "source"),
    [
        (
            "Summary of findings\n\nInadequate\n\nThe force is inadequate at keeping people safe.\n",
            "Inadequate",
            "grade line",
        ),
        (
            "Summary of findings\n\nThe force is judged to be outstanding at keeping people safe.\n",
            "Outstanding",
            "summary wording",
        ),
        (
            "Summary of findings\n\nHMIC judges that the force requires improvement in this area.\n",
            "Requires improvement",
            "summary wording",
        ),
        (
            "Summary of findings\n\nThe force works with partners. Officers are well trained.\n",
            None,
            "not stated",
        ),
        ("Summary of findings\n\nGood partnership work was seen in several areas.\n", None, "not stated"),
    ],
)
def test_synthetic_judgments_are_read_never_guessed(body, grade, source):
    report = parse_report(SYNTHETIC_PREFIX + body, "synthetic")
    assert len(report.judgments) == 2  # overall (not stated) and the one PEEL question
    overall, area = report.judgments
    assert overall.grade is None and overall.source == "not stated"
    assert area.area == "How effective is the force at keeping people safe?"
    assert (area.grade, area.source) == (grade, source)


# -- footnotes and markers --------------------------------------------------------------------


def test_all_nineteen_footnotes_are_found(report):
    assert [f.number for f in report.footnotes] == list(range(1, 20))
    for f in report.footnotes:
        assert f.text and not SUPERSCRIPT_RE.match(f.text)
        assert f.markers, f"footnote {f.number} has no marker"
        assert all(m.number == f.number for m in f.markers)


def _marker_text(source, footnote):
    (m,) = footnote.markers
    return source[m.start : m.end], source[max(0, m.start - 40) : m.end + 12]


@pytest.mark.parametrize(
    ("number", "marker", "context"),
    [
        (1, "¹", "Overall judgment¹"),
        (3, "³", "offender management (IOM)³ to prolific"),
        (7, "⁷", "cannabis/khat⁷ warning"),
        (8, "⁸", "victims of crime⁸ was"),
        (9, "⁹", "(MAPPAs).⁹"),
        (11, "¹¹", "safeguarding¹¹ vulnerable"),
        (14, "¹⁴", "England and Wales¹⁴, with"),
        (15, "¹⁵", "30 June 2015¹⁵"),
        (16, "¹⁶", "Requirement* ¹⁶. These"),
        (19, "¹⁹", "being used. ¹⁹ Each OCG"),
    ],
)
def test_superscript_markers_link_to_their_footnote(report, source_text, number, marker, context):
    text, around = _marker_text(source_text, report.footnotes[number - 1])
    assert text == marker
    assert context in around


def test_latex_marker_links_to_three_footnotes(report, source_text):
    markers = [report.footnotes[n - 1].markers for n in (4, 5, 6)]
    assert all(len(m) == 1 for m in markers)
    spans = {(m[0].start, m[0].end) for m in markers}
    assert len(spans) == 1
    ((start, end),) = spans
    assert source_text[start:end] == "$^{4\\,5\\,6}$"
    assert source_text[start - 40 : start].endswith("recorded crime (excluding fraud) ")


@pytest.mark.parametrize(
    ("number", "before", "after"),
    [
        (10, "December 2015.", "The following is a summary"),
        (12, "as at 30 June 2015", "13"),
        (13, "30 June 2015 12", "Source: HMIC"),
        (17, "processes in place for mapping", "organised crime groups in line"),
    ],
)
def test_bare_number_markers_link_to_their_footnote(report, source_text, number, before, after):
    (m,) = report.footnotes[number - 1].markers
    assert source_text[m.start : m.end].strip() == str(number)
    assert fold_whitespace(source_text[m.start - 60 : m.start]).endswith(before)
    assert fold_whitespace(source_text[m.end : m.end + 40]).startswith(after)


def test_every_superscript_in_the_body_is_a_marker(report, source_text):
    covered = [(m.start, m.end) for m in report.markers]
    for m in SUPERSCRIPT_RE.finditer(source_text):
        if m.start() == 0 or source_text[m.start() - 1] == "\n":
            continue  # the number opening a footnote's own body
        assert any(a <= m.start() and m.end() <= b for a, b in covered), source_text[m.start() - 30 : m.end()]


def test_footnote_two_is_joined_with_its_spilled_continuation(report):
    text = report.footnotes[1].text
    assert text.startswith(
        "HMIC inspected forces on questions 1, 2 and 4 between September and November 2015."
    )
    assert (
        "published in December\n\n2015 (available from: www.justiceinspectorates.gov.uk/hmic/publications/"
        "police-effectiveness-vulnerability-2015-west-midlands/)." in text
    )
    assert text.endswith(
        "(available from:\n\nwww.justiceinspectorates.gov.uk/hmic/publications/crime-inspection-force-reports/)."
    )


def test_footnote_nineteen_keeps_its_url_line(report):
    text = report.footnotes[18].text
    assert text.startswith("The 4P Structure is the framework cited to tackle serious and organised crime")
    assert text.endswith(
        "www.gov.uk/government/uploads/system/uploads/attachment_data/file/248645/"
        "Serious_and_Organis_ed_Crime_Strategy.pdf"
    )


def test_footnote_bodies_are_only_in_footnote_chunks(chunks):
    for needle in (
        "crime-inspection-force-reports",
        "Serious_and_Organis_ed_Crime_Strategy.pdf",
        "A plant native to Africa",
        "The term safeguarding means",
    ):
        holders = [c for c in chunks if needle in c.text]
        assert len(holders) == 1 and holders[0].kind == "footnote", needle


def test_each_footnote_is_one_chunk_labelled_with_its_number(report, chunks):
    for f in report.footnotes:
        (chunk,) = [c for c in chunks if c.kind == "footnote" and c.label == f"Footnote {f.number}"]
        # The chunk reads in source order; a footnote continued in text the PDF put before
        # its body (footnote 2) holds the same pieces in reading order.
        assert sorted(chunk.text.split("\n\n")) == sorted(f.text.split("\n\n"))
        assert chunk.section == report.sections[f.section].path


def test_chunks_list_the_footnotes_they_point_at(chunks):
    (iom,) = [c for c in chunks if "integrated offender management (IOM) to prolific" in c.text]
    assert iom.footnotes == (3,)
    (fig4,) = [c for c in chunks if c.label == "Figure 4"]
    assert fig4.footnotes == (4, 5, 6)


# -- tables, figures and residue --------------------------------------------------------------


def _source_rows(source, first, last):
    start = source.index(first)
    end = source.index(last, start) + len(last)
    return source[start:end].split("\n")


def test_figure_four_is_one_table_passage(chunks, source_text):
    holders = [c for c in chunks if "Cannabis/Khat warning" in c.text]
    assert len(holders) == 1
    table = holders[0]
    assert table.kind == "table"
    assert table.label == "Figure 4"
    lines = [line for line in table.text.split("\n") if line]
    assert lines[0] == (
        "Figure 4: Outcomes recorded in the 12 months to 30 June 2015 for all police recorded crime (excluding fraud)"
    )
    rows = _source_rows(source_text, "Outcome type/group\t", "Community resolution\t8,074\t4.5\t117,951\t3.3")
    assert len(rows) == 10
    assert lines[1 : 1 + len(rows)] == rows
    assert (
        "Outcome type/group\tWest Midlands Police Number of outcomes\tRate\tEngland and Wales Number of outcomes\tRate"
        in lines
    )
    assert "Cannabis/Khat warning\t806\t0.5\t41,964\t1.2" in lines
    assert lines[-1] == "Source: Home Office crime outcomes data"


def test_figure_two_ends_at_its_source_and_its_star_note_stays_after_the_prose(chunks, source_text):
    (table,) = [c for c in chunks if c.label == "Figure 2"]
    assert table.kind == "table"
    rows = _source_rows(
        source_text, "Rates per 1,000 population\t", "Anti-social behaviour incidents*\t23.7\t32.9"
    )
    assert all(row in table.text.split("\n") for row in rows)
    assert table.text.split("\n")[-1] == "Source: Home Office data, HMIC data return"
    # A paragraph of prose stands between the source line and the note: the note goes with
    # the prose, so that the table's passage never encloses another passage's text.
    (note,) = [c for c in chunks if "*Anti-social behaviour data is from the force's data return" in c.text]
    assert note.kind == "text"
    assert note.text.split("\n\n") == [
        "HMIC has chosen these types of crime to indicate offending levels in the force area. "
        "We are not judging the effectiveness of the force on police recorded crime rates only.",
        "*Anti-social behaviour data is from the force's data return and the rate for burglary in a "
        "dwelling is the rate per 1,000 households, not population.",
    ]


def test_figure_seven_gathers_its_data_labels_in_source_order(chunks):
    labels = [
        "Drug activity 54%",
        "Organised theft 19%",
        "Sexual offences 7%",
        "Violent criminal activity 6%",
        "Other 13%",
    ]
    (figure,) = [c for c in chunks if c.label == "Figure 7"]
    assert figure.kind == "figure"
    # The PDF puts the labels before the caption; the passage keeps that order (verbatim).
    assert figure.text.split("\n\n") == [
        *labels[::-1],
        "Figure 7: Force organised crime groups by the predominant crime type, as at 30 June 2015",
        "Source: HMIC data collection",
    ]
    for label in labels:
        assert [c.label for c in chunks if label in c.text] == ["Figure 7"]


@pytest.mark.parametrize(
    "residue",
    [
        "10% 5% 0% -5%",
        "Dyfed-Powys",
        "Prug activity",
        "Northamptonshire Devon",
    ],
)
def test_chart_residue_is_in_no_chunk(chunks, residue):
    assert not [c.text[:60] for c in chunks if residue in c.text]


def test_no_chunk_has_a_residue_line(chunks):
    legend = {
        "_",
        "28",
        "Prug activity",
        "Organised theft",
        "Sexual offences",
        "Violent criminal activity",
        "Other",
        "Drug activity",
        "- England and Wales",
        "West Midlands Police",
    }
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            assert line.strip() not in legend, (line, chunk.text[:60])


def test_dropped_spans_are_the_residue(report, source_text):
    dropped = [fold_whitespace(source_text[a:b]) for a, b in report.dropped]
    assert "Prug activity" in dropped
    assert "28" in dropped
    assert dropped.count("_") == 2
    assert any(d.startswith("10% 5% 0% -5%") for d in dropped)


def test_every_paragraph_lands_in_exactly_one_place(report, source_text):
    """Each non-blank paragraph is a heading, residue, a block or a footnote: nothing lost,
    nothing in two blocks."""
    owner = {}
    pieces = [(s.start, s.heading_end, "heading") for s in report.sections]
    pieces += [(a, b, "dropped") for a, b in report.dropped]
    pieces += [(a, b, f"block {i}") for i, blk in enumerate(report.blocks) for a, b in blk.spans]
    pieces += [(a, b, f"footnote {f.number}") for f in report.footnotes for a, b in f.spans]
    for a, b, name in pieces:
        if name == "heading":
            continue  # headings nest with the front matter only through their own lines
        for i in range(a, b):
            if not source_text[i].isspace():
                assert i not in owner or owner[i] == name, (owner.get(i), name, source_text[a : a + 40])
                owner[i] = name
    headings = [(s.start, s.heading_end) for s in report.sections]
    for start, end in split_paragraphs(source_text):
        for i in range(start, end):
            c = source_text[i]
            if c.isspace() or i in owner or any(a <= i < b for a, b in headings):
                continue
            assert SUPERSCRIPT_RE.fullmatch(c), source_text[i - 20 : i + 20]  # only a footnote's own number


# -- markers out of chunk text, offsets back to the source -----------------------------------


def test_markers_are_removed_from_chunk_text(chunks):
    for chunk in chunks:
        assert not SUPERSCRIPT_RE.search(chunk.text), chunk.text[:80]
        assert "$^{" not in chunk.text
        assert "^{*}" not in chunk.text


@pytest.mark.parametrize(
    ("kept", "gone"),
    [
        ("published in December 2015. The following is a summary of the findings.", "2015. 10 The"),
        ("there are processes in place for mapping organised crime groups", "mapping 17 organised"),
        (
            "Figure 6: Organised crime groups per one million population, by force, as at 30 June 2015\n\nSource",
            "2015 12 13",
        ),
        ("applying the principles of integrated offender management (IOM) to prolific", "(IOM)³"),
    ],
)
def test_bare_markers_are_removed_from_chunk_text(chunks, kept, gone):
    assert any(kept in c.text for c in chunks)
    assert not any(gone in c.text for c in chunks)


def test_chunk_offsets_round_trip_to_the_source(report, chunks, source_text):
    by_path = {s.path: s for s in report.sections}
    for chunk in chunks:
        assert chunk.spans
        assert chunk.start == min(a for a, _ in chunk.spans)
        assert chunk.end == max(b for _, b in chunk.spans)
        for a, b in chunk.spans:
            assert 0 <= a < b <= len(source_text)
        keep = chunk_keep(report, chunk)
        assert passage_text(source_text, chunk.spans, report.markers, keep) == chunk.text
        # and, independent of how the text was folded: each span's words, in order
        position = 0
        for a, b in chunk.spans:
            piece = fold_whitespace(passage_text(source_text, [(a, b)], report.markers))
            found = fold_whitespace(chunk.text).find(piece, position)
            assert found >= 0, piece[:60]
            position = found + len(piece)
        section = by_path[chunk.section]
        assert section.start <= chunk.start and chunk.end <= section.end


def test_chunk_pages_follow_the_text(report, chunks):
    by_path = {s.path: s for s in report.sections}
    pages = [c.page for c in sorted(chunks, key=lambda c: c.start)]
    assert pages == sorted(pages)
    for chunk in chunks:
        assert chunk.page >= by_path[chunk.section].page
    (delays,) = [c for c in chunks if c.text.startswith("HMIC found delays in the process to interrogate")]
    assert delays.page == 24
    assert delays.paragraph == 2


def test_chunk_sizes(chunks):
    sizes = [c.words for c in chunks]
    assert statistics.median(sizes) <= 120
    assert max(sizes) <= 250
    assert min(sizes) >= 1


def test_chunk_ids_are_unique_and_stable(report, chunks):
    from peel_search.ingest.chunk import chunk_report

    assert len({c.id for c in chunks}) == len(chunks)
    assert [c.id for c in chunk_report(report)] == [c.id for c in chunks]


# -- degenerate and synthetic reports ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n\t\n", "\n\n"])
def test_empty_report(text):
    report = parse_report(text, "empty")
    assert report.sections == ()
    assert report.blocks == ()
    assert report.footnotes == ()


def test_text_without_headings_is_one_section_named_after_the_report():
    report = parse_report(
        "Some prose about policing. It has two sentences.\n\nAnd another paragraph here.", "plain"
    )
    assert [s.heading for s in report.sections] == ["plain"]
    assert len(report.blocks) == 2
    assert all(b.section == 0 for b in report.blocks)


def test_text_before_the_first_heading_gets_an_implicit_section():
    text = "Opening remarks about the inspection.\n\nHow well does the force work with partners?\n\nIt works well."
    report = parse_report(text, "implicit")
    assert [s.heading for s in report.sections] == ["implicit", "How well does the force work with partners?"]
    first, second = report.blocks
    assert first.section == 0 and second.section == 1


def test_fragment_split_by_a_page_break_is_glued_back():
    text = (
        "How well does the force work with partners?\n\n"
        "The force works with partners and\n\n"
        "28\n\n"
        "continues this sentence after a page break.\n"
    )
    report = parse_report(text, "fragment")
    (block,) = report.blocks
    assert passage_text(text, block.spans, report.markers) == (
        "The force works with partners and\n\ncontinues this sentence after a page break."
    )
    assert [text[a:b] for a, b in report.dropped] == ["28"]


def test_a_listed_heading_whose_page_was_lost_shares_the_next_listed_page(report):
    """The contents list lost the vulnerability question's page; its summary, two lines on,
    is listed at p. 30, so the question starts there too (not interpolated back to p. 29)."""
    by_heading = {s.heading: s for s in report.sections if s.level == 1}
    vulnerable = next(s for h, s in by_heading.items() if "protecting from harm" in h)
    assert vulnerable.page == 30
    summary = next(s for s in report.sections if s.parent == vulnerable.index)
    assert summary.page == 30
