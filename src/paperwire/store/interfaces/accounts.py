"""Users (one per email address) and their single-use sign-in tokens.

Addresses reach the store already normalised (``accounts.emails``); the store compares
them as given. Token secrets never reach it: only their sha256 (``accounts.tokens``).
Whether a token has expired, and how many requests an address may make, are rules of
``accounts.tokens``; the store applies them atomically where a race could break them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in identity: one email address."""

    id: int
    email: str
    created_at: datetime
    last_login_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LoginToken:
    """A stored sign-in token: its hash, the address it signs in, and its life."""

    token_hash: str
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


RequestRefusal = Callable[[Sequence[datetime]], int | None]
"""Given the times of an address's recent requests, the seconds to wait, or None."""


class Accounts(Protocol):
    """Users and sign-in tokens. Times are naive UTC."""

    def user_by_id(self, user_id: int) -> User | None: ...

    def user_by_email(self, email: str) -> User | None:
        """The user with exactly this (normalised) address, or None."""

    def record_sign_in(self, email: str, *, now: datetime) -> User:
        """The user with this address, created at ``now`` if there is none, with
        ``last_login_at`` set to ``now``.

        One user per address, also when several processes sign the same new address in
        at once: each gets the same user, none fails.
        """

    def delete_user(self, user_id: int) -> None:
        """Delete a user with everything that names them: marks, sessions and the sign-in
        tokens of their address, in one transaction. Nothing happens for an unknown id."""

    def issue_login_token(
        self, token: LoginToken, *, requests_since: datetime, refusal: RequestRefusal
    ) -> int | None:
        """Store a new token unless ``refusal`` says to wait; None when stored, else the
        seconds to wait (and nothing is stored).

        ``refusal`` sees the ``created_at`` of every token of ``token.email`` created
        after ``requests_since``. The check and the insert are atomic per address:
        concurrent requests for one address see each other, so a limit holds under
        concurrent writers. ``token_hash`` is unique.
        """

    def login_token(self, token_hash: str) -> LoginToken | None:
        """The token with this hash, used or not, expired or not; None if unknown."""

    def consume_login_token(self, token_hash: str, *, now: datetime) -> User | None:
        """Mark an unused token used at ``now`` and sign its address in (as
        :meth:`record_sign_in`), in one transaction; None when the token is unknown or
        already used.

        Of any number of concurrent calls for one token, exactly one gets the user.
        Expiry is not checked here: the caller decides it (``accounts.tokens``).
        """

    def purge_login_tokens(self, *, expired_before: datetime) -> int:
        """Delete tokens (used or not) that expired before this moment; how many."""
