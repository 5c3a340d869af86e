"""How the fusion weights were chosen, and how much that choice can be trusted.

    .venv/bin/python bench/tune.py [--index index]

Scores every answerable question of the dev set and of bench/data/calibration.jsonl
once, then tries a grid of weights for (BM25, passage vectors, sentence vectors, late
interaction) under reciprocal rank fusion. It prints the best weights in-sample and,
for honesty, leave-one-type-out cross-validation: for each question type, the weights
that do best on the other types are scored on the held-out type. The held-out figures
estimate what the choice is worth on questions never seen.

Last, the ceiling of fusion on the dev set: every weight in a wider grid with RRF
constants 10, 30 and 60, fitted to the dev questions themselves (so optimistic), and
whether any setting meets the retrieval targets together. If none does in-sample, no
choice of weights will on unseen questions: what is missing is in the signals.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402

from peel_search.retrieve.metrics import hit_at, mrr_at, passage_matches  # noqa: E402
from peel_search.retrieve.ranker import DEFAULT_RANKING  # noqa: E402
from peel_search.retrieve.search_index import SearchIndex, open_index  # noqa: E402

SETS = (ROOT.parent / "shared" / "eval" / "qa_dev.jsonl", ROOT / "bench" / "data" / "calibration.jsonl")
GRID = (0.0, 0.5, 1.0, 2.0)
CEILING_GRID = (0.0, 0.5, 1.0, 2.0, 3.0)
CEILING_RRF_K = (10.0, 30.0, 60.0)
#: The dev-set targets: MRR@10, hit@5, hit@10, and hit@5 on paraphrase questions.
TARGETS = {"MRR@10": 0.85, "hit@5": 0.95, "hit@10": 0.98, "paraphrase hit@5": 0.85}


def first_rank(index: SearchIndex, fused: np.ndarray, gold_groups: set[int]) -> int | None:
    """Rank (1-10) of the first passage whose near-duplicate group holds a gold span."""
    seen: set[int] = set()
    for i in np.argsort(-fused, kind="stable"):
        group = index.library.canonical[int(i)]
        if group in seen:
            continue
        seen.add(group)
        if len(seen) > 10:
            return None
        if group in gold_groups:
            return len(seen)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", default=str(ROOT / "index"))
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    args = parser.parse_args()
    index = open_index(args.index, args.corpus, notify=lambda m: print(m, file=sys.stderr))

    questions = [json.loads(line) for path in SETS for line in path.open(encoding="utf-8") if line.strip()]
    questions = [q for q in questions if q["answerable"]]
    scored = []
    for q in questions:
        gold = {
            index.library.canonical[i]
            for i, c in enumerate(index.chunks)
            if passage_matches(c.text, q["gold"])
        }
        scored.append((q, index.score(q["question"]), gold))

    configs = [
        replace(DEFAULT_RANKING, weights=w)
        for w in itertools.product(GRID, repeat=len(DEFAULT_RANKING.signals))
        if any(w)
    ]
    table = {c.weights: [first_rank(index, index.fuse(s, c), g) for _, s, g in scored] for c in configs}

    def score(ranks: list[int | None]) -> tuple[float, float]:
        return (round(mrr_at(ranks), 4), hit_at(ranks, 5))

    def subset(weights: tuple[float, ...], keep: list[int]) -> list[int | None]:
        return [table[weights][i] for i in keep]

    everything = list(range(len(scored)))
    print(f"{len(scored)} answerable questions; signals {', '.join(DEFAULT_RANKING.signals)}")
    print("\nBest in-sample (MRR@10, hit@5):")
    for weights in sorted(table, key=lambda w: score(table[w]), reverse=True)[:5]:
        print(f"  {weights}  {score(table[weights])}")
    print(f"  default {DEFAULT_RANKING.weights}  {score(table[DEFAULT_RANKING.weights])}")

    held_out: list[int | None] = [None] * len(scored)
    print("\nLeave-one-type-out:")
    for qtype in sorted({q["type"] for q, _, _ in scored}):
        train = [i for i in everything if scored[i][0]["type"] != qtype]
        test = [i for i in everything if scored[i][0]["type"] == qtype]
        chosen = max(table, key=lambda w: score(subset(w, train)))
        for i in test:
            held_out[i] = table[chosen][i]
        print(f"  held out {qtype:<15} chose {chosen}  held-out {score(subset(chosen, test))}")
    print(
        f"\nHeld-out estimate: hit@1 {hit_at(held_out, 1):.3f}  hit@5 {hit_at(held_out, 5):.3f}  "
        f"MRR@10 {mrr_at(held_out):.3f}   (default in-sample: hit@1 {hit_at(table[DEFAULT_RANKING.weights], 1):.3f}  "
        f"hit@5 {hit_at(table[DEFAULT_RANKING.weights], 5):.3f}  MRR@10 {mrr_at(table[DEFAULT_RANKING.weights]):.3f})"
    )

    ceiling(index, [(q, s, g) for q, s, g in scored if q["id"] in ids_in(SETS[0])])


def ids_in(path: Path) -> set[str]:
    return {json.loads(line)["id"] for line in path.open(encoding="utf-8") if line.strip()}


def ceiling(index: SearchIndex, scored: list[tuple[dict, dict, set[int]]]) -> None:
    """The best any fusion setting does on ``scored``, fitted to those very questions."""
    paraphrase = [i for i, (q, _, _) in enumerate(scored) if q["type"] == "paraphrase"]
    rows = []
    for k in CEILING_RRF_K:
        for weights in itertools.product(CEILING_GRID, repeat=len(DEFAULT_RANKING.signals)):
            if not any(weights):
                continue
            config = replace(DEFAULT_RANKING, weights=weights, rrf_k=k)
            ranks = [first_rank(index, index.fuse(s, config), g) for _, s, g in scored]
            para = [ranks[i] for i in paraphrase]
            rows.append(((mrr_at(ranks), hit_at(ranks, 5), hit_at(ranks, 10), hit_at(para, 5)), weights, k))
    print(f"\nCeiling of fusion on the {len(scored)} dev questions ({len(rows)} settings, fitted in-sample):")
    for i, name in enumerate(TARGETS):
        best = max(rows, key=lambda r, i=i: r[0][i])
        print(f"  best {name:<17} {best[0][i]:.3f}  with weights {best[1]}, k {best[2]:.0f}")
    meets = [r for r in rows if all(v >= t for v, t in zip(r[0], TARGETS.values(), strict=True))]
    both = [r for r in rows if r[0][0] >= TARGETS["MRR@10"] and r[0][1] >= TARGETS["hit@5"]]
    print(f"  settings with MRR@10 >= {TARGETS['MRR@10']} and hit@5 >= {TARGETS['hit@5']}: {len(both)}")
    print(f"  settings meeting all of {', '.join(f'{n} >= {t}' for n, t in TARGETS.items())}: {len(meets)}")


if __name__ == "__main__":
    main()
