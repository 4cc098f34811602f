"""Signed-in sessions: started at sign-in, ended by signing out (here or everywhere).

The session cookie carries a random token; the store keeps only its sha256 (as for
sign-in tokens), so a copy of the database signs no one in, and deleting the row
signs out every copy of the cookie. A session lasts a fixed time from sign-in;
expired rows are deleted whenever a new session starts. Signing out everywhere is
``store.sessions.end_all``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from paperwire.accounts.models import User
from paperwire.accounts.tokens import hash_token, looks_like_token, new_token
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc


def start_session(store: Store, user_id: int, *, now: datetime, lifetime: timedelta) -> str:
    """A new session for the user; the raw token, for the cookie only."""
    now = naive_utc(now)
    token = new_token()
    store.sessions.purge_expired(now=now)
    store.sessions.create(hash_token(token), user_id, now=now, expires_at=now + lifetime)
    return token


def session_user(store: Store, token: str, *, now: datetime) -> User | None:
    """The user a session token signs in, or None (unknown, ended or expired)."""
    if not looks_like_token(token):
        return None
    return store.sessions.resolve(hash_token(token), now=naive_utc(now))


def end_session(store: Store, token: str) -> None:
    """Sign out one session (every copy of its cookie)."""
    if looks_like_token(token):
        store.sessions.end(hash_token(token))
