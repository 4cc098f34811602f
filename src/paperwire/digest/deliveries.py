"""Sending one claimed digest, and the rules that decide what becomes of a delivery.

The rows live behind ``store.deliveries`` (their life is described in
:mod:`paperwire.store.interfaces.deliveries`). Here: which due rows are dropped rather
than claimed, what a failed hand-over means (retry with backoff, give up, bounce), and
the send itself, with no transaction open while the mail server is talked to: the claim
commits before, the reply is recorded in a transaction of its own after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from paperwire.digest import schedule
from paperwire.digest.compose import DigestContent
from paperwire.digest.rules import retry_delay
from paperwire.mail import MailError
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.deliveries import (
    CANCELLED,
    EXPIRED,
    FAILED,
    REVIEW,
    SENDING,
    SENT,
    SKIPPED,
    STATES,
    Claim,
    Drop,
    Due,
    Failure,
    Planned,
    Sent,
)
from paperwire.store.interfaces.subscriptions import ACTIVE, PENDING, StoredTopic

__all__ = [
    "CANCELLED",
    "EXPIRED",
    "FAILED",
    "REVIEW",
    "SENDING",
    "SENT",
    "SKIPPED",
    "STATES",
    "Claim",
    "Topic",
]

# What ``deliver`` answers when the mail server, not this message, failed: the row is
# pending again and the run should stop rather than fail every other message too.
DEFERRED = "deferred"
Topic = StoredTopic
log = logging.getLogger(__name__)


def plan_deliveries(store: Store, now: datetime) -> int:
    """Plan a pending delivery for every active subscriber whose digest is due; how many
    were new (planning again, or in several workers at once, adds none twice)."""
    now = naive_utc(now)
    due: list[Planned] = []
    for subscriber in store.subscriptions.schedules():
        try:
            day = schedule.due_date(
                now, subscriber.hour, subscriber.timezone, subscriber.confirmed_at
            )
            if day is not None:
                at = schedule.due_at(day, subscriber.hour, subscriber.timezone)
                due.append(Planned(subscriber.subscriber_id, day, at))
        except (ZoneInfoNotFoundError, ValueError):
            # A zone this process's tz database lacks (another process accepted it):
            # that subscriber waits, everyone else is planned.
            log.warning(
                "subscriber %s: unknown time zone %r", subscriber.subscriber_id, subscriber.timezone
            )
    return store.deliveries.plan(due)


def drop_reason(due: Due, now: datetime) -> Drop | None:
    """Why a due row must not be sent (its subscriber left, its local date passed, its
    zone is unknown here), or None when it may be claimed. Pure."""
    if due.subscriber_status != ACTIVE:
        return Drop(CANCELLED, f"subscriber is {due.subscriber_status}")
    try:
        passed = schedule.date_has_passed(due.local_date, now, due.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return Drop(FAILED, f"unknown time zone {due.timezone!r}")
    if passed:
        return Drop(EXPIRED, "its local date passed before sending")
    return None


def claim_next(
    store: Store,
    worker: str,
    now: datetime,
    lease: timedelta,
    on_dropped: Callable[[str], None] | None = None,
) -> Claim | None:
    """Claim the next due delivery (None when none is due).

    Rows of subscribers no longer active are cancelled and rows whose local date has
    passed are expired on the way (``on_dropped`` hears of each).
    """
    now = naive_utc(now)

    def judge(due: Due) -> Drop | None:
        drop = drop_reason(due, now)
        if drop is not None and on_dropped:
            on_dropped(drop.state)
        return drop

    return store.deliveries.claim_next(worker, now, now + lease, judge)


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
    hold = store.deliveries.hold(claim.delivery_id, worker, now=now())
    if hold == "lost":
        return "lost"
    if hold == "cancelled":
        return CANCELLED
    try:
        reply = send()
    except MailError as error:
        failure = failure_of(error, claim.attempts, naive_utc(now()), max_attempts, bounce_limit)
        if not store.deliveries.record_failure(claim.delivery_id, worker, failure):
            return _vanished(claim)
        if failure.state == PENDING and error.server_problem:
            return DEFERRED
        return failure.state
    sent = Sent(
        smtp_reply=reply[:1000],
        message_id=message_id,
        sections=[section.as_json() for section in content.sections],
        paper_ids=content.paper_ids,
        composed_at=composed_at,
        finished_at=now(),
    )
    if not store.deliveries.record_sent(claim.delivery_id, worker, claim.subscriber_id, sent):
        return _vanished(claim)
    return SENT


def failure_of(
    error: MailError, attempts: int, now: datetime, max_attempts: int, bounce_limit: int
) -> Failure:
    """What a failed hand-over means for its delivery. Pure.

    An unknown outcome goes to review (it may have been delivered); a temporary failure
    or one of the server waits for a retry with backoff, until ``max_attempts``; a
    permanent one fails, and counts as a bounce when the address itself was refused.
    """
    message = str(error)[:1000]
    if error.stage == "unknown":
        return Failure(REVIEW, message, now)
    if error.server_problem or not error.permanent:
        if attempts >= max_attempts:
            return Failure(FAILED, f"gave up: {message}", now)
        return Failure(PENDING, message, now, retry_at=now + retry_delay(attempts))
    return Failure(
        FAILED, message, now, bounce_limit=bounce_limit if error.recipient_refused else None
    )


def _vanished(claim: Claim) -> str:
    """The row was deleted (with its subscriber) or changed by hand while its message was
    with the server: nothing of it is left to record."""
    log.warning("delivery %s was removed while it was being sent", claim.delivery_id)
    return "lost"


def defer(store: Store, claim: Claim, worker: str, now: datetime, error: MailError) -> None:
    """Put back a claimed digest that was never handed over (the server could not be
    reached): it is tried again after the usual backoff."""
    retry_at = naive_utc(now) + retry_delay(claim.attempts)
    store.deliveries.put_back(claim.delivery_id, worker, retry_at=retry_at, error=str(error)[:1000])
