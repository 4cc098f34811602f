"""Users and magic-link sign-in: the rules of ``tokens`` and ``emails`` over ``store.accounts``.

An address becomes a user when its first link is redeemed, so asking for a link
(which anyone can do for any address) creates no account.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

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
from paperwire.store.interfaces.accounts import LoginToken

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
    wait = store.accounts.issue_login_token(
        LoginToken(hash_token(token), address, created_at=now, expires_at=expires_at),
        requests_since=now - RATE_WINDOW,
        refusal=partial(retry_after, now=now, limit=settings.login_requests_per_address),
    )
    if wait is not None:
        raise RateLimited(wait)
    store.accounts.purge_login_tokens(expired_before=now - TOKEN_RETENTION)
    return LoginRequest(user_email=address, token=token, expires_at=expires_at)


def peek_login_token(store: Store, token: str, *, now: datetime) -> str:
    """The address a token would sign in, without using it up (for the confirm page)."""
    return _usable_token(store, token, naive_utc(now)).email


def redeem_login_token(store: Store, token: str, *, now: datetime) -> User:
    """Use up a token and return its user, created on first sign-in (InvalidToken).

    The store marks the token used only if no one has, so of two concurrent
    redemptions one succeeds and the other is told the link was used.
    """
    now = naive_utc(now)
    stored = _usable_token(store, token, now)
    user = store.accounts.consume_login_token(stored.token_hash, now=now)
    if user is None:
        raise InvalidToken(token_problem(stored.expires_at, now, now) or UNKNOWN_TOKEN)
    return user


def ensure_user(store: Store, email: str, *, now: datetime) -> User:
    """The user with this address, created if there is none (InvalidEmail).

    For a caller that has just proven the mailbox another way (a digest confirmation
    link): it counts as a sign-in, so ``last_login_at`` is set.
    """
    return store.accounts.record_sign_in(normalise_email(email), now=naive_utc(now))


def get_user_by_email(store: Store, email: str) -> User | None:
    """The user with this address (any spelling normalise_email accepts), or None."""
    return store.accounts.user_by_email(normalise_email(email))


def _usable_token(store: Store, token: str, now: datetime) -> LoginToken:
    if not looks_like_token(token):
        raise InvalidToken(UNKNOWN_TOKEN)
    stored = store.accounts.login_token(hash_token(token))
    if stored is None:
        raise InvalidToken(UNKNOWN_TOKEN)
    problem = token_problem(stored.expires_at, stored.used_at, now)
    if problem:
        raise InvalidToken(problem)
    return stored
