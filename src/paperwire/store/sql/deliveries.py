"""Delivery rows in SQL that runs on SQLite and PostgreSQL alike.

The claim locks its row with ``FOR UPDATE SKIP LOCKED`` where the engine has it
(PostgreSQL) and then changes it with an UPDATE conditional on its state, so that it is
safe also where the lock is a no-op: on SQLite the write transaction (``BEGIN
IMMEDIATE``) admits one claimer at a time. An engine with a better claim overrides
:meth:`SQLDeliveries.claim_next`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from paperwire.store.bulk import dialect_insert
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.deliveries import (
    CANCELLED,
    FAILED,
    PENDING,
    REVIEW,
    SENDING,
    SENT,
    SKIPPED,
    Claim,
    DeliveryRow,
    Drop,
    Due,
    Failure,
    Hold,
    Judge,
    Planned,
    Sent,
)
from paperwire.store.interfaces.subscriptions import ACTIVE, BOUNCED
from paperwire.store.schema import deliveries, digest_papers, subscribers
from paperwire.store.sql.subscriptions import cancel_pending, stored_topics

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore

_CHUNK = 500
STALE_LEASE = (
    "the worker sending it stopped before recording the result; "
    "the message may or may not have been delivered"
)

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
# Conditional on the row still being pending: a claim that lost a race changes nothing.
_MARK_SENDING = (
    sa.update(deliveries)
    .where(deliveries.c.id == sa.bindparam("delivery"), deliveries.c.state == PENDING)
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
_AFTER_SENT = (
    sa.update(subscribers)
    .where(subscribers.c.id == sa.bindparam("subscriber"))
    .values(last_digest_at=sa.bindparam("composed_at"), bounce_count=0)
)
_SENT_AMONG = sa.select(digest_papers.c.paper_id).where(
    digest_papers.c.subscriber_id == sa.bindparam("subscriber"),
    digest_papers.c.paper_id.in_(sa.bindparam("papers", expanding=True)),
)


class SQLDeliveries:
    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def plan(self, due: Sequence[Planned]) -> int:
        if not due:
            return 0
        days = sorted({entry.local_date for entry in due})
        with self._store.engine.connect() as conn:
            planned = {
                (row.subscriber_id, row.local_date)
                for row in conn.execute(
                    sa.select(deliveries.c.subscriber_id, deliveries.c.local_date).where(
                        deliveries.c.local_date.in_(days)
                    )
                )
            }
        rows = [
            {
                "subscriber_id": entry.subscriber_id,
                "local_date": entry.local_date,
                "state": PENDING,
                "due_at": naive_utc(entry.due_at),
                "next_attempt_at": naive_utc(entry.due_at),
            }
            for entry in due
            if (entry.subscriber_id, entry.local_date) not in planned
        ]
        inserted = 0
        with self._store.writing() as conn:
            # The unique key decides; the read above only spares most of the work.
            insert = dialect_insert(conn.dialect.name, deliveries).on_conflict_do_nothing()
            for start in range(0, len(rows), _CHUNK):
                result = conn.execute(insert, rows[start : start + _CHUNK])
                inserted += max(result.rowcount, 0)
        return inserted

    def release_expired(self, now: datetime) -> int:
        now = naive_utc(now)
        with self._store.writing() as conn:
            return conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.state == SENDING, deliveries.c.lease_until < now)
                .values(state=REVIEW, finished_at=now, error=STALE_LEASE)
            ).rowcount

    def claim_next(
        self, worker: str, now: datetime, lease_until: datetime, judge: Judge
    ) -> Claim | None:
        now = naive_utc(now)
        with self._store.writing() as conn:
            while True:
                row = conn.execute(_NEXT_DUE, {"now": now}).first()
                if row is None:
                    return None
                due = Due(row.id, row.subscriber_id, row.local_date, row.status, row.timezone)
                drop = judge(due)
                if drop is not None:
                    _finish_pending(conn, row.id, drop, now)
                    continue
                claimed = conn.execute(
                    _MARK_SENDING,
                    {"delivery": row.id, "worker": worker, "lease_until": naive_utc(lease_until)},
                ).rowcount
                if not claimed:
                    continue
                return Claim(
                    delivery_id=row.id,
                    subscriber_id=row.subscriber_id,
                    email=row.email,
                    local_date=row.local_date,
                    attempts=row.attempts + 1,
                    timezone=row.timezone,
                    categories=tuple(row.categories or ()),
                    topics=stored_topics(conn, row.subscriber_id),
                    last_digest_at=row.last_digest_at,
                )

    def hold(self, delivery_id: int, worker: str, *, now: datetime) -> Hold:
        with self._store.engine.connect() as conn:
            held = _held(conn, delivery_id, worker)
        if held is not None and held.status == ACTIVE:
            return "held"
        with self._store.writing() as conn:
            held = _held(conn, delivery_id, worker)
            if held is None:
                return "lost"
            if held.status == ACTIVE:
                return "held"
            _finish(conn, delivery_id, CANCELLED, naive_utc(now), f"subscriber is {held.status}")
        return "cancelled"

    def finish_skipped(self, delivery_id: int, worker: str, *, now: datetime) -> None:
        with self._store.writing() as conn:
            conn.execute(
                sa.update(deliveries)
                .where(
                    deliveries.c.id == delivery_id,
                    deliveries.c.state == SENDING,
                    deliveries.c.worker == worker,
                )
                .values(state=SKIPPED, finished_at=naive_utc(now), sections=[], paper_count=0)
            )

    def record_sent(self, delivery_id: int, worker: str, subscriber_id: int, sent: Sent) -> bool:
        with self._store.writing() as conn:
            marked = conn.execute(
                _MARK_SENT,
                {
                    "delivery": delivery_id,
                    "claimed_by": worker,
                    "finished_at": naive_utc(sent.finished_at),
                    "smtp_reply": sent.smtp_reply,
                    "message_id": sent.message_id,
                    "sections": sent.sections,
                    "paper_count": len(sent.paper_ids),
                },
            ).rowcount
            if not marked:
                return False
            papers = [
                {"subscriber_id": subscriber_id, "paper_id": paper, "delivery_id": delivery_id}
                for paper in sent.paper_ids
            ]
            if papers:
                insert = dialect_insert(conn.dialect.name, digest_papers)
                conn.execute(insert.on_conflict_do_nothing(), papers)
            conn.execute(
                _AFTER_SENT,
                {"subscriber": subscriber_id, "composed_at": naive_utc(sent.composed_at)},
            )
        return True

    def record_failure(self, delivery_id: int, worker: str, failure: Failure) -> bool:
        now = naive_utc(failure.now)
        with self._store.writing() as conn:
            row = conn.execute(_RECHECK, {"delivery": delivery_id}).first()
            if row is None or row.worker != worker or row.state not in (SENDING, REVIEW):
                return False
            if failure.state == PENDING:
                assert failure.retry_at is not None, "a retry needs its time"
                _back_to_pending(conn, delivery_id, naive_utc(failure.retry_at), failure.error)
                return True
            _finish(conn, delivery_id, failure.state, now, failure.error)
            if failure.bounce_limit is not None:
                _bounce(conn, delivery_id, failure.bounce_limit, now)
        return True

    def put_back(self, delivery_id: int, worker: str, *, retry_at: datetime, error: str) -> None:
        with self._store.writing() as conn:
            if _held(conn, delivery_id, worker) is not None:
                _back_to_pending(conn, delivery_id, naive_utc(retry_at), error)

    def fail(self, delivery_id: int, worker: str, *, now: datetime, error: str) -> None:
        with self._store.writing() as conn:
            if _held(conn, delivery_id, worker) is not None:
                _finish(conn, delivery_id, FAILED, naive_utc(now), error)

    def counts_by_state(self, day: date) -> dict[str, int]:
        with self._store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(deliveries.c.state, sa.func.count())
                .where(deliveries.c.local_date == day)
                .group_by(deliveries.c.state)
            ).all()
        return {str(state): int(count) for state, count in rows}

    def history(self, subscriber_id: int, states: Sequence[str] = (SENT,)) -> list[DeliveryRow]:
        query = (
            sa.select(deliveries)
            .where(
                deliveries.c.subscriber_id == subscriber_id, deliveries.c.state.in_(list(states))
            )
            .order_by(deliveries.c.local_date.desc())
        )
        with self._store.engine.connect() as conn:
            return [_delivery_row(row) for row in conn.execute(query)]

    def already_sent(self, subscriber_id: int, paper_ids: Sequence[int]) -> set[int]:
        if not paper_ids:
            return set()
        with self._store.engine.connect() as conn:
            found = conn.execute(
                _SENT_AMONG, {"subscriber": subscriber_id, "papers": list(paper_ids)}
            )
            return {int(paper) for paper in found.scalars()}


def _held(conn: sa.Connection, delivery_id: int, worker: str) -> sa.Row[Any, Any, Any] | None:
    """The row with its subscriber's status while ``worker`` holds it (read under the
    lock an unsubscribe also needs); None once it left the worker."""
    held = conn.execute(_RECHECK, {"delivery": delivery_id}).first()
    if held is None or held.state != SENDING or held.worker != worker:
        return None
    return held


def _finish(conn: sa.Connection, delivery_id: int, state: str, now: datetime, error: str) -> None:
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(state=state, finished_at=now, error=error, lease_until=None)
    )


def _finish_pending(conn: sa.Connection, delivery_id: int, drop: Drop, now: datetime) -> None:
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.state == PENDING)
        .values(state=drop.state, finished_at=now, error=drop.error, lease_until=None)
    )


def _back_to_pending(conn: sa.Connection, delivery_id: int, retry_at: datetime, error: str) -> None:
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.id == delivery_id)
        .values(state=PENDING, next_attempt_at=retry_at, error=error, worker=None, lease_until=None)
    )


def _bounce(conn: sa.Connection, delivery_id: int, limit: int, now: datetime) -> None:
    """One more refusal of the delivery's address; at ``limit`` an active subscriber is
    ``bounced`` (one who unsubscribed meanwhile stays unsubscribed)."""
    subscriber_id = conn.execute(
        sa.select(deliveries.c.subscriber_id).where(deliveries.c.id == delivery_id)
    ).scalar_one()
    bounces = conn.execute(
        sa.update(subscribers)
        .where(subscribers.c.id == subscriber_id)
        .values(bounce_count=subscribers.c.bounce_count + 1)
        .returning(subscribers.c.bounce_count)
    ).scalar_one()
    if bounces >= limit:
        conn.execute(
            sa.update(subscribers)
            .where(subscribers.c.id == subscriber_id, subscribers.c.status == ACTIVE)
            .values(status=BOUNCED, updated_at=now)
        )
        cancel_pending(conn, subscriber_id, now=now, reason="address bounced")


def _delivery_row(row: sa.Row[Any]) -> DeliveryRow:
    return DeliveryRow(
        id=row.id,
        subscriber_id=row.subscriber_id,
        local_date=row.local_date,
        state=row.state,
        due_at=row.due_at,
        next_attempt_at=row.next_attempt_at,
        attempts=row.attempts,
        worker=row.worker,
        lease_until=row.lease_until,
        finished_at=row.finished_at,
        smtp_reply=row.smtp_reply,
        error=row.error,
        message_id=row.message_id,
        sections=row.sections,
        paper_count=row.paper_count,
    )
