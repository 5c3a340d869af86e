"""The public surface: pinned names, cheap import, the error tree, the three entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pytest

import peel_search
from peel_search import errors

PUBLIC = [
    "Chunk",
    "CorpusError",
    "Entity",
    "Hit",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexMissingError",
    "IndexStaleError",
    "IndexUnusableError",
    "ModelError",
    "PeelSearchError",
    "QueryError",
    "SearchIndex",
    "SearchResult",
    "__version__",
    "build_index",
    "load_index",
    "open_index",
]


def test_public_names_are_pinned():
    assert peel_search.__all__ == PUBLIC
    for name in PUBLIC:
        assert hasattr(peel_search, name), name


def test_version_matches_the_installed_distribution():
    assert peel_search.__version__ == metadata.version("peel-search")


HEAVY = ["torch", "spacy", "faiss", "sentence_transformers", "transformers"]


def test_import_does_not_load_heavy_libraries():
    code = (
        "import json, sys; import peel_search; "
        "from peel_search import Chunk, QueryError, open_index, load_index, build_index; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_error_tree():
    assert issubclass(errors.CorpusError, errors.PeelSearchError)
    for cls in (
        errors.IndexMissingError,
        errors.IndexStaleError,
        errors.IndexCorruptError,
        errors.IndexLockedError,
    ):
        assert issubclass(cls, errors.IndexUnusableError)
        assert issubclass(cls, errors.PeelSearchError)
    assert issubclass(errors.QueryError, errors.PeelSearchError)
    assert issubclass(errors.QueryError, ValueError)
    assert issubclass(errors.ModelError, errors.PeelSearchError)
    assert not issubclass(errors.IndexUnusableError, IndexError)
    assert peel_search.QueryError is errors.QueryError


def test_load_index_of_nothing_is_missing(tmp_path):
    with pytest.raises(peel_search.IndexMissingError, match="peel-search index"):
        peel_search.load_index(tmp_path / "index")


@pytest.mark.models
def test_load_and_open_index(index_copy):
    folder, corpus = index_copy
    loaded = peel_search.load_index(folder, corpus)
    opened = peel_search.open_index(folder, corpus)
    assert loaded.size == opened.size > 100
    result = opened.search("what does THRIVE stand for", k=1)
    assert isinstance(result, peel_search.SearchResult)
    (hit,) = result.hits
    assert isinstance(hit, peel_search.Hit)
    assert isinstance(hit.chunk, peel_search.Chunk)
    with pytest.raises(peel_search.QueryError):
        opened.search("")
