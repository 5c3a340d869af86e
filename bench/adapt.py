"""Adapting the encoder to the library: is it worth it on questions never seen?

    .venv/bin/python bench/adapt.py [--seeds 3] [--recipes cloze cloze-top3 ...]
    .venv/bin/python bench/adapt.py --tables             # the tables again, from the saved ranks
    .venv/bin/python bench/adapt.py --library 10 [--latency 30]   # costs on a generated library
    .venv/bin/python bench/adapt.py --library-table 1 10 100      # the recorded costs, as Markdown

For each recipe (how the encoder is adapted: see peel_search.index.adapt) and seed, the
bundled report is indexed with ``build_index(adapt=...)`` under bench/.cache/adapt/, and
every answerable question of four sets is searched through the full pipeline (first
stage, signals, weighted RRF, near-duplicates folded, named passages first: the ranking
of ``SearchIndex.search``; signals are computed once per question and fused per row):

- dev: the dev set (../shared/eval/qa_dev.jsonl), seen while the system was built;
- blind-select: the odd-numbered questions of bench/data/blind_retrieval.jsonl (written
  blind, never seen), on which recipes, rows and weights are chosen;
- blind-gate: its even-numbered questions, on which keep-or-remove is decided;
- calibration: bench/data/calibration.jsonl, for information.

Rows (ranking configurations): the stock hybrid (the default), the stock hybrid with the
adapted encoder's passage and sentence signals added, the adapted signals in place of
the stock ones, and dense retrieval alone by each encoder. Per recipe: each row per seed
and the mean over seeds with its spread (min-max), by question type, and a paired
bootstrap over questions (10,000 resamples) of the difference to the stock hybrid in
MRR@10 and hit@5, each question's score averaged over the seeds first.

Per build: the wall seconds of the adaptation step (training and embedding with the
adapted encoder), the process's CPU seconds over the whole build, and the load average
beside them (the machine is shared: compare CPU seconds, and walls run together).
Ranks and costs are kept in bench/.cache/adapt/results.json (--tables reprints).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from adapt_costs import costs_table, library_costs  # noqa: E402
from library import CACHE, disk_usage  # noqa: E402
from peel_search.index.adapt import DEFAULT_ADAPT, AdaptConfig  # noqa: E402
from peel_search.index.build import build_index  # noqa: E402
from peel_search.retrieve.metrics import (  # noqa: E402
    first_hit_rank,
    hit_at,
    mrr_at,
    paired_bootstrap,
    reciprocal_ranks,
)
from peel_search.retrieve.ranker import DEFAULT_RANKING, RankConfig  # noqa: E402
from peel_search.retrieve.request import clean_query  # noqa: E402
from peel_search.retrieve.search_index import SearchIndex  # noqa: E402

HERE = CACHE / "adapt"
RESULTS = HERE / "results.json"
SETS = {
    "dev": ROOT.parent / "shared" / "eval" / "qa_dev.jsonl",
    "blind": ROOT / "bench" / "data" / "blind_retrieval.jsonl",
    "calibration": ROOT / "bench" / "data" / "calibration.jsonl",
}
SPLITS = ("dev", "blind-select", "blind-gate", "blind-all", "calibration")

RECIPES = {
    "cloze": AdaptConfig(),
    "cloze-top3": AdaptConfig(layers=3),
    "cloze-top3-128": AdaptConfig(layers=3, max_tokens=128),
    "cloze+heading-top3-128": AdaptConfig(pairs=("cloze", "heading"), layers=3, max_tokens=128),
    "cloze-2ep-top3-128": AdaptConfig(epochs=2, layers=3, max_tokens=128),
}

STOCK = DEFAULT_RANKING


def _plus(config: RankConfig, signals: dict[str, float]) -> RankConfig:
    return replace(
        config,
        signals=config.signals + tuple(signals),
        weights=config.weights + tuple(signals.values()),
    )


def _swap(config: RankConfig, names: dict[str, str]) -> RankConfig:
    return replace(config, signals=tuple(names.get(s, s) for s in config.signals))


def grid() -> dict[str, RankConfig]:
    """Weights to choose from on blind-select: RRF or weighted sum; the stock passage and
    sentence signals kept or dropped; the adapted ones at 0, 0.5, 1 or 2; late
    interaction at 1 or 2; BM25 at 0.5 or 1. With the adapted weight 0 these are
    rankings of the stock index (ranking changes other than adaptation)."""
    out = {}
    for fusion in ("rrf", "sum"):
        for stock in (1.0, 0.0):
            for adapted in (0.0, 0.5, 1.0, 2.0):
                if stock == 0.0 and adapted == 0.0:
                    continue
                for tokens in (1.0, 2.0):
                    for bm25 in (0.5, 1.0):
                        weights = {
                            "bm25": bm25,
                            "dense": stock,
                            "sentence": stock,
                            "tokens": tokens,
                            "adapted": adapted,
                            "adapted_sentence": adapted,
                        }
                        kept = {k: w for k, w in weights.items() if w}
                        name = f"grid {fusion} bm25={bm25:g} stock={stock:g} tokens={tokens:g} adapted={adapted:g}"
                        out[name] = replace(
                            STOCK, fusion=fusion, signals=tuple(kept), weights=tuple(kept.values())
                        )
    return out


def rows() -> dict[str, RankConfig]:
    """The ranking configurations compared (the first is the stock default), then the grid."""
    alone = {"expand_acronyms": True, "collapse_duplicates": False}
    return {
        "stock hybrid (default)": STOCK,
        "+ adapted (1, 1)": _plus(STOCK, {"adapted": 1.0, "adapted_sentence": 1.0}),
        "+ adapted (0.5, 0.5)": _plus(STOCK, {"adapted": 0.5, "adapted_sentence": 0.5}),
        "+ adapted (2, 2)": _plus(STOCK, {"adapted": 2.0, "adapted_sentence": 2.0}),
        "+ adapted passage (1)": _plus(STOCK, {"adapted": 1.0}),
        "adapted in place of stock": _swap(STOCK, {"dense": "adapted", "sentence": "adapted_sentence"}),
        "stock weighted sum": replace(STOCK, fusion="sum"),
        "+ adapted, weighted sum": replace(
            _plus(STOCK, {"adapted": 1.0, "adapted_sentence": 1.0}), fusion="sum"
        ),
        "dense only, stock": RankConfig(signals=("dense",), weights=(1.0,), **alone),
        "dense only, adapted": RankConfig(signals=("adapted",), weights=(1.0,), **alone),
        **grid(),
    }


def load_questions() -> dict[str, list[dict]]:
    """Answerable questions of each split, keyed ``set:id``."""
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for name, path in SETS.items():
        for line in path.open(encoding="utf-8"):
            if not line.strip():
                continue
            q = json.loads(line)
            if not q["answerable"]:
                continue
            q = {**q, "key": f"{name}:{q['id']}"}
            if name == "blind":
                odd = int(q["id"].removeprefix("br")) % 2 == 1
                out["blind-select" if odd else "blind-gate"].append(q)
                out["blind-all"].append(q)
            else:
                out[name].append(q)
    return out


def first_ranks(index: SearchIndex, questions: list[dict], configs: dict[str, RankConfig]) -> dict:
    """``{row: {question key: rank of first hit or None}}``, through the path of
    ``search`` (every row expands acronyms, so the query is encoded once)."""
    ranker, filters = index.ranker, index.filters
    out: dict[str, dict[str, int | None]] = {name: {} for name in configs}
    everything = filters.mask((), None, None, None)
    for q in questions:
        text, _ = clean_query(q["question"])
        encoded = ranker.encode(text, True)
        candidates = ranker.candidates(encoded, everything, everything, (), False)
        candidates |= filters.named(text, everything)
        signals = ranker.signals(encoded, candidates, None)
        for name, config in configs.items():
            fused = ranker.fuse_within(signals, config, candidates)
            hits = ranker.ranked(text, signals, fused, everything, 10, config)
            out[name][q["key"]] = first_hit_rank([h.chunk.text for h in hits], q["gold"])
    return out


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build(recipe: str, seed: int, corpus: Path, index_dir: Path) -> dict:
    """Index ``corpus`` adapted by ``recipe`` with ``seed``; what it cost."""
    config = replace(RECIPES[recipe], seed=seed)
    load_before = os.getloadavg()[0]
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = build_index(
        corpus,
        index_dir,
        adapt=config,
        cache=HERE / "embeddings.sqlite",
        progress=lambda m: print(f"  {m}", file=sys.stderr, flush=True) if "step" not in m else None,
    )
    record = json.loads((index_dir / "adapted" / "adapter.json").read_text(encoding="utf-8"))
    size, _ = disk_usage(index_dir / "adapted")
    return {
        "wall": round(time.perf_counter() - wall, 1),
        "cpu": round(cpu_seconds() - cpu, 1),
        "adapt_wall": round(result.timings.get("adapt", 0.0), 1),
        "train_wall": record["seconds"],
        "steps": record["steps"],
        "pairs": record["pairs"],
        "loss": [record["loss_first"], record["loss_last"]],
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "adapted_bytes": size,
        "processed": list(result.processed),
    }


def run(recipes: list[str], seeds: range, results: dict, rescore: bool = False) -> None:
    questions = load_questions()
    every = [q for q in questions["dev"] + questions["blind-all"] + questions["calibration"]]
    corpus = ROOT / "corpus"
    for recipe in recipes:
        for seed in seeds:
            key = f"{recipe}/s{seed}"
            index_dir = HERE / recipe / f"s{seed}" / "index"
            if key in results["runs"] and not rescore:
                print(f"{key}: kept from {RESULTS}", file=sys.stderr)
                continue
            if key in results["runs"]:
                # The index brought up to date with the weights it has (adapt=None keeps them
                # even if the training code changed since), then every row scored again.
                print(f"{key}: scoring again", file=sys.stderr, flush=True)
                build_index(corpus, index_dir, cache=HERE / "embeddings.sqlite")
                cost = results["runs"][key]["cost"]
            else:
                print(f"{key}: building", file=sys.stderr, flush=True)
                cost = build(recipe, seed, corpus, index_dir)
                print(f"{key}: {cost}", file=sys.stderr, flush=True)
            index = SearchIndex.load(index_dir, corpus)
            results["runs"][key] = {"cost": cost, "ranks": first_ranks(index, every, rows())}
            save(results)


def save(results: dict) -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=1), encoding="utf-8")
    os.replace(tmp, RESULTS)


# -- tables --------------------------------------------------------------------------------------


def _cell(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def _mrr(ranks: list[int | None]) -> float:
    return mrr_at(ranks, 10)


def _hit5(ranks: list[int | None]) -> float:
    return hit_at(ranks, 5)


def _per_question(runs: list[dict], name: str, keys: list[str], score) -> list[float]:  # type: ignore[no-untyped-def]
    """Each question's score under row ``name``, averaged over the runs (seeds)."""
    per_run = [score([r["ranks"][name][k] for k in keys]) for r in runs]
    return [statistics.mean(v) for v in zip(*per_run, strict=True)]


def _rr(ranks: list[int | None]) -> list[float]:
    return reciprocal_ranks(ranks, 10)


def _in5(ranks: list[int | None]) -> list[float]:
    return [float(r is not None and r <= 5) for r in ranks]


def _versus(runs: list[dict], name: str, base_runs: list[dict], base: str, keys: list[str]) -> str:
    """Paired bootstrap of MRR@10 and hit@5 of ``name`` against ``base``."""
    cells = []
    for score in (_rr, _in5):
        d, lo, hi = paired_bootstrap(
            _per_question(runs, name, keys, score), _per_question(base_runs, base, keys, score)
        )
        cells.append(f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]")
    return "   ".join(cells)


def tables(results: dict, seeds: range | None = None) -> None:
    """Every table; with ``seeds``, only the runs of those seeds."""
    questions = load_questions()
    keys = {split: [q["key"] for q in questions[split]] for split in SPLITS}
    by_recipe: dict[str, list[dict]] = defaultdict(list)
    for key, r in results["runs"].items():
        recipe, seed = key.split("/")
        if seeds is None or int(seed.removeprefix("s")) in seeds:
            by_recipe[recipe].append(r)
    base = STOCK_ROW
    named = [n for n in rows() if not n.startswith("grid")]
    for recipe, runs in by_recipe.items():
        print(f"\n== recipe {recipe}: {RECIPES[recipe]}  ({len(runs)} seed(s))")
        for n, r in zip(_seeds_of(results, recipe, runs), runs, strict=True):
            c = r["cost"]
            print(
                f"  seed {n}: adapt step {c['adapt_wall']} s wall (training {c['train_wall']} s, "
                f"{c['steps']} steps, {c['pairs']}), build {c['wall']} s wall / {c['cpu']} s CPU, "
                f"load {c['load'][0]}->{c['load'][1]}, loss {c['loss'][0]}->{c['loss'][1]}, "
                f"adapted files {c['adapted_bytes'] / 1e6:.1f} MB"
            )
        for metric, fn in (("MRR@10", _mrr), ("hit@5", _hit5)):
            print(
                f"\n  {metric}: mean over seeds [min-max]   (n: "
                + ", ".join(f"{s} {len(keys[s])}" for s in SPLITS)
                + ")"
            )
            print(f"  {'':<30}" + "".join(f"{s:>22}" for s in SPLITS))
            for name in named:
                cells = [_cell([fn([r["ranks"][name][k] for k in keys[s]]) for r in runs]) for s in SPLITS]
                print(f"  {name:<30}" + "".join(f"{c:>22}" for c in cells))
        print("\n  Against the stock hybrid, paired bootstrap over questions (scores averaged over seeds):")
        print(f"  {'':<30} {'split':<13} {'dMRR@10 [95% CI]':<28} dhit@5 [95% CI]")
        for name in named[1:]:
            for split in SPLITS:
                print(f"  {name:<30} {split:<13} {_versus(runs, name, runs, base, keys[split])}")
        print("\n  MRR@10 by question type (mean over seeds), blind-all | dev:")
        types = sorted({q["type"] for q in questions["blind-all"]})
        print(f"  {'':<30}" + "".join(f"{t[:13]:>15}" for t in types))
        for name in named:
            cells = []
            for t in types:
                per = []
                for split in ("blind-all", "dev"):
                    typed = [q["key"] for q in questions[split] if q["type"] == t]
                    per.append(statistics.mean(_mrr([r["ranks"][name][k] for k in typed]) for r in runs))
                cells.append(f"{per[0]:.2f}|{per[1]:.2f}")
            print(f"  {name:<30}" + "".join(f"{c:>15}" for c in cells))
        counts = [
            f"{t} {sum(q['type'] == t for q in questions['blind-all'])}|{sum(q['type'] == t for q in questions['dev'])}"
            for t in types
        ]
        print("  questions: " + ", ".join(counts))
    selection(results, by_recipe, keys)


STOCK_ROW = "stock hybrid (default)"


def _seeds_of(results: dict, recipe: str, runs: list[dict]) -> list[int]:
    """The seed of each of ``runs`` (a recipe's runs, in the saved order)."""
    by_id = {id(r): int(k.split("/")[1].removeprefix("s")) for k, r in results["runs"].items()}
    return [by_id[id(r)] for r in runs]


def gate(results: dict, recipe: str, row: str, without: str, seeds: range) -> None:
    """The gate of issue 20 for ``row`` of ``recipe`` (chosen on blind-select) over the
    runs of ``seeds``: against the stock default and against ``without`` (the same
    ranking with the adapted signals at 0, i.e. adaptation's own share), per seed and
    mean with spread, by kind of question, paired bootstrap of the differences."""
    questions = load_questions()
    keys = {split: [q["key"] for q in questions[split]] for split in SPLITS}
    runs = [results["runs"][f"{recipe}/s{s}"] for s in seeds if f"{recipe}/s{s}" in results["runs"]]
    used = [s for s in seeds if f"{recipe}/s{s}" in results["runs"]]
    print(f"\n== GATE: {recipe} / {row}, seeds {used}")
    for split in ("blind-gate", "dev", "blind-select"):
        print(f"  {split} (n {len(keys[split])}):")
        for name in (STOCK_ROW, without, row):
            per = [
                (
                    _mrr([r["ranks"][name][k] for k in keys[split]]),
                    _hit5([r["ranks"][name][k] for k in keys[split]]),
                )
                for r in runs
            ]
            seeds_txt = "  ".join(f"s{s} {m:.3f}/{h:.3f}" for s, (m, h) in zip(used, per, strict=True))
            print(
                f"    {name:<55} MRR@10 {_cell([m for m, _ in per])}  hit@5 {_cell([h for _, h in per])}"
                f"   ({seeds_txt})"
            )
        print(f"    {row} vs stock default:        {_versus(runs, row, runs, STOCK_ROW, keys[split])}")
        print(f"    {row} vs without adaptation:   {_versus(runs, row, runs, without, keys[split])}")
    print("  MRR@10 by kind of question on blind-gate (mean over seeds): stock | without | with adaptation")
    for t in sorted({q["type"] for q in questions["blind-gate"]}):
        typed = [q["key"] for q in questions["blind-gate"] if q["type"] == t]
        cells = [
            statistics.mean(_mrr([r["ranks"][name][k] for k in typed]) for r in runs)
            for name in (STOCK_ROW, without, row)
        ]
        print(f"    {t:<15} n {len(typed):>3}   " + "  ".join(f"{c:.3f}" for c in cells))


def selection(results: dict, by_recipe: dict[str, list[dict]], keys: dict[str, list[str]]) -> None:
    """Recipe and weights chosen on blind-select (mean MRR@10 over seeds), then judged on
    blind-gate against the stock hybrid; the same for the stock index alone (the grid's
    rows without the adapted signals: ranking changes other than adaptation)."""
    configs = rows()
    candidates = []
    for recipe, runs in by_recipe.items():
        for name in configs:
            if any(name not in r["ranks"] for r in runs):
                continue
            mean_select = statistics.mean(
                _mrr([r["ranks"][name][k] for k in keys["blind-select"]]) for r in runs
            )
            candidates.append((mean_select, recipe, name))
    candidates.sort(reverse=True)
    stock_runs = next(iter(by_recipe.values()))

    def line(recipe: str, name: str) -> str:
        runs = by_recipe[recipe]
        cells = []
        for split in ("dev", "blind-select", "blind-gate", "blind-all"):
            mrr = [_mrr([r["ranks"][name][k] for k in keys[split]]) for r in runs]
            hit = [_hit5([r["ranks"][name][k] for k in keys[split]]) for r in runs]
            cells.append(f"{statistics.mean(mrr):.3f}/{statistics.mean(hit):.3f}")
        return "  ".join(f"{c:>12}" for c in cells)

    print("\n== Chosen on blind-select (MRR@10 / hit@5, mean over seeds):")
    print(f"  {'recipe':<14} {'row':<62}" + "".join(f"{s:>14}" for s in ("dev", "select", "gate", "all")))
    print(f"  {'(stock)':<14} {STOCK_ROW:<62}  {line(next(iter(by_recipe)), STOCK_ROW)}")
    for _, recipe, name in candidates[:10]:
        print(f"  {recipe:<14} {name:<62}  {line(recipe, name)}")
    stock_only = [c for c in candidates if not set(configs[c[2]].signals) & {"adapted", "adapted_sentence"}]
    best = candidates[0]
    best_stock = stock_only[0]
    for label, (_, recipe, name) in (("best of all", best), ("best without adaptation", best_stock)):
        print(f"\n  {label}: {recipe} / {name}")
        for split in ("dev", "blind-select", "blind-gate", "blind-all", "calibration"):
            print(
                f"    {split:<13} vs stock hybrid: "
                f"{_versus(by_recipe[recipe], name, stock_runs, STOCK_ROW, keys[split])}"
            )


def latency(recipe: str, rounds: int, seed: int = 0) -> None:
    """Warm search latency of the stock index against an adapted one (the query encoded
    a second time, by the adapted encoder), the same questions taking turns in one process."""
    import numpy as np

    corpus = ROOT / "corpus"
    stock_dir = HERE / "stock" / "index"
    build_index(corpus, stock_dir, adapt=False, cache=HERE / "embeddings.sqlite")
    adapted_dir = HERE / recipe / f"s{seed}" / "index"
    build_index(corpus, adapted_dir, cache=HERE / "embeddings.sqlite")
    indexes = {"stock": SearchIndex.load(stock_dir, corpus), "adapted": SearchIndex.load(adapted_dir, corpus)}
    questions = [q["question"] for q in load_questions()["blind-all"]][:rounds]
    for index in indexes.values():
        index.search("warm up", k=10)
    times: dict[str, list[float]] = {name: [] for name in indexes}
    load_before = os.getloadavg()[0]
    for q in questions:
        for name, index in indexes.items():
            began = time.perf_counter()
            index.search(q, k=10)
            times[name].append(1000 * (time.perf_counter() - began))
    for name, ms in times.items():
        print(
            f"{name:<8} p50 {np.percentile(ms, 50):6.1f} ms  p95 {np.percentile(ms, 95):6.1f} ms  ({len(ms)} searches)"
        )
    print(f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}")
    for name, folder in (("stock", stock_dir), ("adapted", adapted_dir)):
        size, files = disk_usage(folder)
        print(f"{name:<8} index {size / 1e6:.1f} MB in {files} files")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds")
    parser.add_argument(
        "--first-seed", type=int, default=0, help="seeds from this one (tables: only these seeds)"
    )
    parser.add_argument(
        "--gate",
        nargs=2,
        metavar=("ROW", "WITHOUT"),
        help="print the gate for the first recipe's ROW against the stock default and WITHOUT",
    )
    parser.add_argument(
        "--recipes",
        nargs="+",
        choices=list(RECIPES),
        help="default: cloze (--library: the recipe of --adapt)",
    )
    parser.add_argument("--tables", action="store_true", help="only print the tables from saved ranks")
    parser.add_argument("--rescore", action="store_true", help="score the saved indexes again, every row")
    parser.add_argument(
        "--library",
        type=int,
        metavar="N",
        help="costs on a library of N reports: builds, size, latency over --latency questions (30)",
    )
    parser.add_argument(
        "--latency", type=int, metavar="Q", help="warm latency over Q questions, stock vs adapted"
    )
    parser.add_argument(
        "--library-table", type=int, nargs="+", metavar="N", help="the recorded --library runs as Markdown"
    )
    args = parser.parse_args()
    if args.library_table:
        print(costs_table(args.library_table))
        return
    if args.library:
        recipe = RECIPES[args.recipes[0]] if args.recipes else DEFAULT_ADAPT
        questions = [q["question"] for q in load_questions()["blind-all"]][: args.latency or 30]
        library_costs(args.library, recipe, questions, lambda m: print(m, file=sys.stderr, flush=True))
        return
    args.recipes = args.recipes or ["cloze"]
    if args.latency:
        latency(args.recipes[0], args.latency, args.first_seed)
        return
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {"runs": {}}
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    if not args.tables:
        run(args.recipes, seeds, results, args.rescore)
    if args.gate:
        gate(results, args.recipes[0], args.gate[0], args.gate[1], seeds)
        return
    tables(results, seeds if args.first_seed else None)


if __name__ == "__main__":
    main()
