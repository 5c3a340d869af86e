"""What ``peel-search index --adapt`` costs on a library of N reports, stock beside adapted.

    .venv/bin/python bench/adapt.py --library N [--latency Q] [--recipes RECIPE]

The library is the bundled report and N - 1 rewrites of it (bench/library.py), under
bench/.cache/library-N/. In one run:

1. **stock build** of ``index/`` (no adaptation). A build that processed every report is
   recorded in ``adapt-costs.json`` beside it; a later run that finds the index fresh
   reuses it and reprints the recorded figures, saying when they were measured.
2. **adapted build**: ``index-adapted/`` made afresh from the stock index (its files
   hard-linked, so no report is parsed or embedded again), then built with the recipe:
   the encoder is trained on the library's passages and every report is embedded by it.
   Its *extra* cost is that build's wall and CPU seconds less those of a build of the
   stock index that had nothing to do (same reuse, assembly and commit, no adaptation),
   measured just before it. Training pairs: those made, and those the library offered
   before sampling down to ``max_pairs``.
3. **size on disk** of each index (hard links counted once per index).
4. **warm query latency**: both indexes loaded and warmed in this process, the same Q
   blind questions searched on each in turn (the order alternating per question),
   p50 and p95 with their ratio, and where the time goes (mean ms per stage of the
   search path, :func:`stage_times`).

CPU seconds are the process's (every thread); the load average is printed beside the
walls, because the machine may be shared.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from library import disk_usage, library_folders, write_corpus
from peel_search.index import store
from peel_search.index.adapt import AdaptConfig, training_pairs
from peel_search.index.adapted import ADAPTED_DIR, PARTS, read_record, training_passages
from peel_search.index.build import build_index
from peel_search.retrieve.ranker import default_ranking
from peel_search.retrieve.request import clean_query
from peel_search.retrieve.search_index import SearchIndex
from peel_search.timing import Stopwatch

COSTS_FILE = "adapt-costs.json"
#: The stage of :func:`stage_times` that times the adapted encoder's query pass alone.
ADAPTED_PASS = "of which: adapted encoding"


def cpu_seconds() -> float:
    """CPU seconds used so far by this process, every thread, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class BuildCost:
    """One ``build_index`` call: wall and CPU seconds, the 1-minute load average before
    and after, the reports it processed (the others reused), texts found in the
    embedding cache or embedded, and when it ran."""

    wall: float
    cpu: float
    load: tuple[float, float]
    processed: int
    reports: int
    cache_hits: int
    cache_misses: int
    measured_at: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildCost:
        return cls(**{**data, "load": tuple(data["load"])})


def timed_build(build: Callable[[], Any]) -> tuple[Any, BuildCost]:
    """Run ``build`` (a ``build_index`` call); its result and what it cost."""
    load, cpu, wall = os.getloadavg()[0], cpu_seconds(), time.perf_counter()
    at = datetime.now(UTC).isoformat(timespec="seconds")
    result = build()
    cost = BuildCost(
        wall=round(time.perf_counter() - wall, 1),
        cpu=round(cpu_seconds() - cpu, 1),
        load=(round(load, 2), round(os.getloadavg()[0], 2)),
        processed=len(result.processed),
        reports=len(result.processed) + len(result.reused),
        cache_hits=result.cache_hits,
        cache_misses=result.cache_misses,
        measured_at=at,
    )
    return result, cost


@dataclass(frozen=True)
class AdaptCost:
    """The adapted build and what it adds: ``build`` (adapted, over the stock index's
    parts) against ``baseline`` (the stock index rebuilt with nothing to do); the
    adaptation stage's wall, of which training; steps; pairs made by kind, and the
    pairs the library offered before sampling (``max_pairs`` caps them); passages
    trained on; the texts the adapted encoder embeds for the library, and how many
    distinct ones it embedded."""

    build: BuildCost
    baseline: BuildCost
    adapt_wall: float
    train_wall: float
    steps: int
    pairs: dict[str, int]
    pairs_offered: int
    max_pairs: int
    passages: int
    texts: int
    texts_embedded: int

    @property
    def extra_wall(self) -> float:
        return round(self.build.wall - self.baseline.wall, 1)

    @property
    def extra_cpu(self) -> float:
        return round(self.build.cpu - self.baseline.cpu, 1)

    @property
    def sampled(self) -> bool:
        return self.pairs_offered > self.max_pairs


def pairs_offered(index_dir: Path, config: AdaptConfig) -> int:
    """How many training pairs the library in ``index_dir`` gives ``config`` before
    sampling down to ``config.max_pairs``."""
    rows = store.read_jsonl(index_dir / store.CHUNKS)
    unbounded = replace(config, max_pairs=max(2, sum(len(r["sentences"]) for r in rows) + len(rows)))
    return len(training_pairs(training_passages(rows), unbounded))


@dataclass(frozen=True)
class Sizes:
    """Bytes on disk: the stock index, the adapted one, and of the adapted one, the
    trained weights and the adapted vectors."""

    stock: int
    adapted: int
    weights: int
    vectors: int


def sizes(stock_dir: Path, adapted_dir: Path) -> Sizes:
    return Sizes(
        stock=disk_usage(stock_dir)[0],
        adapted=disk_usage(adapted_dir)[0],
        weights=disk_usage(adapted_dir / ADAPTED_DIR)[0] - disk_usage(adapted_dir / PARTS)[0],
        vectors=disk_usage(adapted_dir / PARTS)[0],
    )


# -- query latency ------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


@dataclass(frozen=True)
class Latency:
    """Warm search milliseconds per question on each index, the same questions taking
    turns in one process; the load average before and after; mean ms per stage."""

    stock: list[float]
    adapted: list[float]
    load: tuple[float, float]
    stages: dict[str, dict[str, float]]

    def p(self, which: str, q: float) -> float:
        return percentile(self.stock if which == "stock" else self.adapted, q)

    def ratio(self, q: float) -> float:
        return self.p("adapted", q) / self.p("stock", q)


def stage_times(index: SearchIndex, question: str) -> dict[str, float]:
    """Milliseconds of each stage of one search for ``question`` on the whole library,
    in the order of :func:`peel_search.retrieve.search.search`; the adapted encoder's
    query pass (part of ``signals``) is also given alone, as ``of which: adapted encoding``."""
    filters, ranker, library = index.filters, index.ranker, index.library
    config = default_ranking(library)
    watch = Stopwatch()
    text, notices = clean_query(question)
    everything = filters.mask((), None, None, None)
    with watch.stage("encode"):
        encoded = ranker.encode(text, config.expand_acronyms)
    with watch.stage("candidates"):
        candidates = ranker.candidates(encoded, everything, everything, (), False)
        candidates |= filters.named(text, everything)
    with watch.stage("signals"):
        signals = ranker.signals(encoded, candidates, None)
    with watch.stage("fuse"):
        fused = ranker.fuse_within(signals, config, candidates)
    with watch.stage("ranked"):
        hits = ranker.ranked(text, signals, fused, everything, 10, config)
    with watch.stage("answerability"):
        index.in_report.answers(text, hits, signals, everything, list(notices), everything)
    with watch.stage(ADAPTED_PASS):
        library.encode_adapted(encoded.dense or encoded.text)
    return {name: 1000 * s for name, s in watch.seconds.items()}


def latency(stock: SearchIndex, adapted: SearchIndex, questions: list[str]) -> Latency:
    """Warm search latency of both indexes on ``questions`` (see :class:`Latency`)."""
    indexes = {"stock": stock, "adapted": adapted}
    for index in indexes.values():
        index.warm_up()
        index.search("warm up", k=10)
    times: dict[str, list[float]] = {name: [] for name in indexes}
    stages: dict[str, list[dict[str, float]]] = {name: [] for name in indexes}
    load = os.getloadavg()[0]
    for i, question in enumerate(questions):
        order = list(indexes) if i % 2 == 0 else list(reversed(indexes))
        for name in order:
            began = time.perf_counter()
            indexes[name].search(question, k=10)
            times[name].append(1000 * (time.perf_counter() - began))
    for i, question in enumerate(questions):
        order = list(indexes) if i % 2 == 0 else list(reversed(indexes))
        for name in order:
            stages[name].append(stage_times(indexes[name], question))
    mean_stages = {
        name: {stage: statistics.mean(s[stage] for s in runs) for stage in runs[0]}
        for name, runs in stages.items()
    }
    return Latency(
        times["stock"], times["adapted"], (round(load, 2), round(os.getloadavg()[0], 2)), mean_stages
    )


# -- the run ------------------------------------------------------------------------------------


def _hard_link_copy(source: Path, target: Path) -> None:
    """``target`` as a copy of the index in ``source``, its files hard-linked (an index
    never writes a file in place, so the two may share them)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=os.link)


def _recorded(folder: Path) -> dict[str, Any]:
    path = folder / COSTS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _record(folder: Path, data: dict[str, Any]) -> None:
    tmp = folder / f"{COSTS_FILE}.tmp"
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, folder / COSTS_FILE)


def stock_build(corpus: Path, index_dir: Path, say: Callable[[str], None]) -> tuple[BuildCost, bool]:
    """Build (or bring up to date) the stock index; its cost, and whether that cost was
    measured now (else it is the one recorded when every report was processed)."""
    result, cost = timed_build(lambda: build_index(corpus, index_dir, adapt=False))
    recorded = _recorded(index_dir.parent)
    built_at = result.manifest.built_at
    if cost.processed == cost.reports:
        _record(index_dir.parent, {**recorded, "stock": {"cost": asdict(cost), "built_at": built_at}})
        return cost, True
    if cost.processed:
        say(f"stock index: {cost.processed} of {cost.reports} reports processed, the others reused")
    if "stock" in recorded:
        return BuildCost.from_dict(recorded["stock"]["cost"]), False
    return cost, True


def adapted_build(
    corpus: Path, stock_dir: Path, adapted_dir: Path, config: AdaptConfig, say: Callable[[str], None]
) -> AdaptCost:
    """The adapted index made afresh over the stock index's parts (see the module's
    docstring, step 2), and what adaptation added."""
    _, baseline = timed_build(lambda: build_index(corpus, stock_dir, adapt=False))
    _hard_link_copy(stock_dir, adapted_dir)
    result, cost = timed_build(
        lambda: build_index(
            corpus,
            adapted_dir,
            adapt=config,
            progress=lambda m: say(f"  {m}") if "step" not in m or m.endswith("(100%)") else None,
        )
    )
    record = read_record(adapted_dir)
    outcome = result.adaptation
    return AdaptCost(
        build=cost,
        baseline=baseline,
        adapt_wall=round(result.timings.get("adapt", 0.0), 1),
        train_wall=record.seconds,
        steps=record.steps,
        pairs=record.pairs,
        pairs_offered=pairs_offered(adapted_dir, config),
        max_pairs=config.max_pairs,
        passages=record.passages,
        texts=outcome.texts if outcome is not None else 0,
        texts_embedded=outcome.embedded_texts if outcome is not None else 0,
    )


def library_costs(
    reports: int, config: AdaptConfig, questions: list[str], say: Callable[[str], None]
) -> None:
    """Every figure of the module's docstring for a library of ``reports`` reports,
    printed, and kept in ``bench/.cache/library-N/adapt-costs.json``."""
    stock_dir, corpus = library_folders(reports)
    adapted_dir = stock_dir.parent / "index-adapted"
    write_corpus(corpus, reports)
    say(f"library of {reports}: stock build")
    stock, fresh = stock_build(corpus, stock_dir, say)
    say(f"library of {reports}: adapted build")
    adapt = adapted_build(corpus, stock_dir, adapted_dir, config, say)
    size = sizes(stock_dir, adapted_dir)
    say(f"library of {reports}: latency over {len(questions)} questions")
    lat = latency(SearchIndex.load(stock_dir, corpus), SearchIndex.load(adapted_dir, corpus), questions)
    chunks = store.read_manifest(stock_dir).chunk_count
    print(report_text(reports, chunks, stock, fresh, adapt, size, lat))
    recorded = _recorded(stock_dir.parent)
    _record(
        stock_dir.parent,
        {
            **recorded,
            "last run": {
                "config": config.to_dict(),
                "passages": chunks,
                "adapt": {**asdict(adapt), "extra_wall": adapt.extra_wall, "extra_cpu": adapt.extra_cpu},
                "sizes": asdict(size),
                "latency": asdict(lat),
            },
        },
    )


def report_text(
    reports: int, chunks: int, stock: BuildCost, fresh: bool, adapt: AdaptCost, size: Sizes, lat: Latency
) -> str:
    """The figures of one run, as printed."""
    when = "" if fresh else f" (recorded {stock.measured_at}: the index was reused this run)"
    b, base = adapt.build, adapt.baseline
    pairs = ", ".join(f"{k} {v}" for k, v in adapt.pairs.items())
    capped = (
        f"sampled down from {adapt.pairs_offered} (max_pairs {adapt.max_pairs})"
        if adapt.sampled
        else f"all the library offers (max_pairs {adapt.max_pairs})"
    )
    mb = 1e6
    lines = [
        f"== library of {reports} report(s), {chunks} passages",
        f"stock build:    {stock.wall:8.1f} s wall {stock.cpu:8.1f} s CPU  load {stock.load[0]}->{stock.load[1]}"
        f"  {stock.processed} of {stock.reports} reports processed, {stock.cache_misses} texts embedded,"
        f" {stock.cache_hits} from the cache{when}",
        f"adapted build:  {b.wall:8.1f} s wall {b.cpu:8.1f} s CPU  load {b.load[0]}->{b.load[1]}"
        f"  over the stock parts; a build with nothing to do: {base.wall} s wall {base.cpu} s CPU",
        f"  extra:        {adapt.extra_wall:8.1f} s wall {adapt.extra_cpu:8.1f} s CPU"
        f"  ({adapt.extra_wall / reports:.1f} s wall, {adapt.extra_cpu / reports:.1f} s CPU per report;"
        f" {adapt.extra_cpu / max(stock.cpu, 1e-9):.2f}x the stock build's CPU)",
        f"  adapt stage {adapt.adapt_wall} s wall: training {adapt.train_wall} s ({adapt.steps} steps), the rest"
        f" loading and embedding {reports} report(s):"
        f" {adapt.texts_embedded} distinct texts of {adapt.texts}",
        f"  pairs: {pairs} from {adapt.passages} passages; {capped}",
        f"index on disk:  stock {size.stock / mb:.1f} MB -> adapted {size.adapted / mb:.1f} MB"
        f" (+{(size.adapted - size.stock) / mb:.1f} MB: weights {size.weights / mb:.1f} MB,"
        f" adapted vectors {size.vectors / mb:.1f} MB; x{size.adapted / size.stock:.2f})",
        f"warm search, {len(lat.stock)} questions on each in turn, load {lat.load[0]}->{lat.load[1]}:",
        f"  p50 stock {lat.p('stock', 50):7.1f} ms  adapted {lat.p('adapted', 50):7.1f} ms  ratio {lat.ratio(50):.2f}",
        f"  p95 stock {lat.p('stock', 95):7.1f} ms  adapted {lat.p('adapted', 95):7.1f} ms  ratio {lat.ratio(95):.2f}",
        "  mean ms per stage        stock  adapted",
    ]
    for stage in lat.stages["stock"]:
        lines.append(f"    {stage:<26}{lat.stages['stock'][stage]:7.1f}  {lat.stages['adapted'][stage]:7.1f}")
    return "\n".join(lines)


def costs_table(libraries: list[int]) -> str:
    """A Markdown table of the last run recorded for each library size (README)."""
    rows = [
        "| reports (passages) | stock build s wall / CPU | `--adapt` extra s wall / CPU (training s, steps)"
        " | pairs (offered; cap 2,000) | index MB stock → adapted | warm search p50 ms stock → adapted (ratio)"
        " | p95 ratio | load (build; search) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for reports in libraries:
        recorded = _recorded(library_folders(reports)[0].parent)
        if "last run" not in recorded:
            raise SystemExit(f"no run recorded for a library of {reports}: run --library {reports} first")
        run = recorded["last run"]
        stock = BuildCost.from_dict(recorded["stock"]["cost"])
        adapt, size, lat = run["adapt"], run["sizes"], run["latency"]
        pairs = sum(adapt["pairs"].values())
        p50 = (percentile(lat["stock"], 50), percentile(lat["adapted"], 50))
        p95 = percentile(lat["adapted"], 95) / percentile(lat["stock"], 95)
        rows.append(
            f"| {reports} ({run['passages']:,}) | {stock.wall:,.0f} / {stock.cpu:,.0f}"
            f" | {adapt['extra_wall']:,.0f} / {adapt['extra_cpu']:,.0f} ({adapt['train_wall']:,.0f}, {adapt['steps']})"
            f" | {pairs:,} ({adapt['pairs_offered']:,})"
            f" | {size['stock'] / 1e6:,.1f} → {size['adapted'] / 1e6:,.1f}"
            f" | {p50[0]:,.0f} → {p50[1]:,.0f} ({p50[1] / p50[0]:.2f}) | {p95:.2f}"
            f" | {stock.load[1]:.1f}, {adapt['build']['load'][1]:.1f}; {lat['load'][1]:.1f} |"
        )
    rows += [
        "",
        "| reports | stock search: encode / signals / the rest, mean ms"
        " | adapted: encode / signals (of which the adapted query pass) / the rest |",
        "|---|---|---|",
    ]
    for reports in libraries:
        stages = _recorded(library_folders(reports)[0].parent)["last run"]["latency"]["stages"]
        cells = []
        for name in ("stock", "adapted"):
            ms = stages[name]
            rest = sum(v for k, v in ms.items() if k not in {"encode", "signals", ADAPTED_PASS})
            inner = f" ({ms[ADAPTED_PASS]:,.0f})" if name == "adapted" else ""
            cells.append(f"{ms['encode']:,.0f} / {ms['signals']:,.0f}{inner} / {rest:,.0f}")
        rows.append(f"| {reports} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)
