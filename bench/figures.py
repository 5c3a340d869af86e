"""Figure extraction against the hand-checked list of the bundled report's statistics.

    .venv/bin/python bench/figures.py [--gold bench/data/figures_gold.jsonl] [--list]

The report is parsed and its figures extracted exactly as an index build does
(:func:`peel_search.ingest.figures.extract_figures`); no index or model is needed.

Matching rule: an extracted figure matches a gold record when their numbers are equal
(within 0.1 %, so that "two-thirds" is 0.667) and the extracted value's first character
lies inside the gold record's span — its ``occurrence``-th occurrence in the source
(the first when not given). Each gold record and each extracted figure is matched at
most once, gold records in file order, each to the first unmatched figure that fits.
Precision is matched / extracted, recall matched / gold. Agreement on the measure
(count, rate, percentage, change, duration, ratio, amount), on a rate's base and on
the period are reported separately, over the matched pairs. ``--list`` prints the
figures missed and those extracted with no gold record.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from peel_search.ingest.figures import extract_figures  # noqa: E402
from peel_search.ingest.parse import parse_report  # noqa: E402
from peel_search.types import Figure  # noqa: E402

REPORT = ROOT / "corpus" / "peel-2015-effectiveness-west-midlands.txt"
GOLD = ROOT / "bench" / "data" / "figures_gold.jsonl"


def gold_span(source: str, record: dict) -> tuple[int, int] | None:
    """Where the gold record's span stands in ``source`` (its ``occurrence``-th copy)."""
    at = -1
    for _ in range(int(record.get("occurrence") or 1)):
        at = source.find(record["span"], at + 1)
        if at < 0:
            return None
    return at, at + len(record["span"])


def same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


def match(source: str, gold: list[dict], found: list[Figure]) -> list[tuple[dict, Figure | None]]:
    """Each gold record with the extracted figure matched to it (``None``: missed)."""
    used: set[int] = set()
    pairs: list[tuple[dict, Figure | None]] = []
    for record in gold:
        span = gold_span(source, record)
        hit = None
        if span is not None:
            for i, f in enumerate(found):
                if i not in used and span[0] <= f.start < span[1] and same_number(f.number, record["number"]):
                    hit = i
                    break
        if hit is not None:
            used.add(hit)
        pairs.append((record, found[hit] if hit is not None else None))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--list", action="store_true", help="list the misses and the extra figures")
    args = parser.parse_args()

    source = args.report.read_text(encoding="utf-8")
    found = extract_figures(parse_report(source, args.report.stem))
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = match(source, gold, found)
    matched = [(g, f) for g, f in pairs if f is not None]
    precision = len(matched) / max(1, len(found))
    recall = len(matched) / max(1, len(gold))
    print(f"Figures: {len(found)} extracted, {len(gold)} in the gold list, {len(matched)} matched")
    print(f"Precision {precision:.1%}   recall {recall:.1%}")
    measure = sum(1 for g, f in matched if f.measure == g["measure"])
    per = [(g, f) for g, f in matched if g["measure"] == "rate"]
    period = sum(1 for g, f in matched if f.period == g["period"])
    print(
        f"Over the matched: measure agrees {measure}/{len(matched)}, "
        f"rate base agrees {sum(1 for g, f in per if f.per == g['per'])}/{len(per)}, "
        f"period agrees {period}/{len(matched)}"
    )
    by_measure = Counter(g["measure"] for g, f in pairs if f is None)
    if by_measure:
        print("Missed by measure: " + ", ".join(f"{m} {n}" for m, n in sorted(by_measure.items())))
    if args.list:
        print("\nMissed:")
        for g, f in pairs:
            if f is None:
                print(f"  {g['id']} {g['value']!r} ({g['measure']}): {g['span'][:70]!r}")
        hits = {id(f) for _, f in matched}
        print("\nExtracted with no gold record:")
        for f in found:
            if id(f) not in hits:
                print(f"  {f.value!r} {f.measure}: {f.subject[:60]!r} @ {f.start}")
        print("\nMeasure or period differs:")
        for g, f in matched:
            if f.measure != g["measure"] or f.period != g["period"]:
                print(
                    f"  {g['id']} {g['value']!r}: {f.measure}/{g['measure']}  {f.period!r} / {g['period']!r}"
                )


if __name__ == "__main__":
    main()
