"""The index on disk under damage, killed builds, concurrent builds, and a running app while
its index is rebuilt. (``test_store`` covers the manifest, single missing files and crashes
raised inside the build; this file covers the rest of the issue.)

Every build here uses the hash embedder of ``fakes``; a killed build runs in a child
process that stops itself at a chosen moment and is then SIGKILLed from outside.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import gradio as gr
import httpx
import pytest

from fakes import HashEmbedder, refusal, serving
from peel_search.cli import main
from peel_search.errors import IndexCorruptError, IndexLockedError, IndexUnusableError
from peel_search.index import store
from peel_search.index.build import build_index
from peel_search.retrieve.search_index import SearchIndex

pytestmark = pytest.mark.models

TESTS = Path(__file__).parent
TINY = TESTS / "data" / "tiny-report.txt"


def quiet(message: str) -> None:
    pass


@pytest.fixture
def fake_embedder(monkeypatch):
    import peel_search.models as models

    monkeypatch.setattr(models, "get_embedder", lambda: HashEmbedder())


def manifest_files(folder: Path) -> list[str]:
    return sorted(json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))["files"])


# -- damage, file by file ---------------------------------------------------------------------


def _every_index_file(built_index_dir: Path) -> list[str]:
    files = manifest_files(built_index_dir)
    assert set(files) == set(store.index_files(built_index_dir)), "every file of index/ is checksummed"
    return files


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "empty", "remove", "replace with a folder"])
def test_every_file_is_checked(index_copy, damage):
    """Each kind of damage to each file of the index is refused on load, naming the file."""
    folder, corpus = index_copy
    for name in _every_index_file(folder):
        path = folder / name
        original = path.read_bytes()
        if damage == "flip a byte":
            data = bytearray(original)
            data[len(data) // 3] ^= 0x01
            path.write_bytes(bytes(data))
        elif damage == "truncate":
            path.write_bytes(original[: len(original) - 1])
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "remove":
            path.unlink()
        else:
            path.unlink()
            path.mkdir()
        with pytest.raises(IndexCorruptError) as err:
            SearchIndex.load(folder, corpus)
        message = str(err.value)
        assert str(path) in message and "peel-search index --rebuild" in message, message
        assert ("missing" if damage in ("remove", "replace with a folder") else "damaged") in message
        if path.is_dir():
            path.rmdir()
        path.write_bytes(original)
    assert SearchIndex.load(folder, corpus).size > 100


def test_random_bytes_flipped_in_the_manifest_never_load_a_wrong_index(index_copy):
    """The manifest holds the checksums, so it is not in its own list: a flipped byte must
    either be refused or change nothing that matters (a date, a setting's spelling)."""
    folder, corpus = index_copy
    path = folder / store.MANIFEST
    original = path.read_bytes()
    reference = SearchIndex.load(folder, corpus)
    outcomes: dict[str, int] = {}
    for position in random.Random(5).sample(range(len(original)), 40):
        data = bytearray(original)
        data[position] ^= 0x04
        path.write_bytes(bytes(data))
        try:
            loaded = SearchIndex.load(folder, corpus)
        except IndexUnusableError as exc:
            assert "peel-search index" in str(exc)
            outcomes[type(exc).__name__] = outcomes.get(type(exc).__name__, 0) + 1
        else:
            assert [c.id for c in loaded.chunks] == [c.id for c in reference.chunks]
            outcomes["loaded"] = outcomes.get("loaded", 0) + 1
    path.write_bytes(original)
    assert outcomes.get("IndexCorruptError", 0) + outcomes.get("IndexStaleError", 0) > 20, outcomes


#: The bundled report's part: its vectors are per report (see peel_search.index.store).
PART = f"{store.PARTS_DIR}/peel-2015-effectiveness-west-midlands"
DAMAGE = {
    "flipped byte": lambda f: (f / PART / store.DENSE).write_bytes(
        (f / PART / store.DENSE).read_bytes()[:100] + b"\xff" + (f / PART / store.DENSE).read_bytes()[101:]
    ),
    "truncated file": lambda f: (f / PART / store.TOKENS).write_bytes(
        (f / PART / store.TOKENS).read_bytes()[:1000]
    ),
    "missing file": lambda f: (f / PART / store.SENTENCES).unlink(),
    "missing manifest": lambda f: (f / store.MANIFEST).unlink(),
    "another format version": lambda f: _edit_manifest(f, format_version=store.FORMAT_VERSION - 1),
    "another model": lambda f: _edit_manifest(f, embedding_model="intfloat/e5-small-v2"),
}
SAYS = {
    "flipped byte": "dense.npy is damaged (checksum mismatch)",
    "truncated file": "tokens.npy is damaged (checksum mismatch)",
    "missing file": "sentences.npy is missing from the index",
    "missing manifest": "no index in",
    "another format version": f"this install reads format {store.FORMAT_VERSION}",
    "another model": "it was built with model intfloat/e5-small-v2",
}


def _edit_manifest(folder: Path, **changes: object) -> None:
    data = json.loads((folder / store.MANIFEST).read_text(encoding="utf-8"))
    data.update(changes)
    (folder / store.MANIFEST).write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_commands_that_need_the_index_rebuild_a_damaged_one(index_copy, capsys, fake_embedder, damage):
    folder, corpus = index_copy
    DAMAGE[damage](folder)
    with pytest.raises(IndexUnusableError, match="peel-search index"):
        SearchIndex.load(folder, corpus)
    code = main(["judgments", "--format", "json", "--index", str(folder), "--corpus", str(corpus)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(json.loads(out)["columns"]) == 5
    first, *_ = err.splitlines()
    assert first.startswith("peel-search: building the index: ") and SAYS[damage] in first, first
    assert "Traceback" not in err
    assert SearchIndex.load(folder, corpus).size > 100


def test_the_index_command_reports_what_it_rebuilt(index_copy, capsys, fake_embedder):
    folder, corpus = index_copy
    DAMAGE["flipped byte"](folder)
    assert main(["index", "--index", str(folder), "--corpus", str(corpus)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert SAYS["flipped byte"] in lines[0] and "passages in" in lines[-1]


# -- a build killed at any moment -------------------------------------------------------------

#: Builds ``corpus`` into ``folder`` with the hash embedder, and at ``phase`` writes its pid to
#: ``flag`` and waits (for ``resume`` to appear, or to be killed).
CHILD = r"""
import os, sys, time
from pathlib import Path

tests, phase, folder, corpus, flag, resume = sys.argv[1:7]
sys.path.insert(0, tests)
import numpy
from fakes import HashEmbedder
from peel_search.index import store
from peel_search.index.build import build_index

def pause(where):
    if where != phase:
        return
    Path(flag).write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while not Path(resume).exists() and time.monotonic() < deadline:
        time.sleep(0.02)

class Embedder(HashEmbedder):
    def encode_tokens(self, texts):
        pause("embedding")
        return super().encode_tokens(texts)

real_write, real_fsync, real_replace, real_rmtree = numpy.save, store._fsync_tree, os.replace, store.shutil.rmtree
def write_index(path, array, **kwargs):
    real_write(path, array, **kwargs)
    pause("writing files")
def fsync_tree(path):
    real_fsync(path)
    pause("written and synced")
def replace(src, dst):
    real_replace(src, dst)
    if ".old-" in str(dst):
        pause("old index moved aside")
def rmtree(path, *args, **kwargs):
    if ".old-" in str(path) and os.path.exists(path):  # the previous index, once swapped out
        pause("new index in place")
    real_rmtree(path, *args, **kwargs)
numpy.save, store._fsync_tree, store.os.replace, store.shutil.rmtree = write_index, fsync_tree, replace, rmtree

build_index(corpus, folder, progress=lambda m: None, embedder=Embedder())
print("built")
"""


def _start_child(phase: str, folder: Path, corpus: Path, tmp: Path) -> tuple[subprocess.Popen, Path, Path]:
    flag, resume = tmp / f"paused-{phase}", tmp / f"resume-{phase}"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(TESTS), phase, str(folder), str(corpus), str(flag), str(resume)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    return proc, flag, resume


def _wait_for(proc: subprocess.Popen, flag: Path, timeout: float = 180) -> int:
    deadline = time.monotonic() + timeout
    while not flag.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the build ended before pausing: {proc.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the build never reached the pause")
        time.sleep(0.05)
    time.sleep(0.05)
    return int(flag.read_text() or proc.pid)


def _tiny_corpus(tmp: Path) -> Path:
    corpus = tmp / "tiny-corpus"
    corpus.mkdir()
    (corpus / "tiny.txt").write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    return corpus


KILL_AT = [
    "embedding",
    "writing files",
    "written and synced",
    "old index moved aside",  # between commit's two renames: the next load puts it back
    "new index in place",
]


@pytest.mark.parametrize("phase", KILL_AT)
def test_sigkill_during_a_build_leaves_a_loadable_index(index_copy, tmp_path, phase):
    """The previous index (of the bundled report) is being replaced by one of the tiny
    report; SIGKILL at each moment of the build leaves one of the two whole and loadable."""
    folder, corpus = index_copy
    before = store.read_manifest(folder)
    tiny = _tiny_corpus(tmp_path)
    proc, flag, _ = _start_child(phase, folder, tiny, tmp_path)
    try:
        _wait_for(proc, flag)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    loaded = SearchIndex.load(folder)
    if phase == "new index in place":
        assert loaded.size == 5  # the new one, whole
    else:
        assert store.read_manifest(folder) == before
        assert loaded.size == before.chunk_count
        SearchIndex.load(folder, corpus)  # and still current for its corpus

    # The lock died with the process; the next build cleans up what the killed one left.
    build_index(tiny, folder, progress=quiet, embedder=HashEmbedder())
    assert SearchIndex.load(folder, tiny).size == 5
    left = sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))
    # The lock, and the embedding cache, kept on purpose: what was embedded is not lost.
    assert set(left) <= {f".{folder.name}.lock", f".{folder.name}.cache"}
    assert f".{folder.name}.lock" in left


def test_two_builds_at_once_the_second_is_refused_and_neither_corrupts(index_copy, tmp_path, capsys):
    folder, corpus = index_copy
    tiny = _tiny_corpus(tmp_path)
    proc, flag, resume = _start_child("embedding", folder, tiny, tmp_path)
    try:
        pid = _wait_for(proc, flag)
        with pytest.raises(IndexLockedError, match=rf"another build of .* is running \(pid {pid}\)"):
            build_index(corpus, folder, progress=quiet, embedder=HashEmbedder())
        code = main(["index", "--rebuild", "--index", str(folder), "--corpus", str(corpus)])
        err = capsys.readouterr().err
        assert code == 1
        assert err.splitlines()[-1] == (
            f"peel-search: another build of {folder} is running (pid {pid}): wait for it to finish, then retry"
        )
        assert SearchIndex.load(folder, corpus).size > 100  # the old one, meanwhile
        resume.write_text("go")
        out, child_err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and out.strip() == "built", child_err[-2000:]
    assert SearchIndex.load(folder, tiny).size == 5
    build_index(corpus, folder, progress=quiet, embedder=HashEmbedder())  # the lock is free again
    assert SearchIndex.load(folder, corpus).size > 100


# -- a running app while its index is rebuilt ----------------------------------------------------


@pytest.fixture
def app_handlers(index_copy):
    from peel_search.web.ui import Handlers

    folder, _ = index_copy
    loaded = SearchIndex.load(folder)
    loaded.use_embedder(HashEmbedder())
    return Handlers(loaded)


def test_the_app_keeps_answering_during_a_rebuild_and_then_answers_from_the_new_index(
    app_handlers, index_copy, tmp_path
):
    folder, _ = index_copy
    h = app_handlers
    old_size = h.index.size
    assert h.refresh_page() == tuple(gr.skip() for _ in range(11))
    answered: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_all_the_time() -> None:
        while not stop.is_set():
            try:
                answered.append(len(h.api_search("how does the force assess risk?", 3)["hits"]))
            except BaseException as exc:
                errors.append(exc)

    asker = threading.Thread(target=ask_all_the_time)
    asker.start()
    try:
        time.sleep(0.2)
        during = len(answered)
        build_index(_tiny_corpus(tmp_path), folder, progress=quiet, embedder=HashEmbedder())
        during = len(answered) - during
    finally:
        stop.set()
        asker.join(timeout=60)
    assert errors == [] and during > 0 and set(answered) == {3}

    result = h.api_search("offenders", 10)
    assert h.index.size == 5 != old_size
    assert len(result["hits"]) == 5 and all(
        hit["citation"].startswith("Tiny report") for hit in result["hits"]
    )
    assert {s["report_id"] for s in h.api_sections()} == {"tiny"}
    header, *lists = h.refresh_page()
    assert "Testshire Constabulary" in header and "5 passages" in header
    assert any("Testbury" in label for label, _ in lists[0]["choices"])
    # A page opened before the rebuild shows the old report map: clicking it says so.
    assert re.search(
        "reload the page", refusal(h.section_passages(2, "Not a heading of the new report")), re.I
    )


def test_a_rebuilt_index_that_will_not_load_leaves_the_app_on_the_old_one(app_handlers, index_copy, caplog):
    folder, _ = index_copy
    h = app_handlers
    before = h.index
    broken = folder.parent / "manifest.tmp"
    broken.write_text("{not json", encoding="utf-8")
    os.replace(broken, folder / store.MANIFEST)  # a new inode, as a swap makes
    assert h.api_search("risk", 2)["hits"]
    assert h.index is before
    assert "will not load; still using the one loaded" in caplog.text
    with pytest.raises(IndexCorruptError):
        SearchIndex.load(folder)


def test_the_index_folder_briefly_missing_is_not_an_error(app_handlers, index_copy):
    folder, _ = index_copy
    h = app_handlers
    aside = folder.parent / "aside"
    os.replace(folder, aside)
    try:
        assert h.api_search("risk", 2)["hits"]
    finally:
        os.replace(aside, folder)
    assert h.index.size > 100


def test_the_json_route_answers_from_a_rebuilt_index(index_copy, tmp_path):
    folder, _ = index_copy
    loaded = SearchIndex.load(folder)
    loaded.use_embedder(HashEmbedder())
    with serving(loaded) as url:
        before = httpx.get(f"{url}/api/search", params={"q": "offenders", "k": 10}, timeout=60).json()
        assert len(before["hits"]) == 10
        build_index(_tiny_corpus(tmp_path), folder, progress=quiet, embedder=HashEmbedder())
        after = httpx.get(f"{url}/api/search", params={"q": "offenders", "k": 10}, timeout=60).json()
        assert len(after["hits"]) == 5 and all(h["citation"].startswith("Tiny report") for h in after["hits"])
        assert httpx.get(f"{url}/api/health", timeout=60).json() == {"status": "ok", "passages": 5}
