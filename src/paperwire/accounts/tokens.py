"""Sign-in token rules, without I/O: making, hashing, checking, rate-limiting.

Only a token's sha256 is stored, so a copy of the database cannot sign anyone in.
A token carries 256 random bits, so a plain (unsalted) hash is enough: there is no
dictionary to try.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

TOKEN_BYTES = 32
RATE_WINDOW = timedelta(hours=1)
MAX_TOKEN_LENGTH = 128


def new_token() -> str:
    """A fresh URL-safe token (43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What is stored and looked up: the token's sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    """Cheap refusal of input that cannot be one of ours (empty, huge, odd characters)."""
    return 0 < len(token) <= MAX_TOKEN_LENGTH and all(
        char.isascii() and (char.isalnum() or char in "-_") for char in token
    )


def token_problem(expires_at: datetime, used_at: datetime | None, now: datetime) -> str | None:
    """Why a stored token cannot sign in now, as a message for the user; None when it can."""
    if used_at is not None:
        return "This sign-in link has already been used. Ask for a new one."
    if now >= expires_at:
        return "This sign-in link has expired. Ask for a new one."
    return None


UNKNOWN_TOKEN = (
    "This sign-in link is not valid. Check that you copied all of it, or ask for a new one."
)


def retry_after(
    requested_at: Iterable[datetime], now: datetime, *, limit: int, window: timedelta = RATE_WINDOW
) -> int | None:
    """Seconds to wait before another request is allowed, or None when one is allowed now.

    A sliding window: at most ``limit`` requests in any ``window``; the wait ends when
    the oldest request in the window leaves it.
    """
    recent = sorted(moment for moment in requested_at if now - window < moment <= now)
    if len(recent) < limit:
        return None
    frees_at = recent[len(recent) - limit] + window
    return max(1, int((frees_at - now).total_seconds() + 0.999))
