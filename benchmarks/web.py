"""Web throughput: requests/s and p99 latency of the front page, a search page and
/api/v1/trending, against `paperwire serve` on loopback, on a store with events.

    python benchmarks/web.py [--papers 100000] [--duration 30] [--connections 32] [--store DIR]

Uses wrk (apt install wrk) when present, else a bounded Python load generator.
Papers are ingested without vectors (embedding 100k papers takes hours on 2 CPUs), so
the search page measures keyword search plus query parsing and rendering.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from ingest import synthetic_snapshot
from paperwire import accounts, trending
from paperwire.store.clock import utcnow
from paperwire.store.open import open_store

TARGETS = {
    "front page": "/",
    "search page": "/search?q=quantum+gravity+black+holes",
    "api trending": "/api/v1/trending?window=week",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_store(folder: Path, papers: int, env: dict[str, str]) -> None:
    snapshot = folder / "snapshot.jsonl"
    synthetic_snapshot(papers, snapshot)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "paperwire.cli", "ingest", "--no-embed", "-q", str(snapshot)],
        env=env, check=True,
    )  # fmt: skip
    print(f"ingested {papers} papers in {time.perf_counter() - started:.0f} s", flush=True)
    store = open_store(env["PAPERWIRE_DATABASE_URL"])
    ids = [paper.paper_id for paper in store.papers.newest(limit=5000)]
    now = utcnow()
    rng = random.Random(4)
    for number in range(300):
        email = f"reader{number}@example.org"
        login = accounts.request_login(store, email, now=now)
        user = accounts.redeem_login_token(store, login.token, now=now)
        for paper_id in rng.sample(ids, 10):
            moment = now - timedelta(hours=rng.uniform(0, 24 * 20))
            trending.set_mark(store, user.id, paper_id, "upvote", True, now=moment)
    for number in range(5000):
        trending.record_view(
            store,
            rng.choice(ids),
            f"visitor{number:06d}",
            network=f"10.{number // 256}.{number % 256}.0/24",
            secret_key="benchmark-secret-key-that-is-long-enough",
            network_cap=3,
            now=now,
        )
    count = trending.refresh_scores(store, now=now)
    print(f"events: 3000 upvotes, 5000 views; {count} papers scored", flush=True)
    store.close()


def run_wrk(url: str, duration: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses", flush=True)
    return rps, p99


def run_python(url: str, duration: int, connections: int) -> tuple[float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def worker() -> None:
        with httpx.Client() as client:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                client.get(url).raise_for_status()
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    p99 = statistics.quantiles(latencies, n=100)[98]
    return len(latencies) / duration, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--store", type=Path, help="keep the store in this folder and reuse it when it exists"
    )
    args = parser.parse_args()
    folder = args.store or Path(tempfile.mkdtemp(prefix="paperwire-web-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    reuse = args.store is not None and (folder / "paperwire.db").exists()
    port = free_port()
    env = {
        **os.environ,
        "PAPERWIRE_ENV": "development",
        "PAPERWIRE_DATA_DIR": str(folder),
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{folder}/paperwire.db",
        "PAPERWIRE_SEARCH_RATE_PER_MINUTE": "100000000",
        "PAPERWIRE_API_RATE_PER_MINUTE": "100000000",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    try:
        if reuse:
            print(f"reusing the store in {folder}", flush=True)
        else:
            build_store(folder, args.papers, env)
        server = subprocess.Popen(
            [sys.executable, "-m", "paperwire.cli", "serve", "--port", str(port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            load = run_wrk if shutil.which("wrk") else run_python
            print(f"load generator: {'wrk -t2' if load is run_wrk else 'python threads'}, "
                  f"{args.connections} connections, {args.duration} s per target")  # fmt: skip
            for name, path in TARGETS.items():
                httpx.get(base + path, timeout=120).raise_for_status()  # warm up
                rps, p99 = load(base + path, args.duration, args.connections)
                print(f"{name:14} {path:45} {rps:8.0f} req/s   p99 {p99:7.1f} ms", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if args.store is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
