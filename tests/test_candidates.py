"""The first stage (candidates) and the vectors read from disk for them.

A search scores closely only the candidates a first stage finds; these tests pin what
that must never change: a scope of no more than the depth is searched exactly, every
source's best passages are candidates, candidates pass the filters, passages the query
names are scored whatever the first stage finds, and word-piece vectors read from the
memory-mapped parts give the scores the whole matrix in memory gave.

The library is the bundled report and two generated variants, indexed with the hash
embedder (fast, and exact about what was embedded).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes import HashEmbedder
from peel_search.index import store
from peel_search.index.build import build_index
from peel_search.index.interaction import idf_weights, maxsim_scores
from peel_search.retrieve.candidates import FirstStageQuery, LocalFirstStage, top_positions, union
from peel_search.retrieve.request import ReportScope
from peel_search.retrieve.search_index import SearchIndex
from peel_search.retrieve.vectors import PartedRows, ranges_to_rows
from variant_reports import BUNDLED, VariantSpec, make_variant

BUNDLED_ID = "peel-2015-effectiveness-west-midlands"
QUERIES = [
    "how does the force assess risk for missing children?",
    "digital evidence backlog of phones awaiting examination",
    "integrated offender management",
    "neighbourhood policing and anti-social behaviour",
    "organised crime groups disrupted",
]


@pytest.fixture(scope="module")
def library_index(tmp_path_factory) -> SearchIndex:
    root = tmp_path_factory.mktemp("firststage")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED, corpus / BUNDLED.name)
    for spec in (VariantSpec("Kent Police", 2016, fmt="2016"), VariantSpec("South Wales Police", 2017)):
        variant = make_variant(spec)
        (corpus / variant.name).write_text(variant.text, encoding="utf-8")
    build_index(corpus, root / "index", progress=lambda message: None, embedder=HashEmbedder())
    index = SearchIndex.load(root / "index", corpus)
    index.use_embedder(HashEmbedder())
    return index


@pytest.fixture
def index(library_index):
    """The library index with the default depth and whole scope restored after each test."""
    before = library_index.first_stage_depth, library_index.whole_scope
    yield library_index
    library_index.first_stage_depth, library_index.whole_scope = before


def _ids(result) -> list[str]:
    return [h.chunk.id for h in result.hits]


# -- the pure parts ------------------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 6)), max_size=30))
def test_ranges_to_rows_lists_every_row_of_every_range_in_order(ranges):
    starts = np.array([a for a, _ in ranges], dtype=np.int64)
    ends = starts + np.array([n for _, n in ranges], dtype=np.int64)
    expected = [r for a, b in zip(starts, ends, strict=True) for r in range(a, b)]
    assert ranges_to_rows(starts, ends).tolist() == expected


@settings(max_examples=50)
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=40), st.integers(1, 50))
def test_top_positions_is_the_best_depth_best_first_ties_by_position(scores, depth):
    values = np.array(scores)
    positions = np.arange(len(values), dtype=np.int64) * 3 + 7
    expected = sorted(range(len(values)), key=lambda i: (-values[i], i))[:depth]
    assert top_positions(values, positions, depth).tolist() == positions[expected].tolist()


def test_parted_rows_read_as_if_concatenated(tmp_path):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((n, 4)).astype(np.float16) for n in (3, 0, 5, 2)]
    files = []
    for i, array in enumerate(arrays):
        files.append(tmp_path / f"{i}.npy")
        np.save(files[-1], array)
    rows = PartedRows(files, 4)
    whole = np.concatenate(arrays).astype(np.float32)
    assert len(rows) == 10
    # Adjacent ranges (one run), a run across two parts, an empty range, a single row.
    starts, ends = np.array([0, 1, 2, 6, 6, 9]), np.array([1, 2, 5, 6, 8, 10])
    expected = whole[ranges_to_rows(starts, ends)]
    assert np.array_equal(rows.take_ranges(starts, ends).numpy(), expected)
    assert tuple(rows.take_ranges(np.zeros(0), np.zeros(0)).shape) == (0, 4)


def test_parted_rows_refuse_a_file_of_other_vectors(tmp_path):
    np.save(tmp_path / "wrong.npy", np.zeros((3, 5), dtype=np.float16))
    with pytest.raises(ValueError, match="not rows of 4"):
        PartedRows([tmp_path / "wrong.npy"], 4)


# -- the first stage -----------------------------------------------------------------------


def test_word_piece_vectors_stay_on_disk(index):
    """Loading holds no word-piece or lone-sentence vector in memory: they are read per query."""
    for rows in (index.library.tokens, index.library.sentences):
        assert isinstance(rows, PartedRows)
        assert not any(isinstance(v, np.ndarray) and v.size >= len(rows) for v in vars(rows).values())


def test_token_scores_read_from_the_parts_equal_the_whole_matrix(index):
    """Late interaction over candidates read part by part, across part boundaries,
    gives what the whole matrix held in memory gave."""
    folder = Path(index.folder)
    manifest = store.read_manifest(folder)
    whole = np.concatenate(
        [np.load(folder / part / store.TOKENS).astype(np.float32) for part in store.part_folders(manifest)]
    )
    query = index.ranker.encode(QUERIES[1])
    weights = idf_weights(query.pieces, index.library.token_df, index.library.token_docs)
    expected = maxsim_scores(query.tokens, weights, whole, index.library.token_offsets)
    every = np.arange(index.size)
    assert np.allclose(index.ranker.token_scores(query.tokens, weights, every), expected, atol=1e-5)
    index.ranker.TOKEN_BATCH = 7  # many small batches, each straddling passages of several parts
    try:
        some = np.sort(np.random.default_rng(0).choice(index.size, 40, replace=False))
        assert np.allclose(index.ranker.token_scores(query.tokens, weights, some), expected[some], atol=1e-5)
    finally:
        del index.ranker.TOKEN_BATCH


def test_a_scope_within_the_depth_is_searched_exactly(index):
    assert index.whole_scope >= 191  # one report's passages
    default = index.first_stage_depth
    for query in QUERIES:
        scoped = index.search(query, k=10, reports=BUNDLED_ID)
        index.first_stage_depth = None
        exact = index.search(query, k=10, reports=BUNDLED_ID)
        index.first_stage_depth = default
        assert _ids(scoped) == _ids(exact)
        assert [h.score for h in scoped.hits] == [h.score for h in exact.hits]


def test_every_sources_best_passages_are_candidates(index):
    """The candidates hold the ``depth`` best of BM25, the passage vector and the best
    sentence-in-context, as scored over the whole library."""
    index.first_stage_depth = 15
    everywhere = np.ones(index.size, dtype=bool)
    for query in QUERIES:
        encoded = index.ranker.encode(query)
        chosen = index.ranker.candidates(encoded, everywhere)
        assert 15 <= chosen.sum() <= 45
        exact = index.ranker.signals(encoded, everywhere, None)
        for name in ("bm25", "dense", "sentence"):
            # Copies of one passage in several reports tie: any of them may be chosen.
            bar = np.sort(exact[name])[::-1][14]
            assert chosen[exact[name] > bar + 1e-6].all(), name
            assert (chosen & (exact[name] >= bar - 1e-6)).sum() >= 15, name


def test_candidates_pass_the_filters(index):
    index.first_stage_depth = 10
    stage = index.first_stage
    allowed = index.report_mask(ReportScope.of(forces="Kent")) & index.filters.section_mask("vulnerab")
    for query in QUERIES:
        encoded = index.ranker.encode(query)
        ranked = stage.candidates(FirstStageQuery(encoded.vector, encoded.lexical, allowed, depth=10))
        assert set(ranked) == {"bm25", "dense", "sentence"}
        assert all(len(r) <= 10 for r in ranked.values())
        assert allowed[union(ranked)].all()
        assert len(ranked["dense"]) == min(10, int(allowed.sum()))


def test_local_stage_filtered_and_unfiltered_paths_agree(index):
    """With every passage allowed the stage asks FAISS; with a mask it scores the
    allowed vectors itself: the same passages come back."""
    stage: LocalFirstStage = index.first_stage
    everywhere = np.ones(index.size, dtype=bool)
    almost = everywhere.copy()
    almost[-1] = False  # forces the direct path, nearly the same passages
    for query in QUERIES:
        encoded = index.ranker.encode(query)
        whole = stage.candidates(FirstStageQuery(encoded.vector, encoded.lexical, everywhere, depth=12))
        part = stage.candidates(FirstStageQuery(encoded.vector, encoded.lexical, almost, depth=12))
        exact = index.ranker.signals(encoded, everywhere, None)
        for name in ("dense", "sentence"):
            # Copies of a passage in several reports tie: compare the scores, not the ids.
            kept = [p for p in whole[name] if almost[p]][:11]
            assert np.allclose(exact[name][kept], exact[name][part[name][:11]], atol=1e-5), name
            assert set(whole[name]) & set(part[name]), name


def test_a_shallow_first_stage_still_finds_what_the_exact_search_ranks_first(index):
    for query in QUERIES:
        index.first_stage_depth = None
        exact = index.search(query, k=3)
        index.first_stage_depth = 20
        shallow = index.search(query, k=3)
        # The same passage, or its copy in another report (copies tie on every signal).
        assert exact.hits[0].chunk.text in [h.chunk.text for h in shallow.hits], query
        assert all(np.isfinite(h.score) for h in shallow.hits)


def test_passages_the_query_names_are_scored_whatever_the_first_stage_finds(index):
    index.first_stage_depth, index.whole_scope = 3, 0
    result = index.search("what does figure 1 show?", k=5, reports=BUNDLED_ID)
    first = result.hits[0].chunk
    assert first.kind == "figure" and first.label.lower().startswith("figure 1")


def test_compare_with_a_shallow_first_stage_answers_every_report(index):
    index.first_stage_depth = 8
    result = index.compare("how does the force assess risk for missing children?")
    assert [row.report.report_id for row in result.rows] == [m.report_id for m in index.metas]
    for row in result.rows:
        if row.hit is not None:
            assert row.hit.chunk.report_id == row.report.report_id
