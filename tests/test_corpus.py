"""Problems in the corpus folder: every bad file is named with what was done about it, the
rest is indexed, and a folder with nothing usable is refused without touching a good index.

Builds use the deterministic hash embedder of ``test_store`` (the real spaCy model still
tags entities, hence the ``models`` mark on them).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fakes import HashEmbedder
from peel_search.cli import main
from peel_search.errors import CorpusError
from peel_search.index import store
from peel_search.index.build import build_index, has_headings
from peel_search.ingest.corpus import MAX_BYTES, read_corpus
from peel_search.ingest.parse import parse_report

TINY = Path(__file__).parent / "data" / "tiny-report.txt"
PROSE = (
    "This file is a letter about the force, with no headings at all. The force works with "
    "partners in Testbury to keep people safe, and it reviews missing children cases every week.\n\n"
    "A second paragraph says that the force has improved its response to domestic abuse.\n"
)


def quiet(message: str) -> None:
    pass


def messy_corpus(folder: Path) -> dict[str, str]:
    """A corpus with one good report and one file of each kind of problem; returns the
    expected note (a fragment) for each file that gets one."""
    folder.mkdir(parents=True, exist_ok=True)
    tiny = TINY.read_text(encoding="utf-8")
    (folder / "a-good.txt").write_text(tiny, encoding="utf-8")
    (folder / "b-copy.txt").write_bytes((folder / "a-good.txt").read_bytes())
    (folder / "c-crlf-copy.txt").write_bytes(tiny.replace("\n", "\r\n").encode("utf-8"))
    (folder / "d-empty.txt").write_bytes(b"")
    (folder / "e-blank.txt").write_text(" \n\t\n\n", encoding="utf-8")
    (folder / "f-binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (folder / "g-control.txt").write_bytes(bytes(range(1, 9)) * 500)
    cp1252 = tiny.replace("keeping people safe.", "keeping people safe at a cost of £40 – a fair price.")
    (folder / "h-windows.txt").write_bytes(cp1252.encode("cp1252"))
    utf16 = tiny.replace("Testbury", "Testbury and Utfton")
    (folder / "i-utf16.txt").write_bytes(utf16.encode("utf-16"))
    (folder / "j-no-sections.md").write_text(PROSE, encoding="utf-8")
    (folder / "k-numbers.txt").write_text("12 34 56 -- 78 %% 90\n" * 5, encoding="utf-8")
    with (folder / "l-huge.txt").open("wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_BYTES + 1)
    (folder / "m-report.pdf").write_bytes(b"%PDF-1.7\n")
    (folder / ".hidden.txt").write_text(tiny, encoding="utf-8")
    (folder / "subfolder").mkdir()
    return {
        "b-copy.txt": "skipped: the same text as a-good.txt",
        "c-crlf-copy.txt": "skipped: the same text as a-good.txt",
        "d-empty.txt": "skipped: the file is empty",
        "e-blank.txt": "skipped: the file is empty",
        "f-binary.txt": "skipped: this is a binary file",
        "g-control.txt": "skipped: this is a binary file",
        "h-windows.txt": "read as cp1252: it is not valid UTF-8",
        "i-utf16.txt": "read as utf-16",
        "k-numbers.txt": "skipped: no readable text",
        "l-huge.txt": f"is larger than {MAX_BYTES}",
        "m-report.pdf": "skipped: the PDF is damaged",
    }


def test_read_corpus_names_every_problem_file(tmp_path):
    expected = messy_corpus(tmp_path / "corpus")
    files, notes = read_corpus(tmp_path / "corpus")
    assert [f.path.name for f in files] == ["a-good.txt", "h-windows.txt", "i-utf16.txt", "j-no-sections.md"]
    said = {n.name: n.message for n in notes}
    assert set(said) == set(expected)
    for name, fragment in expected.items():
        assert fragment in said[name], (name, said[name])
    windows = next(f for f in files if f.path.name == "h-windows.txt")
    assert "£40 – a fair price" in windows.text and windows.encoding == "cp1252"
    utf16 = next(f for f in files if f.path.name == "i-utf16.txt")
    assert "Testbury and Utfton" in utf16.text and not utf16.text.startswith("\ufeff")
    assert all("\r" not in f.text for f in files)


def test_cp1252_bytes_undefined_in_cp1252_are_replaced_not_fatal(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "odd.txt").write_bytes(TINY.read_bytes() + b"\n\nA stray \x81\x8d\x90 byte run.\n")
    (file,), (note,) = read_corpus(corpus)
    assert note.name == "odd.txt" and "cp1252" in note.message
    assert "A stray \ufffd\ufffd\ufffd byte run." in file.text


def test_same_file_name_stem_gets_distinct_report_ids(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.txt").write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "report.md").write_text(PROSE, encoding="utf-8")
    files, notes = read_corpus(corpus)
    assert notes == [] and len({f.report_id for f in files}) == 2


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda c: None, "no .txt, .md, .pdf or .html files in it"),
        (lambda c: (c / "x.txt").write_bytes(b""), "x.txt: skipped: the file is empty"),
        (lambda c: (c / "x.txt").write_bytes(b"\x00\xff" * 100), "x.txt: skipped: this is a binary file"),
        (lambda c: (c / "x.pdf").write_bytes(b"%PDF"), "x.pdf: skipped: the PDF is damaged"),
        (lambda c: (c / "x.doc").write_bytes(b"Word"), "x.doc: skipped: only .txt, .md, .pdf"),
    ],
)
def test_nothing_usable_is_a_clear_error(tmp_path, make, says):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make(corpus)
    with pytest.raises(CorpusError, match="nothing to index") as err:
        read_corpus(corpus)
    assert says in str(err.value) and "add a report's text as a .txt file" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_report_without_headings_is_detected():
    assert not has_headings(parse_report(PROSE, "prose"))
    assert has_headings(parse_report(TINY.read_text(encoding="utf-8"), "tiny"))


# -- builds ---------------------------------------------------------------------------------


@pytest.fixture
def fake_embedder(monkeypatch):
    import peel_search.models as models

    monkeypatch.setattr(models, "get_embedder", lambda: HashEmbedder())


@pytest.mark.models
def test_messy_corpus_builds_from_what_is_usable_and_says_what_it_skipped(tmp_path, capsys, fake_embedder):
    from peel_search.retrieve.search_index import SearchIndex

    corpus, folder = tmp_path / "corpus", tmp_path / "index"
    expected = messy_corpus(corpus)
    expected["j-no-sections.md"] = "indexed as one section named after the report: no section headings"
    code = main(["index", "--corpus", str(corpus), "--index", str(folder)])
    err = capsys.readouterr().err
    assert code == 0, err
    lines = err.splitlines()
    assert all(line.startswith("peel-search: ") for line in lines)
    for name, fragment in expected.items():
        (line,) = [line for line in lines if line.startswith(f"peel-search: {name}: ")]
        assert fragment in line
    assert "indexed 4 report(s)" in lines[-1]

    index = SearchIndex.load(folder, corpus)
    index.use_embedder(HashEmbedder())
    assert sorted(r["file"] for r in index.reports) == [
        "a-good.txt",
        "h-windows.txt",
        "i-utf16.txt",
        "j-no-sections.md",
    ]
    texts = " ".join(c.text for c in index.chunks)
    assert "£40 – a fair price" in texts and "Testbury and Utfton" in texts and "domestic abuse" in texts
    (prose,) = [r for r in index.reports if r["file"] == "j-no-sections.md"]
    assert [s["heading"] for s in prose["sections"]] == ["j-no-sections"]
    assert index.search("domestic abuse", k=3).hits


@pytest.mark.models
def test_unusable_corpus_leaves_the_good_index_in_place(index_copy, capsys, fake_embedder):
    from peel_search.retrieve.search_index import SearchIndex

    folder, corpus = index_copy
    before = store.read_manifest(folder)
    files = {name: store.sha256_file(folder / name) for name in store.index_files(folder)}
    for path in corpus.iterdir():
        path.unlink()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "scan.txt").write_bytes(b"\x00\x01" * 1000)

    with pytest.raises(CorpusError, match=r"nothing to index .*empty\.txt: skipped.*scan\.txt: skipped"):
        build_index(corpus, folder, progress=quiet)
    for argv in (["index", "--rebuild"], ["search", "risk"], ["judgments"]):
        code = main([*argv, "--index", str(folder), "--corpus", str(corpus)])
        out, err = capsys.readouterr()
        assert code == 1 and out == ""
        assert err.splitlines()[-1].startswith("peel-search: nothing to index"), err
        assert "Traceback" not in err

    assert store.read_manifest(folder) == before
    assert {name: store.sha256_file(folder / name) for name in store.index_files(folder)} == files
    assert SearchIndex.load(folder).size == before.chunk_count  # still loads, without the corpus check
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    assert leftovers in ([], [f".{folder.name}.lock"])


@pytest.mark.models
def test_a_report_that_becomes_unreadable_is_dropped_on_rebuild_and_named(index_copy, capsys, fake_embedder):
    folder, corpus = index_copy
    shutil.copy(TINY, corpus / "tiny.txt")
    (corpus / "broken.txt").write_bytes(os.urandom(4096).replace(b"\n", b"\x00"))
    code = main(["index", "--index", str(folder), "--corpus", str(corpus)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "the corpus changed (added broken.txt, tiny.txt)" in err
    assert "peel-search: broken.txt: skipped: this is a binary file, not text" in err
    assert [c["name"] for c in store.read_manifest(folder).corpus] == [
        "peel-2015-effectiveness-west-midlands.txt",
        "tiny.txt",
    ]
