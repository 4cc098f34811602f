"""Benchmark 2: search latency (p50, p99, warm process, query embedding included),
recall@10 of the HNSW index against exact search, and peak RSS, at several sizes.

Run from the repository root (not in CI; a size takes minutes to build once)::

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python benchmarks/search_latency.py \
        --sizes 10000 100000 [1000000]

Synthetic papers that look real to both indexes: titles and abstracts are words drawn
from the BEIR SciFact corpus with their real frequencies (and real lengths), and each
vector is a real SciFact document vector plus Gaussian noise, renormalised. Queries are
the 300 SciFact test queries, embedded live by the shipped model. Needs
``../shared/data/beir_scifact`` and the SciFact vectors cached by ``embedding.py``
(setting seq128, the shipped one; exit status 2 if either is missing). Stores are kept
under ``data/bench-cache/latency/`` and reused by later runs. Each size runs in its own
process, so peak RSS is per size.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "beir_scifact"
VECTORS = REPO_ROOT / "data" / "bench-cache" / "embedding" / "seq128" / "corpus.npy"
CACHE = REPO_ROOT / "data" / "bench-cache" / "latency"
NOISE = 0.35
BATCH = 5000


def build(size: int, data: Path, url: str) -> None:
    from paperwire.records import PaperRecord
    from paperwire.search.embedding import DEFAULT_MODEL, vector_space_name
    from paperwire.settings import Settings
    from paperwire.store.open import open_store

    store = open_store(url)
    have = store.papers.count()
    if have >= size and store.vectors.count_missing() == 0:
        return
    docs = [json.loads(line) for line in (data / "corpus.jsonl").open(encoding="utf-8")]
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(re.findall(r"[A-Za-z][A-Za-z0-9-]+", f"{doc['title']} {doc['text']}"))
    words = np.array(list(counts))
    p = np.array(list(counts.values()), dtype=np.float64)
    cumulative = np.cumsum(p / p.sum())
    title_lengths = [len(d["title"].split()) for d in docs]
    abstract_lengths = [len(d["text"].split()) for d in docs]
    base = np.load(VECTORS)
    rng = np.random.default_rng(size)
    start = datetime(2015, 1, 1)
    categories = ["cs.LG", "cs.CL", "cs.CV", "q-bio.GN", "physics.med-ph", "stat.ML"]
    started = time.perf_counter()
    for offset in range(have, size, BATCH):
        n = min(BATCH, size - offset)
        records = []
        for i in range(offset, offset + n):
            t = words[
                np.minimum(
                    np.searchsorted(cumulative, rng.random(rng.choice(title_lengths))),
                    len(words) - 1,
                )
            ]
            a = words[
                np.minimum(
                    np.searchsorted(cumulative, rng.random(min(rng.choice(abstract_lengths), 300))),
                    len(words) - 1,
                )
            ]
            records.append(
                PaperRecord(
                    source="synthetic",
                    source_id=f"s{i}",
                    title=" ".join(t).capitalize(),
                    abstract=" ".join(a),
                    authors=[f"Author {rng.integers(50_000)}", f"Author {rng.integers(50_000)}"],
                    categories=[categories[i % len(categories)]],
                    published=start + timedelta(days=int(i * 3650 / size)),
                )
            )
        store.papers.upsert(records)
        rows = store.vectors.missing(limit=n)
        noisy = base[rng.integers(len(base), size=len(rows))]
        noisy = noisy + rng.standard_normal(noisy.shape).astype(np.float32) * NOISE / np.sqrt(
            base.shape[1]
        )
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        store.vectors.save(
            vector_space_name(DEFAULT_MODEL, Settings().embedding_backend), base.shape[1],
            [(row[0], v.astype(np.float32).tobytes()) for row, v in zip(rows, noisy, strict=True)],
        )  # fmt: skip
        print(f"  {offset + n:,} papers ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    store.close()


def measure(size: int, data: Path) -> dict[str, object]:
    from paperwire.search.service import SearchService
    from paperwire.settings import Settings
    from paperwire.store.open import open_store

    url = f"sqlite:///{CACHE / f'papers-{size}.db'}"
    build(size, data, url)
    settings = Settings(database_url=url, data_dir=CACHE / "data")
    store = open_store(url)
    service = SearchService(settings, store)
    started = time.perf_counter()
    service.warm_up()
    if service.vector_problem:
        raise SystemExit(f"{url}: {service.vector_problem} (delete {CACHE} to rebuild)")
    load_seconds = time.perf_counter() - started
    test = {line.split("\t")[0] for line in (data / "qrels" / "test.tsv").open()}
    queries = [json.loads(line)["text"] for line in (data / "queries.jsonl").open()
               if json.loads(line)["_id"] in test]  # fmt: skip
    for query in queries[:20]:
        service.search(query)
    timings = []
    for query in queries:
        t = time.perf_counter()
        service.search(query, limit=10)
        timings.append((time.perf_counter() - t) * 1000)
    filtered = []
    for query in queries[:100]:
        t = time.perf_counter()
        service.search(query, limit=10, category="cs.LG")
        filtered.append((time.perf_counter() - t) * 1000)
    index = service._current_index()
    recall = None
    if index is not None and index.uses_hnsw:
        hits = []
        for query in queries:
            vector = service.embedder.encode_query(query)
            approx = {i for i, _ in index.search(vector, 10)}
            exact = {i for i, _ in index.search(vector, 10, exact=True)}
            hits.append(len(approx & exact) / 10)
        recall = float(np.mean(hits))
    return {
        "papers": size,
        "index": "hnsw" if index is not None and index.uses_hnsw else "exact",
        "p50_ms": float(np.percentile(timings, 50)),
        "p99_ms": float(np.percentile(timings, 99)),
        "filtered_p50_ms": float(np.percentile(filtered, 50)),
        "recall@10": recall,
        "startup_s": load_seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (args.data / "corpus.jsonl").exists():
        print(f"BEIR SciFact is missing: no {args.data}/corpus.jsonl", file=sys.stderr)
        return 2
    if not VECTORS.exists():
        print(
            f"no SciFact vectors at {VECTORS}: run benchmarks/embedding.py --only seq128 first",
            file=sys.stderr,
        )
        return 2
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.one:
        print(json.dumps(measure(args.one, args.data)))
        return 0
    print(f"{'papers':>9} {'index':>6} {'p50 ms':>7} {'p99 ms':>7} {'filt p50':>8} "
          f"{'recall@10':>9} {'start s':>7} {'peak RSS MB':>11}")  # fmt: skip
    for size in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--data", str(args.data), "--one", str(size)],
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            print(done.stderr[-3000:], file=sys.stderr)
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        recall = f"{r['recall@10']:.3f}" if r["recall@10"] is not None else "exact"
        print(
            f"{r['papers']:>9,} {r['index']:>6} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} "
            f"{r['filtered_p50_ms']:8.1f} {recall:>9} {r['startup_s']:7.1f} "
            f"{r['peak_rss_mb']:11.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
