"""Shared fixtures. The real index is built once per test session from the bundled report."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REPORT_FILE = CORPUS / "peel-2015-effectiveness-west-midlands.txt"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def source_text() -> str:
    return REPORT_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def report(source_text):
    from peel_search.ingest.parse import parse_report

    return parse_report(source_text, "peel-2015-effectiveness-west-midlands")


@pytest.fixture(scope="session")
def chunks(report):
    from peel_search.ingest.chunk import chunk_report

    return chunk_report(report)


@pytest.fixture(scope="session")
def tag():
    """A question's words as the not-answered checks read them, tagged by the real spaCy
    model (use with ``@pytest.mark.models``)."""
    from peel_search.models import get_spacy
    from peel_search.retrieve.asked import Word

    nlp = get_spacy()

    def tagged(question: str) -> tuple[Word, ...]:
        return tuple(Word(t.text, t.lemma_, t.pos_, t.dep_, t.head.i) for t in nlp(question))

    return tagged


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory) -> Path:
    """A private copy of the bundled corpus (tests may not touch the real one)."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(REPORT_FILE, folder / REPORT_FILE.name)
    return folder


@pytest.fixture(scope="session")
def built_index_dir(tmp_path_factory, corpus_copy) -> Path:
    """The real index of the bundled report, built once with the real models."""
    from peel_search.index.build import build_index

    out = tmp_path_factory.mktemp("built") / "index"
    build_index(corpus_copy, out, progress=lambda message: None)
    return out


@pytest.fixture(scope="session")
def index(built_index_dir, corpus_copy):
    """The loaded real index (read-only: do not rebuild or modify it in a test)."""
    from peel_search.retrieve.search_index import SearchIndex

    return SearchIndex.load(built_index_dir, corpus_copy)


@pytest.fixture
def index_copy(tmp_path, built_index_dir, corpus_copy):
    """A private copy of the built index and corpus, safe to damage: (index_dir, corpus_dir)."""
    idx = tmp_path / "index"
    shutil.copytree(built_index_dir, idx)
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_copy, corpus)
    return idx, corpus


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


_exit_status: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the process with pytest's own exit status once its report is out.

    Native threads started by the libraries under test (torch's and tokenizers' pools, a
    closed Gradio server's event loop) can abort the interpreter's final teardown after
    every test has passed ("terminate called without an active exception", exit 134).
    Nothing is left to run or report at this point, so skip that teardown.
    """
    if _exit_status and not os.environ.get("PEEL_SEARCH_TEST_NORMAL_EXIT"):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])
