"""What the accounts package hands out, and the ways it says no."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperwire.store.interfaces.accounts import User

__all__ = ["InvalidToken", "LoginRequest", "RateLimited", "UnknownUser", "User"]


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """A new sign-in link's secret part. ``token`` is the raw token: mail it, never store it."""

    user_email: str
    token: str
    expires_at: datetime


class InvalidToken(ValueError):
    """A sign-in token that is unknown, expired or used; ``message`` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(Exception):
    """Too many sign-in links for one address; try again after ``retry_after_seconds``."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many sign-in requests; retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class UnknownUser(LookupError):
    """No user has this id."""
