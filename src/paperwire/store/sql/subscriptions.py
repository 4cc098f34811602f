"""Subscribers, their topics and double opt-in, in SQL that runs on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from paperwire.store.bulk import dialect_insert
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.subscriptions import (
    ACTIVE,
    BOUNCED,
    PAUSED,
    PENDING,
    SUBSCRIBER_STATUSES,
    UNSUBSCRIBED,
    Choices,
    Confirmation,
    ConfirmationRate,
    Requested,
    Schedule,
    StoredTopic,
    SubscriberRow,
    TopicVector,
)
from paperwire.store.schema import deliveries, subscriber_topics, subscribers

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore

_CHUNK = 500
# Built once: the sender reads a subscriber's topics for every digest it sends.
_TOPICS = (
    sa.select(subscriber_topics)
    .where(subscriber_topics.c.subscriber_id == sa.bindparam("subscriber"))
    .order_by(subscriber_topics.c.position)
)


class SQLSubscriptions:
    def __init__(self, store: SQLStore) -> None:
        self._store = store

    # Double opt-in --------------------------------------------------------------------

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
        now = naive_utc(now)
        values = _choice_values(choices) | {"status": PENDING, "updated_at": now}
        with self._store.writing() as conn:
            row = _locked_by_email(conn, email)
            if row is None:
                created = _insert_new(
                    conn,
                    email,
                    values | {"confirm_nonce": nonce, "confirm_sent_at": now, "confirm_count": 1},
                    now,
                )
                if created is not None:
                    _save_topics(conn, created, choices.topics, vectors)
                    return Requested(created, email, nonce)
                row = _locked_by_email(conn, email)  # created meanwhile by another request
                assert row is not None
            if row.status in (ACTIVE, PAUSED):
                return Requested(row.id, email, None)
            count = rate(row.confirm_sent_at, row.confirm_count, now)
            if count is None:
                return Requested(row.id, email, None)
            conn.execute(
                sa.update(subscribers)
                .where(subscribers.c.id == row.id)
                .values(confirm_nonce=nonce, confirm_sent_at=now, confirm_count=count, **values)
            )
            _save_topics(conn, row.id, choices.topics, vectors)
        return Requested(row.id, email, nonce)

    def confirm(self, subscriber_id: int, nonce: str, *, now: datetime) -> Confirmation:
        now = naive_utc(now)
        with self._store.writing() as conn:
            row = _locked_by_id(conn, subscriber_id)
            if row is None:
                return Confirmation("missing")
            if row.status in (ACTIVE, PAUSED) and row.confirm_nonce is None:
                return Confirmation("already")
            if row.status != PENDING or row.confirm_nonce is None:
                return Confirmation("ended")
            if not secrets.compare_digest(row.confirm_nonce, nonce):
                return Confirmation("superseded")
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
        return Confirmation("confirmed", str(row.email))

    def add(
        self,
        email: str,
        choices: Choices,
        vectors: Sequence[TopicVector],
        *,
        now: datetime,
        keep_opted_out: bool,
    ) -> Requested:
        now = naive_utc(now)
        values = _choice_values(choices) | {
            "status": ACTIVE,
            "confirm_nonce": None,
            "unsubscribed_at": None,
            "bounce_count": 0,
            "updated_at": now,
        }
        with self._store.writing() as conn:
            row = _locked_by_email(conn, email)
            if row is None:
                created = _insert_new(conn, email, values | {"confirmed_at": now}, now)
                if created is not None:
                    _save_topics(conn, created, choices.topics, vectors)
                    return Requested(created, email, None)
                row = _locked_by_email(conn, email)
                assert row is not None
            if keep_opted_out and row.status in (UNSUBSCRIBED, BOUNCED, PAUSED):
                return Requested(row.id, email, None, left_alone=True)
            kept = row.confirmed_at if row.status in (ACTIVE, PAUSED) else None
            conn.execute(
                sa.update(subscribers)
                .where(subscribers.c.id == row.id)
                .values(confirmed_at=kept or now, **values)
            )
            _save_topics(conn, row.id, choices.topics, vectors)
        return Requested(row.id, email, None)

    # Changes --------------------------------------------------------------------------

    def update_choices(
        self, subscriber_id: int, choices: Choices, vectors: Sequence[TopicVector], *, now: datetime
    ) -> bool:
        with self._store.writing() as conn:
            changed = conn.execute(
                sa.update(subscribers)
                .where(subscribers.c.id == subscriber_id)
                .values(updated_at=naive_utc(now), **_choice_values(choices))
            ).rowcount
            if not changed:
                return False
            _save_topics(conn, subscriber_id, choices.topics, vectors)
        return True

    def set_paused(self, subscriber_id: int, paused: bool, *, now: datetime) -> None:
        source, target = (ACTIVE, PAUSED) if paused else (PAUSED, ACTIVE)
        now = naive_utc(now)
        with self._store.writing() as conn:
            conn.execute(
                sa.update(subscribers)
                .where(subscribers.c.id == subscriber_id, subscribers.c.status == source)
                .values(status=target, updated_at=now)
            )
            if paused:
                cancel_pending(conn, subscriber_id, now=now, reason="paused")

    def unsubscribe(self, subscriber_id: int, *, now: datetime) -> str | None:
        now = naive_utc(now)
        with self._store.writing() as conn:
            row = _locked_by_id(conn, subscriber_id)
            if row is None:
                return None
            if row.status != UNSUBSCRIBED:
                conn.execute(
                    sa.update(subscribers)
                    .where(subscribers.c.id == subscriber_id)
                    .values(
                        status=UNSUBSCRIBED,
                        unsubscribed_at=now,
                        confirm_nonce=None,
                        updated_at=now,
                    )
                )
            cancel_pending(conn, subscriber_id, now=now, reason="unsubscribed")
        return str(row.email)

    def delete(self, subscriber_id: int) -> None:
        with self._store.writing() as conn:
            conn.execute(sa.delete(subscribers).where(subscribers.c.id == subscriber_id))

    # Reading --------------------------------------------------------------------------

    def get(self, subscriber_id: int) -> SubscriberRow | None:
        return self._one(subscribers.c.id == subscriber_id)

    def by_email(self, email: str) -> SubscriberRow | None:
        return self._one(subscribers.c.email == email)

    def listing(self, status: str | None = None) -> list[SubscriberRow]:
        query = sa.select(subscribers).order_by(subscribers.c.email)
        if status:
            query = query.where(subscribers.c.status == status)
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
            topics = _topic_texts(conn, [row.id for row in rows])
        return [_subscriber_row(row, topics.get(row.id, ())) for row in rows]

    def statuses_of(self, emails: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        addresses = list(emails)
        with self._store.engine.connect() as conn:
            for start in range(0, len(addresses), _CHUNK):
                query = sa.select(subscribers.c.email, subscribers.c.status).where(
                    subscribers.c.email.in_(addresses[start : start + _CHUNK])
                )
                found.update({row.email: row.status for row in conn.execute(query)})
        return found

    def count_by_status(self) -> dict[str, int]:
        with self._store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(subscribers.c.status, sa.func.count()).group_by(subscribers.c.status)
            ).all()
        found = {str(name): int(count) for name, count in rows}
        return {name: found.get(name, 0) for name in SUBSCRIBER_STATUSES} | found

    def schedules(self) -> list[Schedule]:
        query = sa.select(
            subscribers.c.id, subscribers.c.hour, subscribers.c.timezone, subscribers.c.confirmed_at
        ).where(subscribers.c.status == ACTIVE)
        with self._store.engine.connect() as conn:
            return [
                Schedule(row.id, row.hour, row.timezone, row.confirmed_at)
                for row in conn.execute(query)
            ]

    def topics_of(self, subscriber_id: int) -> tuple[StoredTopic, ...]:
        with self._store.engine.connect() as conn:
            return stored_topics(conn, subscriber_id)

    def topics_needing_vectors(self, model: str) -> list[tuple[int, str]]:
        query = sa.select(subscriber_topics.c.id, subscriber_topics.c.text).where(
            sa.or_(subscriber_topics.c.model.is_(None), subscriber_topics.c.model != model)
        )
        with self._store.engine.connect() as conn:
            return [(row.id, row.text) for row in conn.execute(query)]

    def save_topic_vectors(self, vectors: Sequence[tuple[int, str, str, bytes]]) -> None:
        if not vectors:
            return
        with self._store.writing() as conn:
            conn.execute(
                sa.update(subscriber_topics)
                # The text too: a topic re-saved meanwhile may have been given the same id.
                .where(
                    subscriber_topics.c.id == sa.bindparam("topic_id"),
                    subscriber_topics.c.text == sa.bindparam("topic_text"),
                )
                .values(model=sa.bindparam("new_model"), vector=sa.bindparam("new_vector")),
                [
                    {
                        "topic_id": topic_id,
                        "topic_text": text,
                        "new_model": model,
                        "new_vector": vector,
                    }
                    for topic_id, text, model, vector in vectors
                ],
            )

    def _one(self, condition: sa.ColumnElement[bool]) -> SubscriberRow | None:
        with self._store.engine.connect() as conn:
            row = conn.execute(sa.select(subscribers).where(condition)).first()
            if row is None:
                return None
            texts = tuple(topic.text for topic in stored_topics(conn, row.id))
        return _subscriber_row(row, texts)


def cancel_pending(conn: sa.Connection, subscriber_id: int, *, now: datetime, reason: str) -> None:
    """Cancel a subscriber's deliveries not yet claimed (a claimed one is left to its
    sender, which re-checks the subscriber just before handing the message over)."""
    conn.execute(
        sa.update(deliveries)
        .where(deliveries.c.subscriber_id == subscriber_id, deliveries.c.state == PENDING)
        .values(state="cancelled", error=reason, finished_at=now)
    )


def stored_topics(conn: sa.Connection, subscriber_id: int) -> tuple[StoredTopic, ...]:
    return tuple(
        StoredTopic(row.text, row.model, row.vector)
        for row in conn.execute(_TOPICS, {"subscriber": subscriber_id})
    )


def _choice_values(choices: Choices) -> dict[str, object]:
    return {
        "hour": choices.hour,
        "timezone": choices.timezone,
        "categories": list(choices.categories),
    }


def _locked_by_email(conn: sa.Connection, email: str) -> sa.Row[Any] | None:
    query = sa.select(subscribers).where(subscribers.c.email == email).with_for_update()
    return conn.execute(query).first()


def _locked_by_id(conn: sa.Connection, subscriber_id: int) -> sa.Row[Any] | None:
    query = sa.select(subscribers).where(subscribers.c.id == subscriber_id).with_for_update()
    return conn.execute(query).first()


def _insert_new(
    conn: sa.Connection, email: str, values: dict[str, object], now: datetime
) -> int | None:
    """Insert a subscriber unless the address exists (also one inserted concurrently):
    the new id, or None."""
    insert = (
        dialect_insert(conn.dialect.name, subscribers)
        .values(email=email, created_at=now, **values)
        .on_conflict_do_nothing(index_elements=[subscribers.c.email])
        .returning(subscribers.c.id)
    )
    created = conn.execute(insert).scalar()
    return int(created) if created is not None else None


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


def _topic_texts(conn: sa.Connection, ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        for row in conn.execute(
            sa.select(subscriber_topics.c.subscriber_id, subscriber_topics.c.text)
            .where(subscriber_topics.c.subscriber_id.in_(ids[start : start + _CHUNK]))
            .order_by(subscriber_topics.c.subscriber_id, subscriber_topics.c.position)
        ):
            found.setdefault(row.subscriber_id, []).append(row.text)
    return {key: tuple(value) for key, value in found.items()}


def _subscriber_row(row: sa.Row[Any], topics: tuple[str, ...]) -> SubscriberRow:
    return SubscriberRow(
        id=row.id,
        email=row.email,
        status=row.status,
        topics=topics,
        categories=tuple(row.categories or ()),
        hour=row.hour,
        timezone=row.timezone,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        last_digest_at=row.last_digest_at,
        bounce_count=row.bounce_count,
    )
