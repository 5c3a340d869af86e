"""Answer-type checks: what a question asks for, and when the report cannot give it."""

from __future__ import annotations

import pytest

from peel_search.retrieve.answerability import (
    CHECKS,
    Evidence,
    Scope,
    answer_type,
    focus_words,
    question_years,
    spellings,
    unanswered_reason,
    word_present,
)
from peel_search.retrieve.inspection_check import GradedArea
from peel_search.web.render import result_html

SCOPE = Scope(
    years=frozenset({2014, 2015, 2016}),
    period="2015 (published February 2016)",
    pillars=("police effectiveness",),
    areas=(
        "Overall",
        "preventing crime and anti-social behaviour, and keeping people safe",
        "tackling serious and organised crime",
    ),
    grades=("overall: good",),
    forces=("West Midlands Police",),
)
OCG = "As at 30 June 2015, the force was monitoring 68 organised crime groups (OCGs). Drug activity was 54 percent."


@pytest.mark.parametrize(
    ("question", "kind", "value"),
    [
        ("How many knife crimes were recorded in Birmingham in 2015?", "quantity", "number"),
        ("how much did the force spend on overtime", "quantity", "amount"),
        ("What was the force's total budget for 2015/16?", "quantity", "amount"),
        ("What percentage of victims were satisfied?", "quantity", "share"),
        ("By how much did acquisitive crime fall?", "quantity", "share"),
        ("how much money goes on overtime?", "quantity", "amount"),
        ("How much crime is committed online?", "quantity", ""),  # a quantity in words, not money
        ("When was the report published?", "date", "date"),
        ("How long do gang injunctions last?", "duration", "duration"),
        ("What is the force's target time for attending emergency calls?", "quantity", "duration"),
        ("What grade did the force get for efficiency?", "grade", ""),
        ("What was the force's efficiency grade in 2015?", "grade", ""),
        ("How was the force rated for legitimacy?", "grade", ""),
        ("What are the judgment categories HMIC uses?", "", ""),
        ("Who is the chief constable of West Midlands Police?", "person", ""),
        ("What did HMIC say about the force's use of Tasers?", "topic", ""),
        ("What is the force's policy on cannabis farms?", "topic", ""),
        ("What does THRIVE stand for?", "", ""),
        ("wolverhampton shoplifters iom pilot", "", ""),
    ],
)
def test_answer_type(question, kind, value):
    asked = answer_type(question)
    assert (asked.kind, asked.value) == (kind, value)


def test_focus_words_drop_framing_stop_words_numbers_and_possessives():
    assert focus_words("How many knife crimes were recorded in Birmingham in 2015?") == (
        "knife",
        "crimes",
        "birmingham",
    )
    assert answer_type("What did HMIC say about the force's use of Tasers?").subject == ("use", "tasers")
    assert answer_type("How many arrests did the force make for organised crime?").counted == ("arrests",)
    assert answer_type("How many gang injunctions were issued?").counted == ("gang", "injunctions")


def test_question_years_read_periods():
    assert question_years("in 2016/17 and 2019") == (2016, 2017, 2019)


def test_spellings_cover_hyphens_british_forms_and_possessives():
    assert "reoffending" in spellings("re-offending")
    assert "re-offending" in spellings("reoffending")
    assert "organised" in spellings("organized")
    assert "behaviour" in spellings("behavior")
    assert spellings("force's") == ["force"]
    # each part of a compound may be found on its own ("ex-gangsters": "gangsters")
    assert word_present("ex-gangsters", {"gangsters"}.__contains__)
    assert not word_present("spit-hoods", {"spit"}.__contains__)


def _evidence(present=(), passages=(), scope=SCOPE, tagged=(), **more):
    """What the report has: the words it uses, its best passages; ``tagged``: the question's words."""
    return Evidence(set(present).__contains__, tuple(passages), scope, words=tuple(tagged), **more)


def test_a_word_never_used_in_any_spelling_is_named():
    kind = answer_type("How many knife crimes were recorded in Birmingham?")
    reason = unanswered_reason(kind, _evidence({"crimes", "birmingham"}, [OCG]), checks=["words"])
    assert reason == "the report never mentions “knife”, in any spelling or close word"
    kind = answer_type("What did HMIC say about organized crime?")
    assert unanswered_reason(kind, _evidence({"organised", "crime"}), checks=["words"]) == ""


def test_a_count_the_report_does_not_give_names_what_it_does_count():
    kind = answer_type("How many arrests did the force make for organised crime?")
    reason = unanswered_reason(kind, _evidence({"arrests", "make", "organised", "crime"}, [OCG]))
    assert reason == "the report gives the number of organised crime groups, not of arrests"
    kind = answer_type("How many organised crime groups was the force dealing with?")
    assert unanswered_reason(kind, _evidence(kind.subject, [OCG])) == ""


def test_a_share_or_date_must_stand_near_the_subject():
    share = answer_type("What percentage of OCGs were involved in drug activity?")
    assert unanswered_reason(share, _evidence(share.subject, [OCG])) == ""
    when = answer_type("When did Project Concord start?")
    said = "The force has run Project Concord since 2013 in Birmingham East."
    assert unanswered_reason(when, _evidence(when.subject, [said])) == ""
    assert unanswered_reason(
        when, _evidence(when.subject, ["Project Concord brings partners together."])
    ) == ("the passages about project concord start give no date")


def test_a_year_outside_the_reports_period_is_named_unless_the_passages_mention_it():
    kind = answer_type("How many organised crime groups did the force manage in 2018?")
    assert unanswered_reason(kind, _evidence(kind.subject, [OCG]), checks=["period"]) == (
        "the report covers 2015 (published February 2016); it says nothing about 2018"
    )
    kind = answer_type("How did recorded crime change since 2010?")
    assert unanswered_reason(kind, _evidence(kind.subject, ["Crime fell by 15 percent since 2010."])) == ""


def test_a_grade_for_a_pillar_the_report_does_not_judge():
    kind = answer_type("What grade did the force get for efficiency?")
    assert unanswered_reason(kind, _evidence(), "What grade did the force get for efficiency?") == (
        "the report grades police effectiveness (overall: good), not efficiency"
    )


@pytest.mark.models
def test_a_grade_for_an_area_the_report_does_not_judge(tag):
    graded = (GradedArea("Tackling serious and organised crime", "Good"),)
    question = "What grade did HMIC give the force for tackling cyber-crime?"
    evidence = _evidence(tagged=tag(question), graded=graded)
    assert "no grade for cyber-crime" in unanswered_reason(answer_type(question), evidence, question)
    question = "Was the force judged good at tackling serious and organised crime?"
    evidence = _evidence(tagged=tag(question), graded=graded)
    assert unanswered_reason(answer_type(question), evidence, question) == ""


def test_a_comparison_with_a_named_other_force():
    question = "Does West Midlands Police record more crime than Kent Police?"
    assert unanswered_reason(answer_type(question), _evidence(), question, checks=["comparison"]) == (
        "the report compares West Midlands Police with England and Wales, not with Kent Police"
    )
    question = "How does victim satisfaction compare with England and Wales?"
    assert unanswered_reason(answer_type(question), _evidence(), question, checks=["comparison"]) == ""


def test_checks_can_be_switched_off_and_other_questions_are_never_ruled_out_by_words():
    kind = answer_type("How many knife crimes were recorded in 2018?")
    assert unanswered_reason(kind, _evidence(), checks=[]) == ""
    assert CHECKS == (
        "words",
        "figures",
        "person",
        "period",
        "grade",
        "inspection",
        "cause",
        "comparison",
        "detail",
        "value",
    )
    kind = answer_type("How has the force tackled wrongdoing linked to takeaway shops?")
    assert unanswered_reason(kind, _evidence()) == ""


@pytest.mark.models
@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("How many knife crimes were recorded in Birmingham in 2015?", "never mentions “knife”"),
        ("Who is the West Midlands police and crime commissioner?", "names no commissioner"),
        (
            "How many organised crime groups was West Midlands Police managing in 2018?",
            "the number of organised crime groups (68, West Midlands Police, as at 30 June 2015); it gives none for 2018",
        ),
        ("How many arrests did the force make for organised crime?", "no number of organised crime arrests"),
        ("What grade did West Midlands Police get for efficiency?", "not efficiency"),
        ("How many people were arrested under Operation Sentinel?", "the report gives"),
        ("Does West Midlands Police record more crime than Kent Police?", "not with Kent Police"),
        ("How long do gang injunctions last?", "give no length of time"),
        # a question of the report's that it states no grade for
        (
            "What grade was the force given for investigating crime and managing offenders?",
            "states no grade for investigating crime and managing offenders",
        ),
        ("Which forces were rated outstanding in this inspection?", "grades West Midlands Police only"),
        ("Who was the force's chief constable at the time?", "names no chief constable"),
        # a figure asked as a noun phrase, for a period the report does not cover
        (
            "sexual offences rate per 1,000 population in the year to June 2012",
            "none for the year to June 2012",
        ),
        # "wellbeing" is not "well": a compound is not close to its first part
        ("How does the force support the wellbeing of its officers?", "wellbeing is a matter for"),
        # a reference's publication date is not the date of an event
        ("On what date does the confidential unit join the regional unit?", "give no date"),
        # the other side of a comparison: a year, the force's peers
        (
            "Was the charge rate higher in 2015 than in 2014?",
            "does not compare charge with an earlier period",
        ),
        ("How does victim satisfaction compare with the force's most similar group?", "with similar forces"),
        ("Which sees more burglary per household, Walsall or Wolverhampton?", "does not compare"),
        ("Have community resolutions gone up since 2014?", "with an earlier period"),
        # "by name" asks for a person's name; a sentence that asks who does not say who
        ("Which officer, by name, leads the joint work with Public Health England?", "names no officer"),
        ("Who is responsible for re-scoring OCGs at West Midlands Police?", "does not say who"),
        ("What was the force's 2015 legitimacy judgment?", "not legitimacy"),
        # figures asked for with "figures" or "give me", and a change with a period
        ("Give me the youth caution figures for the year to June 2013.", "none for the year to June 2013"),
        (
            "How did anti-social behaviour change in the 12 months to June 2016?",
            "none for 12 months to June 2016",
        ),
        # a noun phrase with a period asks for the figure of that period
        ("community resolutions in the year to june 2013", "none for the year to june 2013"),
        # "what caused" asks why; the report gives the fall, not its cause
        ("What caused anti-social behaviour incidents to fall?", "gives no reason"),
        # "who at <another body>" asks for a person there
        ("Who at Cambridge University is studying Catch 22?", "names no one"),
        # a bare "and when?" asks when of the thing before
        ("Which regional unit will the confidential unit join, and when?", "give no date"),
    ],
)
def test_near_misses_are_flagged_with_the_reason(index, question, reason):
    result = index.search(question, k=3)
    assert not result.in_report
    assert reason in " ".join(result.notices)
    assert result.hits, "the closest passages still show"
    html = result_html(result, set(), {}, lambda _: "")
    assert reason.replace("“", "&ldquo;") in html or reason in html


@pytest.mark.models
@pytest.mark.parametrize(
    "question",
    [
        "How many organised crime groups was the force dealing with in June 2015?",
        "What percentage of victims were satisfied with the police in the year to March 2015?",
        "How was the force graded for protecting vulnerable people?",
        "When did Project Concord start?",
        "How does West Midlands victim satisfaction compare with England and Wales?",
        "What did HMIC say about re offending rates?",
        "Are kids who run away sometimes treated as lower risk than they should be?",
        "In which town is the Catch 22 scheme run?",
        "Which university is helping to evaluate Catch 22?",
        "sexual offences rate per 1,000 population, 12 months to June 2015",
        "In how many forces did recorded crime rise in the year to June 2015?",
        "When was HMIC's review of regional organised crime units published?",
        # a period in words is not the subject; a share set beside the national one is compared
        "How many incidents of anti-social behaviour were recorded in the twelve months ending 30 June 2015?",
        "How does the proportion of drug-focused organised crime groups compare with England and Wales?",
        # the report's own peers wording ("other similar forces") answers "comparable forces"
        "Is reoffending lower in the West Midlands than in comparable forces?",
        # a table row counts the notices, not how they were issued; "what's" is "what is"
        "How many PNDs did the force issue in the year to June 2015?",
        "What's the rate of burglary in a dwelling?",
        "What were the adult caution figures in the 12 months to June 2015?",
        "Is the effectiveness judgment about policing as a whole?",
        # a purpose answers why someone did something
        "Why has the force seconded a chief inspector to Public Health England?",
        # the report answers in words of its own
        "What proportion of its investigators has the force trained in victim contact?",
        "Where does the force use dispersal orders?",
        "Why is the number of sex offenders to manage likely to keep rising?",
        "how was wmp rated for vulnerability?",
        "Is the threat from terrorism higher in the West Midlands than in other forces?",
        "Does the force have a lot of organised crime groups per head compared with other forces?",
        "What did the 2014 inspection recommend about seized computer equipment?",
        "Which charity does the force work with on awareness courses for offenders?",
        "recorded crime change 2014 to 2015",
        "Were missing children's risk levels graded correctly?",
    ],
)
def test_answerable_look_alikes_are_not_flagged(index, question):
    result = index.search(question, k=3)
    assert result.in_report, result.notices


@pytest.mark.models
def test_a_question_answered_in_part_shows_its_evidence_and_says_which_part_is_not(index):
    question = "Who is the chief constable, and how many organised crime groups were managed in June 2015?"
    result = index.search(question, k=3)
    assert not result.in_report and result.hits
    assert any(
        n.startswith("part of the question is not answered") and "chief constable" in n
        for n in result.notices
    )
    html = result_html(result, set(), {}, lambda _: "")
    assert "answers only part of this" in html and "chief constable" in html
    assert "68" in html  # the part it answers, shown
    both = index.search("How many OCGs were there in June 2015, and what share were drug-focused?", k=3)
    assert both.in_report, both.notices
    whole = index.search("Who is the chief constable?", k=3)
    assert not whole.in_report


@pytest.mark.models
def test_the_report_is_the_reports_in_scope(index):
    """With a scope, words and years are looked for in the reports in scope only."""
    report = index.metas[0].report_id
    scoped = index.search("How many arrests did the force make for organised crime?", k=3, reports=[report])
    assert not scoped.in_report
    assert index.search("what does THRIVE stand for", k=3, years=[index.metas[0].year]).in_report


@pytest.mark.models
def test_a_section_filter_narrows_the_passages_not_what_the_report_mentions(index):
    result = index.search("What did HMIC say about THRIVE?", k=3, section="organised crime")
    assert not any("never mentions" in n for n in result.notices), result.notices


@pytest.mark.models
def test_a_grade_from_another_year_needs_a_sentence_of_that_year_that_grades_it(tag):
    graded = (GradedArea("Preventing crime and anti-social behaviour", "Good"),)
    scope = Scope(
        years=frozenset({2014, 2015, 2016}), own_years=frozenset({2015}), pillars=("police effectiveness",)
    )
    question = "What was the force's 2014 grade for preventing crime?"
    evidence = _evidence(tagged=tag(question), graded=graded, scope=scope)
    assert "no grade from 2014" in unanswered_reason(answer_type(question), evidence, question)
    said = "In HMIC's 2014 crime inspection the force was judged to be good at preventing crime."
    evidence = _evidence(tagged=tag(question), graded=graded, scope=scope, passages_with=lambda word: [said])
    assert unanswered_reason(answer_type(question), evidence, question) == ""
    # a year in another clause is not the grade's
    question = "What grade did preventing crime get, and does it match the 2014 findings?"
    evidence = _evidence(tagged=tag(question), graded=graded, scope=scope)
    assert "2014" not in unanswered_reason(answer_type(question), evidence, question)
