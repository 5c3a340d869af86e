"""What a user waits for: from pressing Enter in the Ask box to the results on screen, in a
real headless Chromium (Debian's chromium and chromium-driver), on the bundled report.

    .venv/bin/python bench/browser_latency.py [--rounds 3] [--questions PATH] [--k 8]

Serves the app in-process on a free port (index/ built first when missing or stale),
opens it in Chromium, and for each dev question types it, presses Enter and waits for
the results to be painted. The time is measured in the page: from the Enter keydown
(``performance.now()``) to the first animation frame after the result for that question
is in the DOM. Beside it, in the same run: the time the server spent in the Ask handler
(search and HTML), the size of the HTML it sent, and what is left — Gradio's queue, its
event stream, the transfer and the browser's rendering. The load average is printed at
the start and end (absolute times drift between machines; the split much less).

Target: p50 <= 150 ms from Enter to results.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("SE_OFFLINE", "true")  # Selenium must never try to download a browser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
TARGET_MS = 150.0

#: Set on the page once: stamps the Enter keydown and the paint after the wanted result.
_PROBE = """
const box = document.querySelector('#ps-question textarea');
const results = document.querySelector('#ps-results');
window.__psProbe = {want: null, t0: null, done: null};
box.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) { window.__psProbe.t0 = performance.now(); }
}, true);
new MutationObserver(() => {
  const p = window.__psProbe;
  if (p.done !== null || p.t0 === null) return;
  const shown = results.querySelector('.ps-results');
  if (shown && shown.dataset.query === p.want) {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (p.done === null) p.done = performance.now() - p.t0;
    }));
  }
}).observe(results, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def _questions(path: Path) -> list[str]:
    return [
        json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _driver(profile: Path):  # type: ignore[no-untyped-def]
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
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    args = parser.parse_args(argv)
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        print("needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver")
        return 2

    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    import peel_search
    from peel_search.web import server
    from peel_search.web.ask import AskTab

    load_start = os.getloadavg()[0]
    index = peel_search.open_index(args.index, args.corpus, notify=print)
    index.warm_up()
    handler_ms: list[float] = []
    html_bytes: list[int] = []
    ask = AskTab.ask

    def timed_ask(self, *a, **kw):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        html = ask(self, *a, **kw)
        handler_ms.append((time.perf_counter() - t) * 1000)
        html_bytes.append(len(html.encode("utf-8")))
        return html

    AskTab.ask = timed_ask  # type: ignore[method-assign]
    questions = _questions(args.questions)
    totals: list[float] = []
    with server.start(index, port=_free_port()) as running, tempfile.TemporaryDirectory() as profile:
        driver = _driver(Path(profile))
        try:
            driver.get(running.url)
            deadline = time.time() + 60
            while not driver.find_elements(By.CSS_SELECTOR, "#ps-question textarea"):
                if time.time() > deadline:
                    raise RuntimeError("the page did not load")
                time.sleep(0.1)
            driver.execute_script(_PROBE)
            box = driver.find_element(By.CSS_SELECTOR, "#ps-question textarea")
            for n in range(args.rounds + 1):  # the first round warms up and is not counted
                for question in questions:
                    box.clear()
                    box.send_keys(question)
                    driver.execute_script(
                        "window.__psProbe.want = arguments[0]; window.__psProbe.t0 = null;"
                        "window.__psProbe.done = null;",
                        " ".join(question.split()),
                    )
                    handler_ms.clear() if n == 0 else None
                    box.send_keys(Keys.ENTER)
                    deadline = time.time() + 30
                    while (done := driver.execute_script("return window.__psProbe.done;")) is None:
                        if time.time() > deadline:
                            raise RuntimeError(f"no result for {question!r}")
                        time.sleep(0.05)  # the time is taken in the page; polling slower only spares the CPU
                    if n:
                        totals.append(float(done))
        finally:
            driver.quit()
    load_end = os.getloadavg()[0]
    counted = handler_ms[-len(totals) :]
    sizes = html_bytes[-len(totals) :]
    rest = [t - h for t, h in zip(totals, counted, strict=True)]
    print(
        f"{len(totals)} questions ({args.rounds} rounds of {len(questions)}), load average {load_start:.1f} -> {load_end:.1f}"
    )
    print(f"{'':<34} {'p50':>8} {'p95':>8}")
    print(f"{'Enter to results painted (ms)':<34} {_pct(totals, 0.5):8.1f} {_pct(totals, 0.95):8.1f}")
    print(f"{'  server: Ask handler (ms)':<34} {_pct(counted, 0.5):8.1f} {_pct(counted, 0.95):8.1f}")
    print(f"{'  the rest: queue, stream, render':<34} {_pct(rest, 0.5):8.1f} {_pct(rest, 0.95):8.1f}")
    print(f"{'  HTML sent (kB)':<34} {_pct(sizes, 0.5) / 1000:8.1f} {_pct(sizes, 0.95) / 1000:8.1f}")
    share = statistics.median(counted) / statistics.median(totals)
    print(
        f"handler share of the median: {share:.0%}; target p50 <= {TARGET_MS:.0f} ms: "
        f"{'met' if _pct(totals, 0.5) <= TARGET_MS else 'not met'}"
    )
    return 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main())
