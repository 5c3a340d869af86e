"""Property tests with Hypothesis on the two places arbitrary text enters: the parser (any
text in, a well-formed tree out) and the query path (any string, filter or ``k`` in, a
result or a :class:`QueryError` out, never another exception).

``test_chunk`` already fuzzes the parser on report-like text; here the alphabet is all of
Unicode, lone surrogates and control characters included.
"""

from __future__ import annotations

import gradio as gr
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peel_search.errors import QueryError
from peel_search.ingest.parse import parse_report
from peel_search.retrieve.request import MAX_QUERY_CHARS
from peel_search.types import SearchResult

#: Every code point, surrogates and control characters included.
ANY_CHAR = st.characters(codec=None, categories=None)
#: Text with the structure a parser reacts to: line breaks, tabs, headings, markers.
PIECES = st.one_of(
    st.text(ANY_CHAR, max_size=30),
    st.sampled_from(
        [
            "\n",
            "\n\n",
            "\r\n",
            "\t",
            "Contents\n",
            "Introduction\t3\n",
            "How effective is the force at keeping people safe?\n\n",
            "Summary of findings\n\n",
            "¹",
            "$^{4\\,5}$",
            "Figure 1: Chart\n",
            "Source: HMIC\n",
            "12\n\n",
            "Good",
            "\x00",
            "\ud800",
            "\u202e",
            "\u2028",
        ]
    ),
)
REPORT_TEXT = st.one_of(st.text(ANY_CHAR, max_size=400), st.lists(PIECES, max_size=40).map("".join))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(REPORT_TEXT)
def test_any_text_parses_into_a_well_formed_tree(text):
    report = parse_report(text, "fuzz")
    n = len(report.sections)
    for i, s in enumerate(report.sections):
        assert s.index == i and s.level >= 1 and s.page >= 1
        assert 0 <= s.start <= s.heading_end <= len(text) and s.start <= s.end <= len(text)
        if s.parent is None:
            assert s.path == (s.heading,)
        else:
            parent = report.sections[s.parent]
            assert s.parent < i and parent.level < s.level and s.path == (*parent.path, s.heading)
    for block in report.blocks:
        assert 0 <= block.section < n
        assert all(0 <= a < b <= len(text) for a, b in block.spans)
        assert list(block.spans) == sorted(block.spans)
    for f in report.footnotes:
        assert 0 <= f.section < n and all(0 <= a < b <= len(text) for a, b in f.spans)
    for m in report.markers:
        assert 0 <= m.start < m.end <= len(text)
    for j in report.judgments:
        assert 0 <= j.section < n and 0 <= j.start <= j.end <= len(text)
    for a, b in report.dropped:
        assert 0 <= a <= b <= len(text)
    if report.blocks:
        assert n >= 1  # text with no section is only PDF residue (a lone page number)


# -- the query path, on the real index --------------------------------------------------------

QUERY = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(ANY_CHAR, min_size=MAX_QUERY_CHARS - 5, max_size=MAX_QUERY_CHARS + 50),
    st.lists(
        st.sampled_from(["risk", "the", "THRIVE", " ", "\x00", "🚓", "?", "\u200b", "IOM"]), max_size=12
    ).map("".join),
)
K = st.one_of(  # mostly valid, so that most examples reach the search itself
    st.integers(1, 30),
    st.integers(1, 30),
    st.integers(1, 30),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.none(),
    st.booleans(),
)
FILTER = st.one_of(
    st.none(),
    st.none(),
    st.none(),
    st.text(ANY_CHAR, max_size=20),
    st.sampled_from(
        ["GPE:Wolverhampton", "ORG:", "NOPE:x", ":", "vulnerable", "digital evidence", "›", "\x00"]
    ),
)
QUERY_FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def one_thread(index):
    import torch

    from peel_search.models import set_query_threads

    before = torch.get_num_threads()
    set_query_threads(1)
    yield index
    set_query_threads(before)


@pytest.mark.models
@QUERY_FUZZ
@given(query=QUERY, k=K, entity=FILTER, section=FILTER, judgment=FILTER)
def test_any_query_gives_a_result_or_a_query_error(one_thread, query, k, entity, section, judgment):
    index = one_thread
    entities = [] if entity is None else [entity]
    try:
        result = index.search(query, k=k, entities=entities, section=section, judgment=judgment)
    except QueryError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert isinstance(result, SearchResult)
    assert 0 < len(result.query) <= MAX_QUERY_CHARS
    assert len(result.hits) <= index.size
    assert [h.rank for h in result.hits] == list(range(1, len(result.hits) + 1))
    result.query.encode("utf-8")  # no lone surrogate survives into the result


@pytest.mark.models
@QUERY_FUZZ
@given(query=QUERY, entity=FILTER, section=FILTER)
def test_any_browse_gives_passages_or_a_query_error(one_thread, query, entity, section):
    index = one_thread
    try:
        hits = index.browse(entities=[] if entity is None else [entity], section=section, query=query)
    except QueryError as exc:
        assert "\n" not in str(exc)
        return
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.citation for h in hits)


@pytest.fixture(scope="module")
def handlers(one_thread):
    from peel_search.web.ui import Handlers

    return Handlers(one_thread)


@pytest.mark.models
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=QUERY, k=K, area=FILTER, label=FILTER)
def test_any_input_to_the_web_handlers_gives_html_json_or_a_gr_error(handlers, query, k, area, label):
    for call in (
        lambda: handlers.ask(query, k),
        lambda: handlers.api_evidence(area or "", query, k),
        lambda: handlers.api_entities(label or ""),
        lambda: handlers.section_passages(query),
    ):
        try:
            call()
        except gr.Error as exc:
            assert exc.message and "\n" not in exc.message and "Something went wrong" not in exc.message
