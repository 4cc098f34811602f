"""OAI-PMH harvest throughput: records/second parsed and stored from a paged replay.

10,000 arXivRaw records (the six of the recorded ListRecords response in
tests/fixtures/oai, repeated under new ids) are served in pages of 1,000 chained by
resumption tokens by a local HTTP server; one harvest follows the tokens into a fresh
SQLite store with the pacing delay set to zero (store-coordinated slots still taken).

    .venv/bin/python benchmarks/harvest.py [--records 10000] [--page 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "harvest"))
from oai_pages import RECORDS, page, with_id  # noqa: E402
from replay import ReplayServer, Reply  # noqa: E402

from paperwire.harvest.http import PoliteClient  # noqa: E402
from paperwire.harvest.oai import harvest_oai  # noqa: E402
from paperwire.store.open import open_store  # noqa: E402


def build_pages(records: int, size: int) -> dict[str | None, bytes]:
    bodies: dict[str | None, bytes] = {}
    for start in range(0, records, size):
        chunk = [
            with_id(RECORDS[n % len(RECORDS)], f"{2600 + n // 90000}.{n % 90000 + 10000:05d}")
            for n in range(start, min(start + size, records))
        ]
        token = f"bench|{start + size}" if start + size < records else ""
        bodies[f"bench|{start}" if start else None] = page(chunk, token, cursor=start, size=records)
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=1_000)
    args = parser.parse_args()
    bodies = build_pages(args.records, args.page)
    server = ReplayServer(lambda: datetime.now(UTC))
    server.respond = lambda params: Reply(body=bodies[params.get("resumptionToken")])
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        with PoliteClient(store, delay_seconds=0) as client:
            started = time.perf_counter()
            report = harvest_oai(client, store, server.url + "/oai")
            elapsed = time.perf_counter() - started
        stored = store.papers.count()
        store.close()
    server.close()
    print(f"records        {report.records:,} in {report.pages} pages")
    print(f"papers stored  {stored:,}")
    print(f"elapsed        {elapsed:.2f} s (HTTP, parsing, upsert, keyword index, checkpoints)")
    print(f"throughput     {report.records / elapsed:,.0f} records/s")


if __name__ == "__main__":
    main()
