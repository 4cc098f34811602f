"""Users and magic-link sign-in on the store (SQLAlchemy Core, one transaction each).

An address becomes a user when its first link is redeemed, so asking for a link
(which anyone can do for any address) creates no account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from paperwire.accounts.dialect import insert_ignoring_duplicates
from paperwire.accounts.emails import normalise_email
from paperwire.accounts.models import InvalidToken, LoginRequest, RateLimited, User
from paperwire.accounts.tokens import (
    RATE_WINDOW,
    UNKNOWN_TOKEN,
    hash_token,
    looks_like_token,
    new_token,
    retry_after,
    token_problem,
)
from paperwire.settings import Settings, get_settings
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.schema import login_tokens, paper_marks, users
from paperwire.store.sessions import delete_user_sessions

# Used and expired tokens are kept this long (for the rate limit and for clear
# "already used" messages), then deleted by later requests.
TOKEN_RETENTION = timedelta(days=1)


def request_login(
    store: Store, email: str, *, now: datetime, settings: Settings | None = None
) -> LoginRequest:
    """A new single-use sign-in token for ``email`` (InvalidEmail, RateLimited)."""
    settings = settings or get_settings()
    address = normalise_email(email)
    now = naive_utc(now)
    token = new_token()
    expires_at = now + timedelta(minutes=settings.login_token_minutes)
    with store.writing() as conn:
        recent = conn.execute(
            sa.select(login_tokens.c.created_at).where(
                login_tokens.c.email == address,
                login_tokens.c.created_at > now - RATE_WINDOW,
            )
        ).scalars()
        wait = retry_after(recent, now, limit=settings.login_requests_per_address)
        if wait is not None:
            raise RateLimited(wait)
        conn.execute(
            sa.delete(login_tokens).where(login_tokens.c.expires_at < now - TOKEN_RETENTION)
        )
        conn.execute(
            sa.insert(login_tokens).values(
                token_hash=hash_token(token), email=address, created_at=now, expires_at=expires_at
            )
        )
    return LoginRequest(user_email=address, token=token, expires_at=expires_at)


def peek_login_token(store: Store, token: str, *, now: datetime) -> str:
    """The address a token would sign in, without using it up (for the confirm page)."""
    with store.engine.connect() as conn:
        row = _usable_token(conn, token, naive_utc(now))
    return str(row.email)


def redeem_login_token(store: Store, token: str, *, now: datetime) -> User:
    """Use up a token and return its user, created on first sign-in (InvalidToken).

    The token is marked used by a conditional UPDATE in the same transaction that
    reads it, so two concurrent redemptions cannot both succeed.
    """
    now = naive_utc(now)
    with store.writing() as conn:
        row = _usable_token(conn, token, now)
        claimed = conn.execute(
            sa.update(login_tokens)
            .where(login_tokens.c.id == row.id, login_tokens.c.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        if claimed != 1:
            raise InvalidToken(token_problem(row.expires_at, now, now) or UNKNOWN_TOKEN)
        insert_ignoring_duplicates(conn, users, {"email": row.email, "created_at": now})
        conn.execute(sa.update(users).where(users.c.email == row.email).values(last_login_at=now))
        user = conn.execute(sa.select(users).where(users.c.email == row.email)).one()
    return user_of_row(user)


def ensure_user(store: Store, email: str, *, now: datetime) -> User:
    """The user with this address, created if there is none (InvalidEmail).

    For a caller that has just proven the mailbox another way (a digest confirmation
    link): it counts as a sign-in, so ``last_login_at`` is set.
    """
    address = normalise_email(email)
    now = naive_utc(now)
    with store.writing() as conn:
        insert_ignoring_duplicates(conn, users, {"email": address, "created_at": now})
        conn.execute(sa.update(users).where(users.c.email == address).values(last_login_at=now))
        row = conn.execute(sa.select(users).where(users.c.email == address)).one()
    return user_of_row(row)


def delete_user(store: Store, user: User) -> None:
    """Delete an account with its marks, sessions and sign-in tokens (which hold the address)."""
    with store.writing() as conn:
        delete_user_sessions(conn, user.id)
        conn.execute(sa.delete(paper_marks).where(paper_marks.c.user_id == user.id))
        conn.execute(sa.delete(login_tokens).where(login_tokens.c.email == user.email))
        conn.execute(sa.delete(users).where(users.c.id == user.id))


def get_user(store: Store, user_id: int) -> User | None:
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return user_of_row(row) if row else None


def get_user_by_email(store: Store, email: str) -> User | None:
    """The user with this address (any spelling normalise_email accepts), or None."""
    address = normalise_email(email)
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.email == address)).first()
    return user_of_row(row) if row else None


def _usable_token(conn: sa.Connection, token: str, now: datetime) -> Any:
    if not looks_like_token(token):
        raise InvalidToken(UNKNOWN_TOKEN)
    row = conn.execute(
        sa.select(login_tokens).where(login_tokens.c.token_hash == hash_token(token))
    ).first()
    if row is None:
        raise InvalidToken(UNKNOWN_TOKEN)
    problem = token_problem(row.expires_at, row.used_at, now)
    if problem:
        raise InvalidToken(problem)
    return row


def user_of_row(row: Any) -> User:
    """A ``users`` row as a User."""
    return User(
        id=row.id, email=row.email, created_at=row.created_at, last_login_at=row.last_login_at
    )
