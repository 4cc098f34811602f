"""Subscribers of the daily digest, their topics, and double opt-in.

What every engine guarantees:

- One subscriber per address (addresses arrive normalised); ids are never reused, since
  unsubscribe and archive links name a subscriber by id forever.
- A subscribe request never changes an active or paused subscription: only the
  confirmation (proof of the mailbox) activates one. Each request that is let through
  stores a new nonce, so an older confirmation link stops working.
- Read-modify-write operations (request, confirm, add) decide on a row they hold
  locked, so concurrent requests for one address cannot both create it or both
  confirm it.
- A subscriber's topics keep their order, and are replaced as a whole.
- Pausing, unsubscribing and bouncing cancel the subscriber's pending deliveries in
  the same transaction; a delivery already claimed is left to its sender.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED = (
    "pending",
    "active",
    "paused",
    "unsubscribed",
    "bounced",
)
SUBSCRIBER_STATUSES = (PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED)

# A topic's stored vector: (vector space name, float32 bytes), or None when not embedded.
TopicVector = tuple[str, bytes] | None

# The confirmation-mail rate rule, given (last sent at, mails sent that day, now): the
# day's new count when another mail may go now, None when it may not.
ConfirmationRate = Callable[[datetime | None, int, datetime], int | None]

ConfirmOutcome = Literal["confirmed", "already", "missing", "ended", "superseded"]


class Choices(Protocol):
    """What a subscriber chose (``paperwire.digest.preferences.Preferences`` is one)."""

    @property
    def topics(self) -> tuple[str, ...]: ...
    @property
    def categories(self) -> tuple[str, ...]: ...
    @property
    def hour(self) -> int: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True, slots=True)
class StoredTopic:
    """A topic as saved, with the vector it was embedded to (None when not embedded)."""

    text: str
    model: str | None
    vector: bytes | None


@dataclass(frozen=True, slots=True)
class SubscriberRow:
    """A stored subscriber with its topic texts in order."""

    id: int
    email: str
    status: str
    topics: tuple[str, ...]
    categories: tuple[str, ...]
    hour: int
    timezone: str
    created_at: datetime
    confirmed_at: datetime | None
    last_digest_at: datetime | None
    bounce_count: int


@dataclass(frozen=True, slots=True)
class Schedule:
    """When an active subscriber wants the digest (for planning deliveries)."""

    subscriber_id: int
    hour: int
    timezone: str
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Requested:
    """What a subscribe request or an operator's add did: ``nonce`` is set when a
    confirmation mail is due; ``left_alone`` for an opted-out address kept as it was."""

    subscriber_id: int
    email: str
    nonce: str | None
    left_alone: bool = False


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The outcome of following a confirmation link, with the address when confirmed."""

    outcome: ConfirmOutcome
    email: str | None = None


class Subscriptions(Protocol):
    def request(
        self,
        email: str,
        choices: Choices,
        vectors: Sequence[TopicVector],
        *,
        nonce: str,
        now: datetime,
        rate: ConfirmationRate,
    ) -> Requested:
        """A subscribe request (double opt-in). A new address, or one pending or that
        left, becomes pending with these choices and ``nonce``, unless ``rate`` refuses
        another mail (then nothing changes); active and paused ones are left exactly as
        they are. Atomic; ``nonce`` is in the answer only when it was stored."""
        ...

    def confirm(self, subscriber_id: int, nonce: str, *, now: datetime) -> Confirmation:
        """Activate a pending subscriber whose stored nonce is ``nonce`` (compared in
        constant time) and clear the nonce. ``already`` when active or paused with no
        nonce (a link followed twice), ``missing``, ``ended`` (not pending any more) or
        ``superseded`` (a newer nonce was stored) otherwise; only ``confirmed`` changes
        anything."""
        ...

    def add(
        self,
        email: str,
        choices: Choices,
        vectors: Sequence[TopicVector],
        *,
        now: datetime,
        keep_opted_out: bool,
    ) -> Requested:
        """Create or update an active subscriber (the operator has consent). With
        ``keep_opted_out`` an unsubscribed, bounced or paused address is left alone,
        decided in the transaction that would change it. Keeps ``confirmed_at`` of a
        subscriber already active or paused."""
        ...

    def update_choices(
        self, subscriber_id: int, choices: Choices, vectors: Sequence[TopicVector], *, now: datetime
    ) -> bool:
        """Replace hour, time zone, categories and topics; False when no such subscriber."""
        ...

    def set_paused(self, subscriber_id: int, paused: bool, *, now: datetime) -> None:
        """Pause an active subscriber (cancelling its pending deliveries) or resume a
        paused one; any other status is left as it is."""
        ...

    def unsubscribe(self, subscriber_id: int, *, now: datetime) -> str | None:
        """End a subscription and cancel its pending deliveries in one transaction; the
        address, or None when there is no such subscriber. Idempotent."""
        ...

    def delete(self, subscriber_id: int) -> None:
        """Forget a subscriber with its topics, deliveries and record of papers sent."""
        ...

    def get(self, subscriber_id: int) -> SubscriberRow | None: ...

    def by_email(self, email: str) -> SubscriberRow | None:
        """By normalised address."""
        ...

    def listing(self, status: str | None = None) -> list[SubscriberRow]:
        """Every subscriber (or those in ``status``), ordered by address."""
        ...

    def statuses_of(self, emails: Sequence[str]) -> dict[str, str]:
        """The status of each of these addresses that is stored."""
        ...

    def count_by_status(self) -> dict[str, int]:
        """Subscribers per status: every known status (zeros included), then any other."""
        ...

    def schedules(self) -> list[Schedule]:
        """The delivery hour and zone of every active subscriber."""
        ...

    def topics_of(self, subscriber_id: int) -> tuple[StoredTopic, ...]:
        """A subscriber's topics in the order chosen, with their vectors."""
        ...

    def topics_needing_vectors(self, model: str) -> list[tuple[int, str]]:
        """(topic id, text) of topics not embedded in ``model``."""
        ...

    def save_topic_vectors(self, vectors: Sequence[tuple[int, str, str, bytes]]) -> None:
        """Store (topic id, text, model, vector); a topic whose text changed meanwhile
        (re-saved, perhaps under the same id) is left alone."""
        ...
