"""Signed-in sessions on the store: one row per session, named by its token's hash.

Each function runs on the caller's connection, so the caller chooses the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from paperwire.store.schema import user_sessions, users


def insert_session(
    conn: sa.Connection, token_hash: str, user_id: int, *, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        sa.insert(user_sessions).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at
        )
    )


def session_user(conn: sa.Connection, token_hash: str, *, now: datetime) -> sa.Row[Any] | None:
    """The ``users`` row of an unexpired session, or None."""
    query = (
        sa.select(users)
        .join_from(user_sessions, users, user_sessions.c.user_id == users.c.id)
        .where(user_sessions.c.token_hash == token_hash, user_sessions.c.expires_at > now)
    )
    return conn.execute(query).first()


def delete_session(conn: sa.Connection, token_hash: str) -> None:
    conn.execute(sa.delete(user_sessions).where(user_sessions.c.token_hash == token_hash))


def delete_user_sessions(conn: sa.Connection, user_id: int) -> int:
    """End every session of one user; how many there were."""
    return conn.execute(sa.delete(user_sessions).where(user_sessions.c.user_id == user_id)).rowcount


def delete_expired_sessions(conn: sa.Connection, *, now: datetime) -> int:
    return conn.execute(sa.delete(user_sessions).where(user_sessions.c.expires_at <= now)).rowcount
