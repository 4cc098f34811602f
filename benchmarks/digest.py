"""Digests: plan, compose and render for 10,000 subscribers, then send to a local SMTP server.

Run from the repository root::

    .venv/bin/python benchmarks/digest.py [--papers 100000] [--new 1000]
        [--subscribers 10000] [--topic-pool 1000] [--rebuild]

A normal day: a store of ``--papers`` papers of which ``--new`` arrived in the 24 hours
since the last digest, some attention on them (so trending today has papers), and
``--subscribers`` active subscribers with 3 topics each, due at the moment of the run in
a mix of time zones. Paper texts are BEIR SciFact abstracts (real scientific text; needs
../shared/data/beir_scifact), repeated with variant titles for the older papers. The new
papers are embedded for real with the default model (the older ones, outside every
digest's window, are not: no digest reads them). Topics are the first four content words
of SciFact claims, a pool of ``--topic-pool`` distinct ones (embedded once, as saving
them does), three per subscriber at random: readers share interests.

Prints: planning time; the run context's load time; composing + rendering per digest
(DigestContext.compose and the full multipart message, no sending); and a whole send run
(claim, compose, render, SMTP, record) against aiosmtpd in a separate process.
The store is cached under data/bench-cache/digest/ (``--rebuild`` to make it again);
each measurement works on a copy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from paperwire.digest.context import DigestContext
from paperwire.digest.deliveries import Claim, Topic, plan_deliveries
from paperwire.digest.links import LinkSigner
from paperwire.digest.preferences import known_timezones
from paperwire.digest.run import DigestRunner, claim_message
from paperwire.digest.schedule import local_now
from paperwire.mail import Mailer
from paperwire.records import PaperRecord
from paperwire.search.embedding import document_text, load_embedder, vector_space_name
from paperwire.search.query import STOP_WORDS
from paperwire.settings import Settings
from paperwire.store.open import open_store
from paperwire.store.schema import paper_views, papers, subscriber_topics, subscribers
from paperwire.trending import refresh_scores

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "data" / "beir_scifact"
CACHE = ROOT / "data" / "bench-cache" / "digest"
NOW = datetime(2026, 11, 29, 12, 0)  # naive UTC
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Honolulu"]


def settings_for(folder: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "production",
        "secret_key": SECRET,
        "database_url": f"sqlite:///{folder}/paperwire.db",
        "data_dir": folder,
        "base_url": "https://papers.example.org",
        "mail_from": "paperwire <digest@papers.example.org>",
        "send_rate": 1_000_000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def build(folder: Path, args: argparse.Namespace) -> None:
    if not SCIFACT.exists():
        sys.exit(f"missing {SCIFACT}: this benchmark reads the BEIR SciFact corpus from there")
    rng = random.Random(5)
    corpus = [
        json.loads(line)
        for line in (SCIFACT / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    claims = [
        json.loads(line)["text"]
        for line in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    settings = settings_for(folder)
    store = open_store(settings.database_url)
    started = time.perf_counter()
    old = args.papers - args.new
    for first in range(0, args.papers, 5000):
        batch = []
        for number in range(first, min(first + 5000, args.papers)):
            doc = corpus[number % len(corpus)]
            batch.append(
                PaperRecord(
                    source="arxiv",
                    title=doc["title"] if number >= old else f"{doc['title']} ({number})",
                    abstract=doc["text"],
                    arxiv_id=f"{2000 + number // 90000:04d}.{number % 90000 + 10000:05d}",
                    categories=[rng.choice(["cs.CL", "cs.LG", "q-bio.NC", "stat.ML"])],
                )
            )
        store.papers.upsert(batch)
    with store.writing() as conn:
        ids = list(conn.execute(sa.select(papers.c.id).order_by(papers.c.id)).scalars())
        new_ids = ids[old:]
        conn.execute(
            sa.update(papers)
            .where(papers.c.id <= ids[old - 1])
            .values(first_seen=NOW - timedelta(days=30))
        )
        for position, row_id in enumerate(new_ids):
            arrived = (
                NOW - timedelta(hours=24) + timedelta(seconds=86_000 * position / len(new_ids))
            )
            conn.execute(sa.update(papers).where(papers.c.id == row_id).values(first_seen=arrived))
    print(f"stored {args.papers:,} papers in {time.perf_counter() - started:.0f} s", flush=True)

    embedder = load_embedder(
        settings.embedding_model,
        max_seq_length=settings.embedding_max_tokens,
        backend=settings.embedding_backend,
        model_dir=str(settings.models_path),
    )
    model = vector_space_name(settings.embedding_model, settings.embedding_backend)
    started = time.perf_counter()
    found = store.papers.get_many(new_ids)
    texts = [document_text(found[i].title, found[i].abstract) for i in new_ids]
    vectors = embedder.encode_documents(texts)
    store.vectors.save(
        model,
        vectors.shape[1],
        [(row_id, vectors[n].astype(np.float32).tobytes()) for n, row_id in enumerate(new_ids)],
    )
    print(f"embedded {len(new_ids):,} new papers in {time.perf_counter() - started:.0f} s")

    with store.writing() as conn:
        views = {
            (rng.choice(new_ids[: len(new_ids) // 5]), f"visitor-{n}", NOW.date()): int(
                (NOW - datetime(1970, 1, 1)).total_seconds() // 3600
            )
            - rng.randint(0, 12)
            for n in range(3000)
        }
        conn.execute(
            sa.insert(paper_views),
            [
                {"paper_id": p, "visitor_id": v, "day": d, "hour": h}
                for (p, v, d), h in views.items()
            ],
        )
    refresh_scores(store, now=NOW)

    pool = []
    for claim in claims:
        words = [w for w in claim.replace(".", " ").split() if w.lower() not in STOP_WORDS]
        if len(words) >= 2:
            pool.append(" ".join(words[:4]))
    pool = list(dict.fromkeys(pool))[: args.topic_pool]
    started = time.perf_counter()
    pool_vectors = [
        np.asarray(embedder.encode_query(topic), dtype=np.float32).tobytes() for topic in pool
    ]
    print(f"embedded {len(pool):,} distinct topics in {time.perf_counter() - started:.0f} s")
    with store.writing() as conn:
        rows, topic_rows = [], []
        for number in range(1, args.subscribers + 1):
            zone = ZONES[number % len(ZONES)]
            local_hour = local_now(NOW, zone).hour
            rows.append(
                {
                    "id": number,
                    "email": f"reader{number}@example.org",
                    "status": "active",
                    "hour": rng.randint(0, local_hour),
                    "timezone": zone,
                    "categories": [],
                    "created_at": NOW - timedelta(days=60),
                    "updated_at": NOW - timedelta(days=60),
                    "confirmed_at": NOW - timedelta(days=60),
                    "last_digest_at": NOW - timedelta(hours=24),
                }
            )
            for position, index in enumerate(rng.sample(range(len(pool)), 3)):
                topic_rows.append(
                    {
                        "subscriber_id": number,
                        "position": position,
                        "text": pool[index],
                        "model": model,
                        "vector": pool_vectors[index],
                    }
                )
        conn.execute(sa.insert(subscribers), rows)
        conn.execute(sa.insert(subscriber_topics), topic_rows)
    store.close()


def copy_of(folder: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    shutil.copy(folder / "paperwire.db", target / "paperwire.db")
    return target


def measure_compose(folder: Path) -> None:
    work = copy_of(folder)
    settings = settings_for(work)
    store = open_store(settings.database_url)
    started = time.perf_counter()
    planned = plan_deliveries(store, NOW)
    plan_seconds = time.perf_counter() - started
    print(f"planning: {planned:,} deliveries in {plan_seconds:.2f} s", flush=True)

    with store.engine.connect() as conn:
        subscriber_rows = conn.execute(sa.select(subscribers).order_by(subscribers.c.id)).all()
        topics: dict[int, list[Topic]] = {}
        for row in conn.execute(
            sa.select(subscriber_topics).order_by(
                subscriber_topics.c.subscriber_id, subscriber_topics.c.position
            )
        ):
            topics.setdefault(row.subscriber_id, []).append(Topic(row.text, row.model, row.vector))
    claims = [
        Claim(
            delivery_id=0,
            subscriber_id=row.id,
            email=row.email,
            local_date=local_now(NOW, row.timezone).date(),
            attempts=1,
            timezone=row.timezone,
            categories=tuple(row.categories),
            topics=tuple(topics.get(row.id, ())),
            last_digest_at=row.last_digest_at,
        )
        for row in subscriber_rows
    ]
    signer = LinkSigner(SECRET, confirm_max_age_seconds=3600)
    started = time.perf_counter()
    context = DigestContext(store, settings, NOW)
    load_seconds = time.perf_counter() - started
    print(
        f"run context: {len(context.candidates):,} candidate papers loaded in {load_seconds:.2f} s",
        flush=True,
    )
    started = time.perf_counter()
    papers_total = empty = 0
    for claim in claims:
        content = context.compose(claim)
        if content.is_empty:
            empty += 1
            continue
        claim_message(settings, signer, context, claim, content).as_bytes()
        papers_total += len(content.paper_ids)
    seconds = time.perf_counter() - started
    rate = len(claims) / seconds
    print(
        f"compose + render: {len(claims):,} digests in {seconds:.1f} s = {rate:,.0f} digests/s "
        f"({papers_total / max(1, len(claims) - empty):.1f} papers per digest, {empty} empty)",
        flush=True,
    )
    store.close()
    shutil.rmtree(work)


def measure_sending(folder: Path) -> None:
    work = copy_of(folder)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ],
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        settings = settings_for(work, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none")
        store = open_store(settings.database_url)
        runner = DigestRunner(
            store,
            settings,
            signer=LinkSigner(SECRET, confirm_max_age_seconds=3600),
            mailer=Mailer.from_settings(settings),
            worker="benchmark",
            clock=lambda: NOW,
        )
        started = time.perf_counter()
        report = runner.run()
        seconds = time.perf_counter() - started
        sent = report.counts.get("sent", 0)
        print(
            f"send run: {report.summary()} in {seconds:.1f} s = {sent / seconds:,.0f} messages/s "
            "(plan, claim, compose, render, SMTP, record)",
            flush=True,
        )
        store.close()
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--topic-pool", type=int, default=1_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-send", action="store_true")
    args = parser.parse_args()
    assert set(ZONES) <= known_timezones()
    folder = CACHE / f"p{args.papers}-n{args.new}-s{args.subscribers}-t{args.topic_pool}"
    if args.rebuild and folder.exists():
        shutil.rmtree(folder)
    if not (folder / "paperwire.db").exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            build(folder, args)
        except BaseException:
            shutil.rmtree(folder)
            raise
    else:
        print(f"reusing the store in {folder} (--rebuild to make it again)")
    measure_compose(folder)
    if not args.skip_send:
        measure_sending(folder)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:,.0f} MB")


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
