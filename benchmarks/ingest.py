"""Ingest throughput: papers/second for 50,000 distinct arXiv-snapshot records.

The 200-record sample of the arXiv metadata snapshot (shipped in tests/fixtures, from
../shared/data/arxiv_metadata_kaggle) is repeated with rewritten ids and titles so
nothing dedupes, written to a temporary file, and ingested into a fresh SQLite store
by a separate ``paperwire ingest`` process (whole process: start-up, parsing,
normalisation, upsert, keyword index; no embeddings).

    .venv/bin/python benchmarks/ingest.py [--records 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "arxiv-metadata-oai-snapshot.head200.jsonl"


def synthetic_snapshot(records: int, destination: Path) -> None:
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    with destination.open("w", encoding="utf-8") as out:
        for n in range(records):
            record = dict(sample[n % len(sample)])
            record["id"] = f"{2000 + n // 90000:04d}.{n % 90000 + 10000:05d}"
            record["title"] = f"{record['title']} (variant {n})"
            record["doi"] = None
            out.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "snapshot.jsonl"
        synthetic_snapshot(args.records, source)
        env = {**os.environ, "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp}/bench.db"}
        paperwire = [sys.executable, "-m", "paperwire.cli"]
        subprocess.run([*paperwire, "init"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run(
            [*paperwire, "ingest", "--quiet", "--no-embed", str(source)], env=env, check=True
        )
        elapsed = time.perf_counter() - started
        count = subprocess.run(
            [*paperwire, "stats", "--json"], env=env, check=True, capture_output=True, text=True
        )
        stored = json.loads(count.stdout)["papers"]
    print(f"records        {args.records:,}")
    print(f"papers stored  {stored:,}")
    print(f"elapsed        {elapsed:.2f} s (whole `paperwire ingest` process)")
    print(f"throughput     {args.records / elapsed:,.0f} papers/s")


if __name__ == "__main__":
    main()
