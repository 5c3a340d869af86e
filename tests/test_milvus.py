"""The Milvus backend against Milvus Lite (a folder under tmp_path, no server): syncing
the collections with an index folder, filter expressions, candidates compared with the
FAISS first stage, and the dev-set figures of a search through each.

Candidates are compared at the level of the first stage with query vectors taken from
the index's own passages (no model needed to ask), and end to end on the dev questions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from peel_search.errors import IndexUnusableError, QueryError
from peel_search.index import store
from peel_search.index.lexical import LexicalIndex
from peel_search.index.milvus import (
    Collections,
    bm25_terms,
    connect,
    entity_key,
    passage_entity_keys,
    row_counts,
    section_key,
    string_literal,
    sync,
)
from peel_search.retrieve import candidates
from peel_search.retrieve.candidates import FirstStageQuery, LocalFirstStage
from peel_search.retrieve.milvus import MilvusFirstStage, filter_expressions, open_milvus
from peel_search.types import Entity

ROOT = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
quiet = lambda message: None  # noqa: E731


# -- keys and expressions (no Milvus) ----------------------------------------------------------


def test_a_passage_carries_each_entity_with_and_without_its_label():
    entities = [Entity("WMP", "ORG", 0, 3, "West Midlands Police"), Entity("HMIC", "ORG", 5, 9, "HMIC")]
    assert passage_entity_keys(entities) == [
        ":hmic",
        ":west midlands police",
        ":wmp",
        "ORG:hmic",
        "ORG:west midlands police",
        "ORG:wmp",
    ]


def test_bm25_terms_survive_milvus_tokenizer():
    assert (
        bm25_terms("The force's 3.5% rise in anti-social behaviour")
        == "forc 3_5 rise anti social antiso behavi"
    )
    assert bm25_terms("the of and") == ""


def test_string_literal_escapes_quotes_and_backslashes():
    assert string_literal('a "b" \\ c\n') == '"a \\"b\\" \\\\ c\\n"'


def test_filter_expression_is_the_and_of_every_filter():
    assert filter_expressions((), (), ()) == [""]
    assert filter_expressions(("r1", "r2"), ("A › B",), (("ORG:x", ":x"), ("GPE:y",))) == [
        'report_id in ["r1", "r2"] and section in ["A › B"] and '
        'array_contains_any(entity_keys, ["ORG:x", ":x"]) and array_contains_any(entity_keys, ["GPE:y"])'
    ]


def test_a_long_filter_is_split_on_its_longest_list():
    reports = [f"report-{n:04d}" for n in range(400)]
    expressions = filter_expressions(reports, ("S",), (), limit=1_000)
    assert len(expressions) > 1
    assert all(len(e) <= 1_000 and e.endswith('and section in ["S"]') for e in expressions)
    listed = [r for e in expressions for r in json.loads(e[len("report_id in ") : e.index("]") + 1])]
    assert listed == reports


def test_a_filter_that_cannot_fit_is_refused():
    with pytest.raises(QueryError, match="Milvus expression"):
        filter_expressions(("x" * 500,), (), (), limit=100)


# -- connecting ------------------------------------------------------------------------------


def test_an_unreachable_server_is_one_clear_error():
    with pytest.raises(
        IndexUnusableError, match=r"cannot reach Milvus at http://127\.0\.0\.1:9 .*--milvus-uri"
    ):
        connect("http://127.0.0.1:9", timeout=1)


def test_a_file_that_is_not_a_milvus_lite_file_is_refused(tmp_path):
    with pytest.raises(IndexUnusableError, match=r"\.db"):
        connect(str(tmp_path / "milvus.sqlite"))


def test_missing_pymilvus_names_the_packages(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pymilvus", None)
    with pytest.raises(IndexUnusableError, match="pip install pymilvus milvus-lite"):
        connect(str(tmp_path / "milvus.db"))


def test_importing_the_backend_does_not_import_pymilvus():
    code = "import sys, peel_search.retrieve.milvus; print('pymilvus' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- sync ------------------------------------------------------------------------------------


def _report_rows(folder: Path) -> list[dict]:
    return store.read_jsonl(folder / store.CHUNKS)


@pytest.fixture(scope="module")
def synced(tmp_path_factory, built_index_dir):
    """(uri, client, first sync's result) of the real index in a Milvus Lite file."""
    uri = str(tmp_path_factory.mktemp("milvus") / "milvus.db")
    client = connect(uri)
    return uri, client, sync(built_index_dir, uri, client=client)


@pytest.mark.models
def test_sync_writes_a_row_per_passage_and_per_sentence(synced, built_index_dir):
    _, client, result = synced
    manifest = store.read_manifest(built_index_dir)
    names = Collections.named()
    assert result.recreated and result.written == (manifest.corpus[0]["report_id"],)
    assert (result.passages, result.sentences) == (manifest.chunk_count, manifest.sentence_count)
    assert row_counts(client, names) == {
        names.passages: manifest.chunk_count,
        names.sentences: manifest.sentence_count,
        names.reports: 1,
    }


@pytest.mark.models
def test_sync_with_nothing_changed_writes_nothing(synced, built_index_dir):
    uri, client, _ = synced
    again = sync(built_index_dir, uri, client=client)
    assert (again.written, again.removed, again.unchanged, again.recreated) == ((), (), 1, False)
    assert (again.passages, again.sentences) == (0, 0)


def _add_copy(folder: Path, report_id: str, key: str, force: str) -> None:
    """Add to the index in ``folder`` a second report: a copy of the first under another
    id, part key and force (chunk ids suffixed so they stay distinct)."""
    manifest = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    first = manifest["corpus"][0]
    rows = [r for r in _report_rows(folder) if r["report_id"] == first["report_id"]]
    copies = [{**r, "report_id": report_id, "id": r["id"] + "c"} for r in rows]
    store.write_jsonl(folder / store.CHUNKS, [*rows, *copies])
    shutil.copytree(folder / first["part"], folder / "parts" / "copy")
    reports = json.loads((folder / store.REPORTS).read_text(encoding="utf-8"))
    reports = [*reports[:1], {**reports[0], "report_id": report_id, "force": force}]
    (folder / store.REPORTS).write_text(json.dumps(reports), encoding="utf-8")
    manifest["corpus"] = [first, {**first, "report_id": report_id, "part": "parts/copy", "key": key}]
    (folder / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def _set_key(folder: Path, report_id: str, key: str | None, force: str = "") -> None:
    """Give a report another part key (and force), or drop it (``key`` None)."""
    manifest = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    kept = [e for e in manifest["corpus"] if e["report_id"] != report_id or key is not None]
    manifest["corpus"] = [{**e, "key": key} if e["report_id"] == report_id else e for e in kept]
    (folder / store.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    reports = json.loads((folder / store.REPORTS).read_text(encoding="utf-8"))
    reports = [{**r, "force": force} if r["report_id"] == report_id else r for r in reports]
    (folder / store.REPORTS).write_text(json.dumps(reports), encoding="utf-8")
    if key is None:
        rows = [r for r in _report_rows(folder) if r["report_id"] != report_id]
        store.write_jsonl(folder / store.CHUNKS, rows)


def _forces(client, names: Collections, report_id: str) -> set[str]:
    rows = client.query(
        names.sentences,
        filter=f"report_id == {string_literal(report_id)}",
        output_fields=["force"],
        limit=10_000,
    )
    return {r["force"] for r in rows}


@pytest.mark.models
def test_a_changed_part_key_rewrites_that_report_only(tmp_path, built_index_dir):
    folder = tmp_path / "index"
    shutil.copytree(built_index_dir, folder)
    copy_id = 'copy "of" the report'  # quotes: every filter on it must be escaped
    _add_copy(folder, copy_id, "key-1", "Copy Police")
    uri = str(tmp_path / "milvus.db")
    client = connect(uri)
    names = Collections.named("lib")
    first = sync(folder, uri, client=client, prefix="lib")
    one = store.read_manifest(built_index_dir)
    original = one.corpus[0]["report_id"]
    assert sorted(first.written) == sorted([original, copy_id])
    assert row_counts(client, names)[names.passages] == 2 * one.chunk_count

    _set_key(folder, copy_id, "key-2", force="Renamed Police")
    second = sync(folder, uri, client=client, prefix="lib")
    assert (second.written, second.unchanged) == ((copy_id,), 1)
    assert second.sentences == one.sentence_count
    assert _forces(client, names, copy_id) == {"Renamed Police"}
    assert _forces(client, names, original) == {"West Midlands Police"}
    assert row_counts(client, names) == {
        names.passages: 2 * one.chunk_count,
        names.sentences: 2 * one.sentence_count,
        names.reports: 2,
    }

    _set_key(folder, copy_id, None)
    third = sync(folder, uri, client=client, prefix="lib")
    assert (third.written, third.removed, third.unchanged) == ((), (copy_id,), 1)
    assert row_counts(client, names) == {
        names.passages: one.chunk_count,
        names.sentences: one.sentence_count,
        names.reports: 1,
    }


@pytest.mark.models
def test_an_interrupted_sync_is_completed_without_duplicates(tmp_path, built_index_dir):
    uri = str(tmp_path / "milvus.db")
    client = connect(uri)
    sync(built_index_dir, uri, client=client)
    names = Collections.named()
    report = store.read_manifest(built_index_dir).corpus[0]["report_id"]
    # As a sync killed half-way leaves it: some rows written, the report not in the ledger.
    client.delete(names.reports, ids=[report])
    client.delete(names.sentences, filter='id like "%:0"')
    again = sync(built_index_dir, uri, client=client)
    assert again.written == (report,)
    manifest = store.read_manifest(built_index_dir)
    assert row_counts(client, names) == {
        names.passages: manifest.chunk_count,
        names.sentences: manifest.sentence_count,
        names.reports: 1,
    }


@pytest.mark.models
def test_collections_of_another_shape_are_made_again(tmp_path, built_index_dir):
    uri = str(tmp_path / "milvus.db")
    client = connect(uri)
    client.create_collection("old_passages", dimension=8)
    result = sync(built_index_dir, uri, client=client, prefix="old")
    assert result.recreated
    names = Collections.named("old")
    assert row_counts(client, names)[names.passages] == store.read_manifest(built_index_dir).chunk_count
    assert "old_passages" in client.list_collections()


# -- candidates ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stages(synced, built_index_dir):
    """(FAISS first stage, Milvus first stage, passage rows, passage vectors) of the real index."""
    uri, _, _ = synced
    manifest = store.read_manifest(built_index_dir)
    rows = _report_rows(built_index_dir)
    parts = [built_index_dir / p for p in store.part_folders(manifest)]
    dense = np.concatenate([np.load(p / store.DENSE) for p in parts])
    windows = np.concatenate([np.load(p / store.WINDOWS) for p in parts])
    owners = np.repeat(np.arange(len(rows)), [len(r["sentences"]) for r in rows])
    local = LocalFirstStage(LexicalIndex.load(built_index_dir / store.BM25_DIR), dense, windows, owners)
    milvus = open_milvus(built_index_dir, uri, {r["id"]: i for i, r in enumerate(rows)})
    return local, milvus, rows, dense


def _ask(
    dense: np.ndarray, rows: list[dict], n: int, allowed: np.ndarray, depth: int, **filters
) -> FirstStageQuery:
    """A query made of passage ``n``: its vector and its text."""
    return FirstStageQuery(dense[n], rows[n]["text"], allowed, depth, **filters)


@pytest.mark.models
def test_milvus_candidates_match_the_faiss_first_stage(stages):
    local, milvus, rows, dense = stages
    everything = np.ones(len(rows), dtype=bool)
    for n in range(0, len(rows), 19):
        query = _ask(dense, rows, n, everything, 30)
        ours, theirs = milvus.candidates(query), local.candidates(query)
        assert set(ours) == set(candidates.SOURCES)
        for source in ("dense", "sentence"):
            assert len(set(ours[source]) & set(theirs[source])) >= 28, (n, source)
            assert ours[source][0] == theirs[source][0]
        # The FAISS stage fills its BM25 list with passages that match no term; Milvus
        # returns only those that match one.
        scores = local._lexical.scores(query.lexical)
        matching = theirs["bm25"][scores[theirs["bm25"]] > 0]
        assert len(set(ours["bm25"]) & set(matching)) >= 0.9 * len(matching), n
        assert ours["bm25"][0] == matching[0]


def _entity_mask(rows: list[dict], label: str, text: str) -> np.ndarray:
    want = text.casefold()
    return np.array(
        [
            any(
                e["label"] == label and want in (e["text"].casefold(), e["canonical"].casefold())
                for e in r["entities"]
            )
            for r in rows
        ]
    )


@pytest.mark.models
def test_filters_select_exactly_the_allowed_passages(stages):
    local, milvus, rows, dense = stages
    sections = [section_key(r["section"]) for r in rows]
    two = sorted({s for s in sections if sections.count(s) >= 3})[:2]
    by_section = np.isin(sections, two)
    by_entity = _entity_mask(rows, "ORG", "West Midlands Police")
    report = rows[0]["report_id"]
    assert 0 < by_entity.sum() < len(rows) and 0 < by_section.sum() < len(rows)
    cases = [
        (np.ones(len(rows), dtype=bool), {"reports": (report,)}),
        (by_section, {"sections": tuple(two)}),
        (by_entity, {"entity_keys": ((entity_key("ORG", "west midlands police"),),)}),
        (
            by_entity & by_section,
            {"sections": tuple(two), "entity_keys": ((entity_key("", "West Midlands Police"),),)},
        ),
    ]
    for allowed, filters in cases:
        query = _ask(dense, rows, 7, allowed, len(rows), **filters)
        found = milvus.candidates(query)
        assert set(found["dense"]) == set(np.flatnonzero(allowed)), filters
        assert set(found["sentence"]) == set(np.flatnonzero(allowed)), filters
        assert set(found["bm25"]) <= set(np.flatnonzero(allowed)), filters
        small = _ask(dense, rows, 7, allowed, 5, **filters)
        assert list(milvus.candidates(small)["dense"]) == list(local.candidates(small)["dense"]), filters


@pytest.mark.models
def test_a_filter_on_another_report_finds_nothing(stages):
    _, milvus, rows, dense = stages
    query = _ask(dense, rows, 3, np.ones(len(rows), dtype=bool), 50, reports=("no such report",))
    assert all(len(positions) == 0 for positions in milvus.candidates(query).values())


@pytest.mark.models
def test_positions_the_query_does_not_allow_are_dropped(stages):
    _, milvus, rows, dense = stages
    allowed = np.arange(len(rows)) % 2 == 0
    found = milvus.candidates(_ask(dense, rows, 4, allowed, 40))
    assert all(len(p) and allowed[p].all() for p in found.values())


@pytest.mark.models
def test_degenerate_queries(stages):
    _, milvus, rows, dense = stages
    everything = np.ones(len(rows), dtype=bool)
    stop_words = milvus.candidates(FirstStageQuery(dense[0], "the of and", everything, 10))
    assert len(stop_words["bm25"]) == 0 and len(stop_words["dense"]) == 10
    deep = milvus.candidates(FirstStageQuery(dense[0], "force", everything, 10 * len(rows)))
    assert sorted(deep["dense"]) == list(range(len(rows)))
    nothing = milvus.candidates(FirstStageQuery(dense[0], "force", ~everything, 10))
    assert all(len(p) == 0 for p in nothing.values())


@pytest.mark.models
def test_a_search_milvus_cannot_answer_is_one_clear_error(stages, synced):
    _, client, _ = synced
    _, _, rows, dense = stages
    gone = MilvusFirstStage(client, Collections.named("gone"), {}, "milvus.db")
    with pytest.raises(IndexUnusableError, match=r"Milvus at milvus\.db did not answer a search"):
        gone.candidates(_ask(dense, rows, 0, np.ones(len(rows), dtype=bool), 10))


# -- the dev set -----------------------------------------------------------------------------


def _mrr(index, questions: list[dict]) -> float:
    from peel_search.retrieve.metrics import first_hit_rank, mrr_at

    ranks = []
    for q in questions:
        hits = index.search(q["question"], k=10).hits
        ranks.append(first_hit_rank([h.chunk.text for h in hits], q["gold"]))
    return mrr_at(ranks)


@pytest.mark.models
@pytest.mark.skipif(not DEV_QUESTIONS.is_file(), reason="the dev questions are not here")
def test_dev_set_figures_match_the_faiss_backend(index, synced, built_index_dir):
    uri, _, _ = synced
    questions = [
        q for q in map(json.loads, DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()) if q["answerable"]
    ]
    before, depth, whole = index.first_stage, index.first_stage_depth, index.whole_scope
    try:
        # Well under the report's passages, and no whole-scope shortcut: the first stage decides.
        index.first_stage_depth, index.whole_scope = 40, 0
        faiss = _mrr(index, questions)
        index.use_first_stage(open_milvus(built_index_dir, uri, index.positions))
        assert isinstance(index.first_stage, MilvusFirstStage)
        milvus = _mrr(index, questions)
    finally:
        index.use_first_stage(before)
        index.first_stage_depth, index.whole_scope = depth, whole
    assert abs(milvus - faiss) <= 0.01, (faiss, milvus)


# -- the command line ----------------------------------------------------------------------------


def _cli(capsys, *argv):
    from peel_search.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.models
def test_the_command_line_searches_through_milvus(capsys, index_copy, tmp_path):
    """``--backend milvus`` syncs the collections on first use and answers as the default
    backend does (one report is scored whole, so exactly)."""
    folder, corpus = index_copy
    common = ["--index", folder, "--corpus", corpus]
    question = "how does the force assess risk for missing children?"
    code, _, err = _cli(capsys, "index", *common, "--backend", "milvus", "--milvus-uri", tmp_path / "m.db")
    assert code == 0, err
    code, via_milvus, err = _cli(
        capsys,
        "search",
        question,
        *common,
        "--format",
        "json",
        "--backend",
        "milvus",
        "--milvus-uri",
        tmp_path / "m.db",
    )
    assert code == 0, err
    code, via_faiss, _ = _cli(capsys, "search", question, *common, "--format", "json")
    ranked = [[(h["id"], h["score"]) for h in json.loads(out)["hits"]] for out in (via_milvus, via_faiss)]
    assert ranked[0] and ranked[0] == ranked[1]


def test_backend_choices_are_checked_in_one_line(capsys, index_copy):
    from peel_search.retrieve.backend import Backend

    folder, corpus = index_copy
    code, _, err = _cli(capsys, "search", "x", "--index", folder, "--corpus", corpus, "--backend", "solr")
    assert code == 2 and len(err.splitlines()) == 1 and "invalid choice" in err
    with pytest.raises(QueryError, match="--milvus-uri goes with --backend milvus"):
        Backend.of("faiss", "http://localhost:19530")
    with pytest.raises(QueryError, match="unknown backend"):
        Backend.of("elastic")
    assert Backend.of("milvus").uri_for(Path("/data/index")) == "/data/index.milvus.db"
