"""Users and sign-in tokens in SQLAlchemy Core (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from paperwire.store.interfaces.accounts import LoginToken, RequestRefusal, User
from paperwire.store.schema import login_tokens, paper_marks, user_sessions, users
from paperwire.store.sql.dialect import insert_ignoring_duplicates

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore


class SQLAccounts:
    """:class:`~paperwire.store.interfaces.accounts.Accounts` on a :class:`SQLStore`."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def user_by_id(self, user_id: int) -> User | None:
        return self._user_where(users.c.id == user_id)

    def user_by_email(self, email: str) -> User | None:
        return self._user_where(users.c.email == email)

    def record_sign_in(self, email: str, *, now: datetime) -> User:
        with self._store.writing() as conn:
            return _sign_in(conn, email, now)

    def delete_user(self, user_id: int) -> None:
        with self._store.writing() as conn:
            email = conn.execute(sa.select(users.c.email).where(users.c.id == user_id)).scalar()
            if email is None:
                return
            conn.execute(sa.delete(user_sessions).where(user_sessions.c.user_id == user_id))
            conn.execute(sa.delete(paper_marks).where(paper_marks.c.user_id == user_id))
            conn.execute(sa.delete(login_tokens).where(login_tokens.c.email == email))
            conn.execute(sa.delete(users).where(users.c.id == user_id))

    def issue_login_token(
        self, token: LoginToken, *, requests_since: datetime, refusal: RequestRefusal
    ) -> int | None:
        with self._store.writing() as conn:
            self.serialise_requests(conn, token.email)
            recent = conn.execute(
                sa.select(login_tokens.c.created_at).where(
                    login_tokens.c.email == token.email,
                    login_tokens.c.created_at > requests_since,
                )
            ).scalars()
            wait = refusal(list(recent))
            if wait is not None:
                return wait
            conn.execute(
                sa.insert(login_tokens).values(
                    token_hash=token.token_hash,
                    email=token.email,
                    created_at=token.created_at,
                    expires_at=token.expires_at,
                    used_at=token.used_at,
                )
            )
        return None

    def serialise_requests(self, conn: sa.Connection, email: str) -> None:
        """Engine-specific: make concurrent token requests for one address take turns
        within their write transactions. Nothing to do on SQLite, whose write transaction
        (``BEGIN IMMEDIATE``) already holds the database's one write lock; a PostgreSQL
        engine overrides it (``pg_advisory_xact_lock`` on the address's hash)."""

    def login_token(self, token_hash: str) -> LoginToken | None:
        with self._store.engine.connect() as conn:
            row = conn.execute(
                sa.select(login_tokens).where(login_tokens.c.token_hash == token_hash)
            ).first()
        if row is None:
            return None
        return LoginToken(row.token_hash, row.email, row.created_at, row.expires_at, row.used_at)

    def consume_login_token(self, token_hash: str, *, now: datetime) -> User | None:
        unused = sa.and_(login_tokens.c.token_hash == token_hash, login_tokens.c.used_at.is_(None))
        with self._store.writing() as conn:
            email = conn.execute(sa.select(login_tokens.c.email).where(unused)).scalar()
            if email is None:
                return None
            claimed = conn.execute(
                sa.update(login_tokens).where(unused).values(used_at=now)
            ).rowcount
            if claimed != 1:  # another transaction used it first
                return None
            return _sign_in(conn, email, now)

    def purge_login_tokens(self, *, expired_before: datetime) -> int:
        with self._store.writing() as conn:
            deleted: int = conn.execute(
                sa.delete(login_tokens).where(login_tokens.c.expires_at < expired_before)
            ).rowcount
        return deleted

    def _user_where(self, condition: sa.ColumnElement[bool]) -> User | None:
        with self._store.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(condition)).first()
        return user_of_row(row) if row is not None else None


def _sign_in(conn: sa.Connection, email: str, now: datetime) -> User:
    insert_ignoring_duplicates(conn, users, {"email": email, "created_at": now})
    conn.execute(sa.update(users).where(users.c.email == email).values(last_login_at=now))
    return user_of_row(conn.execute(sa.select(users).where(users.c.email == email)).one())


def user_of_row(row: sa.Row[Any]) -> User:
    """A ``users`` row as a User."""
    return User(
        id=row.id, email=row.email, created_at=row.created_at, last_login_at=row.last_login_at
    )
