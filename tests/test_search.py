"""Search: query and filter validation, hybrid ranking on the real index, de-duplication,
best sentences, and citations (exact strings)."""

from __future__ import annotations

import itertools

import pytest

from fakes import HIT_FIELDS, INVESTIGATING, SOC, VULNERABLE
from peel_search.citation import format_citation, format_section, shorten_heading
from peel_search.errors import QueryError
from peel_search.index.dedupe import THRESHOLD, resemblance, shingles
from peel_search.retrieve.request import (
    MAX_QUERY_CHARS,
    EntityFilter,
    clean_query,
    parse_entity_filter,
    parse_k,
)
from peel_search.types import Citation

TITLE = "PEEL Police effectiveness 2015, West Midlands Police"

# -- queries and parameters (no models) -------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "\x00\u200b", None, 42, ["a"]])
def test_empty_or_non_text_query_is_refused(query):
    with pytest.raises(QueryError):
        clean_query(query)


def test_clean_query_folds_white_space_and_control_characters():
    assert clean_query("  what\tdoes\x00THRIVE\u200b  mean?\n") == ("what does THRIVE mean?", [])
    assert clean_query("ｆｕｌｌｗｉｄｔｈ") == ("fullwidth", [])


def test_long_query_is_cut_at_a_word_with_a_notice():
    text, notices = clean_query("word " * 200_000)
    assert len(text) <= MAX_QUERY_CHARS
    assert text.endswith("word") and not text.endswith(" ")
    assert len(notices) == 1 and "cut" in notices[0] and str(MAX_QUERY_CHARS) in notices[0]


@pytest.mark.parametrize(
    ("k", "size", "expected"),
    [
        (5, 191, 5),
        ("7", 191, 7),
        (" 3 ", 191, 3),
        (10, 3, 3),
        (500, 191, 191),
        (10**12, 191, 191),
        (4.0, 191, 4),
        (1, 0, 0),
    ],
)
def test_parse_k_accepts_whole_numbers_and_bounds_them_by_the_corpus(k, size, expected):
    assert parse_k(k, size) == expected


@pytest.mark.parametrize("k", [0, -1, "abc", "", 1.5, True, None, "1e3", [3]])
def test_parse_k_refuses_everything_else(k):
    with pytest.raises(QueryError, match="whole number"):
        parse_k(k, 191)


LABELS = ["GPE", "ORG", "TERM"]


def test_parse_entity_filter():
    assert parse_entity_filter("GPE:Wolverhampton", LABELS) == EntityFilter("GPE", "Wolverhampton")
    assert parse_entity_filter("gpe : Wolverhampton ", LABELS) == EntityFilter("GPE", "Wolverhampton")
    assert parse_entity_filter("Victim Support", LABELS) == EntityFilter("", "Victim Support")
    # a colon inside ordinary text is not a label
    assert parse_entity_filter("Catch 22: scheme", LABELS) == EntityFilter("", "Catch 22: scheme")


def test_unknown_entity_label_names_the_valid_ones():
    with pytest.raises(QueryError) as err:
        parse_entity_filter("FOO:bar", LABELS)
    assert "FOO" in str(err.value)
    assert all(label in str(err.value) for label in LABELS)


@pytest.mark.parametrize("spec", ["ORG:", "ORG:   ", "", "  "])
def test_entity_filter_without_text_is_refused(spec):
    with pytest.raises(QueryError):
        parse_entity_filter(spec, LABELS)


# -- citations (exact strings, no models) -----------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "short"),
    [
        (INVESTIGATING, "How effective is the force at investigating crime…?"),
        (VULNERABLE, "How effective is the force at protecting from harm…?"),
        (SOC, "How effective is the force at tackling serious and…?"),
        ("Introduction", "Introduction"),
        (
            "Overview – How well does the force keep people safe and reduce crime?",
            "Overview – How well does the force keep people…?",
        ),
        ("x" * 60, "x" * 60),  # up to the limit plus ten characters: whole
        (
            "An annex heading without a question mark that goes on too long",
            "An annex heading without a question mark that goes…",
        ),
    ],
)
def test_shorten_heading(heading, short):
    assert shorten_heading(heading) == short


def test_format_section():
    assert format_section(()) == ""
    assert format_section((INVESTIGATING,)) == "How effective is the force at investigating crime…?"
    assert format_section(
        (
            INVESTIGATING,
            "How well does the force investigate crime and keep victims safe and informed?",
            "How well does the force gather digital evidence?",
        )
    ) == (
        "How effective is the force at investigating crime…? › How well does the force gather digital evidence?"
    )


def test_format_citation_exact_strings():
    path = (
        INVESTIGATING,
        "How well does the force investigate crime and keep victims safe and informed?",
        "How well does the force gather digital evidence?",
    )
    cite = Citation("PEEL: Police effectiveness 2015", "West Midlands Police", path, 24, 3)
    assert format_citation(cite) == (
        "PEEL Police effectiveness 2015, West Midlands Police — How effective is the force at investigating "
        "crime…? › How well does the force gather digital evidence? — p. 24, ¶ 3"
    )
    assert format_citation(
        Citation(
            "PEEL: Police effectiveness 2015",
            "West Midlands Police",
            (INVESTIGATING,),
            21,
            0,
            "footnote",
            "Footnote 7",
        )
    ) == (f"{TITLE} — How effective is the force at investigating crime…? — p. 21, footnote 7")
    assert (
        format_citation(
            Citation(
                "PEEL: Police effectiveness 2015",
                "West Midlands Police",
                ("Introduction",),
                21,
                3,
                "table",
                "Figure 4",
            )
        )
        == f"{TITLE} — Introduction — p. 21, Figure 4"
    )
    assert (
        format_citation(Citation("Report", "", ("Introduction",), 10, 2))
        == "Report — Introduction — p. 10, ¶ 2"
    )
    assert format_citation(Citation("Report", "", ("Introduction",), 10, 2, "table")) == (
        "Report — Introduction — p. 10, ¶ 2"
    )


# -- the real index ---------------------------------------------------------------------------


def _only_says(index, present, absent):
    return [c for c in index.chunks if present in c.text and absent.lower() not in c.text.lower()]


def _hits(index, query, **kwargs):
    return index.search(query, **kwargs).hits


def _cited(index, chunk):
    r = index.reports[0]
    return format_citation(
        Citation(r["title"], r["force"], chunk.section, chunk.page, chunk.paragraph, chunk.kind, chunk.label)
    )


@pytest.mark.models
def test_thrive_passage_ranks_first(index):
    (top, *_) = _hits(index, "what does THRIVE stand for")
    assert "THRIVE (Threat, Risk, Harm" in top.chunk.text


@pytest.mark.models
def test_long_form_query_finds_a_passage_that_only_says_the_acronym(index):
    (iom_only,) = [
        c
        for c in _only_says(index, "IOM", "integrated offender management")
        if c.text.startswith("Effective and comprehensive IOM arrangements")
    ]
    position = index.chunks.index(iom_only)
    expanded = index.score("integrated offender management")["bm25"][position]
    assert expanded > index.score("integrated offender management", expand=False)["bm25"][position]
    hits = _hits(index, "how does integrated offender management work", k=10)
    assert iom_only.id in [h.chunk.id for h in hits]


@pytest.mark.models
def test_acronym_query_finds_a_passage_that_only_says_the_long_form(index):
    long_only = _only_says(index, "integrated offender management", "IOM")
    long_only += [
        c for c in index.chunks if "Integrated offender management" in c.text and "IOM" not in c.text
    ]
    assert long_only
    scores = index.score("IOM")["bm25"]
    assert all(scores[index.chunks.index(c)] > 0 for c in long_only)
    assert not index.score("IOM", expand=False)["bm25"][index.chunks.index(long_only[0])]
    hits = _hits(index, "IOM", k=10)
    assert {c.id for c in long_only} & {h.chunk.id for h in hits}


@pytest.mark.models
def test_k_is_bounded_by_the_passages_that_pass_the_filters(index):
    assert len(_hits(index, "victims", k=3)) == 3
    section = [c for c in index.chunks if any("digital evidence" in h.casefold() for h in c.section)]
    hits = _hits(index, "phones", k=10**6, section="digital evidence")
    assert 0 < len(hits) <= len(section)
    assert len(hits) == len({h.chunk.id for h in hits})
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


@pytest.mark.models
@pytest.mark.parametrize("k", [0, -3, "abc", 2.5])
def test_bad_k_is_a_query_error(index, k):
    with pytest.raises(QueryError):
        index.search("victims", k=k)


@pytest.mark.models
@pytest.mark.parametrize("query", ["", "   \n"])
def test_empty_query_is_a_query_error(index, query):
    with pytest.raises(QueryError):
        index.search(query)


@pytest.mark.models
@pytest.mark.parametrize("query", ["?!.,", "the of and", "...", "—", "a", "¹²³"])
def test_punctuation_or_stopword_query_gives_a_well_formed_result(index, query):
    result = index.search(query, k=5)
    assert isinstance(result.in_report, bool)
    assert len(result.hits) == 5
    assert [h.rank for h in result.hits] == [1, 2, 3, 4, 5]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    for h in result.hits:
        assert h.citation and h.chunk.text


@pytest.mark.models
def test_entity_filter_keeps_only_passages_naming_the_entity(index):
    hits = _hits(index, "gangs and organised crime", k=20, entities=["GPE:Wolverhampton"])
    assert hits
    for h in hits:
        assert any(e.label == "GPE" and e.text.casefold() == "wolverhampton" for e in h.chunk.entities)
    unlabelled = _hits(index, "gangs and organised crime", k=20, entities=["wolverhampton"])
    assert {h.chunk.id for h in hits} <= {h.chunk.id for h in unlabelled}


@pytest.mark.models
def test_entity_filter_matches_acronym_and_long_form(index):
    (iom_only,) = [
        c
        for c in _only_says(index, "IOM", "integrated offender management")
        if c.text.startswith("Effective and comprehensive IOM arrangements")
    ]
    hits = index.browse(entities=["TERM:integrated offender management"])
    assert iom_only.id in {h.chunk.id for h in hits}


@pytest.mark.models
def test_unknown_entity_label_is_a_query_error_naming_the_labels(index):
    with pytest.raises(QueryError) as err:
        index.search("victims", entities=["NOSUCH:thing"])
    for label in ("ORG", "GPE", "TERM"):
        assert label in str(err.value)


@pytest.mark.models
def test_label_without_text_is_a_query_error(index):
    with pytest.raises(QueryError):
        index.search("victims", entities=["ORG:"])


@pytest.mark.models
def test_section_filter(index):
    hits = _hits(index, "how are phones examined", k=10, section="digital evidence")
    assert hits
    for h in hits:
        assert any("digital evidence" in heading.casefold() for heading in h.chunk.section)


@pytest.mark.models
def test_section_filter_path_may_skip_levels_like_a_citation(index):
    # Citations show "top heading › innermost heading"; a filter written the same way
    # ("investigating › digital evidence") should find the same passages.
    plain = _hits(index, "how are phones examined", k=10, section="digital evidence")
    nested = _hits(index, "how are phones examined", k=10, section="investigating › digital evidence")
    assert [h.chunk.id for h in nested] == [h.chunk.id for h in plain]


@pytest.mark.models
def test_unknown_section_is_a_query_error(index):
    with pytest.raises(QueryError, match="sections"):
        index.search("victims", section="no such heading anywhere")


@pytest.mark.models
def test_judgment_filter_keeps_hits_in_that_peel_question(index):
    hits = _hits(index, "risk assessment of missing children", k=20, judgment="vulnerable")
    assert hits
    assert {h.chunk.section[0] for h in hits} == {VULNERABLE}
    with pytest.raises(QueryError):
        index.search("victims", judgment="no such area")


@pytest.mark.models
def test_filters_that_match_nothing_give_no_hits_and_say_so(index):
    result = index.search("victims", section="digital evidence", judgment="vulnerable")
    assert result.hits == ()
    assert any("no passage matches" in n for n in result.notices)


@pytest.mark.models
@pytest.mark.parametrize(
    "query",
    [
        "how well does the force investigate crime",
        "integrated offender management arrangements",
        "serious and organised crime summary of findings",
        "vulnerable victims good service",
    ],
)
def test_no_two_hits_are_near_duplicates(index, query):
    hits = _hits(index, query, k=30)
    texts = [h.chunk.text for h in hits]
    assert len(texts) == len(set(texts))
    for a, b in itertools.combinations(hits, 2):
        assert resemblance(shingles(a.chunk.text), shingles(b.chunk.text)) < THRESHOLD, (a.rank, b.rank)


@pytest.mark.models
def test_repeated_summary_is_shown_once_as_the_body_copy(index):
    query = "The '4Ps' approach of pursue, prevent, protect and prepare is not being considered in all areas"
    repeated = (
        "pursue, prevent, protect and prepare is not being considered in all areas with some alternative"
    )
    copies = [c for c in index.chunks if repeated in c.text]
    assert len(copies) == 2  # the overview's digest and the question's own summary
    hits = _hits(index, query, k=10)
    shown = [h for h in hits if repeated in h.chunk.text]
    assert len(shown) == 1
    (hit,) = shown
    assert hit.chunk.section == (SOC, "Summary of findings")
    (overview_copy,) = [c for c in copies if c.id != hit.chunk.id]
    assert overview_copy.section[0].startswith("Overview")
    assert overview_copy.id in hit.duplicates


@pytest.mark.models
@pytest.mark.parametrize(
    "query", ["what does THRIVE stand for", "khat", "how many organised crime groups", "?!"]
)
def test_best_sentence_is_a_sentence_of_the_hit(index, query):
    for h in _hits(index, query, k=10):
        a, b = h.best_sentence_span
        assert 0 <= a < b <= len(h.chunk.text)
        assert h.chunk.text[a:b] == h.best_sentence
        assert h.best_sentence == h.best_sentence.strip()


@pytest.mark.models
def test_best_sentence_of_the_thrive_passage(index):
    (top, *_) = _hits(index, "what does THRIVE stand for")
    assert "THRIVE (Threat, Risk, Harm, Investigation, Vulnerability, Engagement)" in top.best_sentence


@pytest.mark.models
def test_megabyte_query_is_cut_with_a_notice(index):
    result = index.search("digital evidence " * 60_000, k=3)
    assert len(result.query) <= MAX_QUERY_CHARS
    assert any("cut" in n for n in result.notices)
    assert len(result.hits) == 3


@pytest.mark.models
def test_in_report_flag(index):
    assert index.search("what does THRIVE stand for").in_report is True
    assert index.search("recipe for banana bread with walnuts").in_report is False


@pytest.mark.models
def test_search_is_deterministic(index):
    first = [h.chunk.id for h in _hits(index, "how does the force tackle gangs", k=10)]
    again = [h.chunk.id for h in _hits(index, "how does the force tackle gangs", k=10)]
    assert first == again


# -- citations of real hits -------------------------------------------------------------------


@pytest.mark.models
def test_digital_evidence_citation(index):
    hits = _hits(index, "delays in examining mobile phones and computers", k=10, section="digital evidence")
    (delays,) = [
        h for h in hits if h.chunk.text.startswith("HMIC found delays in the process to interrogate")
    ]
    assert delays.citation == (
        "PEEL Police effectiveness 2015, West Midlands Police — How effective is the force at investigating "
        "crime…? › How well does the force gather digital evidence? — p. 24, ¶ 2"
    )


@pytest.mark.models
@pytest.mark.parametrize("query", ["how is risk assessed", "khat", "Figure 4 outcomes", "IOM", "the of and"])
def test_every_hit_cites_its_own_chunk(index, query):
    for h in _hits(index, query, k=10):
        assert h.citation == _cited(index, h.chunk)
        assert f"p. {h.chunk.page}," in h.citation
        assert index.citation(h.chunk) == h.citation


@pytest.mark.models
def test_footnote_and_table_hits_cite_their_label(index):
    (khat, *_) = _hits(index, "khat plant native to Africa", k=3)
    assert khat.chunk.kind == "footnote"
    assert khat.citation.endswith("— p. 21, footnote 7")
    table = [h for h in _hits(index, "cannabis khat warning outcomes table", k=10) if h.chunk.kind == "table"]
    assert table and table[0].citation.endswith(", Figure 4")
    for h in _hits(index, "footnote", k=index.size):
        if h.chunk.kind == "footnote":
            number = h.chunk.label.split()[-1]
            assert h.citation.endswith(f"footnote {number}")


@pytest.mark.models
def test_judgments_carry_grades_and_page_citations(index):
    rows = index.judgments()
    assert [(r["area"], r["grade"]) for r in rows] == [
        ("Overall", "Good"),
        (
            "How effective is the force at preventing crime and anti-social behaviour, and keeping people safe?",
            "Good",
        ),
        (INVESTIGATING, None),
        (VULNERABLE, "Requires improvement"),
        (SOC, "Good"),
    ]
    assert rows[3]["citation"] == (
        f"{TITLE} — How effective is the force at protecting from harm…? › Summary of findings — p. 30"
    )


@pytest.mark.models
def test_hit_and_result_dicts(index):
    result = index.search("what does THRIVE stand for", k=2)
    data = result.to_dict()
    assert data["query"] == "what does THRIVE stand for"
    assert data["in_report"] is True
    assert len(data["hits"]) == 2
    hit = data["hits"][0]
    chunk = result.hits[0].chunk
    assert set(hit) >= HIT_FIELDS
    assert (hit["id"], hit["text"], hit["page"], hit["start"], hit["end"]) == (
        chunk.id,
        chunk.text,
        chunk.page,
        chunk.start,
        chunk.end,
    )
    assert hit["section"] == list(chunk.section)
    for e in hit["entities"]:
        assert set(e) == {"text", "label", "start", "end"}


@pytest.mark.models
def test_browse_lists_a_section_in_report_order(index):
    hits = index.browse(section="digital evidence")
    starts = [h.chunk.start for h in hits]
    assert starts == sorted(starts)
    assert [h.chunk.paragraph for h in hits] == [1, 2, 3, 4, 5]
