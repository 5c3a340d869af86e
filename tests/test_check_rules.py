"""The rules of the "not answered" checks, as pure functions on made-up sentences (no
models): what counts as a reason, a reported finding, a drawn comparison, and which
everyday words stand for the report's."""

from __future__ import annotations

from collections.abc import Set

from peel_search.index.lexical import tokenize
from peel_search.retrieve.answerability import answer_type
from peel_search.retrieve.asked import CompareAsk, SourceAsk, detail_ask, question_parts, source_ask
from peel_search.retrieve.cause_check import CONSEQUENCE_RE, PURPOSE_RE, also_reasons, cause_reason
from peel_search.retrieve.comparison_check import comparison_drawn
from peel_search.retrieve.detail_check import detail_reason
from peel_search.retrieve.inspection_check import Cited, finding_reason
from peel_search.retrieve.plain_words import other_words


def exact(word: str, stems: Set[str]) -> bool:
    own = tokenize(word)
    return bool(own) and all(t in stems for t in own)


# -- why: purposes and consequences ---------------------------------------------------------

PURPOSE = Cited(
    "Since last spring the force has posted a sergeant to the county council to improve joint planning."
)
CONSEQUENCE = Cited(
    "Some reports of stolen bicycles were filed as lost property. Mistakes like these could leave owners without help."
)


def test_a_purpose_answers_why_someone_did_something_not_why_a_state_holds():
    assert also_reasons("Why did the force post a sergeant to the council?", ["do", "post"]) is PURPOSE_RE
    assert also_reasons("Why is the detection rate lower this year?", ["be"]) is None
    fact = ("sergeant", "council")
    assert cause_reason(fact, [PURPOSE], exact) != ""  # no causal word: states it, gives no reason
    assert cause_reason(fact, [PURPOSE], exact, also=PURPOSE_RE) == ""


def test_why_it_matters_is_answered_by_a_consequence_in_the_next_sentence():
    assert also_reasons("Why does it matter if stolen bicycles are filed as lost?", ["matter", "file"]) is (
        CONSEQUENCE_RE
    )
    assert also_reasons("Why is that a concern for victims?", ["be"]) is CONSEQUENCE_RE
    fact = ("stolen", "bicycles", "lost", "property")
    assert cause_reason(fact, [CONSEQUENCE], exact) != ""
    assert cause_reason(fact, [CONSEQUENCE], exact, also=CONSEQUENCE_RE) == ""
    # a purpose is no consequence: the sentence after must say what could follow
    assert cause_reason(fact, [CONSEQUENCE], exact, also=PURPOSE_RE) != ""


# -- what another inspection found ------------------------------------------------------------

SOURCE = SourceAsk(("2016", "custody"), "review", ("cell", "checks"), (2016,), "the 2016 custody review")
NAMING = Cited(
    "The custody review was carried out in spring 2016 and published in May. Its conclusions follow below."
)
SUMMARY = Cited("The custody review was carried out in 2016. The following is a summary of its findings.")


def test_a_source_the_report_summarises_has_findings_on_the_topics_the_report_covers():
    assert "does not say what it found" in finding_reason(SOURCE, [NAMING], exact)
    assert finding_reason(SOURCE, [SUMMARY], exact, present=lambda w: True) == ""
    # a summary that never speaks of the topic does not answer for it
    assert "does not say what it found" in finding_reason(
        SOURCE, [SUMMARY], exact, present=lambda w: w != "cell"
    )


# -- comparisons ---------------------------------------------------------------------------------

PAIR = (
    "Fraud made up 31 percent of the cases the unit handled last year. "
    "Fraud was also the largest category for all forces in England and Wales, at 40 percent of cases."
)
NO_FIGURE = "Fraud cases are handled by the unit. Forces in England and Wales also handle fraud cases."


def test_a_figure_for_each_side_one_sentence_after_the_other_is_a_comparison():
    ask = CompareAsk(("fraud", "cases"), national=True)
    assert comparison_drawn(ask, [], [PAIR], exact) == ""
    assert "does not compare fraud cases with England and Wales" in comparison_drawn(
        ask, [], [NO_FIGURE], exact
    )


# -- everyday words --------------------------------------------------------------------------------


def test_everyday_words_stand_for_the_reports_terms_both_ways():
    assert "crime" in other_words("offences")
    assert "offences" in other_words("Crime")
    assert "children" in other_words("kids")
    assert "organised crime groups" in other_words("gangs")
    assert other_words("satisfaction") == ()
    assert "offences" not in other_words("offences")


# -- questions that ask two things --------------------------------------------------------------


def test_a_question_splits_where_it_asks_a_second_thing_of_its_own():
    assert question_parts("Who chairs the panel, and how many cases did it hear?") == (
        "Who chairs the panel, and how many cases did it hear?",  # "it": more about the panel
    )
    assert question_parts("Who chairs the panel and how many burglaries were recorded in 2015?") == (
        "Who chairs the panel?",
        "how many burglaries were recorded in 2015?",
    )
    assert question_parts("How many arrests were made? What share led to a charge?") == (
        "How many arrests were made?",
        "What share led to a charge?",
    )
    # two question words share one question; a bare one asks that of the thing before
    assert question_parts("Where and when were the marches?") == (
        "Where were the marches?",
        "when were the marches?",
    )
    assert question_parts("Which unit will it join, and when?") == (
        "Which unit will it join?",
        "when Which unit will it join?",
    )
    assert question_parts("What was done and how?") == (
        "What was done and how?",
    )  # "how" alone: no ask of its own


# -- naming another source ---------------------------------------------------------------------------


def test_pilots_exercises_surveys_and_self_inspections_are_sources_with_findings():
    pilot = source_ask("What were the results of the cycle patrol pilot in Dudley?")
    assert pilot is not None and pilot.noun == "pilot" and "dudley" in pilot.words
    exercise = source_ask("Which gaps did the flood exercise actually expose?")
    assert exercise is not None and exercise.noun == "exercise" and exercise.topic == ("gaps",)
    reached = source_ask("What conclusions did the university evaluations of the scheme reach?")
    assert reached is not None and reached.noun == "evaluations" and reached.topic == ()
    # a survey carried out for this inspection is still a source of its own
    survey = source_ask("What did the street survey carried out for this inspection reveal about trust?")
    assert survey is not None and survey.noun == "survey" and survey.topic == ("trust",)
    assert source_ask("What did this inspection find about custody?") is None


# -- names and places ------------------------------------------------------------------------------


def test_which_places_asks_for_named_ones_where_is_answered_by_a_venue():
    which = detail_ask("Which fire stations host the youth scheme?")
    assert which is not None and which.kind == "place" and which.named and which.thing == ("youth", "scheme")
    where = detail_ask("Where is the youth scheme run?")
    assert where is not None and not where.named
    venue = "The youth scheme meets weekly at the fire station."
    named = "The youth scheme meets weekly in Dudley."
    assert detail_reason(where, [venue], exact) == ""
    assert "gives no place" in detail_reason(which, [venue], exact)
    assert detail_reason(which, [named], exact) == ""


def test_whats_it_called_asks_for_a_name():
    asked = detail_ask("What's the booking software the custody teams use called?")
    assert asked is not None and asked.kind == "name" and "software" in asked.thing
    assert answer_type("In which year did the scheme start?").kind == "date"
