"""Pure text helpers: passage normalisation, sentences, words, the evaluation's normaliser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from peel_search.ingest.text import (
    clean_piece,
    eval_normalise,
    fold_whitespace,
    latex_marker_numbers,
    passage_text,
    sentence_spans,
    sentences,
    superscript_value,
    word_count,
    words,
)
from peel_search.types import Marker

# -- markers and white space ------------------------------------------------------------------


def test_superscript_value_reads_multi_digit_runs():
    assert superscript_value("³") == 3
    assert superscript_value("¹⁴") == 14
    assert superscript_value("¹⁰") == 10


def test_latex_marker_numbers_splits_on_thin_spaces():
    assert latex_marker_numbers("4\\,5\\,6") == [4, 5, 6]
    assert latex_marker_numbers("12") == [12]


def test_fold_whitespace():
    assert fold_whitespace("  a \n\n b\t c  ") == "a b c"
    assert fold_whitespace("\n \t") == ""


def test_passage_text_removes_every_marker_form():
    source = "Integrated offender management (IOM)³ works. Outcomes $^{4\\,5\\,6}$ here. Wales¹⁴, too."
    assert passage_text(source, [(0, len(source))], []) == (
        "Integrated offender management (IOM) works. Outcomes here. Wales, too."
    )


def test_passage_text_turns_latex_star_into_star():
    source = "^{*}Anti-social behaviour data is from the force's data return."
    assert (
        passage_text(source, [(0, len(source))], [])
        == "*Anti-social behaviour data is from the force's data return."
    )


def test_passage_text_removes_bare_number_markers_the_parser_found():
    source = "published in December 2015. 10 The following is a summary."
    at = source.index(" 10")
    markers = [Marker(10, at, at + 3)]
    assert passage_text(source, [(0, len(source))], markers) == (
        "published in December 2015. The following is a summary."
    )
    # Without the marker the number is ordinary text and stays.
    assert " 10 The" in passage_text(source, [(0, len(source))], [])


def test_passage_text_joins_spans_with_a_blank_line_and_skips_empty_ones():
    source = "First part.\n\n   \n\nSecond part."
    spans = [(0, 11), (13, 16), (18, len(source))]
    assert passage_text(source, spans, []) == "First part.\n\nSecond part."


def test_table_keep_preserves_tabs_and_rows():
    source = "Outcome type\tRate \n  Cannabis/Khat warning\t806\t 0.5\n\n"
    assert (
        clean_piece(source, (0, len(source)), [], "table")
        == "Outcome type\tRate\nCannabis/Khat warning\t806\t0.5"
    )


def test_list_keep_puts_each_item_on_its_own_line_and_joins_wrapped_lines():
    source = "- Support victims of crime by responding and\n putting in place help.\n- Second item."
    assert clean_piece(source, (0, len(source)), [], "list") == (
        "- Support victims of crime by responding and putting in place help.\n- Second item."
    )
    assert clean_piece(source, (0, len(source)), [], "prose") == (
        "- Support victims of crime by responding and putting in place help. - Second item."
    )


def test_clean_piece_only_removes_markers_inside_the_span():
    source = "alpha 12 beta 13 gamma"
    markers = [Marker(12, 5, 8), Marker(13, 13, 16)]
    assert clean_piece(source, (0, 10), markers) == "alpha b"
    assert clean_piece(source, (9, len(source)), markers) == "beta gamma"


# -- sentences --------------------------------------------------------------------------------


def test_abbreviations_do_not_end_sentences():
    text = (
        "Total recorded crime is made up of victim-based crime (e.g. theft) and other crimes. "
        "Over this period (i.e. the year) it fell. He met Dr. Smith. Then left."
    )
    assert sentences(text) == [
        "Total recorded crime is made up of victim-based crime (e.g. theft) and other crimes.",
        "Over this period (i.e. the year) it fell.",
        "He met Dr. Smith.",
        "Then left.",
    ]


def test_decimal_numbers_do_not_end_sentences():
    text = "Of those, 83.0 percent were satisfied. This is lower than the national rate of 83.8 percent."
    assert sentences(text) == [
        "Of those, 83.0 percent were satisfied.",
        "This is lower than the national rate of 83.8 percent.",
    ]


def test_single_initials_do_not_end_sentences():
    assert sentences("A report by Smith J. Brown was read. Done.") == [
        "A report by Smith J. Brown was read.",
        "Done.",
    ]


def test_a_stop_before_lower_case_is_not_a_boundary():
    assert sentences("It was approx. ten. Then it ended.") == ["It was approx. ten.", "Then it ended."]
    assert sentences("This is the end. and more") == ["This is the end. and more"]


def test_question_exclamation_and_quotes_end_sentences():
    assert sentences("Why? Because it said 'yes.' Then it went!  Fine.") == [
        "Why?",
        "Because it said 'yes.'",
        "Then it went!",
        "Fine.",
    ]


def test_line_breaks_end_sentences_in_lists_and_tables():
    assert sentences("- First item\n- Second item. Still second\n- Third") == [
        "- First item",
        "- Second item.",
        "Still second",
        "- Third",
    ]
    assert sentences("Rates\t63.3\t63.0\nVictim-based crime\t57.5\t56.0") == [
        "Rates\t63.3\t63.0",
        "Victim-based crime\t57.5\t56.0",
    ]


def test_sentence_spans_of_empty_and_blank_text():
    assert sentence_spans("") == []
    assert sentence_spans(" \n\t ") == []
    assert sentence_spans("No stop at the end") == [(0, 18)]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["abc", "XYZ", " ", ".", "?", "!", "\n", "\t", "'", "(", ")", "e.g.", "Dr.", "83.0", "-"]
        ),
        max_size=60,
    ).map("".join)
)
def test_sentence_spans_are_ordered_trimmed_and_cover_every_visible_character(text):
    spans = sentence_spans(text)
    covered = set()
    last_end = 0
    for start, end in spans:
        assert last_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        assert "\n" not in piece
        covered.update(range(start, end))
        last_end = end
    visible = {i for i, c in enumerate(text) if not c.isspace()}
    assert visible <= covered


# -- words and the evaluation normaliser ------------------------------------------------------


def test_words_keep_inner_hyphens_and_apostrophes():
    assert words("The force's anti-social (ASB) work, 83.0%.") == [
        "The",
        "force's",
        "anti-social",
        "ASB",
        "work",
        "83",
        "0",
    ]
    assert word_count("  one two\nthree\t") == 3


def test_eval_normalise():
    assert eval_normalise("Wales¹⁴, with 64 percent") == "wales with 64 percent"
    assert eval_normalise("83.0 percent; 17.0% of crimes.") == "83.0 percent 17.0% of crimes"
    assert eval_normalise("Anti-social behaviour (ASB)") == "anti social behaviour asb"
    assert eval_normalise("e.g. burglary") == "e g burglary"
    assert eval_normalise("ﬁle_name 1,000") == "file name 1 000"
    assert eval_normalise("  ") == ""


def test_eval_normalise_is_idempotent_on_report_text(source_text):
    once = eval_normalise(source_text[:5000])
    assert eval_normalise(once) == once
