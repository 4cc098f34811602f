"""Delivery rows on the store: planning, claiming, and recording what happened.

The life of a row: ``pending`` (planned, or waiting to retry) -> ``sending`` (claimed by
one worker, with a lease) -> ``sent``, ``skipped`` (nothing new), ``failed``, ``pending``
again (a temporary failure), or ``cancelled`` / ``expired`` (the subscriber left, or the
local date passed). A row still ``sending`` after its lease belonged to a worker that
died while the message was possibly with the mail server: it becomes ``review`` and is
never sent again automatically, because sending it twice is worse than once too few.

No transaction is open while the mail server is talked to: the claim commits before,
the reply is recorded in a transaction of its own after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

import sqlalchemy as sa

from paperwire.digest import schedule
from paperwire.digest.compose import DigestContent
from paperwire.digest.rules import retry_delay
from paperwire.digest.subscriptions import (
    ACTIVE,
    BOUNCED,
    PENDING,
    cancel_pending,
    topic_rows,
)
from paperwire.mail import MailError
from paperwire.store.base import Store
from paperwire.store.bulk import dialect_insert
from paperwire.store.clock import naive_utc
from paperwire.store.schema import deliveries, digest_papers, subscribers

SENDING, SENT, SKIPPED, CANCELLED, EXPIRED, FAILED, REVIEW = (
    "sending",
    "sent",
    "skipped",
    "cancelled",
    "expired",
    "failed",
    "review",
)
STATES = (PENDING, SENDING, SENT, SKIPPED, CANCELLED, EXPIRED, FAILED, REVIEW)
# What ``deliver`` answers when the mail server, not this message, failed: the row is
# pending again and the run should stop rather than fail every other message too.
DEFERRED = "deferred"
_CHUNK = 500
log = logging.getLogger(__name__)

# The statements of the sending loop, built once: constructing them anew for every
# message cost more than running them (they run thousands of times per run).
_NEXT_DUE = (
    sa.select(
        deliveries.c.id,
        deliveries.c.subscriber_id,
        deliveries.c.local_date,
        deliveries.c.attempts,
        subscribers.c.email,
        subscribers.c.status,
        subscribers.c.timezone,
        subscribers.c.categories,
        subscribers.c.last_digest_at,
    )
    .join(subscribers, subscribers.c.id == deliveries.c.subscriber_id)
    .where(deliveries.c.state == PENDING, deliveries.c.next_attempt_at <= sa.bindparam("now"))
    .order_by(deliveries.c.next_attempt_at, deliveries.c.id)
    .limit(1)
    .with_for_update(skip_locked=True, of=deliveries)
)
_MARK_SENDING = (
    sa.update(deliveries)
    .where(deliveries.c.id == sa.bindparam("delivery"))
    .values(
        state=SENDING,
        worker=sa.bindparam("worker"),
        lease_until=sa.bindparam("lease_until"),
        attempts=deliveries.c.attempts + 1,
    )
)
# The subscriber's status and the claim (under the lock an unsubscribe also needs, when
# read in a write transaction).
_RECHECK = (
    sa.select(subscribers.c.status, deliveries.c.state, deliveries.c.worker)
    .select_from(deliveries)
    .join(subscribers, subscribers.c.id == deliveries.c.subscriber_id)
    .where(deliveries.c.id == sa.bindparam("delivery"))
    .with_for_update(of=subscribers)
)
# A reply is recorded on a row this worker claimed, also when its lease ran out while
# SMTP talked and another worker moved it to review: the outcome is known after all.
_MARK_SENT = (
    sa.update(deliveries)
    .where(
        deliveries.c.id == sa.bindparam("delivery"),
        deliveries.c.worker == sa.bindparam("claimed_by"),
        deliveries.c.state.in_([SENDING, REVIEW]),
    )
    .values(
        state=SENT,
        finished_at=sa.bindparam("finished_at"),
        smtp_reply=sa.bindparam("smtp_reply"),
        error=None,
        message_id=sa.bindparam("message_id"),
        sections=sa.bindparam("sections", type_=sa.JSON),
        paper_count=sa.bindparam("paper_count"),
    )
)
_INSERT_SENT_PAPERS = {
    name: dialect_insert(name, digest_papers).on_conflict_do_nothing()
    for name in ("sqlite", "postgresql")
}
_AFTER_SENT = (
    sa.update(subscribers)
    .where(subscribers.c.id == sa.bindparam("subscriber"))
    .values(last_digest_at=sa.bindparam("composed_at"), bounce_count=0)
)


@dataclass(frozen=True, slots=True)
class Topic:
    text: str
    model: str | None
    vector: bytes | None


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery a worker holds the lease on, with what composing it needs."""

    delivery_id: int
    subscriber_id: int
    email: str
    local_date: date
    attempts: int
    timezone: str
    categories: tuple[str, ...]
    topics: tuple[Topic, ...]
    last_digest_at: datetime | None


def plan_deliveries(store: Store, now: datetime) -> int:
    """Insert a pending row for every active subscriber whose digest is due; how many.

    The unique key (subscriber, local date) makes planning idempotent, also when
    several workers plan at once.
    """
    now = naive_utc(now)
    with store.engine.connect() as conn:
        active = conn.execute(
            sa.select(
                subscribers.c.id,
                subscribers.c.hour,
                subscribers.c.timezone,
                subscribers.c.confirmed_at,
            ).where(subscribers.c.status == ACTIVE)
        ).all()
        due: dict[tuple[int, date], datetime] = {}
        for row in active:
            try:
                day = schedule.due_date(now, row.hour, row.timezone, row.confirmed_at)
                if day is not None:
                    due[(row.id, day)] = schedule.due_at(day, row.hour, row.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                # A zone this process's tz database lacks (another process accepted it):
                # that subscriber waits, everyone else is planned.
                log.warning("subscriber %s: unknown time zone %r", row.id, row.timezone)
        if not due:
            return 0
        days = sorted({day for _, day in due})
        planned = conn.execute(
            sa.select(deliveries.c.subscriber_id, deliveries.c.local_date).where(
                deliveries.c.local_date.in_(days)
            )
        ).all()
    for row in planned:
        due.pop((row.subscriber_id, row.local_date), None)
    rows = [
        {
            "subscriber_id": subscriber_id,
            "local_date": day,
            "state": PENDING,
            "due_at": due_at,
            "next_attempt_at": due_at,
        }
        for (subscriber_id, day), due_at in due.items()
    ]
    inserted = 0
    with store.writing() as conn:
        insert = dialect_insert(conn.dialect.name, deliveries).on_conflict_do_nothing()
        for start in range(0, len(rows), _CHUNK):
            result = conn.execute(insert, rows[start : start + _CHUNK])
            inserted += max(result.rowcount, 0)
    return inserted


def release_expired_leases(store: Store, now: datetime) -> int:
    """Mark rows left ``sending`` past their lease for review; how many."""
    now = naive_utc(now)
    with store.writing() as conn:
        return conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.state == SENDING, deliveries.c.lease_until < now)
            .values(
                state=REVIEW,
                finished_at=now,
                error="the worker sending it stopped before recording the result; "
                "the message may or may not have been delivered",
            )
        ).rowcount


def claim_next(
    store: Store,
    worker: str,
    now: datetime,
    lease: timedelta,
    on_dropped: Callable[[str], None] | None = None,
) -> Claim | None:
    """Take the next due pending row (None when none is due).

    Rows of subscribers no longer active are cancelled and rows whose local date has
    passed are expired on the way (``on_dropped`` hears of each). On PostgreSQL
    concurrent workers skip each other's locked rows; on SQLite the write transaction
    admits one worker at a time.
    """
    now = naive_utc(now)
    with store.writing() as conn:
        while True:
            row = conn.execute(_NEXT_DUE, {"now": now}).first()
            if row is None:
                return None
            if row.status != ACTIVE:
                _finish(conn, row.id, CANCELLED, now, error=f"subscriber is {row.status}")
                if on_dropped:
                    on_dropped(CANCELLED)
                continue
            try:
                passed = schedule.date_has_passed(row.local_date, now, row.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                _finish(conn, row.id, FAILED, now, error=f"unknown time zone {row.timezone!r}")
                if on_dropped:
                    on_dropped(FAILED)
                continue
            if passed:
                _finish(conn, row.id, EXPIRED, now, error="its local date passed before sending")
                if on_dropped:
                    on_dropped(EXPIRED)
                continue
            conn.execute(
                _MARK_SENDING, {"delivery": row.id, "worker": worker, "lease_until": now + lease}
            )
            topics = tuple(
                Topic(topic.text, topic.model, topic.vector)
                for topic in topic_rows(conn, row.subscriber_id)
            )
            return Claim(
                delivery_id=row.id,
                subscriber_id=row.subscriber_id,
                email=row.email,
                local_date=row.local_date,
                attempts=row.attempts + 1,
                timezone=row.timezone,
                categories=tuple(row.categories or ()),
                topics=topics,
                last_digest_at=row.last_digest_at,
            )


def finish_skipped(store: Store, claim: Claim, worker: str, now: datetime) -> None:
    """An empty digest: nothing is sent."""
    with store.writing() as conn:
        conn.execute(
            sa.update(deliveries)
            .where(
                deliveries.c.id == claim.delivery_id,
                deliveries.c.state == SENDING,
                deliveries.c.worker == worker,
            )
            .values(state=SKIPPED, finished_at=naive_utc(now), sections=[], paper_count=0)
        )


def deliver(
    store: Store,
    claim: Claim,
    worker: str,
    content: DigestContent,
    message_id: str,
    send: Callable[[], str],
    *,
    composed_at: datetime,
    now: Callable[[], datetime],
    max_attempts: int,
    bounce_limit: int,
) -> str:
    """Send a claimed digest and record the result; the new state.

    The subscriber and the claim are re-checked just before ``send``, so an unsubscribe
    that committed first stops the message. ``send`` runs with no transaction open (a
    slow relay must not hold up other writers); the reply is recorded afterwards in a
    transaction of its own. An unsubscribe that commits while ``send`` runs does not
    stop that message. If this process dies before the reply is recorded, the row stays
    ``sending`` and goes to ``review`` when its lease runs out: never sent twice.
    """
    stopped = _stopped_before_sending(store, claim, worker, now)
    if stopped is not None:
        return stopped
    try:
        reply = send()
    except MailError as error:
        with store.writing() as conn:
            if not _recordable(conn, claim, worker):
                return _vanished(claim)
            return _record_failure(conn, claim, error, now(), max_attempts, bounce_limit)
    with store.writing() as conn:
        marked = conn.execute(
            _MARK_SENT,
            {
                "delivery": claim.delivery_id,
                "claimed_by": worker,
                "finished_at": naive_utc(now()),
                "smtp_reply": reply[:1000],
                "message_id": message_id,
                "sections": [section.as_json() for section in content.sections],
                "paper_count": len(content.paper_ids),
            },
        ).rowcount
        if not marked:
            return _vanished(claim)
        sent = [
            {
                "subscriber_id": claim.subscriber_id,
                "paper_id": paper,
                "delivery_id": claim.delivery_id,
            }
            for paper in content.paper_ids
        ]
        if sent:
            conn.execute(_INSERT_SENT_PAPERS[conn.dialect.name], sent)
        conn.execute(
            _AFTER_SENT,
            {"subscriber": claim.subscriber_id, "composed_at": naive_utc(composed_at)},
        )
    return SENT


def _stopped_before_sending(
    store: Store, claim: Claim, worker: str, now: Callable[[], datetime]
) -> str | None:
    """None when the claim may go to the mail server now; else why not ("lost" once the
    lease passed to review, CANCELLED for a subscriber no longer active)."""
    with store.engine.connect() as conn:
        held = _held(conn, claim, worker)
    if held is not None and held.status == ACTIVE:
        return None
    with store.writing() as conn:
        held = _held(conn, claim, worker)
        if held is None:
            return "lost"
        if held.status == ACTIVE:
            return None
        _finish(conn, claim.delivery_id, CANCELLED, now(), error=f"subscriber is {held.status}")
    return CANCELLED


def _recordable(conn: sa.Connection, claim: Claim, worker: str) -> bool:
    """Is the claim's row still this worker's to record (``sending``, or ``review`` if
    the lease ran out meanwhile)?"""
    row = conn.execute(_RECHECK, {"delivery": claim.delivery_id}).first()
    return row is not None and row.worker == worker and row.state in (SENDING, REVIEW)


def _vanished(claim: Claim) -> str:
    """The row was deleted (with its subscriber) or changed by hand while its message was
    with the server: nothing of it is left to record."""
    log.warning("delivery %s was removed while it was being sent", claim.delivery_id)
    return "lost"


def _record_failure(
    conn: sa.Connection,
    claim: Claim,
    error: MailError,
    now: datetime,
    max_attempts: int,
    bounce_limit: int,
) -> str:
    """Record a failed hand-over; the outcome (the row's new state, or DEFERRED)."""
    now = naive_utc(now)
    message = str(error)[:1000]
    if error.stage == "unknown":
        _finish(conn, claim.delivery_id, REVIEW, now, error=message)
        return REVIEW
    if error.server_problem or not error.permanent:
        if claim.attempts >= max_attempts:
            _finish(conn, claim.delivery_id, FAILED, now, error=f"gave up: {message}")
            return FAILED
        _back_to_pending(conn, claim, now, message)
        return DEFERRED if error.server_problem else PENDING
    _finish(conn, claim.delivery_id, FAILED, now, error=message)
    if not error.recipient_refused:
        return FAILED  # the message was refused, not the address: no bounce
    bounces = conn.execute(
        sa.update(subscribers)
        .where(subscribers.c.id == claim.subscriber_id)
        .values(bounce_count=subscribers.c.bounce_count + 1)
        .returning(subscribers.c.bounce_count)
    ).scalar_one()
    if bounces >= bounce_limit:
        conn.execute(  # one who unsubscribed while the message was out stays unsubscribed
            sa.update(subscribers)
            .where(subscribers.c.id == claim.subscriber_id, subscribers.c.status == ACTIVE)
            .values(status=BOUNCED, updated_at=now)
        )
        cancel_pending(conn, claim.subscriber_id, now=now, reason="address bounced")
    return FAILED


def _back_to_pending(conn: sa.Connection, claim: Claim, now: datetime, error: str) -> None:
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == claim.delivery_id)
        .values(
            state=PENDING,
            next_attempt_at=now + retry_delay(claim.attempts),
            error=error,
            worker=None,
            lease_until=None,
        )
    )


def defer(store: Store, claim: Claim, worker: str, now: datetime, error: MailError) -> None:
    """Put back a claimed digest that was never handed over (the server could not be
    reached): it is tried again after the usual backoff."""
    with store.writing() as conn:
        if _held(conn, claim, worker) is not None:
            _back_to_pending(conn, claim, naive_utc(now), str(error)[:1000])


def fail_claim(store: Store, claim: Claim, worker: str, now: datetime, error: str) -> None:
    """A claimed digest that could not be composed (a bug, or bad data): failed, with why."""
    with store.writing() as conn:
        if _held(conn, claim, worker) is not None:
            _finish(conn, claim.delivery_id, FAILED, now, error=error[:1000])


def _held(conn: sa.Connection, claim: Claim, worker: str) -> Any:
    """The claim's row with its subscriber's status, if ``worker`` still holds it (read
    under the lock an unsubscribe also needs); None once the lease passed to review."""
    held = conn.execute(_RECHECK, {"delivery": claim.delivery_id}).first()
    if held is None or held.state != SENDING or held.worker != worker:
        return None
    return held


def _finish(
    conn: sa.Connection, delivery_id: int, state: str, now: datetime, *, error: str | None = None
) -> None:
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(state=state, finished_at=naive_utc(now), error=error, lease_until=None)
    )


def counts_by_state(store: Store, day: date) -> dict[str, int]:
    """How many deliveries of a local date are in each state."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(deliveries.c.state, sa.func.count())
            .where(deliveries.c.local_date == day)
            .group_by(deliveries.c.state)
        ).all()
    return {state: int(count) for state, count in rows}


def delivery_rows(
    store: Store, subscriber_id: int, *, states: Sequence[str] = (SENT,)
) -> list[Any]:
    """A subscriber's deliveries in the given states, newest date first."""
    with store.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(deliveries)
                .where(deliveries.c.subscriber_id == subscriber_id, deliveries.c.state.in_(states))
                .order_by(deliveries.c.local_date.desc())
            ).all()
        )
