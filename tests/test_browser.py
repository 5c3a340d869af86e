"""The web app in a real headless Chromium (Debian's chromium and chromium-driver).

Skipped with a reason when /usr/bin/chromium is missing; nothing is ever downloaded.
Screenshots of each tab go to tests/artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes import serving

pytestmark = [pytest.mark.browser, pytest.mark.models, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60
THRIVE_QUESTION = "what does THRIVE stand for"


@pytest.fixture(scope="module")
def app_url(index) -> Iterator[str]:
    index.warm_up()
    with serving(index) as url:
        yield url


@pytest.fixture(scope="module")
def driver(tmp_path_factory) -> Iterator[object]:
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
            "apt-get install chromium chromium-driver (CI installs them)"
        )
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never try to download a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1440,1800",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    browser.set_window_size(1440, 1800)
    try:
        yield browser
    finally:
        browser.quit()


def _wait(driver, condition, timeout: int = WAIT):
    """Wait for ``condition``; an element replaced while it is read (the page re-rendered
    it) counts as "not yet", not as a failure."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        condition
    )


def _css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def _all(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _open_tab(driver, name: str) -> None:
    from selenium.webdriver.common.by import By

    tab = driver.find_element(By.XPATH, f"//button[@role='tab' and normalize-space()='{name}']")
    tab.click()
    _wait(driver, lambda d: tab.get_attribute("aria-selected") == "true")


_SCROLL_TABLE = """
const root = document.getElementById(arguments[0]);
const box = [...root.querySelectorAll('*')].find(e => e.scrollHeight > e.clientHeight + 4
    && getComputedStyle(e).overflowY !== 'visible');
if (box) box.scrollTop += 250;
"""


def _click_cell(driver, table_id: str, text: str) -> None:
    """Click the cell showing ``text``, scrolling the (virtualised) table until it is drawn."""
    from selenium.webdriver.common.by import By

    def find(d):
        cell = next(
            (
                c
                for c in d.find_elements(By.CSS_SELECTOR, f"#{table_id} [role=gridcell]")
                if c.text.strip() == text
            ),
            None,
        )
        if cell is None:
            d.execute_script(_SCROLL_TABLE, table_id)
        return cell

    cell = _wait(driver, find)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
    cell.click()


def _screenshot(driver, artifacts: Path, name: str) -> Path:
    path = artifacts / f"ui-{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


@pytest.fixture(scope="module")
def page(driver, app_url):
    driver.get(app_url)
    _wait(driver, lambda d: _all(d, "#ps-question textarea"))
    return driver


def _ask(page, question: str) -> list:
    _open_tab(page, "Ask")
    box = _css(page, "#ps-question textarea")
    box.clear()
    box.send_keys(question)
    _css(page, "#ps-ask").click()
    answered = f"#ps-results .ps-results[data-query='{question}'] .ps-card"
    _wait(page, lambda d: _all(d, answered))
    return _all(page, answered)


def test_ask_shows_cited_cards(page, index, artifacts):
    expected = index.search(THRIVE_QUESTION, k=8).hits[0].citation
    cards = _ask(page, THRIVE_QUESTION)
    assert cards[0].find_element("css selector", ".ps-cite").text == expected
    assert "THRIVE (Threat, Risk, Harm" in cards[0].text
    assert _all(page, "#ps-results .ps-best") and _all(page, "#ps-results mark.ps-term")
    _screenshot(page, artifacts, "ask")


def test_copy_citation_button(page):
    _ask(page, THRIVE_QUESTION)
    page.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            "origin": page.current_url.split("/?")[0].rstrip("/"),
        },
    )
    button = _wait(page, lambda d: _all(d, "#ps-results .ps-copy"))[0]
    citation = button.get_attribute("data-cite")
    button.click()
    _wait(page, lambda d: button.text != "Copy citation")
    assert button.text == "Copied"
    copied = page.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "navigator.clipboard.readText().then(done).catch(e => done('error: ' + e));"
    )
    assert copied == citation


def test_evidence_tab(page, artifacts):
    from selenium.webdriver.common.by import By

    _open_tab(page, "Evidence for a judgment")
    table = _css(page, "#ps-judgments")
    assert "Good" in table.text and "Requires improvement" in table.text
    label = page.find_element(By.XPATH, "//*[@id='ps-area']//label[contains(., 'protecting from harm')]")
    label.click()
    _wait(
        page,
        lambda d: "Summary of findings" in _css(d, "#ps-evidence").text and _all(d, "#ps-evidence .ps-card"),
    )
    claim = _css(page, "#ps-claim textarea")
    claim.send_keys("the force is slow to arrest domestic abuse suspects")
    _css(page, "#ps-check").click()
    _wait(page, lambda d: _all(d, "#ps-claim-results .ps-card"))
    page.execute_script("window.scrollTo(0, 0);")
    _screenshot(page, artifacts, "evidence")


def test_browse_tab(page, artifacts):
    from selenium.webdriver.common.by import By

    _open_tab(page, "Browse by entity")
    page.find_element(By.XPATH, "//*[@id='ps-facet']//label[normalize-space()='Places']").click()
    _click_cell(page, "ps-entity-table", "Wolverhampton")
    texts = _wait(page, lambda d: [c.text for c in _all(d, "#ps-browse-results .ps-card")])
    assert texts and all("Wolverhampton" in t for t in texts)
    page.execute_script("window.scrollTo(0, 0);")
    _screenshot(page, artifacts, "browse")


def test_report_map_tab(page, artifacts):
    _open_tab(page, "Report map")
    _click_cell(page, "ps-map", "How well does the force gather digital evidence?")
    _wait(page, lambda d: _all(d, "#ps-map-passages .ps-card"))
    assert "p. 24" in _css(page, "#ps-map-passages").text
    page.execute_script("window.scrollTo(0, 0);")
    _screenshot(page, artifacts, "map")


def test_bad_input_gives_a_message_not_a_dead_page(page, artifacts):
    _open_tab(page, "Ask")
    box = _css(page, "#ps-question textarea")
    box.clear()
    box.send_keys("   ")
    _css(page, "#ps-ask").click()
    _wait(page, lambda d: "the query is empty" in d.find_element("tag name", "body").text.lower())
    assert "Traceback" not in page.find_element("tag name", "body").text
    _screenshot(page, artifacts, "error")
    box.clear()
    box.send_keys("how well does the force gather digital evidence")
    _css(page, "#ps-ask").click()
    _wait(page, lambda d: "digital" in _css(d, "#ps-results").text.lower())


# -- a library of reports: selectors, Compare and the grades matrix ---------------------------------


@pytest.fixture(scope="module")
def library_url(tmp_path_factory) -> Iterator[str]:
    """The bundled report and one variant, indexed with the hash embedder (ranking is not
    what these tests look at), served on a free port."""
    import shutil

    from fakes import HashEmbedder
    from peel_search.index.build import build_index
    from peel_search.retrieve.search_index import SearchIndex
    from variant_reports import BUNDLED, VariantSpec, make_variant

    root = tmp_path_factory.mktemp("browser-library")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(BUNDLED, corpus / BUNDLED.name)
    variant = make_variant(VariantSpec("Kent Police", 2021, fmt="2021"))
    (corpus / variant.name).write_text(variant.text, encoding="utf-8")
    build_index(corpus, root / "index", progress=lambda message: None, embedder=HashEmbedder())
    library = SearchIndex.load(root / "index", corpus)
    library.use_embedder(HashEmbedder())
    with serving(library) as url:
        yield url


def test_library_compare_and_grades_matrix(driver, library_url, artifacts):
    from selenium.webdriver.common.by import By

    driver.get(library_url)
    _wait(driver, lambda d: _all(d, "#ps-question textarea"))
    assert _css(driver, "#ps-scope").is_displayed()
    _open_tab(driver, "Compare")
    box = _css(driver, "#ps-compare-question textarea")
    box.send_keys("how does the force assess risk for missing children")
    _css(driver, "#ps-compare-ask").click()
    _wait(driver, lambda d: len(_all(d, "#ps-compare-results .ps-compare-cell")) == 2)
    cells = _all(driver, "#ps-compare-results .ps-compare-cell")
    assert cells[0].location["y"] == cells[1].location["y"]  # side by side
    assert "West Midlands Police" in cells[0].text and "Kent Police" in cells[1].text
    _screenshot(driver, artifacts, "library-compare")

    _open_tab(driver, "Evidence for a judgment")
    grade = _wait(driver, lambda d: _all(d, "#ps-judgments .ps-matrix-grade summary"))[1]
    source = grade.find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".ps-matrix-source")
    assert not source.is_displayed()
    grade.click()
    _wait(driver, lambda d: source.is_displayed())
    assert "“" in source.text and " — p. " in source.text
    _screenshot(driver, artifacts, "library-matrix")
