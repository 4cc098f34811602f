"""Signed-in sessions: one per cookie, named by the sha256 of the cookie's token.

A session lives until it is ended or until its ``expires_at`` (decided by the caller
at creation); deleting it signs out every copy of its cookie.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from paperwire.store.interfaces.accounts import User


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as stored (the token itself never is)."""

    token_hash: str
    user_id: int
    created_at: datetime
    expires_at: datetime


class Sessions(Protocol):
    """Sessions of users. Times are naive UTC."""

    def create(self, token_hash: str, user_id: int, *, now: datetime, expires_at: datetime) -> None:
        """Store a new session. ``token_hash`` is unique (a reused one is an error); the
        user must exist, and deleting the user deletes their sessions."""

    def resolve(self, token_hash: str, *, now: datetime) -> User | None:
        """The user of the session, if it exists and ``now < expires_at``; else None."""

    def of_user(self, user_id: int) -> list[StoredSession]:
        """Every stored session of one user (expired ones too, until purged), oldest
        first."""

    def end(self, token_hash: str) -> None:
        """Delete one session; nothing happens if there is none."""

    def end_all(self, user_id: int) -> int:
        """Delete every session of one user; how many there were."""

    def purge_expired(self, *, now: datetime) -> int:
        """Delete the sessions with ``expires_at <= now``; how many."""
