"""Retrieval quality on the dev questions: hybrid search against its baselines and ablations.

    .venv/bin/python bench/quality.py [--questions ../shared/eval/qa_dev.jsonl] [--index index]

A hit is a returned passage containing one of the question's gold spans (matching rule
in peel_search.retrieve.metrics). Prints hit@1/3/5/10 and MRR@10 overall and by question type for
the full system, for BM25 alone and dense alone on the same passages, and with each
component switched off; then the "not in the report" signal's precision and recall.
The last lines are a short summary.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from peel_search.retrieve.metrics import first_hit_rank, hit_at, mrr_at, precision_recall  # noqa: E402
from peel_search.retrieve.search import DEFAULT_RANKING, RankConfig, open_index  # noqa: E402

DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "qa_dev.jsonl"


def load_questions(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _without(config: RankConfig, signal: str) -> RankConfig:
    keep = [(s, w) for s, w in zip(config.signals, config.weights, strict=True) if s != signal]
    return replace(config, signals=tuple(s for s, _ in keep), weights=tuple(w for _, w in keep))


def variants() -> dict[str, RankConfig]:
    d = DEFAULT_RANKING
    return {
        "hybrid (default)": d,
        "BM25 only": RankConfig(
            signals=("bm25",), weights=(1.0,), expand_acronyms=False, collapse_duplicates=False
        ),
        "dense only": RankConfig(
            signals=("dense",), weights=(1.0,), expand_acronyms=False, collapse_duplicates=False
        ),
        "late interaction only": RankConfig(signals=("tokens",), weights=(1.0,), collapse_duplicates=False),
        **{
            f"- {label}": _without(d, signal)
            for signal, label in (
                ("bm25", "BM25"),
                ("dense", "passage vectors"),
                ("sentence", "sentence vectors"),
                ("tokens", "late interaction"),
            )
        },
        "equal weights": replace(d, weights=(1.0,) * len(d.signals)),
        "- acronym expansion": replace(d, expand_acronyms=False),
        "- adaptive BM25 weight": replace(d, adaptive_bm25=False),
        "- duplicate collapse": replace(d, collapse_duplicates=False),
        "weighted sum instead of RRF": replace(d, fusion="sum"),
    }


def evaluate(index, questions: list[dict], config: RankConfig) -> dict:
    ranks_by_type: dict[str, list[int | None]] = defaultdict(list)
    ranks: list[int | None] = []
    flagged, truth, words = [], [], []
    for q in questions:
        result = index.search(q["question"], k=10, config=config)
        flagged.append(not result.in_report)
        truth.append(not q["answerable"])
        if not q["answerable"]:
            continue
        passages = [h.chunk.text for h in result.hits]
        words.extend(len(p.split()) for p in passages)
        rank = first_hit_rank(passages, q["gold"])
        ranks.append(rank)
        ranks_by_type[q["type"]].append(rank)
    precision, recall = precision_recall(flagged, truth)
    answerable_flagged = sum(1 for f, t in zip(flagged, truth, strict=True) if f and not t)
    return {
        "ranks": ranks,
        "by_type": ranks_by_type,
        "precision": precision,
        "recall": recall,
        "false_flag_rate": answerable_flagged / max(1, sum(1 for t in truth if not t)),
        "median_words": statistics.median(words) if words else 0,
    }


def row(name: str, ranks: list[int | None]) -> str:
    return (
        f"{name:<30} {len(ranks):>3}  {hit_at(ranks, 1):.3f}  {hit_at(ranks, 3):.3f}  "
        f"{hit_at(ranks, 5):.3f}  {hit_at(ranks, 10):.3f}  {mrr_at(ranks, 10):.3f}"
    )


HEADER = f"{'':<30} {'n':>3}  hit@1  hit@3  hit@5  hit@10 MRR@10"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--misses", action="store_true", help="list the questions the default misses at 5")
    args = parser.parse_args()

    questions = load_questions(args.questions)
    index = open_index(args.index, args.corpus, notify=lambda m: print(m, file=sys.stderr))
    results = {name: evaluate(index, questions, cfg) for name, cfg in variants().items()}
    full = results["hybrid (default)"]

    print("By question type (hybrid default)")
    print(HEADER)
    for qtype, ranks in sorted(full["by_type"].items()):
        print(row(qtype, ranks))
    print("\nSystem, baselines and ablations")
    print(HEADER)
    for name, res in results.items():
        print(row(name, res["ranks"]))

    if args.misses:
        print("\nMissed at 5 by the default:")
        for q in questions:
            if q["answerable"]:
                result = index.search(q["question"], k=10)
                r = first_hit_rank([h.chunk.text for h in result.hits], q["gold"])
                if r is None or r > 5:
                    print(f"  {q['id']} [{q['type']}] rank={r}: {q['question']}")

    chunk_words = [c.words for c in index.chunks]
    print(
        f"\nPassages: {len(chunk_words)}, median {statistics.median(chunk_words):.0f} words, "
        f"max {max(chunk_words)}; median returned passage {full['median_words']:.0f} words"
    )
    print(
        f"Not-in-report flag: precision {full['precision']:.2f}, recall {full['recall']:.2f}, "
        f"answerable wrongly flagged {full['false_flag_rate']:.1%}"
    )
    print("Summary")
    print(HEADER)
    for name in ("hybrid (default)", "BM25 only", "dense only"):
        print(row(name, results[name]["ranks"]))


if __name__ == "__main__":
    main()
