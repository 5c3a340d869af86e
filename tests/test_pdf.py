"""PDF ingest: a PDF of the bundled report, laid out as HMIC publishes (see
``tests/pdf_reports.py``), parses to what its text parses to, with every page read off
the PDF; bad PDFs are skipped with one line each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("reportlab")

from fakes import HashEmbedder
from pdf_reports import HEADER_TEXT, Layout, write_image_only_pdf, write_report_pdf
from peel_search.ingest import pdf as pdf_module
from peel_search.ingest.chunk import chunk_report
from peel_search.ingest.corpus import read_corpus
from peel_search.ingest.metadata import read_metadata
from peel_search.ingest.parse import parse_report
from peel_search.ingest.pdf import OCR_HINT, UnreadablePdfError, extract_pdf
from peel_search.ingest.text import fold_whitespace
from peel_search.types import Report
from test_verbatim import verbatim_problems

ROOT = Path(__file__).resolve().parent
TINY = ROOT / "data" / "tiny-report.txt"
REPORT_ID = "peel-2015-effectiveness-west-midlands"


@pytest.fixture(scope="session")
def west_midlands_pdf(tmp_path_factory, source_text) -> tuple[Path, Layout]:
    path = tmp_path_factory.mktemp("pdf") / f"{REPORT_ID}.pdf"
    return path, write_report_pdf(source_text, path, report_id=REPORT_ID)


@pytest.fixture(scope="session")
def from_pdf(west_midlands_pdf) -> Report:
    extracted = extract_pdf(west_midlands_pdf[0].read_bytes())
    return parse_report(extracted.text, REPORT_ID, page_numbers=extracted.page_numbers)


@pytest.fixture(scope="session")
def pdf_chunks(from_pdf):
    return chunk_report(from_pdf)


def test_the_section_tree_is_the_text_paths(report, from_pdf):
    assert [(s.path, s.level, s.in_contents) for s in from_pdf.sections] == [
        (s.path, s.level, s.in_contents) for s in report.sections
    ]


def test_the_judgments_are_the_text_paths(report, from_pdf):
    assert [(j.area, j.grade, j.sentence) for j in from_pdf.judgments] == [
        (j.area, j.grade, j.sentence) for j in report.judgments
    ]


def test_footnotes_link_as_in_the_text_path(report, from_pdf):
    def links(r: Report) -> list[tuple[int, str, list[tuple[str, ...]]]]:
        return [
            (f.number, fold_whitespace(f.text), [r.sections[_section_of(r, m.start)].path for m in f.markers])
            for f in r.footnotes
        ]

    assert links(from_pdf) == links(report)
    assert len(from_pdf.footnotes) == 19


def _section_of(r: Report, offset: int) -> int:
    return max((s.index for s in r.sections if s.start <= offset), default=0)


def test_footnote_bodies_stay_out_of_the_body_text(from_pdf, pdf_chunks):
    bodies = [f.text[:60] for f in from_pdf.footnotes]
    for c in pdf_chunks:
        if c.kind != "footnote":
            assert not any(body in c.text for body in bodies), c.text[:80]


def test_tables_are_the_text_paths_rows_with_their_captions(chunks, pdf_chunks):
    def tables(cs):
        return [(c.label, c.section, c.text) for c in cs if c.kind == "table"]

    assert tables(pdf_chunks) == tables(chunks)
    assert len(tables(chunks)) == 3


def test_nearly_every_passage_is_the_text_paths(chunks, pdf_chunks):
    """The text path keeps a few breaks its own extraction left (a footnote split around
    another, a sentence ending at a page foot); the PDF path has the page to go by."""
    same = {c.text for c in chunks} & {c.text for c in pdf_chunks}
    assert len(same) >= 0.95 * len(chunks)


def test_every_page_is_the_one_the_generator_used(chunks, pdf_chunks, from_pdf, west_midlands_pdf):
    layout = west_midlands_pdf[1]
    by_text: dict[str, list] = {}
    for c in pdf_chunks:
        by_text.setdefault(c.text, []).append(c)
    checked = 0
    for c in chunks:
        start = c.spans[0][0]
        twin = by_text[c.text].pop(0) if by_text.get(c.text) else None  # the same text may recur
        if twin is not None and start in layout.paragraph_pages and c.kind != "footnote":
            assert twin.page == layout.paragraph_pages[start], c.text[:80]
            checked += 1
    assert checked >= 150
    for c in pdf_chunks:
        if c.kind == "footnote":
            number = int(c.label.split()[-1]) if c.label else c.footnotes[0]
            assert c.page == layout.footnote_pages[number], c.text[:80]
    assert {s.index: s.page for s in from_pdf.sections if s.index in layout.heading_pages} == (
        layout.heading_pages
    )


def test_pages_are_the_printed_labels_not_the_physical_pages(west_midlands_pdf):
    extracted = extract_pdf(west_midlands_pdf[0].read_bytes())
    assert extracted.labels[:3] == ("i", "ii", "1")
    assert extracted.page_numbers[:3] == (None, None, 1)
    assert extracted.text.count("\f") == extracted.page_count - 1


def test_without_labels_the_physical_page_is_cited(tmp_path):
    layout = write_report_pdf(TINY.read_text(encoding="utf-8"), tmp_path / "tiny.pdf", labels=False)
    extracted = extract_pdf((tmp_path / "tiny.pdf").read_bytes())
    assert extracted.page_numbers == tuple(range(1, layout.page_count + 1))
    report = parse_report(extracted.text, "tiny", page_numbers=extracted.page_numbers)
    assert {s.index: s.page for s in report.sections} == layout.heading_pages
    assert [f.number for f in report.footnotes] == [1]


def test_running_headers_and_page_footers_are_removed(from_pdf, west_midlands_pdf):
    assert HEADER_TEXT not in from_pdf.source
    pages = from_pdf.source.split("\f")
    labels = west_midlands_pdf[1].labels
    for page, label in zip(pages[2:], labels[2:], strict=True):
        assert label not in [line.strip() for line in page.splitlines()]


def test_hyphenated_line_ends_are_joined(from_pdf, west_midlands_pdf):
    words = west_midlands_pdf[1].hyphenated
    assert len(words) >= 10
    folded = fold_whitespace(from_pdf.source)
    for word in words:
        assert word in folded


def test_the_two_column_section_reads_column_by_column(chunks, pdf_chunks):
    intro = ("Introduction",)
    text_path = [c.text for c in chunks if c.section == intro]
    pdf_path = [c.text for c in pdf_chunks if c.section == intro]
    common = [t for t in text_path if t in pdf_path]
    assert len(common) >= len(text_path) - 2 >= 4
    assert common == [t for t in pdf_path if t in common]  # the same order


def test_pdf_passages_are_verbatim_citations_of_the_extracted_text(from_pdf, pdf_chunks):
    assert verbatim_problems(from_pdf, pdf_chunks) == []


def test_the_title_page_gives_the_metadata(from_pdf):
    meta = read_metadata(from_pdf.source, f"{REPORT_ID}.pdf", REPORT_ID)
    assert (meta.force, meta.year, meta.published) == ("West Midlands Police", 2015, "February 2016")
    assert meta.source_format == "pdf" and meta.to_dict()["format"] == "pdf"


# -- bad PDFs ---------------------------------------------------------------------------


def _bad_pdfs(folder: Path) -> dict[str, str]:
    write_image_only_pdf(folder / "scanned.pdf")
    good = (ROOT / "data" / "tiny-report.txt").read_text(encoding="utf-8")
    write_report_pdf(good, folder / "damaged.pdf", labels=False)
    data = (folder / "damaged.pdf").read_bytes()
    (folder / "damaged.pdf").write_bytes(data[: len(data) // 3])
    write_report_pdf(good, folder / "locked.pdf", labels=False, encrypt="secret")
    (folder / "empty-pages.pdf").write_bytes(_zero_page_pdf())
    return {
        "scanned.pdf": OCR_HINT,
        "damaged.pdf": "damaged",
        "locked.pdf": "encrypted",
        "empty-pages.pdf": "no pages",
    }


def _zero_page_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return out


def test_bad_pdfs_are_skipped_with_one_line_each(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    expected = _bad_pdfs(corpus)
    write_report_pdf(TINY.read_text(encoding="utf-8"), corpus / "tiny.pdf", labels=False)
    (corpus / "huge.pdf").write_bytes((corpus / "tiny.pdf").read_bytes() + b"%" * 1_000_000)
    monkeypatch.setattr("peel_search.ingest.corpus.MAX_PDF_BYTES", 900_000)
    expected["huge.pdf"] = "larger than"
    files, notes = read_corpus(corpus)
    assert [f.path.name for f in files] == ["tiny.pdf"]
    assert files[0].source_format == "pdf" and files[0].encoding == "pdf"
    said = {n.name: n.message for n in notes}
    assert set(said) == set(expected)
    for name, fragment in expected.items():
        assert fragment in said[name] and "\n" not in said[name], (name, said[name])


def test_extract_pdf_says_what_to_do():
    with pytest.raises(UnreadablePdfError, match="download it again"):
        extract_pdf(b"%PDF-1.7\nnot really")
    with pytest.raises(UnreadablePdfError, match="split the PDF"):
        extract_pdf(b"%PDF" + b" " * (pdf_module.MAX_PDF_BYTES + 1))


# -- the index ------------------------------------------------------------------------------


def test_a_pdf_report_is_indexed_beside_text_and_nothing_indexed_is_lost(tmp_path, capsys):
    import json

    from peel_search.cli import main
    from peel_search.index.build import PART_SOURCE, build_index
    from peel_search.ingest.text import normalise_for_citation

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(TINY, corpus / "tiny-report.txt")
    index = tmp_path / "index"
    build_index(corpus, index, progress=lambda m: None, embedder=HashEmbedder())
    before = (index / "chunks.jsonl").read_text(encoding="utf-8") if (index / "chunks.jsonl").exists() else ""

    variant = TINY.read_text(encoding="utf-8").replace("Testshire", "Pdfshire").replace("Testbury", "Pdfbury")
    layout = write_report_pdf(variant, corpus / "pdfshire.pdf", labels=False)
    _bad_pdfs(corpus)
    result = build_index(corpus, index, progress=lambda m: None, embedder=HashEmbedder())
    assert result.reused == ("tiny-report",) and result.processed == ("pdfshire",)
    assert {n.name for n in result.notes} >= {"scanned.pdf", "damaged.pdf", "locked.pdf"}
    if before:
        for line in before.splitlines():
            row = json.loads(line)
            assert row["report_id"] == "tiny-report"

    part = index / "parts" / "pdfshire"
    record = json.loads((part / "report.json").read_text(encoding="utf-8"))
    assert record["format"] == "pdf" and record["pdf_sha256"] == result.manifest.corpus[0]["sha256"]
    source = (part / PART_SOURCE).read_text(encoding="utf-8")
    rows = [json.loads(x) for x in (part / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows
    for row in rows:
        markers = [tuple(m) for m in row["markers"]]
        assert row["text"] == normalise_for_citation(
            source, [tuple(s) for s in row["spans"]], markers, row["kind"]
        )
    pages = {row["section"][-1]: row["page"] for row in rows if row["section"]}
    assert pages["How effective is the force at keeping people safe?"] == layout.heading_pages[1]

    assert main(["reports", "--index", str(index), "--corpus", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "[pdfshire.pdf, PDF]" in out and "[tiny-report.txt]" in out
