"""Answer-type checks: what a question asks for, and when the report cannot give it."""

from __future__ import annotations

import pytest

from peel_search.retrieve.answerability import AnswerType, answer_type, focus_words, unanswered_reason


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many knife crimes were recorded in Birmingham in 2015?", "quantity"),
        ("how much did the force spend on overtime", "quantity"),
        ("What was the force's total budget for 2015/16?", "quantity"),
        ("What percentage of victims were satisfied?", "quantity"),
        ("Who is the chief constable of West Midlands Police?", "person"),
        ("What did HMIC say about the force's use of Tasers?", "topic"),
        ("What is the force's policy on cannabis farms?", "topic"),
        ("What does THRIVE stand for?", ""),
        ("Does any programme use ex-gangsters as mentors?", ""),
        ("wolverhampton shoplifters iom pilot", ""),
    ],
)
def test_answer_type(question, kind):
    assert answer_type(question).kind == kind


def test_focus_words_drop_framing_stop_words_and_numbers():
    assert focus_words("How many knife crimes were recorded in Birmingham in 2015?") == (
        "knife",
        "crimes",
        "birmingham",
    )
    assert answer_type("What did HMIC say about the force's use of Tasers?").subject == ("use", "tasers")


def _present(words):
    return lambda word: word in words


def test_a_quantity_of_something_the_report_never_mentions_is_unanswered():
    kind = answer_type("How many knife crimes were recorded in Birmingham?")
    reason = unanswered_reason(kind, _present({"crimes", "birmingham"}), lambda: True)
    assert reason == "the report never mentions “knife”"


def test_a_quantity_of_something_the_report_mentions_may_be_answered():
    kind = answer_type("How many organised crime groups did the force manage?")
    assert unanswered_reason(kind, _present({"organised", "crime", "groups", "manage"}), lambda: False) == ""


def test_a_person_question_needs_a_named_person():
    kind = AnswerType("person", ("chief", "constable"))
    assert unanswered_reason(kind, _present(set()), lambda: False) == "the passages that match name no person"
    assert unanswered_reason(kind, _present(set()), lambda: True) == ""


def test_other_questions_are_never_ruled_out_by_their_words():
    kind = answer_type("How has the force tackled wrongdoing linked to takeaway shops?")
    assert unanswered_reason(kind, _present(set()), lambda: False) == ""


@pytest.mark.models
@pytest.mark.parametrize(
    ("question", "in_report"),
    [
        ("How many knife crimes were recorded in Birmingham in 2015?", False),
        ("Who is the West Midlands police and crime commissioner?", False),
        ("How many drones does the force operate?", False),
        ("How many organised crime groups was the force dealing with in June 2015?", True),
        ("Are kids who run away sometimes treated as lower risk than they should be?", True),
        ("what does THRIVE stand for", True),
    ],
)
def test_in_report_on_the_real_report(index, question, in_report):
    result = index.search(question, k=3)
    assert result.in_report is in_report
    assert bool(result.notices) is (not in_report)
