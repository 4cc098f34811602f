"""Secret key rules, client addresses behind proxies, the rate limiter."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperwire.secret import MissingSecretKey, resolve_secret_key
from paperwire.settings import Settings
from paperwire.web.ratelimit import MemoryRateLimiter
from paperwire.web.security import client_address, parse_networks, tokens_match


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(MissingSecretKey, match="PAPERWIRE_SECRET_KEY"):
        resolve_secret_key(Settings(env="production", data_dir=tmp_path))
    with pytest.raises(MissingSecretKey, match="at least"):
        resolve_secret_key(Settings(env="production", secret_key="short", data_dir=tmp_path))
    key = "k" * 40
    assert resolve_secret_key(Settings(env="production", secret_key=key)) == key


def test_development_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    settings = Settings(env="development", data_dir=tmp_path / "data")
    first = resolve_secret_key(settings)
    assert len(first) >= 32
    assert resolve_secret_key(settings) == first
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    trusted = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address("203.0.113.9", "1.2.3.4", trusted) == "203.0.113.9"
    assert client_address("127.0.0.1", "198.51.100.7", trusted) == "198.51.100.7"
    # A client cannot prepend a fake address: the rightmost untrusted hop wins.
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", trusted) == (
        "198.51.100.7"
    )
    assert client_address("127.0.0.1", "not-an-ip", trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", None, trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "1.2.3.4", []) == "127.0.0.1"


def test_bad_trusted_proxy_setting_is_named() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        parse_networks("10.0.0.1, nonsense")


def test_rate_limiter_windows() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    assert all(limiter.hit("s", "a", limit=3, period=60).allowed for _ in range(3))
    refused = limiter.hit("s", "a", limit=3, period=60)
    assert not refused.allowed and refused.retry_after == 60
    assert limiter.hit("s", "b", limit=3, period=60).allowed
    now[0] = 61.0
    assert limiter.hit("s", "a", limit=3, period=60).allowed


def test_tokens_match() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match(None, None)
    assert not tokens_match("", "")
