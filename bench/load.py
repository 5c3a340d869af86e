"""Load and soak test of the search endpoint: N concurrent clients on loopback.

Starts ``peel-search serve`` (the real server, building the index in index/ first when it
is missing or stale) on a free 127.0.0.1 port, warms it up, then has ``--clients`` threads
ask the dev-set questions for ``--seconds``: through the plain JSON route
(``GET /api/search``, the default) or, with ``--endpoint gradio``, through the web app's
Gradio API (``POST /gradio_api/call/search`` then its event stream). Each client sends at its share of ``--rate`` queries/s
(``--rate 0``: back to back, as fast as answers come). Prints throughput, p50/p95/p99
latency, the error count, and the server's resident memory sampled through the run.
With ``--burst N`` it then sends N requests at once, to show the queue's bound turning the
excess away (HTTP 503) while answering the rest, and checks the server still answers.
The server is stopped at the end, whatever happens.

    .venv/bin/python bench/load.py                          # 16 clients, 32 q/s offered, 30 s
    .venv/bin/python bench/load.py --seconds 120            # the soak: is memory flat?
    .venv/bin/python bench/load.py --rate 0 --seconds 20    # closed loop: the ceiling
    .venv/bin/python bench/load.py --seconds 10 --burst 200 # the queue's bound
    .venv/bin/python bench/load.py --endpoint gradio        # the same through Gradio's queue

Targets (2 cores): >= 30 queries/s sustained with 16 clients, p95 <= 200 ms, 0 errors,
memory flat over a 2-minute soak.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app_latency import DEFAULT_QUESTIONS, ROOT, free_port, percentile, read_questions

TARGET_QPS, TARGET_P95_MS = 30.0, 200.0
REQUEST_TIMEOUT = 30.0


@dataclass
class Tally:
    """What the clients saw; appended to under a lock."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(ms)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


def ask_json(http: httpx.Client, url: str, question: str, k: int) -> str:
    """One ``GET /api/search``: ``"ok"`` or what went wrong."""
    response = http.get(f"{url}/api/search", params={"q": question, "k": k})
    if response.status_code == 503:
        return "rejected: busy"
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    return "ok" if response.json()["hits"] else "no hits"


def ask_gradio(http: httpx.Client, url: str, question: str, k: int) -> str:
    """One /search call through Gradio's REST API: ``"ok"`` or what went wrong."""
    start = http.post(f"{url}/gradio_api/call/search", json={"data": [question, k, [], "", "", [], [], []]})
    if start.status_code == 503:
        return "rejected: queue full"
    if start.status_code != 200:
        return f"HTTP {start.status_code}"
    stream = http.get(f"{url}/gradio_api/call/search/{start.json()['event_id']}")
    if "event: complete" not in stream.text:
        return "error event" if "event: error" in stream.text else "no result"
    payload = stream.text.split("event: complete", 1)[1].split("data:", 1)[1].strip().splitlines()[0]
    hits = json.loads(payload)[0]["hits"]
    return "ok" if hits else "no hits"


Ask = Callable[[httpx.Client, str, str, int], str]
ENDPOINTS: dict[str, Ask] = {"json": ask_json, "gradio": ask_gradio}


def client_loop(
    ask: Ask,
    url: str,
    questions: list[str],
    k: int,
    interval: float,
    deadline: float,
    seed: int,
    tally: Tally,
) -> None:
    rng = random.Random(seed)
    order = questions[:]
    rng.shuffle(order)
    next_send = time.monotonic() + rng.uniform(0, interval)
    n = 0
    with httpx.Client(timeout=REQUEST_TIMEOUT) as http:
        while True:
            if interval:
                time.sleep(max(0.0, next_send - time.monotonic()))
                next_send = max(next_send + interval, time.monotonic())
            if time.monotonic() >= deadline:
                return
            began = time.perf_counter()
            try:
                outcome = ask(http, url, order[n % len(order)], k)
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            n += 1
            if outcome == "ok":
                tally.ok((time.perf_counter() - began) * 1000)
            else:
                tally.error(outcome)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(index: Path, corpus: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    command = [sys.executable, "-m", "peel_search.cli", "serve", "--port", str(port)]
    command += ["--index", str(index), "--corpus", str(corpus)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read()[-2000:] if server.stderr else ''}")
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not come up within {timeout:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def burst(ask: Ask, url: str, n: int, k: int, question: str) -> dict[str, int]:
    """``n`` requests at once; how many of each outcome."""
    outcomes: dict[str, int] = {}
    lock = threading.Lock()
    gate = threading.Barrier(n, timeout=60)

    def one() -> None:
        with httpx.Client(timeout=120) as http:
            try:
                gate.wait()
                outcome = ask(http, url, question, k)
            except (httpx.HTTPError, threading.BrokenBarrierError) as exc:
                outcome = type(exc).__name__
        with lock:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    threads = [threading.Thread(target=one, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", choices=sorted(ENDPOINTS), default="json")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="timed run (default 30)")
    parser.add_argument("--rate", type=float, default=32.0, help="queries/s offered in all; 0 = closed loop")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--burst", type=int, default=0, help="then send this many requests at once")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds between RSS samples")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.rate < 0:
        parser.error("--clients >= 1, --seconds > 0 and --rate >= 0")

    ask = ENDPOINTS[args.endpoint]
    questions = read_questions(args.questions)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(args.index, args.corpus, port)
    try:
        wait_until_up(url, server)
        with httpx.Client(timeout=120) as http:
            for q in questions[:20]:  # loads the model, fills the caches
                ask(http, url, q, args.k)
        rss = [(0.0, rss_mb(server.pid))]
        tally = Tally()
        interval = args.clients / args.rate if args.rate else 0.0
        began = time.monotonic()
        deadline = began + args.seconds
        clients = [
            threading.Thread(
                target=client_loop,
                args=(ask, url, questions, args.k, interval, deadline, seed, tally),
                daemon=True,
            )
            for seed in range(args.clients)
        ]
        for c in clients:
            c.start()
        while time.monotonic() < deadline:
            time.sleep(min(args.sample_every, max(0.0, deadline - time.monotonic())))
            rss.append((time.monotonic() - began, rss_mb(server.pid)))
        for c in clients:
            c.join(timeout=REQUEST_TIMEOUT + 5)
        elapsed = time.monotonic() - began
        rss.append((elapsed, rss_mb(server.pid)))
        burst_outcomes = burst(ask, url, args.burst, args.k, questions[0]) if args.burst else {}
        with httpx.Client(timeout=60) as http:
            alive = ask(http, url, questions[0], args.k) == "ok"
    finally:
        stop_server(server)

    done = len(tally.latencies_ms)
    errors = sum(tally.errors.values())
    qps = done / elapsed
    p50, p95, p99 = (percentile(tally.latencies_ms, q) for q in (50, 95, 99))
    offered = f"{args.rate:.0f} q/s offered" if args.rate else "closed loop"
    print(
        f"{'GET /api/search' if args.endpoint == 'json' else 'Gradio /search'}, {args.clients} clients, {offered}, k={args.k}, {elapsed:.0f} s, {len(questions)} questions"
    )
    print(f"  throughput {qps:.1f} queries/s   ({done} answered)")
    print(
        f"  latency p50 {p50:.0f} ms   p95 {p95:.0f} ms   p99 {p99:.0f} ms   max {max(tally.latencies_ms):.0f} ms"
    )
    print(f"  errors {errors}" + (f"  {tally.errors}" if errors else ""))
    print("  server RSS MB: " + "  ".join(f"{t:.0f}s {mb:.0f}" for t, mb in rss))
    print(f"  RSS start {rss[0][1]:.0f} MB, end {rss[-1][1]:.0f} MB ({rss[-1][1] - rss[0][1]:+.0f} MB)")
    if args.burst:
        print(f"  burst of {args.burst} at once: {burst_outcomes}; server answers afterwards: {alive}")
    met = qps >= TARGET_QPS and p95 <= TARGET_P95_MS and errors == 0 and alive
    print(
        f"  targets (>= {TARGET_QPS:.0f} q/s, p95 <= {TARGET_P95_MS:.0f} ms, 0 errors): "
        f"{'met' if met else 'NOT met'}   (load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
