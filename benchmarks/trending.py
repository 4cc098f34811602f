"""Trending: time ``refresh_scores`` and ``top`` on a 100k-paper store with events.

Run from the repository root::

    .venv/bin/python benchmarks/trending.py [--papers 100000] [--active 5000]
        [--marks 50000] [--views 300000] [--snapshots 3000] [--rebuild]

The store holds synthetic papers (inserted with ``store.upsert``) and, on ``--active``
of them, attention from the 30 days before a fixed NOW (inserted in bulk): upvotes and
saves (70/30) by 2,000 users, views (one per visitor, paper and UTC day, so about as
many paper/hour groups as views), and Hugging Face upvote and GitHub star totals in
``paper_metrics``. Popularity is skewed (Zipf-like), as on a real site. The store is
kept under ``data/bench-cache/trending/`` and reused by later runs (``--rebuild`` to
make it again). Events are inserted in time order, as a live site appends them.
Prints the median of 5 refreshes and p50/p99 of 200 ``top`` calls per
window.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.open import open_store
from paperwire.store.schema import paper_marks, paper_metrics, paper_views, papers, users
from paperwire.trending import WINDOWS, refresh_scores, top

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE = REPO_ROOT / "data" / "bench-cache" / "trending"
NOW = datetime(2025, 3, 1, 12, 0)  # naive UTC, like the store
USERS = 2000
BATCH = 5000


def build(store: Store, args: argparse.Namespace) -> None:
    rng = random.Random(7)
    started = time.perf_counter()
    for first in range(0, args.papers, BATCH):
        store.papers.upsert(
            [
                PaperRecord(
                    source="arxiv",
                    title=f"Synthetic paper {number}",
                    abstract="A synthetic abstract for the trending benchmark.",
                    arxiv_id=f"{2000 + number // 100000:04d}.{number % 100000:05d}",
                    published=(NOW - timedelta(days=rng.uniform(0, 3000))).replace(tzinfo=UTC),
                )
                for number in range(first, min(first + BATCH, args.papers))
            ]
        )
    print(f"upserted {args.papers:,} papers in {time.perf_counter() - started:.0f} s", flush=True)

    started = time.perf_counter()
    with store.writing() as conn:  # type: ignore[attr-defined]
        row_ids = list(conn.execute(sa.select(papers.c.id).order_by(papers.c.id)).scalars())
        active = rng.sample(row_ids, args.active)
        # Zipf-like popularity: paper k of the active ones is picked with weight 1/(k+100).
        cumulative = list(itertools.accumulate(1 / (rank + 100) for rank in range(len(active))))

        def pick() -> Iterator[int]:
            while True:
                yield from rng.choices(active, cum_weights=cumulative, k=10000)

        conn.execute(
            sa.insert(users),
            [
                {"id": number, "email": f"reader{number}@example.org", "created_at": NOW}
                for number in range(1, USERS + 1)
            ],
        )
        marks: dict[tuple[int, int, str], datetime] = {}
        picks = pick()
        while len(marks) < args.marks:
            paper_id = next(picks)
            kind = "upvote" if rng.random() < 0.7 else "save"
            key = (rng.randint(1, USERS), paper_id, kind)
            marks[key] = NOW - timedelta(seconds=rng.uniform(0, 30 * 86400))
        conn.execute(
            sa.insert(paper_marks),
            [
                {"user_id": user, "paper_id": paper_id, "kind": kind, "created_at": moment}
                for (user, paper_id, kind), moment in sorted(marks.items(), key=lambda kv: kv[1])
            ],
        )
        views: dict[tuple[int, str, object], int] = {}
        while len(views) < args.views:
            paper_id = next(picks)
            moment = NOW - timedelta(seconds=rng.uniform(0, 30 * 86400))
            hour = int((moment - datetime(1970, 1, 1)).total_seconds() // 3600)
            views[(paper_id, f"visitor-{rng.randrange(10**9):09d}", moment.date())] = hour
        rows = [
            {"paper_id": paper_id, "visitor_id": visitor, "day": day, "hour": hour}
            for (paper_id, visitor, day), hour in sorted(views.items(), key=lambda kv: kv[1])
        ]
        for first in range(0, len(rows), 50000):
            conn.execute(sa.insert(paper_views), rows[first : first + 50000])
        metrics = []
        for paper_id in rng.sample(active, args.snapshots):
            name = "upvotes" if rng.random() < 2 / 3 else "github_stars"
            value = rng.randint(1, 300) if name == "upvotes" else rng.randint(1, 20000)
            observed = NOW - timedelta(seconds=rng.uniform(0, 35 * 86400))
            metrics.append(
                {
                    "paper_id": paper_id,
                    "source": "hf-daily",
                    "name": name,
                    "value": value,
                    "observed_at": observed,
                }
            )
        conn.execute(sa.insert(paper_metrics), metrics)
    print(
        f"inserted {len(marks):,} marks, {len(rows):,} views, {len(metrics):,} snapshots "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--active", type=int, default=5_000)
    parser.add_argument("--marks", type=int, default=50_000)
    parser.add_argument("--views", type=int, default=300_000)
    parser.add_argument("--snapshots", type=int, default=3_000)
    parser.add_argument("--runs", type=int, default=5, help="refreshes to time")
    parser.add_argument("--calls", type=int, default=200, help="top() calls per window")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    name = f"p{args.papers}-a{args.active}-m{args.marks}-v{args.views}-s{args.snapshots}.db"
    path = CACHE / name
    if args.rebuild:
        for stale in CACHE.glob(f"{name}*"):
            stale.unlink()
    fresh = not path.exists()
    store = open_store(f"sqlite:///{path}")
    if fresh:
        try:
            build(store, args)
        except BaseException:
            store.close()
            for partial in CACHE.glob(f"{name}*"):
                partial.unlink()
            raise
    print(f"store: {path.relative_to(REPO_ROOT)}", flush=True)

    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        groups = conn.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(paper_views.c.paper_id, paper_views.c.hour)
                .group_by(paper_views.c.paper_id, paper_views.c.hour)
                .subquery()
            )
        ).scalar()
    print(f"activity: {groups:,} paper/hour view groups", flush=True)

    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        ranked = refresh_scores(store, now=NOW)
        timings.append(time.perf_counter() - started)
    print(
        f"refresh_scores: median {statistics.median(timings) * 1000:.0f} ms over {args.runs} runs"
        f" (min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}); {ranked:,} ranked",
        flush=True,
    )
    for window in WINDOWS:
        top(store, window, limit=30, now=NOW)  # warm
        latencies = []
        for _ in range(args.calls):
            started = time.perf_counter()
            entries = top(store, window, limit=30, now=NOW)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        print(
            f"top({window!r}, limit=30): p50 {p50:.2f} ms, p99 {p99:.2f} ms "
            f"over {args.calls} calls ({len(entries)} entries)",
            flush=True,
        )
    store.close()


if __name__ == "__main__":
    main()
