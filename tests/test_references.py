"""Direct references in questions: parsing ("Figure 7", "pp. 22-23", "the summary of findings
for vulnerability"), false positives, designation over synthetic and real passages, and
promotion to the head of a ranking."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import INVESTIGATING, SOC, VULNERABLE
from peel_search.retrieve.references import (
    Reference,
    designate,
    find_references,
    only_references,
    promote,
    reference_scores,
)
from peel_search.types import Chunk

PREVENTING = (
    "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?"
)


def _refs(query: str) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.kind, r.value, r.topic) for r in find_references(query)]


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("What does Figure 7 show?", [("figure", "7", ())]),
        ("fig. 7", [("figure", "7", ())]),
        ("fig 7", [("figure", "7", ())]),
        ("figure seven", [("figure", "7", ())]),
        ("FIGURE 12", [("figure", "12", ())]),
        ("compare figures 6 and 7", [("figure", "6", ()), ("figure", "7", ())]),
        ("figs 6-7", [("figure", "6", ()), ("figure", "7", ())]),
        ("chart 3", [("figure", "3", ())]),
        ("Table 2", [("table", "2", ())]),
        ("footnote 3", [("footnote", "3", ())]),
        ("what does note 3 mean?", [("footnote", "3", ())]),
        ("see note 3", [("footnote", "3", ())]),
        ("footnotes 4, 5, and 6", [("footnote", "4", ()), ("footnote", "5", ()), ("footnote", "6", ())]),
        ("page 22", [("page", "22", ())]),
        ("what is on p. 22?", [("page", "22", ())]),
        ("p.22", [("page", "22", ())]),
        ("pp. 22-23", [("page", "22", ()), ("page", "23", ())]),
        ("pp. 22–23", [("page", "22", ()), ("page", "23", ())]),
        ("pages 22 to 24", [("page", "22", ()), ("page", "23", ()), ("page", "24", ())]),
        ("page twenty-two", [("page", "22", ())]),
        ("Annex A", [("annex", "A", ())]),
        ("what is in annex a?", [("annex", "A", ())]),
        ("appendices A and B", [("annex", "A", ()), ("annex", "B", ())]),
        ("Appendix 2", [("annex", "2", ())]),
        ("Figure 10 and page 3", [("figure", "10", ()), ("page", "3", ())]),
        ("page 3, and figure 3 on it", [("page", "3", ()), ("figure", "3", ())]),
        ("figure 7 ... Figure 7 again", [("figure", "7", ())]),
    ],
)
def test_elements_are_recognised(query, expected):
    assert _refs(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "the summary of findings for vulnerability",
            [("section", "summary of findings", ("vulnerability",))],
        ),
        (
            "what does the summary of findings for vulnerability say about missing children?",
            [("section", "summary of findings", ("vulnerability",))],
        ),
        ("the vulnerability summary of findings", [("section", "summary of findings", ("vulnerability",))]),
        (
            "the areas for improvement on investigating crime",
            [("section", "areas for improvement", ("investigating", "crime"))],
        ),
        (
            "areas for improvement for the question on serious and organised crime",
            [("section", "areas for improvement", ("serious", "organised", "crime"))],
        ),
        ("what are the areas for improvement?", [("section", "areas for improvement", ())]),
        ("the overall judgment", [("section", "overall judgment", ())]),
        ("what was the force's overall judgement?", [("section", "overall judgment", ())]),
        ("the force in numbers", [("section", "force in numbers", ())]),
        ("what does the introduction say?", [("section", "introduction", ())]),
        ("the overview", [("section", "overview", ())]),
    ],
)
def test_named_sections_are_recognised_with_their_topic(query, expected):
    assert _refs(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "a figure of 20%",
        "the figure was 20 per cent",
        "figure 20%",
        "figure 20 per cent",
        "a figure 3 times higher",
        "figure 1,000",
        "figure 2.5",
        "7 figures",
        "the figures show a rise",
        "we can figure one thing out",
        "on page",
        "what is on the front page",
        "page 2015",
        "pages 1-100",
        "p 22",
        "the summary",
        "summarise the findings on missing children",
        "we should note 3 things",
        "the introduction of body-worn video",
        "the overview of the force's finances",
        "the overall judgment for vulnerability",
        "how many tables are there",
        "the annex",
        "annex a building",
        "how does the force assess risk for missing children?",
    ],
)
def test_ordinary_words_name_nothing(query):
    assert find_references(query) == ()


def test_references_carry_where_the_query_names_them():
    query = "what does the summary of findings for vulnerability say?"
    (ref,) = find_references(query)
    assert query[slice(*ref.span)] == "summary of findings"
    assert ref == Reference("section", "summary of findings", ("vulnerability",))


@pytest.mark.parametrize(
    ("query", "bare"),
    [
        ("Figure 7", True),
        ("show me figure 7", True),
        ("what does page 22 say?", True),
        ("what does the introduction say?", True),
        ("what does page 22 say about forensic examination?", False),
        ("the summary of findings for vulnerability", False),
    ],
)
def test_only_references_tells_a_bare_citation_from_a_question(query, bare):
    refs = find_references(query)
    assert refs
    assert only_references(query, refs) is bare


# -- designation on synthetic passages -------------------------------------------------------


def _chunk(n: int, section: tuple[str, ...], page: int, kind="text", label="", footnotes=(), text="x"):
    return Chunk(
        id=f"c{n}",
        report_id="r",
        kind=kind,
        text=text,
        section=section,
        page=page,
        paragraph=1,
        start=n * 10,
        end=n * 10 + 5,
        spans=((n * 10, n * 10 + 5),),
        footnotes=footnotes,
        label=label,
    )


PROTECT = "Protecting vulnerable people"
TACKLE = "Tackling serious and organised crime"
SYNTHETIC = [
    _chunk(0, ("Introduction",), 1),
    _chunk(1, (PROTECT,), 2, text="As figure 1 shows, risk is assessed.", footnotes=(1,)),
    _chunk(2, (PROTECT,), 2, kind="figure", label="Figure 1", text="Figure 1: risk"),
    _chunk(3, (PROTECT, "Summary of findings"), 3, text="Good.", footnotes=(1,)),
    _chunk(4, (PROTECT, "Summary of findings"), 3),
    _chunk(5, (TACKLE,), 4, kind="table", label="Table 1", text="Table 1: groups"),
    _chunk(6, (TACKLE, "Summary of findings"), 4),
    _chunk(7, (TACKLE, "Areas for improvement"), 5),
    _chunk(8, ("Appendix B – methods", "Data"), 6),
    # A footnote body stands after the page's text in the list but before nothing on it.
    _chunk(9, (PROTECT,), 2, kind="footnote", label="Footnote 1", text="A note."),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("figure 1", [2, 1]),
        ("figure one", [2, 1]),
        ("table 1", [5]),
        ("figure 9", []),
        ("footnote 1", [9, 1, 3]),
        ("page 2", [1, 2, 9]),
        ("pages 3-4", [3, 4, 5, 6]),
        ("appendix B", [8]),
        ("annex B", [8]),
        ("annex A", []),
        ("the summary of findings for vulnerability", [3, 4]),
        ("the summary of findings on organised crime", [6]),
        ("the summary of findings", [3, 4, 6]),
        ("the summary of findings about drones", [3, 4, 6]),
        ("areas for improvement", [7]),
        ("the introduction", [0]),
        ("the force in numbers", []),
        ("figure 1 and table 1", [2, 5, 1]),
    ],
)
def test_designation_on_synthetic_passages(query, expected):
    assert designate(find_references(query), SYNTHETIC) == expected


def test_designation_follows_the_ranking_within_a_tier_when_given():
    refs = find_references("figure 1 and page 2")
    ranking = [9, 1, 2, 0]
    # Tier one: figure 1's own passage, then page 2 in ranking order; tier two: passages citing it.
    assert designate(refs, SYNTHETIC, ranking) == [2, 9, 1]
    assert designate(refs, SYNTHETIC) == [2, 1, 9]


def test_reference_scores_decrease_along_the_designated_order():
    scores = reference_scores(find_references("footnote 1"), SYNTHETIC)
    assert scores.shape == (len(SYNTHETIC),)
    assert list(np.argsort(-scores, kind="stable")[:3]) == [9, 1, 3]
    assert scores[9] == 1.0 and scores[1] > scores[3] > 0
    assert not scores[[0, 2, 4, 5, 6, 7, 8]].any()
    assert not reference_scores((), SYNTHETIC).any()


def test_degenerate_inputs():
    assert designate((), SYNTHETIC) == []
    assert designate(find_references("figure 1"), []) == []
    assert reference_scores(find_references("figure 1"), []).shape == (0,)
    assert promote([], [3]) == []


@pytest.mark.parametrize(
    ("order", "designated", "expected"),
    [
        ([4, 2, 7, 1], [7, 1], [7, 1, 4, 2]),
        ([4, 2, 7, 1], [1, 7], [1, 7, 4, 2]),
        ([4, 2, 7, 1], [9, 2], [2, 4, 7, 1]),  # 9 did not pass the filters: it stays out
        ([4, 2, 7, 1], [], [4, 2, 7, 1]),
        ([4, 2, 7, 1], [2, 2], [2, 4, 7, 1]),
    ],
)
def test_promote(order, designated, expected):
    assert promote(order, designated) == expected


# -- designation on the bundled report ------------------------------------------------------


def _first(chunks, query):
    order = designate(find_references(query), chunks)
    assert order, query
    return chunks[order[0]]


def test_figure_reference_designates_the_figure_then_passages_citing_it(chunks):
    fig7 = _first(chunks, "What does Figure 7 show?")
    assert fig7.label == "Figure 7" and "Figure 7:" in fig7.text
    order = designate(find_references("figure 2"), chunks)
    assert chunks[order[0]].label == "Figure 2"  # a chart drawn as a table is still "Figure 2"
    assert all("Figure 2" in chunks[i].text for i in order[1:]) and len(order) > 1


def test_footnote_reference_designates_its_body_then_its_markers(chunks):
    order = designate(find_references("footnote 5"), chunks)
    body, *cited = (chunks[i] for i in order)
    assert body.kind == "footnote" and body.label == "Footnote 5"
    assert cited and all(5 in c.footnotes for c in cited)
    assert any(c.label == "Figure 4" for c in cited)


def test_page_reference_designates_that_page_in_reading_order(chunks):
    order = designate(find_references("page 22"), chunks)
    assert order and {chunks[i].page for i in order} == {22}
    assert order == sorted(order, key=lambda i: chunks[i].start)
    assert len(order) == sum(c.page == 22 for c in chunks)


def test_annex_reference_designates_the_annex(chunks):
    order = designate(find_references("Annex A"), chunks)
    assert order and all(chunks[i].section[0].startswith("Annex A") for i in order)


@pytest.mark.parametrize(
    ("query", "question"),
    [
        ("the summary of findings for vulnerability", VULNERABLE),
        ("summary of findings for victims", VULNERABLE),
        ("what does the summary of findings on investigating crime say?", INVESTIGATING),
        ("summary of findings for serious and organised crime", SOC),
        ("the prevention summary of findings", PREVENTING),
    ],
)
def test_summary_of_findings_for_a_topic_is_that_questions_summary(chunks, query, question):
    order = designate(find_references(query), chunks)
    expected = [i for i, c in enumerate(chunks) if c.section[:2] == (question, "Summary of findings")]
    assert sorted(order) == expected


def test_areas_for_improvement_with_and_without_topic(chunks):
    order = designate(find_references("the areas for improvement on investigating crime"), chunks)
    assert [chunks[i].section for i in order] == [(INVESTIGATING, "Areas for improvement")]
    every = designate(find_references("what are the areas for improvement?"), chunks)
    assert len(every) > len(order) and all(chunks[i].section[-1] == "Areas for improvement" for i in every)


def test_other_named_sections(chunks):
    assert _first(chunks, "the overall judgment").section[-1] == "Overall judgment"
    numbers = designate(find_references("the force in numbers"), chunks)
    assert {chunks[i].section[0] for i in numbers} == {"Force in numbers"}
    intro = designate(find_references("what does the introduction say?"), chunks)
    assert {chunks[i].section for i in intro} == {("Introduction",)}


@pytest.mark.models
def test_promoted_reference_leads_the_real_ranking(index):
    """The integration search should use: rank, then promote what the question names."""
    for query, label in [
        ("What does Figure 7 show?", "Figure 7"),
        ("what does footnote 3 say?", "Footnote 3"),
    ]:
        fused = index.fuse(index.score(query))
        order = [int(i) for i in np.argsort(-fused, kind="stable")]
        refs = find_references(query)
        within = None if only_references(query, refs) else order
        promoted = promote(order, designate(refs, index.chunks, within))
        assert index.chunks[promoted[0]].label == label
        assert sorted(promoted) == list(range(index.size))
