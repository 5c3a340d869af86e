"""Show in context, in a real headless Chromium (as tests/test_browser.py drives it): on a
library of a PDF report and a text report, a card opens its section with the passage
marked, steps to the next passage, and for the PDF report shows the page with the
passage boxed and a link that opens the PDF at that page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import PDF_REPORT_ID
from fakes import HashEmbedder, serving
from peel_search.retrieve import page_image
from test_browser import WAIT, _all, _css, driver  # noqa: F401 (driver: the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: How many pixels of the image in the page have the boxes' edge colour.
_EDGE_PIXELS = """
const img = arguments[0], edge = arguments[1];
const canvas = document.createElement('canvas');
canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
const ctx = canvas.getContext('2d');
ctx.drawImage(img, 0, 0);
const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
let n = 0;
for (let i = 0; i < data.length; i += 4) {
  if (data[i] === edge[0] && data[i + 1] === edge[1] && data[i + 2] === edge[2]) n++;
}
return n;
"""


def _wait(browser, condition, timeout: int = WAIT):
    """Wait for ``condition``; an element replaced while it is looked at (the view is
    redrawn in place when it steps) is looked for again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
        condition
    )


def _shown_passage(browser, card) -> str | None:
    """The id of the passage the card's context view marks (``None`` before it shows)."""
    return browser.execute_script(
        "const v = arguments[0].querySelector('.ps-context .ps-context-this'); return v && v.dataset.id;",
        card,
    )


@pytest.fixture(scope="module")
def library_index(pdf_library):
    from peel_search.retrieve.search_index import SearchIndex

    index_dir, corpus, _ = pdf_library
    loaded = SearchIndex.load(index_dir, corpus)
    loaded.use_embedder(HashEmbedder())
    return loaded


@pytest.fixture(scope="module")
def page(driver, library_index) -> Iterator[object]:  # noqa: F811
    with serving(library_index) as url:
        driver.get(url)
        _wait(driver, lambda d: _all(d, "#ps-question textarea"))
        yield driver


def _first_card(page, question: str):
    box = _css(page, "#ps-question textarea")
    box.clear()
    box.send_keys(question)
    _css(page, "#ps-ask").click()
    answered = f"#ps-results .ps-results[data-query='{question}'] .ps-card"
    return _wait(page, lambda d: _all(d, answered))[0]


def _open_context(page, card):
    button = card.find_element("css selector", ".ps-context-open")
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()
    return _wait(page, lambda d: card.find_elements("css selector", ".ps-context .ps-context-this"))[0]


def test_show_in_context_opens_the_section_with_the_passage_marked(page, library_index):
    card = _first_card(page, "Victim Support in Testbury")
    text = card.find_element("css selector", ".ps-passage").text
    marked = _open_context(page, card)
    chunk = library_index.chunk(
        card.find_element("css selector", ".ps-context-open").get_attribute("data-target")
    )
    assert chunk.report_id == "tiny-report"  # a text report
    ctx = library_index.passage_context(chunk.id)
    assert " ".join(marked.find_element("css selector", "mark").text.split()) == " ".join(text.split())
    view = card.find_element("css selector", ".ps-context")
    assert view.get_attribute("data-passage") == chunk.id
    assert card.find_element("css selector", ".ps-context-path").text == " › ".join(chunk.section)
    assert len(card.find_elements("css selector", ".ps-context-para")) == len(ctx.passages)
    assert not card.find_elements("css selector", ".ps-context-page img")  # a text report: no page image

    card.find_element("css selector", ".ps-context-next").click()
    _wait(
        page,
        lambda d: card.find_element("css selector", ".ps-context").get_attribute("data-passage") == ctx.next,
    )
    assert card.find_element("css selector", ".ps-context-this").get_attribute("data-id") == ctx.next

    opener = card.find_element("css selector", ".ps-context-open")
    assert opener.text == "Hide context"
    opener.click()
    _wait(page, lambda d: not card.find_element("css selector", ".ps-context-box").is_displayed())


def test_a_pdf_passage_shows_its_page_with_the_passage_boxed(page, library_index, artifacts):
    card = _first_card(page, "supervisors check those records each week")
    chunk = library_index.chunk(
        card.find_element("css selector", ".ps-context-open").get_attribute("data-target")
    )
    assert chunk.report_id == PDF_REPORT_ID
    marked = _open_context(page, card)
    assert marked.get_attribute("data-id") == chunk.id
    (shown,) = library_index.passage_context(chunk.id).pages
    image = _wait(page, lambda d: card.find_elements("css selector", ".ps-context-page img"))[0]
    page.execute_script("arguments[0].scrollIntoView({block: 'center'});", image)
    _wait(
        page, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image)
    )
    assert page.execute_script(_EDGE_PIXELS, image, list(page_image.EDGE)) > 100
    link = card.find_element("css selector", ".ps-context-page a")
    assert link.text == "Open the PDF at this page"
    assert link.get_attribute("href").endswith(f"/api/report/{PDF_REPORT_ID}.pdf#page={shown.physical}")
    assert shown.physical == chunk.page + 2
    page.save_screenshot(str(artifacts / "ui-context-pdf.png"))
