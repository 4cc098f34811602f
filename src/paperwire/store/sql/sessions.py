"""Signed-in sessions in SQLAlchemy Core: one row per session, named by its token's hash."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from paperwire.store.interfaces.accounts import User
from paperwire.store.interfaces.sessions import StoredSession
from paperwire.store.schema import user_sessions, users
from paperwire.store.sql.accounts import user_of_row

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore


class SQLSessions:
    """:class:`~paperwire.store.interfaces.sessions.Sessions` on a :class:`SQLStore`."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def create(self, token_hash: str, user_id: int, *, now: datetime, expires_at: datetime) -> None:
        with self._store.writing() as conn:
            conn.execute(
                sa.insert(user_sessions).values(
                    token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at
                )
            )

    def resolve(self, token_hash: str, *, now: datetime) -> User | None:
        query = (
            sa.select(users)
            .join_from(user_sessions, users, user_sessions.c.user_id == users.c.id)
            .where(user_sessions.c.token_hash == token_hash, user_sessions.c.expires_at > now)
        )
        with self._store.engine.connect() as conn:
            row = conn.execute(query).first()
        return user_of_row(row) if row is not None else None

    def of_user(self, user_id: int) -> list[StoredSession]:
        query = (
            sa.select(user_sessions)
            .where(user_sessions.c.user_id == user_id)
            .order_by(user_sessions.c.created_at, user_sessions.c.token_hash)
        )
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            StoredSession(row.token_hash, row.user_id, row.created_at, row.expires_at)
            for row in rows
        ]

    def end(self, token_hash: str) -> None:
        with self._store.writing() as conn:
            conn.execute(sa.delete(user_sessions).where(user_sessions.c.token_hash == token_hash))

    def end_all(self, user_id: int) -> int:
        with self._store.writing() as conn:
            ended: int = conn.execute(
                sa.delete(user_sessions).where(user_sessions.c.user_id == user_id)
            ).rowcount
        return ended

    def purge_expired(self, *, now: datetime) -> int:
        with self._store.writing() as conn:
            purged: int = conn.execute(
                sa.delete(user_sessions).where(user_sessions.c.expires_at <= now)
            ).rowcount
        return purged
