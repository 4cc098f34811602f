"""Magic-link sign-in on a real SQLite store."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from paperwire.accounts import (
    InvalidEmail,
    InvalidToken,
    RateLimited,
    get_user_by_email,
    peek_login_token,
    redeem_login_token,
    request_login,
)
from paperwire.accounts.tokens import hash_token
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.interfaces.accounts import LoginToken

NOW = datetime(2025, 3, 1, 12, 0)
DAY = timedelta(days=1)


def test_request_peek_redeem(store: Store) -> None:
    request = request_login(store, "  Ann@Example.org ", now=NOW)
    assert request.user_email == "ann@example.org"
    assert request.expires_at == NOW + timedelta(minutes=15)
    assert get_user_by_email(store, "ann@example.org") is None, "asking creates no account"

    assert peek_login_token(store, request.token, now=NOW) == "ann@example.org"
    assert peek_login_token(store, request.token, now=NOW) == "ann@example.org", "peek is free"

    user = redeem_login_token(store, request.token, now=NOW + timedelta(minutes=1))
    assert user.email == "ann@example.org"
    assert store.accounts.user_by_id(user.id) == user
    assert get_user_by_email(store, "ANN@example.org") == user
    assert store.accounts.user_by_id(user.id + 100) is None


def test_only_the_hash_is_stored(store: Store) -> None:
    request = request_login(store, "ann@example.org", now=NOW)
    stored = store.accounts.login_token(hash_token(request.token))
    assert stored is not None and stored.token_hash == hash_token(request.token)
    assert request.token not in repr(stored)
    assert store.accounts.login_token(request.token) is None


def test_single_use(store: Store) -> None:
    request = request_login(store, "ann@example.org", now=NOW)
    redeem_login_token(store, request.token, now=NOW)
    for attempt in (peek_login_token, redeem_login_token):
        with pytest.raises(InvalidToken, match="already been used"):
            attempt(store, request.token, now=NOW)


def test_expiry_uses_the_setting(store: Store) -> None:
    settings = Settings(login_token_minutes=5)
    request = request_login(store, "ann@example.org", now=NOW, settings=settings)
    assert request.expires_at == NOW + timedelta(minutes=5)
    with pytest.raises(InvalidToken, match="expired"):
        redeem_login_token(store, request.token, now=NOW + timedelta(minutes=5))
    with pytest.raises(InvalidToken, match="expired"):
        peek_login_token(store, request.token, now=NOW + timedelta(minutes=6))


@pytest.mark.parametrize("token", ["", "nope", "x" * 500, "a b", "Zm9v" * 11])
def test_unknown_tokens(store: Store, token: str) -> None:
    with pytest.raises(InvalidToken, match="not valid"):
        redeem_login_token(store, token, now=NOW)


def test_second_sign_in_reuses_the_user(store: Store) -> None:
    first = redeem_login_token(
        store, request_login(store, "ann@example.org", now=NOW).token, now=NOW
    )
    later = NOW + timedelta(days=2)
    second = redeem_login_token(
        store, request_login(store, "Ann@example.org", now=later).token, now=later
    )
    assert second.id == first.id and second.created_at == NOW and second.last_login_at == later


def test_aware_times_are_converted_to_utc(store: Store) -> None:
    aware = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    request = request_login(store, "ann@example.org", now=aware)
    assert request.expires_at == NOW + timedelta(minutes=15)


def test_rate_limit_per_address(store: Store) -> None:
    for minute in range(5):
        request_login(store, "ann@example.org", now=NOW + timedelta(minutes=minute))
    with pytest.raises(RateLimited) as limited:
        request_login(store, "ANN@example.org", now=NOW + timedelta(minutes=10))
    assert limited.value.retry_after_seconds == 50 * 60
    request_login(store, "bob@example.org", now=NOW + timedelta(minutes=10))
    request_login(store, "ann@example.org", now=NOW + timedelta(minutes=60, seconds=1))


def test_invalid_address_is_refused_before_anything_is_stored(store: Store) -> None:
    with pytest.raises(InvalidEmail):
        request_login(store, "ann@example.org\r\nBcc: x@example.org", now=NOW)
    for address in ("ann@example.org", "ann@example.org\r\nbcc: x@example.org"):
        assert requests_of(store, address) == []


def requests_of(store: Store, address: str) -> list[datetime]:
    """When the address's stored tokens were made (through the rate-limit check, which
    sees them and then stores nothing)."""
    seen: list[datetime] = []

    def refuse(times: Sequence[datetime]) -> int:
        seen.extend(times)
        return 1

    probe = LoginToken("probe", address, created_at=NOW, expires_at=NOW)
    assert store.accounts.issue_login_token(probe, requests_since=NOW - DAY, refusal=refuse) == 1
    return seen


def test_old_tokens_are_cleaned_up(store: Store) -> None:
    old = request_login(store, "ann@example.org", now=NOW)
    new = request_login(store, "bob@example.org", now=NOW + timedelta(days=3))
    assert store.accounts.login_token(hash_token(old.token)) is None
    assert store.accounts.login_token(hash_token(new.token)) is not None


def test_concurrent_redemptions_sign_in_once(store: Store) -> None:
    token = request_login(store, "ann@example.org", now=NOW).token
    outcomes: list[str] = []

    def redeem() -> None:
        try:
            redeem_login_token(store, token, now=NOW)
            outcomes.append("ok")
        except InvalidToken:
            outcomes.append("refused")

    threads = [threading.Thread(target=redeem) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert get_user_by_email(store, "ann@example.org") is not None
