"""Evidence a user can trust, share and take away, in a real headless Chromium (as
tests/test_browser.py drives it): a permalink opens the page and runs it, each card's
"Copy link" opens that passage in context, results download as CSV and copy as Markdown,
and in a library a report graded *inadequate* stands as its own hit beside a report that
uses the same words with *requires improvement*."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from fakes import HashEmbedder, serving
from test_browser import WAIT, _all, _css, _open_tab, _wait, driver  # noqa: F401 (driver: Chromium)
from variant_reports import BUNDLED, VariantSpec, make_variant

pytestmark = [pytest.mark.browser, pytest.mark.slow]

THRIVE = "what does THRIVE stand for"
CONTRARY = "is the force inadequate at protecting vulnerable people"


def _clipboard(page) -> str:
    return page.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done).catch(e => done('error: ' + e));"
    )


def _grant_clipboard(page) -> None:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.current_url))
    page.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"], "origin": origin},
    )


def _cards(page, where: str = "#ps-results") -> list:
    return _wait(page, lambda d: _all(d, f"{where} .ps-card"))


@pytest.fixture
def page(driver):  # noqa: F811 (the Chromium fixture of test_browser)
    """The browser, for one test."""
    return driver


@pytest.fixture(scope="module")
def one_report(index) -> Iterator[str]:
    index.warm_up()
    with serving(index) as url:
        yield url


@pytest.mark.models
def test_a_permalink_opens_the_tab_and_runs_the_question(page, one_report):
    page.get(f"{one_report}/?q={quote(THRIVE)}&k=3")
    answered = f"#ps-results .ps-results[data-query='{THRIVE}'] .ps-card"
    cards = _wait(page, lambda d: _all(d, answered))
    assert len(cards) == 3 and "THRIVE (Threat, Risk, Harm" in cards[0].text
    assert _css(page, "#ps-question textarea").get_attribute("value") == THRIVE


@pytest.mark.models
def test_asking_writes_the_question_into_the_address(page, one_report):
    page.get(one_report)
    box = _wait(page, lambda d: _all(d, "#ps-question textarea"))[0]
    box.send_keys("missing children")
    _css(page, "#ps-ask").click()
    _wait(page, lambda d: _all(d, "#ps-results .ps-results[data-query='missing children'] .ps-card"))
    fields = parse_qs(urlsplit(page.current_url).query)
    assert fields["q"] == ["missing children"] and fields["k"] == ["8"]
    _open_tab(page, "Browse by entity")
    assert parse_qs(urlsplit(page.current_url).query) == {"tab": ["browse"]}


@pytest.mark.models
def test_copy_link_opens_the_passage_in_its_context(page, one_report):
    page.get(f"{one_report}/?q={quote(THRIVE)}&k=2")
    card = _cards(page)[0]
    _grant_clipboard(page)
    button = card.find_element("css selector", "[data-ps=link]")
    passage = button.get_attribute("data-id")
    button.click()
    _wait(page, lambda d: button.text == "Link copied")
    link = _clipboard(page)
    assert parse_qs(urlsplit(link).query) == {"passage": [passage]}
    page.get(link)
    marked = _wait(page, lambda d: _all(d, "#ps-results .ps-linked .ps-context-this"))
    assert marked[0].get_attribute("data-id") == passage and "THRIVE" in marked[0].text


@pytest.mark.models
def test_results_download_as_csv_and_copy_as_markdown(page, one_report, index):
    page.get(f"{one_report}/?q={quote(THRIVE)}&k=3")
    _cards(page)
    link = _css(page, "#ps-results .ps-export-csv")
    assert link.get_attribute("download") is not None
    body = page.execute_async_script(
        "const done = arguments[arguments.length - 1];fetch(arguments[0]).then(r => r.text()).then(done);",
        link.get_attribute("href"),
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    expected = index.search(THRIVE, k=3)
    assert [r["id"] for r in rows] == [h.chunk.id for h in expected.hits]
    assert rows[0]["citation"] == expected.hits[0].full_citation and "…" not in rows[0]["citation"]
    _grant_clipboard(page)
    button = _css(page, "#ps-results [data-ps=markdown]")
    button.click()
    _wait(page, lambda d: button.text in ("Copied", "Could not copy"))
    assert button.text == "Copied"
    markdown = _clipboard(page)
    assert markdown.startswith(f"## {THRIVE}") and expected.hits[0].full_citation in markdown


# -- a library where the same words carry another grade ----------------------------------------


@pytest.fixture(scope="module")
def contrary_library(tmp_path_factory) -> Iterator[str]:
    """West Midlands, Kent (the same grade for vulnerability) and Northumbria graded
    inadequate for it, indexed with the hash embedder (folding is decided at index time)."""
    from peel_search.index.build import build_index
    from peel_search.retrieve.search_index import SearchIndex

    root = tmp_path_factory.mktemp("contrary")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED, corpus / BUNDLED.name)
    for spec in (
        VariantSpec("Kent Police", 2016, fmt="2016"),
        VariantSpec("Northumbria Police", 2016, fmt="2016", grades={"vulnerability": "Inadequate"}),
    ):
        variant = make_variant(spec)
        (corpus / variant.name).write_text(variant.text, encoding="utf-8")
    build_index(corpus, root / "index", progress=lambda m: None, embedder=HashEmbedder())
    loaded = SearchIndex.load(Path(root / "index"), corpus)
    loaded.use_embedder(HashEmbedder())
    with serving(loaded) as url:
        yield url


def test_a_contrary_grade_is_its_own_hit_and_says_what_the_same_words_say_elsewhere(page, contrary_library):
    page.get(f"{contrary_library}/?q={quote(CONTRARY)}&k=10")
    cards = _cards(page)
    texts = [c.text for c in cards]
    inadequate = [t for t in texts if "judges the force to be inadequate" in t]
    assert inadequate, texts
    assert "Northumbria Police" in inadequate[0]
    assert (
        "Same wording in West Midlands Police 2015 (effectiveness), which says requires improvement"
        in inadequate[0]
    )
    # It is never folded into the other reports' "requires improvement" as a copy.
    for text in texts:
        if "judges that the force requires improvement" in text:
            assert "Also in 2 other reports" not in text
