"""Open in context: a passage among its section's or page's passages, its neighbours, its
page of the PDF drawn with the passage boxed, and the PDF itself — as a service, on the
command line and over HTTP."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import httpx
import numpy as np
import pytest

from conftest import PDF_REPORT_ID
from fakes import HashEmbedder, serving
from peel_search.cli import main
from peel_search.errors import IndexStaleError, NotFoundError, QueryError
from peel_search.retrieve import page_image
from peel_search.retrieve.context import physical_page, report_order
from peel_search.retrieve.search_index import SearchIndex

pytest.importorskip("reportlab")

BUNDLED = "peel-2015-effectiveness-west-midlands"
FILL_ON_WHITE = tuple(
    int(255 * (1 - page_image.FILL_ALPHA) + c * page_image.FILL_ALPHA) for c in page_image.FILL
)


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("peel-search: "), lines
    assert "Traceback" not in err
    return lines[0]


# -- the service on the bundled (text) report ------------------------------------------------------


@pytest.mark.models
def test_section_context_is_the_sections_passages_in_order_with_the_passage_among_them(index):
    chunk = next(c for c in index.chunks if c.section and c.section[-1] == "Summary of findings")
    ctx = index.passage_context(chunk.id)
    assert ctx.context == "section" and ctx.passage == chunk and ctx.report.report_id == BUNDLED
    assert {p.section for p in ctx.passages} == {chunk.section} and {p.report_id for p in ctx.passages} == {
        BUNDLED
    }
    assert chunk in ctx.passages and len(ctx.passages) == len(ctx.citations) > 1
    assert [p.start for p in ctx.passages] == sorted(p.start for p in ctx.passages)
    same = [c for c in index.chunks if c.report_id == BUNDLED and c.section == chunk.section]
    assert len(ctx.passages) == len(same)
    assert ctx.pages == ()  # a text report has no page images
    data = ctx.to_dict()
    assert [p["this"] for p in data["passages"]].count(True) == 1 and data["section"] == list(chunk.section)


@pytest.mark.models
def test_previous_and_next_step_through_the_report_and_stop_at_its_ends(index):
    number = index.library.report_number[BUNDLED]
    order = [index.chunks[i].id for i in report_order(index, number)]
    first, last = index.passage_context(order[0]), index.passage_context(order[-1])
    assert first.previous is None and first.next == order[1]
    assert last.next is None and last.previous == order[-2]
    ctx = index.passage_context(order[10])
    assert index.passage_context(ctx.next).previous == order[10]
    assert index.passage_context(ctx.previous).next == order[10]


@pytest.mark.models
def test_page_context_of_a_text_report_is_the_passages_cited_at_that_page(index):
    chunk = next(c for c in index.chunks if c.page == 22)
    ctx = index.passage_context(chunk.id, "page")
    assert ctx.context == "page" and chunk in ctx.passages
    assert {p.page for p in ctx.passages} == {22}
    assert len(ctx.passages) == len([c for c in index.chunks if c.page == 22])


@pytest.mark.models
def test_bad_input_to_the_service_is_one_line(index):
    chunk = index.chunks[0]
    with pytest.raises(QueryError, match="context must be section or page, not 'chapter'"):
        index.passage_context(chunk.id, "chapter")
    with pytest.raises(NotFoundError, match=r"no passage has the id 'nope'.*--format json"):
        index.passage_context("nope")
    with pytest.raises(NotFoundError, match=r"not a PDF, so it has no page images.*peel-search show ID"):
        index.page_image(BUNDLED, "3")
    with pytest.raises(NotFoundError, match="no report has the id 'x'"):
        index.page_image("x", "3")


# -- finding a passage on its page: the pure parts ----------------------------------------------------


def test_words_align_across_a_hyphen_at_a_line_end_and_a_moved_piece():
    page = "header line the force keeps vic tims safe and well informed footnote one two three".split()
    passage = "the force keeps victims safe and well informed".split()
    found = page_image.align_words(passage, page)
    assert [page[i] for i in found] == "the force keeps vic tims safe and well informed".split()
    # extraction put the footnote before the end of the paragraph: both pieces are found
    moved = "the force keeps victims footnote one two three safe and well informed".split()
    assert [page[i] for i in page_image.align_words(moved, page)] == page[2:]
    # a lone common word is not taken from elsewhere on the page
    assert page_image.align_words("line zz yy xx".split(), page) == []


def test_cited_page_numbers_follow_the_labels():
    assert page_image.cited_numbers(["", "", ""]) == (1, 2, 3)
    assert page_image.cited_numbers(["i", "ii", "1", "2"]) == (None, None, 1, 2)
    labels = ("i", "ii", "1", "2", "3")
    assert physical_page(labels, "2") == 3 and physical_page(labels, "ii") == 1
    assert physical_page(("1", "2", "1"), "1", prefer=[2]) == 2
    with pytest.raises(NotFoundError, match="no page '9': its pages are i–3"):
        physical_page(labels, "9")


def test_every_card_opens_in_context_and_the_view_escapes_report_text():
    from peel_search.types import Chunk, Hit, PassageContext, ReportMeta
    from peel_search.web.context import context_html
    from peel_search.web.render import hit_card

    chunk = Chunk(
        "abc123", "r", "text", "<script>alert(1)</script> & more", ("<b>Head</b>",), 3, 2, 0, 10, ((0, 10),)
    )
    other = Chunk(
        "def456", "r", "table", "a\tb", ("<b>Head</b>",), 3, 3, 11, 20, ((11, 20),), label="Figure 1"
    )
    card = hit_card(Hit(1, chunk, 1.0, "R — <b>Head</b> — p. 3", "", (0, 0)), set(), {}, str)
    assert 'class="ps-context-open" data-target="abc123"' in card and ">Show in context</button>" in card
    ctx = PassageContext(
        chunk, "cite", ReportMeta("r", "r.txt"), "section", (chunk, other), ("c1", "c2"), None, "def456"
    )
    html = context_html(ctx)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "&lt;b&gt;Head&lt;/b&gt;" in html and "<b>" not in html
    assert (
        html.count('class="ps-context-para ps-context-this"') == 1
        and '<span class="ps-context-step ps-context-end">' in html
    )
    assert 'class="ps-context-step ps-context-next" data-target="def456"' in html and "<img" not in html


# -- a PDF report -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_index(pdf_library):
    index_dir, corpus, _ = pdf_library
    loaded = SearchIndex.load(index_dir, corpus)
    loaded.use_embedder(HashEmbedder())
    return loaded


def _paragraph(index, n: int):
    return next(c for c in index.chunks if c.report_id == PDF_REPORT_ID and f" zq{n}x." in c.text)


def _word_box(pdf: Path, physical: int, word: str, scale: float) -> tuple[float, float, float, float]:
    """Where ``word`` stands on the page, in pixels of the drawn image (left, top, right, bottom)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[physical - 1]
        height = page.get_height()
        text = page.get_textpage()
        searcher = text.search(word, match_whole_word=True)
        at, count = searcher.get_next()
        boxes = [text.get_charbox(i, loose=True) for i in range(at, at + count)]
        left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
        bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
        return left * scale, (height - top) * scale, right * scale, (height - bottom) * scale
    finally:
        doc.close()


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _boxed(image: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    """Whether the passage's boxes cover ``box``: the fill on white around the word, and
    the edge colour above and below it in the same column."""
    left, top, right, bottom = (round(v) for v in box)
    area = image[top : bottom + 1, left : right + 1].reshape(-1, 3)
    filled = bool((area == FILL_ON_WHITE).all(axis=1).any())
    column = image[:, (left + right) // 2]
    edge = (column == page_image.EDGE).all(axis=1)
    return filled and bool(edge[:top].any()) and bool(edge[bottom:].any())


def test_a_pdf_passage_knows_its_printed_and_its_physical_page(pdf_index, pdf_library):
    layout = pdf_library[2]
    chunk = _paragraph(pdf_index, 20)
    ctx = pdf_index.passage_context(chunk.id)
    assert [(p.label, p.physical) for p in ctx.pages] == [
        (str(chunk.page), layout.labels.index(str(chunk.page)) + 1)
    ]
    assert ctx.pages[0].physical == chunk.page + 2  # the title and contents pages are i and ii
    assert ctx.report.source_format == "pdf" and len(ctx.passages) >= 30  # the whole introduction


def test_page_context_of_a_pdf_passage_is_every_passage_on_its_page(pdf_index):
    chunk = _paragraph(pdf_index, 20)
    ctx = pdf_index.passage_context(chunk.id, "page")
    assert chunk in ctx.passages and {p.report_id for p in ctx.passages} == {PDF_REPORT_ID}
    numbers = {int(p.text.split(" zq")[1].split("x")[0]) for p in ctx.passages if " zq" in p.text}
    assert 20 in numbers and 1 not in numbers and 30 in numbers
    assert all(p.page in (chunk.page - 1, chunk.page) for p in ctx.passages)


def test_the_page_image_boxes_the_passage_and_nothing_else(pdf_index, pdf_library):
    pdf = pdf_library[1] / f"{PDF_REPORT_ID}.pdf"
    chunk = _paragraph(pdf_index, 20)
    drawn = pdf_index.page_image(PDF_REPORT_ID, str(chunk.page), chunk.id)
    assert drawn.page == str(chunk.page) and drawn.physical == chunk.page + 2 and drawn.boxes
    image = _pixels(drawn.png)
    assert image.shape[:2] == (drawn.height, drawn.width)
    scale = page_image.SCALE
    assert _boxed(image, _word_box(pdf, drawn.physical, "zq20x", scale))
    for other in ("zq19x", "zq21x"):
        left, top, right, bottom = (int(v) for v in _word_box(pdf, drawn.physical, other, scale))
        area = image[top : bottom + 1, left : right + 1].reshape(-1, 3)
        assert not (area == FILL_ON_WHITE).all(axis=1).any(), other
    edge = (image == page_image.EDGE).all(axis=2)
    rows = np.nonzero(edge)[0]
    lo = min(b[1] for b in drawn.boxes), max(b[3] for b in drawn.boxes)
    assert rows.min() >= lo[0] and rows.max() <= lo[1]  # no edge outside the passage's boxes
    plain = _pixels(pdf_index.page_image(PDF_REPORT_ID, str(chunk.page)).png)
    assert not (plain == page_image.EDGE).all(axis=2).any()


def test_pages_are_named_as_cited_and_bad_pages_are_refused(pdf_index):
    chunk = _paragraph(pdf_index, 20)
    assert pdf_index.page_image(PDF_REPORT_ID, "ii", scale=0.5).physical == 2
    with pytest.raises(NotFoundError, match=r"no page '99': its pages are i–\d+"):
        pdf_index.page_image(PDF_REPORT_ID, "99")
    with pytest.raises(QueryError, match=f"is not on page 1: it stands on page {chunk.page}"):
        pdf_index.page_image(PDF_REPORT_ID, "1", chunk.id)
    text_chunk = next(c for c in pdf_index.chunks if c.report_id == "tiny-report")
    with pytest.raises(QueryError, match="is in report tiny-report, not"):
        pdf_index.page_image(PDF_REPORT_ID, "1", text_chunk.id)
    with pytest.raises(QueryError, match=r"scale must be from 0\.25 to 4"):
        pdf_index.page_image(PDF_REPORT_ID, "1", scale=40)


def test_the_pdf_is_found_by_report_id_in_the_corpus_and_checked(pdf_library, tmp_path):
    index_dir, corpus, _ = pdf_library
    loaded = SearchIndex.load(index_dir, corpus)
    assert loaded.report_pdf(PDF_REPORT_ID) == (corpus / f"{PDF_REPORT_ID}.pdf").resolve()
    elsewhere = tmp_path / "corpus"
    elsewhere.mkdir()
    loaded.corpus = elsewhere
    with pytest.raises(NotFoundError, match="is no longer in the corpus folder"):
        loaded.report_pdf(PDF_REPORT_ID)
    changed = (corpus / f"{PDF_REPORT_ID}.pdf").read_bytes() + b"\n%changed\n"
    (elsewhere / f"{PDF_REPORT_ID}.pdf").write_bytes(changed)
    with pytest.raises(IndexStaleError, match="changed since the index was built"):
        loaded.report_pdf(PDF_REPORT_ID)
    loaded.corpus = None
    with pytest.raises(NotFoundError, match="opened without its corpus folder"):
        loaded.report_pdf(PDF_REPORT_ID)
    assert loaded.passage_context(_paragraph(loaded, 20).id).pages == ()  # the text still shows


# -- the command line ---------------------------------------------------------------------------------


@pytest.mark.models
def test_show_prints_the_section_with_the_passage_marked(capsys, index, built_index_dir, corpus_copy):
    dirs = ["--index", built_index_dir, "--corpus", corpus_copy]
    chunk = next(c for c in index.chunks if c.section and c.section[-1] == "Summary of findings")
    ctx = index.passage_context(chunk.id)
    code, out, err = _run(capsys, "show", chunk.id, *dirs)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"{ctx.report.title} — West Midlands Police"
    assert lines[1] == " › ".join(chunk.section)
    assert sum(line.startswith(">> ") for line in lines) == 1
    assert next(line for line in lines if line.startswith(">> ")).endswith(f"[{chunk.id}]")
    assert "»" in out and "«" in out
    assert f"previous: {ctx.previous}" in out and f"next:     {ctx.next}" in out

    code, out, _ = _run(capsys, "show", chunk.id, "--context", "page", "--format", "json", *dirs)
    data = json.loads(out)
    assert code == 0 and data["context"] == "page" and data["id"] == chunk.id and data["pages"] == []
    assert {p["page"] for p in data["passages"]} == {chunk.page}

    for argv, message in (
        (["show", "nope"], "no passage has the id 'nope'"),
        (["show", chunk.id, "--context", "chapter"], "context must be section or page"),
        (["page", BUNDLED, "3", "--out", "x.png"], "not a PDF, so it has no page images"),
    ):
        code, out, err = _run(capsys, *argv, *dirs)
        assert code == 2 and out == "" and message in _one_line(err), err


def test_page_writes_the_png_with_the_passage_boxed(capsys, pdf_library, pdf_index, tmp_path):
    index_dir, corpus, _ = pdf_library
    dirs = ["--index", index_dir, "--corpus", corpus]
    chunk = _paragraph(pdf_index, 20)
    out_file = tmp_path / "page.png"
    code, out, err = _run(
        capsys, "page", PDF_REPORT_ID, chunk.page, "--highlight", chunk.id, "--out", out_file, *dirs
    )
    assert code == 0 and out == ""
    assert f"page {chunk.page} of {PDF_REPORT_ID} (page {chunk.page + 2} of the PDF)" in _one_line(err)
    physical = chunk.page + 2
    assert _boxed(
        _pixels(out_file.read_bytes()), _word_box(corpus / f"{PDF_REPORT_ID}.pdf", physical, "zq20x", 1.5)
    )

    code, out, _ = _run(capsys, "show", chunk.id, "--format", "json", *dirs)
    assert json.loads(out)["pages"] == [{"page": str(chunk.page), "physical": physical}]

    text_chunk = next(c for c in pdf_index.chunks if c.report_id == "tiny-report")
    for argv, message in (
        (["page", "tiny-report", "1", "--out", out_file], "peel-search show ID"),
        (["page", PDF_REPORT_ID, "99", "--out", out_file], "no page '99'"),
        (
            ["page", PDF_REPORT_ID, "1", "--highlight", text_chunk.id, "--out", out_file],
            "is in report tiny-report",
        ),
        (["page", PDF_REPORT_ID, "1", "--out", tmp_path / "page.jpg"], "--out must name a .png file"),
        (["page", PDF_REPORT_ID, "1", "--out", tmp_path / "no" / "such" / "x.png"], "cannot write"),
    ):
        code, out, err = _run(capsys, *argv, *dirs)
        assert code == 2 and message in _one_line(err), err


# -- over HTTP ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(pdf_index):
    with serving(pdf_index) as url:
        yield url


def _raw_get(url: str, target: str) -> tuple[int, str]:
    """A GET with the request target exactly as given (httpx would remove ``..`` segments)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")


def test_the_routes_give_the_context_the_page_and_the_pdf(served, pdf_index, pdf_library):
    chunk = _paragraph(pdf_index, 20)
    r = httpx.get(f"{served}/api/passage/{chunk.id}", timeout=30)
    data = r.json()
    assert r.status_code == 200 and data["id"] == chunk.id and data["context"] == "section"
    page = data["pages"][0]
    assert page["image"] == f"/api/page/{PDF_REPORT_ID}/{chunk.page}.png?highlight={chunk.id}"
    assert page["pdf"] == f"/api/report/{PDF_REPORT_ID}.pdf#page={chunk.page + 2}"
    assert data["pdf"] == f"/api/report/{PDF_REPORT_ID}.pdf"

    r = httpx.get(served + page["image"], timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert (_pixels(r.content) == page_image.EDGE).all(axis=2).any()

    r = httpx.get(served + page["pdf"].split("#")[0], timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content == (pdf_library[1] / f"{PDF_REPORT_ID}.pdf").read_bytes()
    assert r.headers["content-disposition"].startswith("inline")

    r = httpx.get(
        f"{served}/api/passage/{chunk.id}", params={"context": "page", "format": "html"}, timeout=30
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'class="ps-context-para ps-context-this"' in r.text and "Open the PDF at this page" in r.text

    text_chunk = next(c for c in pdf_index.chunks if c.report_id == "tiny-report")
    r = httpx.get(f"{served}/api/passage/{text_chunk.id}", timeout=30)
    assert r.json()["pages"] == [] and r.json()["pdf"] is None


@pytest.mark.parametrize(
    ("target", "status", "message"),
    [
        ("/api/passage/nope", 404, "no passage has the id 'nope'"),
        ("/api/passage/{id}?context=chapter", 400, "context must be section or page"),
        ("/api/passage/{id}?format=xml", 400, "format must be json or html"),
        ("/api/page/{report}/99.png", 404, "no page '99'"),
        ("/api/page/{report}/1.png?highlight={id}", 400, "is not on page 1"),
        ("/api/page/tiny-report/1.png", 404, "not a PDF, so it has no page images"),
        ("/api/page/nope/1.png", 404, "no report has the id 'nope'"),
        ("/api/report/tiny-report.pdf", 404, "not a PDF"),
        ("/api/report/nope.pdf", 404, "no report has the id 'nope'"),
        ("/api/report/../../etc/passwd.pdf", 404, "nothing at that address"),
        ("/api/report/..%2F..%2Fetc%2Fpasswd.pdf", 404, "nothing at that address"),
        ("/api/report/%2e%2e%2fconftest.py", 404, "nothing at that address"),
        ("/api/report/..%2Findex%2Fmanifest.json%00.pdf", 404, ""),
        ("/api/report/tiny-report.txt", 404, "nothing at that address"),
        ("/api/page/{report}/..%2F..%2F..%2Fetc%2Fpasswd.png", 404, ""),
        ("/api/page/../../../etc/passwd", 404, "nothing at that address"),
        ("/api/passage/..%2F..%2Fmanifest.json", 404, ""),
    ],
)
def test_bad_requests_get_a_one_line_json_error(served, pdf_index, target, status, message):
    chunk = _paragraph(pdf_index, 20)
    got, body = _raw_get(served, target.format(id=chunk.id, report=PDF_REPORT_ID))
    assert got == status, body[:200]
    error = json.loads(body)["error"]
    assert message in error and "\n" not in error and "Traceback" not in body
    assert "root:x:0:0" not in body and "format_version" not in body and "%PDF" not in body
