"""PDF ingest speed: seconds per page to extract and parse a report's PDF, beside the
text path's time for the same report.

    .venv/bin/python bench/ingest.py [--rounds 5] [--pages 40]

The PDF is the bundled report laid out by ``tests/pdf_reports.py`` (reportlab, HMIC's
layout), with its body type set large enough to fill about ``--pages`` pages (the
bundled report fills 29 at 10 pt). Timed, best of ``--rounds``:
- extract: ``extract_pdf`` (PDFium via pypdfium2: characters, sizes, positions -> text);
- parse: ``parse_report`` on the extracted text with its page numbers;
- text path: ``parse_report`` on the bundled ``.txt`` (what a text report costs).
Target: a 40-page report, extract + parse <= 5 s on this machine.

Also measured once, for the choice of library: the time pdfplumber (pdfminer.six) takes
only to list the same PDF's characters with their font sizes and positions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import pdf_reports  # noqa: E402
from peel_search.ingest.parse import parse_report  # noqa: E402
from peel_search.ingest.pdf import extract_pdf  # noqa: E402

REPORT = ROOT / "corpus" / "peel-2015-effectiveness-west-midlands.txt"


def _best(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def _pdf_of_about(pages: int, folder: Path) -> tuple[Path, int]:
    source = REPORT.read_text(encoding="utf-8")
    size, path, count = 10.0, folder / "report.pdf", 0
    while size < 20:
        pdf_reports.BODY = size
        count = pdf_reports.write_report_pdf(source, path).page_count
        if count >= pages:
            break
        size += 0.5
    return path, count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args(argv)
    text = REPORT.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path, pages = _pdf_of_about(args.pages, Path(tmp))
        data = path.read_bytes()
        extracted = extract_pdf(data)
        extract_s = _best(lambda: extract_pdf(data), args.rounds)
        parse_s = _best(
            lambda: parse_report(extracted.text, "r", page_numbers=extracted.page_numbers), args.rounds
        )
        text_s = _best(lambda: parse_report(text, "r"), args.rounds)
        plumber_s = _plumber_chars(path)
    total = extract_s + parse_s
    print(f"PDF: {pages} pages, {len(data) / 1024:.0f} KiB, body type {pdf_reports.BODY:g} pt")
    print(f"  extract (pypdfium2)   {extract_s:6.3f} s   {extract_s / pages * 1000:6.1f} ms/page")
    print(f"  parse                 {parse_s:6.3f} s   {parse_s / pages * 1000:6.1f} ms/page")
    print(
        f"  extract + parse       {total:6.3f} s   {total / pages * 1000:6.1f} ms/page"
        f"   (target for 40 pages: <= 5 s; {'met' if total / pages * 40 <= 5 else 'MISSED'})"
    )
    print(f"text path (parse the .txt of the same report): {text_s:.3f} s")
    if plumber_s is not None:
        print(
            f"for comparison, pdfplumber only listing the characters: {plumber_s:.3f} s "
            f"({plumber_s / pages * 1000:.1f} ms/page)"
        )


def _plumber_chars(path: Path) -> float | None:
    try:
        import pdfplumber
    except ImportError:
        return None
    began = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            _ = [(c["text"], c["size"], c["x0"], c["x1"], c["top"]) for c in page.chars]
    return time.perf_counter() - began


if __name__ == "__main__":
    main()
