"""What the dev questions get back, pinned: the top-10 passage ids and scores, the folded
copies' reports and the not-answered flag, on the bundled report and on a 3-report library.

A change meant to keep results as they are (a refactor, a speed-up) must leave this file's
answers as they are. A change meant to alter them (a better ranking, a new check) updates
the pins on purpose and says why in its commit:

    PEEL_SEARCH_UPDATE_PINS=1 .venv/bin/python -m pytest tests/test_pinned_results.py

Ids must match exactly; scores to a relative 1e-6 (they are sums of reciprocal ranks and
cosines, the same on any machine of this kind).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from peel_search.index.build import build_index
from peel_search.retrieve.search_index import SearchIndex
from variant_reports import BUNDLED, library

ROOT = Path(__file__).resolve().parent.parent
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
PINS = Path(__file__).resolve().parent / "data" / "pinned_results.json"
UPDATE = bool(os.environ.get("PEEL_SEARCH_UPDATE_PINS"))

pytestmark = [pytest.mark.models, pytest.mark.slow]


def _questions() -> list[str]:
    if not DEV_QUESTIONS.exists():
        pytest.skip(f"the dev questions are not beside the checkout ({DEV_QUESTIONS})")
    return [json.loads(line)["question"] for line in DEV_QUESTIONS.read_text(encoding="utf-8").splitlines()]


def _answer(result: Any) -> dict[str, Any]:
    return {
        "ids": [h.chunk.id for h in result.hits],
        "scores": [h.score for h in result.hits],
        "reports": [list(h.reports) for h in result.hits],
        "in_report": result.in_report,
    }


def _compare(result: Any) -> list[dict[str, Any]]:
    return [
        {"report": row.report.report_id, "id": row.hit.chunk.id if row.hit else None, "note": row.note}
        for row in result.rows
    ]


@pytest.fixture(scope="module")
def three_reports(tmp_path_factory, built_index_dir) -> SearchIndex:
    """The bundled report and the first two generated variants, built with the real models
    (the bundled report's part reused from the session's index)."""
    root = tmp_path_factory.mktemp("pinned")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED, corpus / BUNDLED.name)
    for variant in library(2):
        (corpus / variant.name).write_text(variant.text, encoding="utf-8", newline="\n")
    shutil.copytree(built_index_dir, root / "index")
    build_index(corpus, root / "index", progress=lambda message: None)
    return SearchIndex.load(root / "index", corpus)


def _check(name: str, observed: dict[str, Any]) -> None:
    pins = json.loads(PINS.read_text(encoding="utf-8")) if PINS.exists() else {}
    if UPDATE:
        pins[name] = observed
        PINS.parent.mkdir(parents=True, exist_ok=True)
        PINS.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert name in pins, f"no pins for {name}: run with PEEL_SEARCH_UPDATE_PINS=1 once"
    expected = pins[name]
    assert sorted(observed) == sorted(expected)
    for question, want in expected.items():
        got = observed[question]
        if isinstance(want, list):  # compare rows
            assert got == want, question
            continue
        assert got["ids"] == want["ids"], question
        assert got["reports"] == want["reports"], question
        assert got["in_report"] == want["in_report"], question
        assert got["scores"] == pytest.approx(want["scores"], rel=1e-6), question


def test_the_bundled_report_answers_as_pinned(index):
    _check("bundled", {q: _answer(index.search(q, k=10)) for q in _questions()})


def test_a_three_report_library_answers_as_pinned(three_reports):
    other = three_reports.metas[1].report_id
    observed: dict[str, Any] = {}
    for q in _questions():
        observed[f"all: {q}"] = _answer(three_reports.search(q, k=10))
        observed[f"one: {q}"] = _answer(three_reports.search(q, k=10, reports=other))
        observed[f"compare: {q}"] = _compare(three_reports.compare(q))
    _check("library", observed)
