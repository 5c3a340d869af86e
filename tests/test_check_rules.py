"""The rules of the "not answered" checks, as pure functions on made-up sentences (no
models): what counts as a reason, a reported finding, a drawn comparison, and which
everyday words stand for the report's."""

from __future__ import annotations

from collections.abc import Set

from peel_search.index.lexical import tokenize
from peel_search.retrieve.answerability import answer_type, spellings
from peel_search.retrieve.asked import (
    CompareAsk,
    FigureAsk,
    SourceAsk,
    WhoAsk,
    Word,
    detail_ask,
    figure_ask,
    question_parts,
    source_ask,
    why_ask,
)
from peel_search.retrieve.cause_check import (
    CONSEQUENCE_RE,
    PURPOSE_RE,
    TRIGGER_RE,
    also_reasons,
    cause_reason,
    gives_reason,
    reasons_around,
)
from peel_search.retrieve.comparison_check import comparison_drawn
from peel_search.retrieve.detail_check import detail_reason
from peel_search.retrieve.figure_check import share_in_words
from peel_search.retrieve.inspection_check import Cited, finding_reason
from peel_search.retrieve.person_check import person_reason
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


def test_a_change_may_be_explained_by_what_goes_with_it_or_by_what_it_leads_to():
    assert gives_reason("Demand is likely to grow as more victims come forward.")
    assert gives_reason("The backlog is shrinking, reducing with improved access to laptops.")
    assert gives_reason("If thefts are common in a district then more warnings will follow.")
    assert not gives_reason("Burglaries fell as well, by a smaller margin.")
    assert not gives_reason("Thefts rose sharply in the summer months.")
    # the sentence after says what this one leads to: this one is its cause
    parts = ["Nobody is sure who signs off the patrol plans.", "This is leading to gaps in cover."]
    assert reasons_around(parts, 0)
    assert not reasons_around(["Nobody is sure who signs off the patrol plans.", "Cover is patchy."], 0)


def test_what_prompted_is_answered_by_the_finding_before_it():
    assert also_reasons("What prompted the joint work on housing?", ["prompt"]) is TRIGGER_RE
    fact = ("housing", "work")
    told = Cited(
        "An audit found that tenants in arrears drew many calls. Housing work with the council began."
    )
    assert cause_reason(fact, [told], exact, also=TRIGGER_RE) == ""
    assert (
        cause_reason(fact, [Cited("Housing work with the council began in May.")], exact, also=TRIGGER_RE)
        != ""
    )


def test_whats_behind_asks_a_reason_not_a_figure():
    question = "What's behind the better detection rates?"
    words = (Word("detection", "detection", "NOUN", "compound", 1), Word("rates", "rate", "NOUN", "pobj", 1))
    assert "detection" in why_ask(question, words)
    assert why_ask("What are the detection rates?", words) == ()
    assert figure_ask(question, ()) is None
    assert figure_ask("What is the detection rate?", ()) is not None


# -- figures in words -----------------------------------------------------------------------------


def test_a_proportion_may_be_said_in_words_a_percentage_may_not():
    proportion = FigureAsk(frozenset({"percentage"}), "proportion", "drivers", ("pursuit", "training"))
    percentage = FigureAsk(frozenset({"percentage"}), "percentage", "drivers", ("pursuit", "training"))
    said = ["The unit has given pursuit training to almost all of its drivers."]
    assert share_in_words(proportion, said, exact)
    assert not share_in_words(percentage, said, exact)
    assert not share_in_words(proportion, ["Many drivers have had pursuit training."], exact)
    assert not share_in_words(proportion, ["Almost all of its drivers have cars."], exact)  # not the training


def test_a_doctrine_and_its_followers_are_one_word():
    assert "terrorist" in spellings("terrorism")
    assert "extremism" in spellings("extremists")


# -- who, where, compared with whom --------------------------------------------------------------


def test_a_later_sentence_that_speaks_of_the_thing_again_can_say_who_does_it():
    ask = WhoAsk(False, (), ("evaluate",), ("pedal",), "is evaluating Pedal On", core=("pedal",))
    passage = (
        "In Dudley a cycling scheme called 'Pedal On' is used with young people. Volunteers lead the rides. "
        "The force has asked a university to evaluate this scheme."
    )
    assert person_reason(ask, [passage], [], exact) == ""
    unrelated = passage.replace("this scheme", "its own training")
    assert "does not say who" in person_reason(ask, [unrelated], [], exact)


def test_a_place_may_be_named_in_the_sentence_before_or_be_a_kind_of_place():
    where = detail_ask("Where did neighbours help convict the gang?")
    assert where is not None
    here = "Work of this kind has also happened in Dudley. Here neighbours helped convict a gang."
    assert detail_reason(where, [here], exact) == ""
    orders = detail_ask("Where are curfew orders used?")
    assert orders is not None
    assert detail_reason(orders, ["Curfew orders are used to curb disorder in town centres."], exact) == ""
    assert "gives no place" in detail_reason(orders, ["Curfew orders are used more than last year."], exact)


def test_a_superlative_compares_with_every_other_force():
    ask = CompareAsk(("flood", "risk"), national=True)
    assert (
        comparison_drawn(ask, [], ["The county has the highest flood risk outside of Cumbria."], exact) == ""
    )
    assert "does not compare" in comparison_drawn(ask, [], ["The county has a real flood risk."], exact)


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
