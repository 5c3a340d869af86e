"""Request-to-response latency of the web app's /search endpoint, through gradio_client.

Serves the app in-process on a free port with the index in index/ (built first when
missing or stale), asks every question of the dev set once to warm up, then times each
question over several rounds and prints p50 and p95 in milliseconds.

    .venv/bin/python bench/app_latency.py [--questions PATH] [--rounds N] [--k K]

Target: p50 <= 150 ms, Gradio's queue and the client's round trip included.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"
TARGET_P50_MS = 150.0


def read_questions(path: Path) -> list[str]:
    """The ``question`` of each JSON line (plain lines are taken as questions)."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            questions.append(str(json.loads(line)["question"]))
        except (json.JSONDecodeError, KeyError, TypeError):
            questions.append(line.strip())
    return questions


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--questions", type=Path, default=DEFAULT_QUESTIONS, help="JSON lines with a 'question'"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the questions (default 3)")
    parser.add_argument("--k", type=int, default=10, help="passages per query (default 10)")
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    from gradio_client import Client

    import peel_search
    from peel_search.web.server import start

    questions = read_questions(args.questions)
    index = peel_search.open_index(args.index, args.corpus, notify=print)
    index.warm_up()
    running = start(index, port=free_port())
    url = running.url
    try:
        client = Client(url, verbose=False)
        for q in questions:
            client.predict(q, args.k, api_name="/search")
        timings = []
        for _ in range(args.rounds):
            for q in questions:
                start = time.perf_counter()
                client.predict(q, args.k, api_name="/search")
                timings.append((time.perf_counter() - start) * 1000)
        direct = []
        for q in questions:
            start = time.perf_counter()
            index.search(q, k=args.k)
            direct.append((time.perf_counter() - start) * 1000)
    finally:
        running.close()

    p50, p95 = percentile(timings, 50), percentile(timings, 95)
    print(
        f"/search via gradio_client: {len(timings)} requests ({len(questions)} questions x {args.rounds}), "
        f"k={args.k}"
    )
    print(f"  p50 {p50:.1f} ms   p95 {p95:.1f} ms   mean {statistics.fmean(timings):.1f} ms")
    print(f"  index.search alone: p50 {percentile(direct, 50):.1f} ms   p95 {percentile(direct, 95):.1f} ms")
    print(
        f"  target p50 <= {TARGET_P50_MS:.0f} ms: {'met' if p50 <= TARGET_P50_MS else 'NOT met'}"
        f"   (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
