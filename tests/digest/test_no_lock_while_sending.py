"""No write transaction stays open while a digest is with the mail server.

A relay that takes its time over DATA must not hold up the web app's writes: the
store's write lock is taken to claim a digest and to record the reply, never while SMTP
talks. ``web`` is a second store on the same file whose writes give up after half a
second waiting for the lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from digestworld import DigestWorld, impatient_store
from test_sending import rows, subscribe

from paperwire import accounts
from paperwire.digest import deliveries, subscriptions
from paperwire.digest.compose import DigestContent
from paperwire.digest.run import RunReport
from paperwire.mail import MailError
from paperwire.store.base import Store

AT = datetime(2026, 11, 29, 9, 0)
DATA_SECONDS = 2.0
PROMPT = 1.0  # seconds a web write may take while the relay sits on DATA


@pytest.fixture
def web(world: DigestWorld) -> Iterator[Store]:
    store = impatient_store(world.settings.database_url)
    yield store
    store.close()


def test_web_writes_go_through_while_the_relay_sits_on_data(world: DigestWorld, web: Store) -> None:
    subscriber = subscribe(world, "ann@example.org")
    world.inbox.delay = DATA_SECONDS
    reports: list[RunReport] = []
    sender = threading.Thread(target=lambda: reports.append(world.run(AT)))
    sender.start()
    try:
        assert world.inbox.data_started.wait(60), "the digest never reached DATA"
        started = time.monotonic()
        # An unsubscribe (the one-click link) and a sign-in request: two web writes.
        assert web.subscriptions.unsubscribe(subscriber, now=AT) == "ann@example.org"
        accounts.request_login(web, "bob@example.org", now=AT, settings=world.settings)
        took = time.monotonic() - started
        assert took < PROMPT, f"web writes waited {took:.1f} s for the digest sender"
        assert not world.inbox.received, "the writes ran after DATA, not during it"
    finally:
        sender.join(60)
    # The unsubscribe committed while the message was with the server: that one message
    # still goes (docs/digest.md), is recorded as sent, and nothing follows it.
    assert reports[0].counts == {"sent": 1}
    assert [row.state for row in rows(world, subscriber)] == ["sent"]
    assert len(world.inbox.to("ann@example.org")) == 1
    assert world.run(AT + timedelta(days=1), digest_skip_empty=False).planned == 0


def _deliver(world: DigestWorld, worker: str, send: Callable[[], str], bounce_limit: int) -> str:
    deliveries.plan_deliveries(world.store, AT)
    claim = deliveries.claim_next(world.store, worker, AT, timedelta(minutes=10))
    assert claim is not None
    return deliveries.deliver(
        world.store,
        claim,
        worker,
        DigestContent(()),
        "<id@x>",
        send,
        composed_at=AT,
        now=lambda: AT,
        max_attempts=5,
        bounce_limit=bounce_limit,
    )


def test_a_send_outlasting_its_lease_is_recorded_as_sent_not_left_for_review(
    world: DigestWorld, web: Store
) -> None:
    subscriber = subscribe(world, "ann@example.org")

    def send_while_another_worker_sweeps() -> str:
        later = AT + timedelta(minutes=11)  # the lease ran out while SMTP talked
        assert web.deliveries.release_expired(later) == 1
        return "250 queued as Q1"

    assert _deliver(world, "slow", send_while_another_worker_sweeps, 3) == "sent"
    [row] = rows(world, subscriber)
    assert (row.state, row.smtp_reply, row.error) == ("sent", "250 queued as Q1", None)


def test_a_bounce_after_an_unsubscribe_leaves_the_subscriber_unsubscribed(
    world: DigestWorld, web: Store
) -> None:
    subscriber = subscribe(world, "gone@example.org")

    def unsubscribed_then_bounced() -> str:
        web.subscriptions.unsubscribe(subscriber, now=AT)
        raise MailError("every recipient refused: 550 5.1.1 no such user", 550, "rcpt")

    assert _deliver(world, "w", unsubscribed_then_bounced, 1) == "failed"
    found = subscriptions.get_subscriber(world.store, subscriber)
    assert found is not None and (found.status, found.bounce_count) == ("unsubscribed", 1)
    assert [row.state for row in rows(world, subscriber)] == ["failed"]
