"""The folding rule: passages fold as copies only when they say the same thing.

Two passages of different reports are copies when, with each report's own force and place
names masked, their texts are near-duplicates and every grade word, number, date,
negation, judging word and other named entity is equal. Pairs that differ in one of
those are "same wording, different claim": each stays a hit of its own, and each knows
what the other says instead.
"""

from __future__ import annotations

import pytest

from peel_search.index.claims import OwnNames, claims, difference
from peel_search.index.dedupe import copy_groups
from peel_search.types import Entity

WEST_MIDLANDS = OwnNames.of(["West Midlands Police", "West Midlands"], ["Birmingham", "Wolverhampton"])
DURHAM = OwnNames.of(["Durham Constabulary", "Durham"], ["Darlington", "Hartlepool"])

BASE = (
    "HMIC judges that West Midlands Police requires improvement in its approach to protecting "
    "vulnerable people. Officers in Birmingham do not always record the risk to victims of "
    "domestic abuse, and 12 percent of cases reviewed in March 2015 lacked a risk assessment."
)


def _places(text: str, *names: str) -> list[Entity]:
    """The places ``names`` as the entity tagger marks them in ``text``."""
    return [Entity(n, "GPE", text.index(n), text.index(n) + len(n)) for n in names if n in text]


def _same(a: str, own_a: OwnNames, b: str, own_b: OwnNames) -> bool:
    masked = [own_a.mask(a), own_b.mask(b)]
    places = ("Birmingham", "Darlington", "Leeds")
    said = [claims(masked[0], _places(a, *places), own_a), claims(masked[1], _places(b, *places), own_b)]
    grouping = copy_groups(masked, lambda i, j: said[i] == said[j])
    return grouping.groups[0] == grouping.groups[1]


def test_the_same_wording_with_another_force_and_its_places_is_a_copy():
    other = BASE.replace("West Midlands Police", "Durham Constabulary").replace("Birmingham", "Darlington")
    assert _same(BASE, WEST_MIDLANDS, other, DURHAM)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("requires improvement", "is inadequate", "inadequate"),  # one grade word
        ("12 percent", "21 percent", "21%"),  # one number
        ("March 2015", "June 2015", "june"),  # one date
        ("March 2015", "March 2016", "2016"),  # one year
        ("do not always record", "do always record", ""),  # one "not" (taken away)
        ("do not always record", "do not often record", "often"),  # one judging word
        ("Officers in Birmingham", "Officers in Leeds", "leeds"),  # another place, not its own
    ],
)
def test_one_difference_in_what_is_claimed_keeps_them_apart(old, new, says):
    other = BASE.replace("West Midlands Police", "Durham Constabulary").replace(old, new)
    assert old in BASE and new in other
    assert not _same(BASE, WEST_MIDLANDS, other, DURHAM)
    theirs = claims(DURHAM.mask(other), _places(other, "Leeds"), DURHAM)
    mine = claims(WEST_MIDLANDS.mask(BASE), (), WEST_MIDLANDS)
    if says:
        assert says in difference(mine, theirs)
    else:
        assert "not" in difference(theirs, mine)  # what the base says that the other does not


def test_a_not_added_is_a_difference_too():
    other = BASE.replace("Officers in Birmingham do", "Officers in Darlington do not").replace(
        "do not not", "do not"
    )
    positive = BASE.replace("do not always", "always")
    assert not _same(positive, WEST_MIDLANDS, other, DURHAM)
    assert difference(claims(WEST_MIDLANDS.mask(positive)), claims(DURHAM.mask(other))) == ("not",)


def test_possessives_and_the_force_are_masked_alike():
    a = "West Midlands Police's approach is effective; the force works well with Birmingham's councils."
    b = "Durham Constabulary's approach is effective; Durham Constabulary works well with Hartlepool's councils."
    assert WEST_MIDLANDS.mask(a) == DURHAM.mask(b)
    assert _same(a, WEST_MIDLANDS, b, DURHAM)


def test_national_places_are_never_masked():
    own = OwnNames.of(["Kent Police"], ["England", "Maidstone"])
    assert own.mask("Across England and in Maidstone") == "Across England and in theplace"


def test_grades_are_read_in_any_inflection():
    said = claims("the force is judged to require improvement; it requires improvement; Good.")
    assert said["grade:requires improvement"] == 2 and said["grade:good"] == 1


def test_variants_are_the_near_duplicates_that_differ():
    a = BASE
    b = BASE.replace("requires improvement", "is inadequate")
    c = "An unrelated passage about neighbourhood policing and the local councils in the area."
    said = [claims(x) for x in (a, b, c)]
    grouping = copy_groups([a, b, c], lambda i, j: said[i] == said[j])
    assert len(set(grouping.groups)) == 3
    assert grouping.variants == [(0, 1)]
