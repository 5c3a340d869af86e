"""Speed and memory: index build, cold start, warm query latency, peak RSS.

    .venv/bin/python bench/speed.py [--questions ../shared/eval/qa_dev.jsonl] [--rounds 10]

- build: a fresh `build_index` of corpus/ into a temporary folder (models already
  installed; the time includes loading them);
- cold start: a new `peel-search search` process, from exec to the answer printed,
  against an already built index (median of three runs);
- warm latency: `SearchIndex.search` in one process over every dev question, after
  one warm-up query, ten rounds; p50 and p95;
- peak RSS: of the cold-start process (ru_maxrss of the child), and of this process
  after the warm runs.
Targets: build <= 30 s, cold start <= 8 s, warm p50 <= 15 ms, RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from peel_search.index.build import build_index  # noqa: E402
from peel_search.retrieve.search import SearchIndex  # noqa: E402

DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cold_start(index: Path, corpus: Path, question: str) -> tuple[float, float]:
    """Seconds from exec to answer, and the child's peak RSS in MB."""
    cli = Path(sys.executable).parent / "peel-search"
    cmd = [
        str(cli),
        "search",
        question,
        "--k",
        "5",
        "--index",
        str(index),
        "--corpus",
        str(corpus),
        "--format",
        "json",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"cold start run failed: {done.stderr.strip()}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return elapsed, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    questions = [
        json.loads(line)["question"] for line in args.questions.open(encoding="utf-8") if line.strip()
    ]

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        began = time.perf_counter()
        result = build_index(args.corpus, index_dir, progress=lambda message: None)
        build_s = time.perf_counter() - began

        colds, rss = [], []
        for _ in range(3):
            seconds, peak = cold_start(index_dir, args.corpus, questions[0])
            colds.append(seconds)
            rss.append(peak)

        index = SearchIndex.load(index_dir, args.corpus)
        index.search("warm up", k=10)
        times = []
        for _ in range(args.rounds):
            for q in questions:
                began = time.perf_counter()
                index.search(q, k=10)
                times.append((time.perf_counter() - began) * 1000)
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"passages: {result.manifest.chunk_count}, sentences: {result.manifest.sentence_count}, cores: {os.cpu_count()}"
    )
    print(f"index build:          {build_s:6.1f} s   (target <= 30 s)")
    print(
        f"cold start (median):  {statistics.median(colds):6.2f} s   (target <= 8 s; runs {', '.join(f'{c:.2f}' for c in colds)})"
    )
    print(f"warm query p50:       {percentile(times, 0.5):6.1f} ms  (target <= 15 ms; {len(times)} queries)")
    print(f"warm query p95:       {percentile(times, 0.95):6.1f} ms")
    print(f"peak RSS cold start:  {max(rss):6.0f} MB  (target <= 1536 MB)")
    print(f"peak RSS bench proc:  {own_rss:6.0f} MB  (build + search in one process)")


if __name__ == "__main__":
    main()
