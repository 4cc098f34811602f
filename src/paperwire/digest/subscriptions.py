"""Subscribers: subscribe (double opt-in), confirm, change, pause, leave.

Subscribing says the same thing whether or not the address is known, and changes
nothing for an address already subscribed: anyone can type anyone's address into the
form, so only the confirmation link (proof of the mailbox) makes a subscription active.
The rows live behind ``store.subscriptions``; the rules that decide live here.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from paperwire.accounts.emails import normalise_email
from paperwire.digest.links import InvalidLink
from paperwire.digest.preferences import Preferences
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.subscriptions import (
    ACTIVE,
    BOUNCED,
    PAUSED,
    PENDING,
    UNSUBSCRIBED,
    Requested,
    SubscriberRow,
    TopicVector,
)

__all__ = [
    "ACTIVE",
    "BOUNCED",
    "PAUSED",
    "PENDING",
    "UNSUBSCRIBED",
    "SubscribeRequest",
    "Subscriber",
    "SubscriptionError",
    "TopicVector",
]

# Confirmation mails per address: one per 10 minutes, five per day at most.
CONFIRM_RESEND_AFTER = timedelta(minutes=10)
CONFIRM_PER_DAY = 5

# What a subscribe request did: ``nonce`` is set when a confirmation mail is due.
SubscribeRequest = Requested

_STALE_LINKS = {
    "missing": "This subscription no longer exists. Subscribe again.",
    "ended": "This link is for a subscription that has ended. Subscribe again.",
    "superseded": "A newer confirmation link was sent: use the latest one.",
}


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


def next_confirmation_count(sent_at: datetime | None, count: int, now: datetime) -> int | None:
    """The day's count of confirmation mails once another goes now; None when none may."""
    if not confirmation_allowed(sent_at, count, now):
        return None
    fresh_day = sent_at is None or now - sent_at >= timedelta(days=1)
    return 1 if fresh_day else count + 1


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
    return store.subscriptions.request(
        normalise_email(email),
        preferences,
        topic_vectors,
        nonce=secrets.token_urlsafe(12),
        now=naive_utc(now),
        rate=next_confirmation_count,
    )


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
    found = store.subscriptions.confirm(subscriber_id, nonce, now=now)
    if found.outcome in _STALE_LINKS:
        raise InvalidLink(_STALE_LINKS[found.outcome])
    return found.email


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
    return store.subscriptions.add(
        normalise_email(email),
        preferences,
        topic_vectors,
        now=now,
        keep_opted_out=keep_opted_out,
    )


def update_preferences(
    store: Store,
    subscriber_id: int,
    preferences: Preferences,
    topic_vectors: Sequence[TopicVector],
    *,
    now: datetime,
) -> None:
    """Save new choices (SubscriptionError when the subscriber is gone)."""
    if not store.subscriptions.update_choices(subscriber_id, preferences, topic_vectors, now=now):
        raise SubscriptionError("This subscription no longer exists.")


def get_subscriber(store: Store, subscriber_id: int) -> Subscriber | None:
    found = store.subscriptions.get(subscriber_id)
    return subscriber_from(found) if found else None


def get_subscriber_by_email(store: Store, email: str) -> Subscriber | None:
    """The subscriber with this address (InvalidEmail for text that is not one)."""
    found = store.subscriptions.by_email(normalise_email(email))
    return subscriber_from(found) if found else None


def list_subscribers(store: Store, status: str | None = None) -> list[Subscriber]:
    return [subscriber_from(row) for row in store.subscriptions.listing(status)]


def subscriber_from(row: SubscriberRow) -> Subscriber:
    return Subscriber(
        id=row.id,
        email=row.email,
        status=row.status,
        preferences=Preferences(
            topics=row.topics, categories=row.categories, hour=row.hour, timezone=row.timezone
        ),
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        last_digest_at=row.last_digest_at,
        bounce_count=row.bounce_count,
    )
