"""Delivery rows of the daily digest: planning, claiming, and recording what happened.

The life of a row: ``pending`` (planned, or waiting to retry) -> ``sending`` (claimed by
one worker, with a lease) -> ``sent``, ``skipped`` (nothing new), ``failed``, ``pending``
again (a temporary failure), or ``cancelled`` / ``expired`` (the subscriber left, or the
local date passed). A row still ``sending`` after its lease belonged to a worker that
died while the message was possibly with the mail server: it becomes ``review`` and is
never claimed again, because sending it twice is worse than once too few.

What every engine guarantees:

- At most one row per (subscriber, local date): planning is idempotent, also when
  several workers plan at once.
- A claim is atomic: two workers claiming at once never get the same row, and only
  rows that are ``pending`` and due are claimed, oldest ``next_attempt_at`` first.
- Every method that records an outcome takes the worker's name and changes the row
  only while that worker holds it; each is one short transaction. Nothing here holds
  a transaction open while a message is sent: the claim commits before, the reply is
  recorded after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

# PENDING is a delivery state too (the same word as a subscriber's): re-exported.
from paperwire.store.interfaces.subscriptions import PENDING as PENDING
from paperwire.store.interfaces.subscriptions import StoredTopic

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

Hold = Literal["held", "lost", "cancelled"]


@dataclass(frozen=True, slots=True)
class Planned:
    """A digest that is due: the subscriber's local date and the moment it is due."""

    subscriber_id: int
    local_date: date
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Due:
    """A due row as the claim sees it, with its subscriber's status and zone."""

    delivery_id: int
    subscriber_id: int
    local_date: date
    subscriber_status: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Drop:
    """Why a due row is finished without sending: its new state and the reason."""

    state: str
    error: str


# Decides, for a due row, whether it may be claimed (None) or is dropped. Pure: it runs
# inside the claiming transaction.
Judge = Callable[[Due], Drop | None]


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
    topics: tuple[StoredTopic, ...]
    last_digest_at: datetime | None


@dataclass(frozen=True, slots=True)
class Sent:
    """What the mail server accepted, to record against a claim."""

    smtp_reply: str
    message_id: str
    sections: list[dict[str, object]]
    paper_ids: Sequence[int]
    composed_at: datetime
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed hand-over: the row's new state with why; ``retry_at`` when the new state
    is ``pending``; ``bounce_limit`` when the address was refused (the subscriber's
    bounce count goes up, and at the limit an active subscriber becomes ``bounced``
    with its pending deliveries cancelled)."""

    state: str
    error: str
    now: datetime
    retry_at: datetime | None = None
    bounce_limit: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """A stored delivery, as ``history`` shows it."""

    id: int
    subscriber_id: int
    local_date: date
    state: str
    due_at: datetime
    next_attempt_at: datetime
    attempts: int
    worker: str | None
    lease_until: datetime | None
    finished_at: datetime | None
    smtp_reply: str | None
    error: str | None
    message_id: str | None
    sections: list[dict[str, object]] | None
    paper_count: int


class Deliveries(Protocol):
    def plan(self, due: Sequence[Planned]) -> int:
        """Insert a pending row for each, skipping (subscriber, date) pairs already
        planned; how many rows were inserted."""
        ...

    def release_expired(self, now: datetime) -> int:
        """Move rows left ``sending`` past their lease to ``review``; how many."""
        ...

    def claim_next(
        self, worker: str, now: datetime, lease_until: datetime, judge: Judge
    ) -> Claim | None:
        """Claim the next due pending row for ``worker`` until ``lease_until`` (its
        attempts go up by one); None when none is due. Rows ``judge`` drops on the way
        are finished with its state and reason, and never claimed."""
        ...

    def hold(self, delivery_id: int, worker: str, *, now: datetime) -> Hold:
        """Just before sending: ``held`` while ``worker`` holds the row and its
        subscriber is active; ``lost`` once the row left the worker (review, deleted);
        ``cancelled`` when the subscriber is no longer active (the row is cancelled).
        Decided under the lock an unsubscribe takes, so one that committed first stops
        the message."""
        ...

    def finish_skipped(self, delivery_id: int, worker: str, *, now: datetime) -> None:
        """An empty digest: ``skipped``, nothing sent."""
        ...

    def record_sent(self, delivery_id: int, worker: str, subscriber_id: int, sent: Sent) -> bool:
        """Mark the row ``sent`` (also if it went to review while the server talked),
        remember its papers as sent to the subscriber and note when it was composed,
        in one transaction; False when the row is not this worker's any more."""
        ...

    def record_failure(self, delivery_id: int, worker: str, failure: Failure) -> bool:
        """Record a failed hand-over in one transaction; False when the row is not this
        worker's any more (``sending`` or ``review`` by it)."""
        ...

    def put_back(self, delivery_id: int, worker: str, *, retry_at: datetime, error: str) -> None:
        """A claim never handed over: pending again from ``retry_at``, if still held."""
        ...

    def fail(self, delivery_id: int, worker: str, *, now: datetime, error: str) -> None:
        """A claim that could not be composed: ``failed``, if still held."""
        ...

    def counts_by_state(self, day: date) -> dict[str, int]:
        """How many deliveries of a local date are in each state (states with none left out)."""
        ...

    def history(self, subscriber_id: int, states: Sequence[str] = (SENT,)) -> list[DeliveryRow]:
        """A subscriber's deliveries in these states, newest local date first."""
        ...

    def already_sent(self, subscriber_id: int, paper_ids: Sequence[int]) -> set[int]:
        """Which of these papers the subscriber was sent in an earlier digest."""
        ...
