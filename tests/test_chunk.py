"""The chunker: property tests on generated reports, and the limits on hand-made edge cases."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from peel_search.ingest.chunk import DEFAULT_CONFIG, ChunkConfig, chunk_id, chunk_report
from peel_search.ingest.parse import parse_report
from peel_search.ingest.text import passage_text

VOCAB = [
    "force",
    "officer",
    "victim",
    "crime",
    "partner",
    "team",
    "risk",
    "report",
    "safety",
    "review",
    "plan",
    "data",
    "local",
    "public",
    "support",
    "area",
    "case",
    "service",
    "police",
    "community",
    "staff",
    "training",
    "response",
    "evidence",
    "offender",
    "gang",
    "harm",
]
TOPICS = [
    "victims",
    "partners",
    "offenders",
    "gangs",
    "evidence",
    "risk",
    "safety",
    "training",
    "data",
    "reviews",
]

SMALL = ChunkConfig(split_above=30, target=20, merge_below=5, merge_limit=40, hard_max=60)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def sentences(draw):
    n = draw(st.integers(1, 25))
    ws = draw(st.lists(st.sampled_from(VOCAB), min_size=n, max_size=n))
    return ws[0].capitalize() + " " + " ".join(ws[1:]) + "." if n > 1 else ws[0].capitalize() + "."


@st.composite
def paragraphs(draw):
    parts = draw(st.lists(sentences(), min_size=1, max_size=12))
    text = ""
    for i, sentence in enumerate(parts):
        # sometimes a PDF line break in the middle of a paragraph
        text += ("" if i == 0 else draw(st.sampled_from([" ", " ", "\n"]))) + sentence
    return text


@st.composite
def reports(draw):
    """``(text, expected)``: report text and the sections it should parse into,
    each ``(heading, level, [paragraph, ...])`` in document order."""
    expected = []
    preamble = draw(st.lists(paragraphs(), max_size=2))
    if preamble:
        expected.append(("synthetic", 1, preamble))
    topics = draw(st.permutations(TOPICS))
    for t, topic in enumerate(topics[: draw(st.integers(1, 3))]):
        expected.append(
            (f"How effective is the force at tackling {topic}?", 1, draw(st.lists(paragraphs(), max_size=3)))
        )
        for sub in range(draw(st.integers(0, 3))):
            heading = f"How well does the force deal with {topic} in {VOCAB[sub + 3 * t]} work?"
            # A sub-question always has findings under it: a question heading right over
            # "Summary of findings" is a graded area of its own (the 2021/22 layout).
            expected.append((heading, 2, draw(st.lists(paragraphs(), min_size=1, max_size=3))))
        # What makes a heading a graded question is the structure under it, not its
        # wording: each closes with its summary of findings, as every PEEL report's does.
        expected.append(("Summary of findings", 2, draw(st.lists(paragraphs(), min_size=1, max_size=2))))
    blocks = []
    for heading, _, paras in expected:
        if heading != "synthetic":
            blocks.append(heading)
        blocks.extend(paras)
    gap = draw(st.sampled_from(["\n\n", "\n\n\n", "\n \n"]))
    return gap.join(blocks) + "\n", expected


def innermost(report, offset):
    found = None
    for s in report.sections:
        if s.start <= offset:
            found = s
    return found


@SETTINGS
@given(reports(), st.sampled_from([DEFAULT_CONFIG, SMALL]))
def test_generated_reports_parse_into_the_sections_written(data, config):
    text, expected = data
    report = parse_report(text, "synthetic")
    assert [(s.heading, s.level) for s in report.sections] == [(h, level) for h, level, _ in expected]


@SETTINGS
@given(reports(), st.sampled_from([DEFAULT_CONFIG, SMALL]))
def test_chunks_cover_every_paragraph_exactly_once_in_order(data, config):
    text, expected = data
    report = parse_report(text, "synthetic")
    chunks = chunk_report(report, config)
    for section, (_, _, paras) in zip(report.sections, expected, strict=True):
        mine = [c for c in chunks if innermost(report, c.start) is section]
        assert all(c.section == section.path for c in mine)
        assert " ".join(c.text for c in mine).split() == " ".join(paras).split()


@SETTINGS
@given(reports(), st.sampled_from([DEFAULT_CONFIG, SMALL]))
def test_chunks_stay_in_bounds_and_inside_their_section(data, config):
    text, _ = data
    report = parse_report(text, "synthetic")
    chunks = chunk_report(report, config)
    starts = [s.start for s in report.sections]
    for c in chunks:
        assert c.words <= config.hard_max
        assert c.text.strip()
        assert 0 <= c.start < c.end <= len(text)
        assert c.start == min(a for a, _ in c.spans) and c.end == max(b for _, b in c.spans)
        for a, b in c.spans:
            assert 0 <= a < b <= len(text)
        section = innermost(report, c.start)
        assert section.path == c.section
        assert section.start <= c.start and c.end <= section.end
        # never across a heading: no section starts inside a chunk
        assert not [s for s in starts if c.start < s < c.end]
        assert passage_text(text, c.spans, report.markers) == c.text


@SETTINGS
@given(reports())
def test_ids_are_stable_and_unique(data):
    text, _ = data
    first = chunk_report(parse_report(text, "synthetic"))
    again = chunk_report(parse_report(text, "synthetic"))
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    other = chunk_report(parse_report(text, "another-report"))
    assert not {c.id for c in first} & {c.id for c in other}


@SETTINGS
@given(reports(), st.data())
def test_ids_change_when_text_changes_and_only_there(data, draw):
    text, _ = data
    report = parse_report(text, "synthetic")
    chunks = chunk_report(report)
    unique = [c for c in chunks if [d.text for d in chunks].count(c.text) == 1]
    assume(unique)
    target = draw.draw(st.sampled_from(unique))
    # Change the first word of the target chunk in the source.
    a, b = target.spans[0]
    word_end = a + len(text[a:b].split(" ")[0].rstrip("."))
    changed = text[:a] + "Changed" + text[word_end:]
    new_report = parse_report(changed, "synthetic")
    new_chunks = chunk_report(new_report)
    assert target.id not in {c.id for c in new_chunks}
    target_section = innermost(report, target.start).index

    def others(rep, chs):
        return [c.id for c in chs if innermost(rep, c.start).index != target_section]

    assert others(report, chunks) == others(new_report, new_chunks)


def test_ids_of_repeated_passages_do_not_depend_on_other_sections():
    repeated = "The same sentence is repeated here for this test case, word for word, again. " * 3
    first = "The force works with local partners on shared problems in every area of the region. " * 3
    added = "A second and unrelated paragraph is added to the first section of this small report. " * 3
    tail = "How well does the force share information?\n\n" + repeated + "\n\n" + repeated + "\n"
    before = chunk_report(parse_report(HEADING + first + "\n\n" + tail, "r"))
    after = chunk_report(parse_report(HEADING + first + "\n\n" + added + "\n\n" + tail, "r"))
    assert len(after) == len(before) + 1
    shared = "How well does the force share information?"
    old = [c.id for c in before if c.section[-1] == shared]
    new = [c.id for c in after if c.section[-1] == shared]
    assert len(old) == 2 and len(set(old)) == 2
    assert old == new


_ARBITRARY = st.lists(
    st.one_of(
        st.text(max_size=30),
        st.sampled_from(
            [
                "\n",
                "\n\n",
                "\t",
                " ",
                "?",
                ".",
                "Contents\n\n",
                "Introduction\t10\n",
                "How well does the force work?",
                "How effective is the force at crime?",
                "Summary of findings",
                "Areas for improvement",
                "Figure 1: x",
                "Source: y",
                "³",
                "¹⁴",
                "$^{4\\,5\\,6}$",
                "^{*}",
                "- item",
                "• item",
                "12",
                "10% 5% 0% -5%",
                "_",
                "Drug activity 54%",
                "www.example.org/x",
                "available from:",
                "lower case start",
                "Good",
                "Overall judgment",
                "Requires improvement",
                "A\tB\nC\tD",
                "e.g.",
                "28",
            ]
        ),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ARBITRARY)
def test_any_text_parses_into_a_well_formed_tree_and_chunks(text):
    report = parse_report(text, "arbitrary")
    n = len(report.sections)
    for s in report.sections:
        assert 0 <= s.start <= s.heading_end <= len(text)
        assert s.start <= s.end <= len(text)
        assert s.level >= 1
        if s.parent is None:
            assert s.path == (s.heading,)
        else:
            assert 0 <= s.parent < s.index
            parent = report.sections[s.parent]
            assert parent.level < s.level
            assert parent.start <= s.start and s.end <= parent.end
            assert s.path == (*parent.path, s.heading)
    for block in report.blocks:
        assert 0 <= block.section < n
        for a, b in block.spans:
            assert 0 <= a < b <= len(text)
    for f in report.footnotes:
        assert 0 <= f.section < n
    for m in report.markers:
        assert 0 <= m.start < m.end <= len(text)
    for j in report.judgments:
        assert 0 <= j.section < n
    for c in chunk_report(report):
        assert 0 <= c.start < c.end <= len(text)
        assert c.text.strip()


# -- limits on hand-made cases ----------------------------------------------------------------

HEADING = "How well does the force work with partners?\n\n"
LONG = " ".join(["word"] * 300)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("The " + LONG + ".\n", id="run-on sentence"),
        pytest.param("- The " + LONG + ".\n- Second item.\n", id="long list item"),
        pytest.param(
            "The force works well.¹\n\n¹ " + "Footnote text goes on. " * 100 + "\n", id="long footnote"
        ),
        pytest.param("Figure 1: A table\n\nA\tB\n" + LONG + "\tx\nC\tD\n", id="long table row"),
        pytest.param("Figure 1: " + LONG + "\n\nSource: data\n", id="long figure caption"),
    ],
)
def test_no_passage_is_over_the_hard_limit(body):
    report = parse_report(HEADING + body, "limits")
    chunks = chunk_report(report)
    assert chunks
    assert max(c.words for c in chunks) <= DEFAULT_CONFIG.hard_max, [(c.kind, c.words) for c in chunks]


def test_long_paragraph_is_split_at_sentence_boundaries_into_balanced_pieces():
    sentence = "The force works closely with local partners on shared problems."  # 10 words
    body = " ".join([sentence] * 30)  # 300 words
    report = parse_report(HEADING + body + "\n", "split")
    chunks = chunk_report(report)
    sizes = [c.words for c in chunks]
    assert sum(sizes) == 300
    assert len(chunks) == 3
    assert max(sizes) - min(sizes) <= 10
    for c in chunks:
        assert c.text.startswith("The force") and c.text.endswith("problems.")
    assert len({c.paragraph for c in chunks}) == 1


def test_tiny_paragraphs_join_a_neighbour_in_the_same_section_only():
    text = (
        HEADING
        + "Short one.\n\nAnother short paragraph here.\n\n"
        + "How well does the force share information?\n\nA third tiny one.\n"
    )
    report = parse_report(text, "merge")
    chunks = chunk_report(report)
    assert [c.text for c in chunks] == [
        "Short one.\n\nAnother short paragraph here.",
        "A third tiny one.",
    ]
    assert chunks[0].paragraph == 1


def test_tables_and_figures_are_never_merged_with_prose():
    text = HEADING + "Tiny.\n\nFigure 1: Rates\n\nA\tB\nC\tD\n\nSource: data\n\nAlso tiny.\n"
    chunks = chunk_report(parse_report(text, "kinds"))
    assert [c.kind for c in chunks] == ["text", "table", "text"]
    assert chunks[1].label == "Figure 1"
    assert chunks[1].text == "Figure 1: Rates\n\nA\tB\nC\tD\n\nSource: data"


def test_empty_report_and_empty_section_give_no_chunks():
    assert chunk_report(parse_report("", "empty")) == []
    report = parse_report(HEADING + "How well does the force share information?\n\nSome text here.\n", "s")
    chunks = chunk_report(report)
    assert [c.section[-1] for c in chunks] == ["How well does the force share information?"]


def test_one_paragraph_report_is_one_chunk():
    (chunk,) = chunk_report(parse_report("Just one paragraph of text.", "one"))
    assert chunk.text == "Just one paragraph of text."
    assert chunk.section == ("one",)
    assert (chunk.start, chunk.end, chunk.paragraph) == (0, 27, 1)


def test_chunk_id_depends_on_report_section_and_text():
    base = chunk_id("r", ("A", "B"), "text")
    assert base == chunk_id("r", ("A", "B"), "text")
    assert len(base) == 16 and int(base, 16) >= 0
    assert base != chunk_id("r2", ("A", "B"), "text")
    assert base != chunk_id("r", ("A", "C"), "text")
    assert base != chunk_id("r", ("A", "B"), "text.")


def test_identical_passages_in_one_section_get_distinct_ids():
    text = (
        HEADING
        + ("The same sentence is repeated here for this test case, word for word, again. " * 3 + "\n\n") * 2
    )
    chunks = chunk_report(parse_report(text, "dupes"))
    assert len(chunks) == 2 and chunks[0].text == chunks[1].text
    assert chunks[0].id != chunks[1].id


@pytest.mark.parametrize(
    "kwargs",
    [
        {"merge_below": 0},
        {"merge_below": 200, "merge_limit": 140},
        {"merge_limit": 300},
        {"target": 0},
        {"target": 200},
        {"split_above": 300},
    ],
)
def test_chunk_config_rejects_inconsistent_sizes(kwargs):
    with pytest.raises(ValueError):
        dataclasses.replace(DEFAULT_CONFIG, **kwargs)
