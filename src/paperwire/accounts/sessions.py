"""Signed-in sessions: started at sign-in, ended by signing out (here or everywhere).

The session cookie carries a random token; the store keeps only its sha256 (as for
sign-in tokens), so a copy of the database signs no one in, and deleting the row
signs out every copy of the cookie. A session lasts a fixed time from sign-in;
expired rows are deleted whenever a new session starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from paperwire.accounts.models import User
from paperwire.accounts.service import user_of_row
from paperwire.accounts.tokens import hash_token, looks_like_token, new_token
from paperwire.store import sessions
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc


def start_session(store: Store, user_id: int, *, now: datetime, lifetime: timedelta) -> str:
    """A new session for the user; the raw token, for the cookie only."""
    now = naive_utc(now)
    token = new_token()
    with store.writing() as conn:
        sessions.delete_expired_sessions(conn, now=now)
        sessions.insert_session(
            conn, hash_token(token), user_id, now=now, expires_at=now + lifetime
        )
    return token


def session_user(store: Store, token: str, *, now: datetime) -> User | None:
    """The user a session token signs in, or None (unknown, ended or expired)."""
    if not looks_like_token(token):
        return None
    with store.engine.connect() as conn:
        row = sessions.session_user(conn, hash_token(token), now=naive_utc(now))
    return user_of_row(row) if row is not None else None


def end_session(store: Store, token: str) -> None:
    """Sign out one session (every copy of its cookie)."""
    if looks_like_token(token):
        with store.writing() as conn:
            sessions.delete_session(conn, hash_token(token))


def end_all_sessions(store: Store, user_id: int) -> int:
    """Sign the user out everywhere; how many sessions were ended."""
    with store.writing() as conn:
        return sessions.delete_user_sessions(conn, user_id)
