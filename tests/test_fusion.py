"""Pure scoring functions: rank fusion, normalisation, pooling, near-duplicates, lexical tokens."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peel_search.index.dedupe import near_duplicate_groups, resemblance, shingles
from peel_search.index.lexical import LexicalIndex, index_terms, tokenize
from peel_search.retrieve.fusion import max_pool, min_max, ranks, reciprocal_rank_fusion, weighted_sum

# -- ranks and reciprocal rank fusion ---------------------------------------------------------


def test_ranks_are_one_based_highest_first():
    assert ranks(np.array([0.2, 0.9, 0.5])).tolist() == [3, 1, 2]


def test_ranks_break_ties_by_index():
    assert ranks(np.array([1.0, 1.0, 0.0, 1.0])).tolist() == [1, 2, 4, 3]
    assert ranks(np.zeros(3)).tolist() == [1, 2, 3]


def test_ranks_of_empty_array():
    assert ranks(np.array([])).tolist() == []


def test_rrf_exact_values():
    a = np.array([3.0, 1.0, 2.0])  # ranks 1, 3, 2
    b = np.array([1.0, 2.0, 3.0])  # ranks 3, 2, 1
    fused = reciprocal_rank_fusion([a, b], k=60)
    expected = [1 / 61 + 1 / 63, 1 / 63 + 1 / 62, 1 / 62 + 1 / 61]
    assert fused.tolist() == pytest.approx(expected, rel=1e-12)


def test_rrf_weights_and_k():
    a = np.array([3.0, 1.0, 2.0])
    b = np.array([1.0, 2.0, 3.0])
    fused = reciprocal_rank_fusion([a, b], weights=[2.0, 0.5], k=1)
    expected = [2 / 2 + 0.5 / 4, 2 / 4 + 0.5 / 3, 2 / 3 + 0.5 / 2]
    assert fused.tolist() == pytest.approx(expected, rel=1e-12)


def test_rrf_single_list_keeps_its_order():
    scores = np.array([0.1, 0.7, 0.4])
    fused = reciprocal_rank_fusion([scores])
    assert np.argsort(-fused).tolist() == [1, 2, 0]
    assert fused[1] == pytest.approx(1 / 61)


def test_rrf_uses_ranks_not_scores():
    fused_small = reciprocal_rank_fusion([np.array([0.3, 0.2, 0.1])])
    fused_large = reciprocal_rank_fusion([np.array([300.0, 2.0, -1e9])])
    assert fused_small.tolist() == fused_large.tolist()


def test_rrf_rejects_bad_arguments():
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([])
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([np.array([1.0]), np.array([2.0])], weights=[1.0])


# -- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([0.0, 3.0, 1.5], [0.0, 1.0, 0.5]),
        ([1.0, 3.0, 2.0], [0.0, 1.0, 0.5]),  # positive scores (BM25): the lowest maps to 0
        ([-3.0, -1.0], [0.0, 1.0]),  # negative scores (cosine): the highest maps to 1
    ],
    ids=["from zero", "positive", "negative"],
)
def test_min_max_maps_lowest_to_zero_and_highest_to_one(scores, expected):
    assert min_max(np.array(scores)).tolist() == pytest.approx(expected)


@pytest.mark.parametrize("value", [0.0, 5.0, -2.0])
def test_min_max_of_a_constant_array_is_all_zeros(value):
    assert min_max(np.full(4, value)).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_min_max_of_empty_array():
    assert min_max(np.array([])).tolist() == []


def test_weighted_sum_of_normalised_scores():
    a = np.array([0.0, 10.0, 5.0])
    b = np.array([1.0, 0.0, 0.0])
    assert weighted_sum([a, b], [0.5, 0.5]).tolist() == pytest.approx([0.5, 0.5, 0.25])
    with pytest.raises(ValueError):
        weighted_sum([a, b], [1.0])


# -- pooling ----------------------------------------------------------------------------------


def test_max_pool_takes_the_best_sentence_per_passage():
    values = np.array([0.1, 0.5, 0.3, -0.2])
    owners = np.array([0, 0, 2, 2])
    assert max_pool(values, owners, 3).tolist() == [0.5, -1.0, 0.3]
    assert max_pool(values, owners, 3, fill=-9.0).tolist() == [0.5, -9.0, 0.3]


def test_max_pool_with_nothing_to_pool():
    assert max_pool(np.array([]), np.array([], dtype=np.int64), 2).tolist() == [-1.0, -1.0]


# -- near-duplicates --------------------------------------------------------------------------

BODY = (
    "The '4Ps' approach of pursue, prevent, protect and prepare is not being considered in all areas with "
    "some alternative problem-solving plans being used. The force has recently reinvigorated strategic "
    "oversight at a force level to provide a more structured governance framework."
)
OVERVIEW = BODY.replace("'4Ps'", "'4P's'")


def test_shingles():
    assert shingles("A b c d") == frozenset({("a", "b", "c"), ("b", "c", "d")})
    assert shingles("Two words") == frozenset({("two", "words")})
    assert shingles("...") == frozenset()


def test_resemblance_is_the_smaller_containment():
    a = shingles("one two three four five")
    b = shingles("one two three four five six seven")
    assert resemblance(a, b) == pytest.approx(3 / 5)
    assert resemblance(a, a) == 1.0
    assert resemblance(a, frozenset()) == 0.0


def test_near_duplicate_groups():
    other = "Victims are kept updated throughout the course of the investigation and can choose how."
    quoting = BODY.split(". ")[0] + "."  # one sentence of the longer passage: says less, not a duplicate
    groups = near_duplicate_groups([BODY, other, OVERVIEW, quoting])
    assert groups[0] == groups[2]
    assert len({groups[0], groups[1], groups[3]}) == 3


def test_near_duplicate_groups_are_transitive():
    words = [f"w{i}" for i in range(40)]
    a = " ".join(words[:30])
    b = " ".join(words[2:32])
    c = " ".join(words[4:34])
    assert resemblance(shingles(a), shingles(c)) < 0.9
    groups = near_duplicate_groups([a, b, c], threshold=0.9)
    assert groups == [groups[0]] * 3


def test_near_duplicate_groups_of_nothing():
    assert near_duplicate_groups([]) == []
    assert near_duplicate_groups(["", ""]) == [0, 1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab c", max_size=30), max_size=8))
def test_groups_are_canonical_indices(texts):
    groups = near_duplicate_groups(texts)
    assert len(groups) == len(texts)
    for i, g in enumerate(groups):
        assert 0 <= g <= i
        assert groups[g] == g
        if texts[i] == texts[g] or not shingles(texts[i]):
            continue
        assert resemblance(shingles(texts[i]), shingles(texts[g])) > 0 or g == i


# -- lexical tokens ---------------------------------------------------------------------------


def test_tokenize_stems_and_drops_stopwords():
    assert tokenize("The officers were investigating offences") == ["offic", "investig", "offenc"]
    assert tokenize("the of and") == []
    assert tokenize("?!.,") == []
    assert tokenize("") == []


def test_tokenize_hyphens_meet_closed_and_open_forms():
    hyphen = tokenize("anti-social")
    assert set(tokenize("antisocial")) <= set(hyphen)
    assert set(tokenize("anti social")) <= set(hyphen)


def test_tokenize_possessives_and_numbers():
    assert tokenize("force's") == tokenize("force")
    assert tokenize("83.0 percent") == ["83.0", "percent"]


def test_index_terms_bring_derivational_families_together():
    for family in (["terrorism", "terrorist", "counter-terrorist"], ["partner", "partnership"]):
        shared = set.intersection(*(set(index_terms(word)) for word in family))
        assert shared, family
    assert index_terms("police crime") == ["polic", "crime"]  # short stems stay whole
    assert index_terms("the of") == []


def test_bm25_finds_a_derivational_variant_and_says_what_it_knows():
    docs = ["The region has the highest counter-terrorist threat outside London.", "Burglary fell."]
    lexical = LexicalIndex.build(docs)
    scores = lexical.scores("terrorism risk")
    assert scores[0] > 0 and scores[1] == 0
    assert lexical.knows("terrorism") and lexical.knows("burglaries") and not lexical.knows("khat")
    assert lexical.coverage("terrorism khat") == 0.5


def _every_pair_groups(texts: list[str], threshold: float) -> list[int]:
    """The definition: union every pair whose resemblance reaches the threshold."""
    sets = [shingles(t) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            if resemblance(sets[i], sets[j]) >= threshold:
                parent[find(j)] = find(i)
    return [find(i) for i in range(len(texts))]


def _partition(groups: list[int]) -> list[int]:
    first: dict[int, int] = {}
    return [first.setdefault(g, len(first)) for g in groups]


WORDS = ["force", "crime", "victims", "partners", "risk", "police", "the", "of", "safe", "children"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=0, max_size=14).map(" ".join), max_size=12),
    st.sampled_from([0.5, 0.7, 0.9, 1.0]),
)
def test_prefix_filtered_groups_equal_comparing_every_pair(texts, threshold):
    # Copies with one word changed make pairs near the threshold, the case the filter must not miss.
    texts = texts + [t.replace("force", "police", 1) for t in texts[:4]]
    assert _partition(near_duplicate_groups(texts, threshold)) == _partition(
        _every_pair_groups(texts, threshold)
    )
