"""Workers killed with SIGKILL while sending never cause a digest to be sent twice.

Two workers send 2,000 digests and one is killed in the middle: afterwards every
subscriber has exactly one delivery for the date, nobody received two messages, at most
the killed worker's one message in flight is left for review, and an address
unsubscribed during the run received nothing after its unsubscribe committed. A worker
killed while the mail server sits on its message leaves it for review, and held no
write lock meanwhile.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from digestworld import SECRET, Inbox, impatient_store

from paperwire.digest import subscriptions
from paperwire.store.base import Store
from paperwire.store.open import open_store
from paperwire.store.schema import deliveries, subscribers

SUBSCRIBERS = 2000
AT = datetime(2026, 11, 29, 9, 0)


def _worker(env: dict[str, str], at: datetime) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperwire.cli", "digest", "run", "--at", at.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _sweep(env: dict[str, str], at: datetime) -> None:
    """A run past the lease: what a killed worker left in flight goes to review."""
    sweep = subprocess.run(
        [sys.executable, "-m", "paperwire.cli", "digest", "run", "--at", at.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sweep.returncode == 0, sweep.stderr


def _store_with_readers(demo_db: Path, folder: Path, count: int) -> tuple[str, Store]:
    shutil.copy(demo_db, folder / "paperwire.db")
    url = f"sqlite:///{folder}/paperwire.db"
    store = open_store(url)
    with store.writing() as conn:
        conn.execute(
            sa.insert(subscribers),
            [
                {
                    "email": f"reader{n}@example.org",
                    "status": "active",
                    "hour": 8,
                    "timezone": "UTC",
                    "categories": [],
                    "created_at": AT - timedelta(days=3),
                    "updated_at": AT - timedelta(days=3),
                    "confirmed_at": AT - timedelta(days=3),
                }
                for n in range(count)
            ],
        )
    return url, store


def _env(url: str, folder: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": url,
        "PAPERWIRE_DATA_DIR": str(folder),
        "PAPERWIRE_SECRET_KEY": SECRET,
        "PAPERWIRE_SMTP_HOST": "127.0.0.1",
        "PAPERWIRE_SMTP_PORT": str(port),
        "PAPERWIRE_SMTP_TLS": "none",
        "PAPERWIRE_SEND_RATE": "100000",
        "PAPERWIRE_DIGEST_SKIP_EMPTY": "false",
    }


def test_a_worker_killed_while_the_server_holds_its_message_leaves_it_for_review(
    demo_db: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.delay = 3.0  # the server sits on DATA: the message is out, its reply is not
    url, store = _store_with_readers(demo_db, tmp_path, 1)
    env = _env(url, tmp_path, port)
    victim = _worker(env, AT)
    try:
        assert inbox.data_started.wait(120), victim.stderr.read().decode()  # type: ignore[union-attr]
        web = impatient_store(url)
        try:
            started = time.monotonic()
            reader = subscriptions.get_subscriber_by_email(web, "reader0@example.org")
            assert reader is not None
            web.subscriptions.unsubscribe(reader.id, now=AT)  # another process writes
            assert time.monotonic() - started < 1.0
        finally:
            web.close()
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    time.sleep(inbox.delay)  # whether the server keeps it is up to the server
    received = len(inbox.to("reader0@example.org"))

    _sweep(env, AT + timedelta(minutes=11))
    _sweep(env, AT + timedelta(hours=2))
    with store.engine.connect() as conn:
        states = conn.execute(sa.select(deliveries.c.state)).scalars().all()
    store.close()
    assert states == ["review"]
    assert received <= 1 and len(inbox.to("reader0@example.org")) == received  # not resent


def test_killing_a_worker_mid_run_never_sends_twice(
    demo_db: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    inbox.delay = 0.003  # a mail server that takes a moment, so the run lasts a while
    url, store = _store_with_readers(demo_db, tmp_path, SUBSCRIBERS)
    env = _env(url, tmp_path, port)
    victim, survivor = _worker(env, AT), _worker(env, AT)
    deadline = time.monotonic() + 120
    while len(inbox.received) < 300:
        assert time.monotonic() < deadline, "the workers did not start sending"
        assert victim.poll() is None, victim.stderr.read().decode()  # type: ignore[union-attr]
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    # Unsubscribe someone whose digest has not gone yet, while the survivor sends.
    with store.engine.connect() as conn:
        waiting = conn.execute(
            sa.select(deliveries.c.subscriber_id, subscribers.c.email)
            .join(subscribers, subscribers.c.id == deliveries.c.subscriber_id)
            .where(deliveries.c.state == "pending")
            .order_by(deliveries.c.id.desc())
            .limit(1)
        ).one()
    store.subscriptions.unsubscribe(waiting.subscriber_id, now=AT)
    unsubscribed_at = time.time()

    _, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err.decode()
    _sweep(env, AT + timedelta(minutes=11))

    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(deliveries.c.subscriber_id, deliveries.c.local_date, deliveries.c.state)
        ).all()
    store.close()
    assert len(rows) == SUBSCRIBERS
    assert len({(row.subscriber_id, row.local_date) for row in rows}) == SUBSCRIBERS
    states = Counter(row.state for row in rows)
    assert states["review"] <= 1, states
    assert states["cancelled"] <= 1, states
    assert states["sent"] + states["review"] + states["cancelled"] == SUBSCRIBERS, states

    per_address = Counter(address for item in inbox.received for address in item.to)
    assert max(per_address.values()) == 1, "someone received two digests"
    # Every sent row was received; a row for review may or may not have been.
    assert states["sent"] <= len(per_address) <= states["sent"] + states["review"]
    late = [
        item for item in inbox.received if waiting.email in item.to and item.at > unsubscribed_at
    ]
    assert late == []
