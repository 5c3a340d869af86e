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


#: The generated PDF report of :func:`pdf_library` (its id is the file's stem).
PDF_REPORT_ID = "peel-2016-effectiveness-pdfshire"


def _pdf_report_text() -> str:
    """The tiny report's headings, worded afresh (so that no passage folds into the text
    report's copy) and grown to a few pages: an introduction of numbered paragraphs, each
    with a word of its own, so that passages stand on several pages of the PDF."""
    tiny = (ROOT / "tests" / "data" / "tiny-report.txt").read_text(encoding="utf-8")
    paragraphs = "\n\n".join(
        f"Paragraph {n} of the introduction concerns the marker word zq{n}x. The force told us how "
        "its officers record what happened, who they spoke to and what they agreed to do next, and "
        "how supervisors check those records each week so that nothing is missed."
        for n in range(1, 31)
    )
    for old, new in (
        (
            "Testshire Constabulary is good at keeping people safe. The force works with Victim Support in "
            "Testbury and uses integrated offender management (IOM) to reduce re-offending.",
            "Pdfshire Constabulary keeps its communities safe with the help of partners, and its offender "
            "teams (IOM) work to stop repeat offending.",
        ),
        (
            "Local IOM teams meet every week to review the most prolific offenders and agree the next steps "
            "with partners.",
            "Every fortnight the offender teams in Pdfbury go through their cases with probation staff.",
        ),
        (
            "Integrated offender management brings partner agencies together to manage offenders.",
            "IOM: partner agencies managing together the offenders who cause the most harm.",
        ),
        (
            "This tiny report exists only for tests. It has a few short paragraphs, a table and a footnote, so "
            "that an index can be built from it in a moment.",
            "This generated report is laid out as a PDF for the tests of opening a passage in context.\n\n"
            + paragraphs,
        ),
    ):
        assert old in tiny, old
        tiny = tiny.replace(old, new)
    return tiny.replace("Testshire", "Pdfshire").replace("Testbury", "Pdfbury")


@pytest.fixture(scope="session")
def pdf_library(tmp_path_factory):
    """A library of a PDF report (page labels i, ii, then 1, 2, ...: the printed page is
    the physical page less two) and the tiny text report, indexed with the hash embedder:
    ``(index_dir, corpus_dir, layout)``."""
    from fakes import HashEmbedder
    from pdf_reports import write_report_pdf
    from peel_search.index.build import build_index

    root = tmp_path_factory.mktemp("pdf-library")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "tiny-report.txt", corpus / "tiny-report.txt")
    layout = write_report_pdf(_pdf_report_text(), corpus / f"{PDF_REPORT_ID}.pdf", report_id=PDF_REPORT_ID)
    build_index(corpus, root / "index", progress=lambda message: None, embedder=HashEmbedder())
    return root / "index", corpus, layout
