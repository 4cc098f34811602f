"""Token rules without a database: randomness, hashing, expiry, the sliding rate window."""

from __future__ import annotations

from datetime import datetime, timedelta

from paperwire.accounts.tokens import (
    hash_token,
    looks_like_token,
    new_token,
    retry_after,
    token_problem,
)

NOW = datetime(2025, 3, 1, 12, 0)


def test_tokens_are_random_url_safe_and_hashed() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert len(token) >= 43 and looks_like_token(token)
    assert hash_token(token) == hash_token(token)
    assert len(hash_token(token)) == 64 and token not in hash_token(token)


def test_looks_like_token_refuses_junk() -> None:
    assert not looks_like_token("")
    assert not looks_like_token("a" * 129)
    assert not looks_like_token("abc def")
    assert not looks_like_token("abc%2F")


def test_token_problem() -> None:
    expires = NOW + timedelta(minutes=15)
    assert token_problem(expires, None, NOW) is None
    assert "expired" in (token_problem(expires, None, expires) or "")
    assert "already been used" in (token_problem(expires, NOW, NOW) or "")


def test_retry_after_is_a_sliding_window() -> None:
    def minutes_ago(*values: int) -> list[datetime]:
        return [NOW - timedelta(minutes=value) for value in values]

    assert retry_after([], NOW, limit=5) is None
    assert retry_after(minutes_ago(1, 2, 3, 4), NOW, limit=5) is None
    # Five in the last hour: wait until the oldest (50 minutes ago) leaves the window.
    assert retry_after(minutes_ago(1, 2, 3, 4, 50), NOW, limit=5) == 10 * 60
    # Requests older than the window do not count.
    assert retry_after(minutes_ago(1, 2, 3, 4, 61, 90), NOW, limit=5) is None
    assert retry_after(minutes_ago(0, 0, 0, 0, 0), NOW, limit=5) == 3600
