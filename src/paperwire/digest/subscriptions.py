"""Subscribers on the store: subscribe (double opt-in), confirm, change, pause, leave.

Subscribing says the same thing whether or not the address is known, and changes
nothing for an address already subscribed: anyone can type anyone's address into the
form, so only the confirmation link (proof of the mailbox) makes a subscription active.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from paperwire.accounts.emails import normalise_email
from paperwire.digest.links import InvalidLink
from paperwire.digest.preferences import Preferences
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.schema import deliveries, subscriber_topics, subscribers

PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED = (
    "pending",
    "active",
    "paused",
    "unsubscribed",
    "bounced",
)
# Confirmation mails per address: one per 10 minutes, five per day at most.
CONFIRM_RESEND_AFTER = timedelta(minutes=10)
CONFIRM_PER_DAY = 5

# A topic's stored vector: (vector space name, float32 bytes), or None when not embedded.
TopicVector = tuple[str, bytes] | None


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    email: str
    status: str
    preferences: Preferences
    created_at: datetime
    confirmed_at: datetime | None = None
    last_digest_at: datetime | None = None
    bounce_count: int = 0


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """What a subscribe request did: ``nonce`` is set when a confirmation mail is due."""

    subscriber_id: int
    email: str
    nonce: str | None
    left_alone: bool = False  # an address that opted out, kept as it was


class SubscriptionError(LookupError):
    """A subscriber that does not exist (any more); ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def confirmation_allowed(sent_at: datetime | None, count: int, now: datetime) -> bool:
    """May another confirmation mail go to this address now? (no I/O)"""
    if sent_at is None or now - sent_at >= timedelta(days=1):
        return True
    return now - sent_at >= CONFIRM_RESEND_AFTER and count < CONFIRM_PER_DAY


def request_subscription(
    store: Store,
    email: str,
    preferences: Preferences,
    topic_vectors: Sequence[TopicVector],
    *,
    now: datetime,
) -> SubscribeRequest:
    """Record a subscribe request (InvalidEmail for a bad address).

    A new address, or one still pending or that left, becomes pending with these
    preferences and a new nonce, unless its confirmation mails are rate-limited; an
    active or paused subscription is left exactly as it is.
    """
    address = normalise_email(email)
    now = naive_utc(now)
    with store.writing() as conn:
        row = conn.execute(sa.select(subscribers).where(subscribers.c.email == address)).first()
        if row is not None and row.status in (ACTIVE, PAUSED):
            return SubscribeRequest(row.id, address, None)
        if row is not None and not confirmation_allowed(
            row.confirm_sent_at, row.confirm_count, now
        ):
            return SubscribeRequest(row.id, address, None)
        nonce = secrets.token_urlsafe(12)
        fresh_day = (
            row is None
            or row.confirm_sent_at is None
            or (now - row.confirm_sent_at >= timedelta(days=1))
        )
        values = {
            "status": PENDING,
            "hour": preferences.hour,
            "timezone": preferences.timezone,
            "categories": list(preferences.categories),
            "confirm_nonce": nonce,
            "confirm_sent_at": now,
            "confirm_count": 1 if fresh_day else row.confirm_count + 1,  # type: ignore[union-attr]
            "updated_at": now,
        }
        if row is None:
            subscriber_id = conn.execute(
                sa.insert(subscribers).values(email=address, created_at=now, **values)
            ).inserted_primary_key[0]
        else:
            subscriber_id = row.id
            conn.execute(sa.update(subscribers).where(subscribers.c.id == row.id).values(**values))
        _save_topics(conn, subscriber_id, preferences.topics, topic_vectors)
    return SubscribeRequest(subscriber_id, address, nonce)


def confirm_subscription(
    store: Store, subscriber_id: int, nonce: str, *, now: datetime
) -> str | None:
    """Make a pending subscription active and return its address (InvalidLink when the
    link is stale).

    Following the link again is harmless and returns None: it proved the mailbox once,
    and a link that keeps working must not keep signing people in. A link from before
    the latest subscribe request, or for a subscription that has since ended, confirms
    nothing.
    """
    now = naive_utc(now)
    with store.writing() as conn:
        row = conn.execute(sa.select(subscribers).where(subscribers.c.id == subscriber_id)).first()
        if row is None:
            raise InvalidLink("This subscription no longer exists. Subscribe again.")
        if row.status in (ACTIVE, PAUSED) and row.confirm_nonce is None:
            return None
        if row.status != PENDING or row.confirm_nonce is None:
            raise InvalidLink("This link is for a subscription that has ended. Subscribe again.")
        if not secrets.compare_digest(row.confirm_nonce, nonce):
            raise InvalidLink("A newer confirmation link was sent: use the latest one.")
        conn.execute(
            sa.update(subscribers)
            .where(subscribers.c.id == subscriber_id)
            .values(
                status=ACTIVE,
                confirm_nonce=None,
                confirmed_at=now,
                unsubscribed_at=None,
                bounce_count=0,
                updated_at=now,
            )
        )
    return str(row.email)


def add_subscriber(
    store: Store,
    email: str,
    preferences: Preferences,
    topic_vectors: Sequence[TopicVector],
    *,
    confirmed: bool,
    now: datetime,
    keep_opted_out: bool = False,
) -> SubscribeRequest:
    """The operator's way in: create or update a subscriber, active at once if ``confirmed``.

    Without ``confirmed`` the address goes through the same double opt-in as the form
    (the returned nonce is for the confirmation mail). With ``keep_opted_out`` (an
    import) an address that unsubscribed, bounced or paused is left exactly as it is,
    decided in the same transaction that would change it.
    """
    if not confirmed:
        return request_subscription(store, email, preferences, topic_vectors, now=now)
    address = normalise_email(email)
    now = naive_utc(now)
    values = {
        "status": ACTIVE,
        "hour": preferences.hour,
        "timezone": preferences.timezone,
        "categories": list(preferences.categories),
        "confirm_nonce": None,
        "unsubscribed_at": None,
        "bounce_count": 0,
        "updated_at": now,
    }
    with store.writing() as conn:
        row = conn.execute(sa.select(subscribers).where(subscribers.c.email == address)).first()
        if keep_opted_out and row is not None and row.status in (UNSUBSCRIBED, BOUNCED, PAUSED):
            return SubscribeRequest(row.id, address, None, left_alone=True)
        if row is None:
            subscriber_id = conn.execute(
                sa.insert(subscribers).values(
                    email=address, created_at=now, confirmed_at=now, **values
                )
            ).inserted_primary_key[0]
        else:
            subscriber_id = row.id
            confirmed_at = row.confirmed_at if row.status in (ACTIVE, PAUSED) else now
            conn.execute(
                sa.update(subscribers)
                .where(subscribers.c.id == row.id)
                .values(confirmed_at=confirmed_at or now, **values)
            )
        _save_topics(conn, subscriber_id, preferences.topics, topic_vectors)
    return SubscribeRequest(subscriber_id, address, None)


def update_preferences(
    store: Store,
    subscriber_id: int,
    preferences: Preferences,
    topic_vectors: Sequence[TopicVector],
    *,
    now: datetime,
) -> None:
    with store.writing() as conn:
        changed = conn.execute(
            sa.update(subscribers)
            .where(subscribers.c.id == subscriber_id)
            .values(
                hour=preferences.hour,
                timezone=preferences.timezone,
                categories=list(preferences.categories),
                updated_at=naive_utc(now),
            )
        ).rowcount
        if not changed:
            raise SubscriptionError("This subscription no longer exists.")
        _save_topics(conn, subscriber_id, preferences.topics, topic_vectors)


def set_paused(store: Store, subscriber_id: int, paused: bool, *, now: datetime) -> None:
    """Pause (no digests planned; pending ones cancelled) or resume an active subscription."""
    source, target = (ACTIVE, PAUSED) if paused else (PAUSED, ACTIVE)
    with store.writing() as conn:
        conn.execute(
            sa.update(subscribers)
            .where(subscribers.c.id == subscriber_id, subscribers.c.status == source)
            .values(status=target, updated_at=naive_utc(now))
        )
        if paused:
            cancel_pending(conn, subscriber_id, now=naive_utc(now), reason="paused")


def unsubscribe(store: Store, subscriber_id: int, *, now: datetime) -> str | None:
    """End a subscription and cancel its unsent digests, in one transaction.

    Returns the address, or None when there is no such subscriber. Idempotent.
    """
    now = naive_utc(now)
    with store.writing() as conn:
        row = conn.execute(
            sa.select(subscribers.c.email, subscribers.c.status).where(
                subscribers.c.id == subscriber_id
            )
        ).first()
        if row is None:
            return None
        if row.status != UNSUBSCRIBED:
            conn.execute(
                sa.update(subscribers)
                .where(subscribers.c.id == subscriber_id)
                .values(
                    status=UNSUBSCRIBED, unsubscribed_at=now, confirm_nonce=None, updated_at=now
                )
            )
        cancel_pending(conn, subscriber_id, now=now, reason="unsubscribed")
    return str(row.email)


def cancel_pending(conn: sa.Connection, subscriber_id: int, *, now: datetime, reason: str) -> None:
    """Cancel a subscriber's digests not yet handed to the mail server.

    A digest already claimed is left alone: the sender re-checks the subscriber just
    before it hands the message over, and one already with the mail server still goes.
    """
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.subscriber_id == subscriber_id, deliveries.c.state == PENDING)
        .values(state="cancelled", error=reason, finished_at=now)
    )


def delete_subscriber(store: Store, subscriber_id: int) -> None:
    """Forget a subscriber: topics, deliveries and the record of papers sent go with it."""
    with store.writing() as conn:
        conn.execute(sa.delete(subscribers).where(subscribers.c.id == subscriber_id))


def get_subscriber(store: Store, subscriber_id: int) -> Subscriber | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(subscribers).where(subscribers.c.id == subscriber_id)).first()
        return _subscriber(conn, row) if row else None


def get_subscriber_by_email(store: Store, email: str) -> Subscriber | None:
    """The subscriber with this address (InvalidEmail for text that is not one)."""
    address = normalise_email(email)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(subscribers).where(subscribers.c.email == address)).first()
        return _subscriber(conn, row) if row else None


def list_subscribers(store: Store, status: str | None = None) -> list[Subscriber]:
    query = sa.select(subscribers).order_by(subscribers.c.email)
    if status:
        query = query.where(subscribers.c.status == status)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        topics = _topics(conn, [row.id for row in rows])
    return [_subscriber_from(row, topics.get(row.id, ())) for row in rows]


# Built once: the sender reads a subscriber's topics for every digest it sends.
_TOPICS = (
    sa.select(subscriber_topics)
    .where(subscriber_topics.c.subscriber_id == sa.bindparam("subscriber"))
    .order_by(subscriber_topics.c.position)
)


def topic_rows(conn: sa.Connection, subscriber_id: int) -> list[Any]:
    """A subscriber's topics in order, with their stored vectors."""
    return list(conn.execute(_TOPICS, {"subscriber": subscriber_id}).all())


def _save_topics(
    conn: sa.Connection,
    subscriber_id: int,
    topics: Sequence[str],
    vectors: Sequence[TopicVector],
) -> None:
    if len(vectors) != len(topics):
        raise ValueError("one vector (or None) per topic")
    conn.execute(
        sa.delete(subscriber_topics).where(subscriber_topics.c.subscriber_id == subscriber_id)
    )
    rows = [
        {
            "subscriber_id": subscriber_id,
            "position": position,
            "text": text,
            "model": vector[0] if vector else None,
            "vector": vector[1] if vector else None,
        }
        for position, (text, vector) in enumerate(zip(topics, vectors, strict=True))
    ]
    if rows:
        conn.execute(sa.insert(subscriber_topics), rows)


def _topics(conn: sa.Connection, ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in conn.execute(
            sa.select(subscriber_topics.c.subscriber_id, subscriber_topics.c.text)
            .where(subscriber_topics.c.subscriber_id.in_(chunk))
            .order_by(subscriber_topics.c.subscriber_id, subscriber_topics.c.position)
        ):
            found.setdefault(row.subscriber_id, []).append(row.text)
    return {key: tuple(value) for key, value in found.items()}


def _subscriber(conn: sa.Connection, row: Any) -> Subscriber:
    return _subscriber_from(row, tuple(topic.text for topic in topic_rows(conn, row.id)))


def _subscriber_from(row: Any, topics: tuple[str, ...]) -> Subscriber:
    return Subscriber(
        id=row.id,
        email=row.email,
        status=row.status,
        preferences=Preferences(
            topics=topics,
            categories=tuple(row.categories or ()),
            hour=row.hour,
            timezone=row.timezone,
        ),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        last_digest_at=row.last_digest_at,
        bounce_count=row.bounce_count,
    )


def topics_needing_vectors(store: Store, model: str) -> list[tuple[int, str]]:
    """(topic id, text) of topics not embedded in ``model`` (saved before a model change)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(subscriber_topics.c.id, subscriber_topics.c.text).where(
                sa.or_(subscriber_topics.c.model.is_(None), subscriber_topics.c.model != model)
            )
        ).all()
    return [(row.id, row.text) for row in rows]


def save_topic_vectors(store: Store, vectors: Sequence[tuple[int, str, str, bytes]]) -> None:
    """Store (topic id, text, model, vector) for topics re-embedded after a model change."""
    if not vectors:
        return
    with store.writing() as conn:
        conn.execute(
            sa.update(subscriber_topics)
            # The text too: a topic re-saved meanwhile may have been given the same id.
            .where(
                subscriber_topics.c.id == sa.bindparam("topic_id"),
                subscriber_topics.c.text == sa.bindparam("topic_text"),
            )
            .values(model=sa.bindparam("new_model"), vector=sa.bindparam("new_vector")),
            [
                {"topic_id": topic_id, "topic_text": text, "new_model": model, "new_vector": vector}
                for topic_id, text, model, vector in vectors
            ],
        )
