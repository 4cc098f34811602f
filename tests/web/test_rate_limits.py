"""Rate limits: which key a client address counts under, and a bounded table that
forgets idle clients rather than every client at once."""

from __future__ import annotations

from fastapi.testclient import TestClient

from paperwire.web.networks import client_key, view_network
from paperwire.web.ratelimit import MemoryRateLimiter


def test_ipv4_is_keyed_by_address_and_ipv6_by_its_64() -> None:
    assert client_key("203.0.113.7") == "203.0.113.7"
    assert client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:203.0.113.7") == "203.0.113.7", "IPv4-mapped is IPv4"
    assert client_key("fe80::1%eth0") == "fe80::/64"
    assert client_key("testclient") == "testclient"


def test_views_count_ipv4_by_24_and_ipv6_by_64() -> None:
    assert view_network("203.0.113.7") == view_network("203.0.113.250") == "203.0.113.0/24"
    assert view_network("203.0.114.7") == "203.0.114.0/24"
    assert view_network("::ffff:203.0.113.9") == "203.0.113.0/24"
    assert view_network("2001:db8:1:2::1") == view_network("2001:db8:1:2:ffff::9")
    assert view_network("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert view_network("::1") == "::/64", "not mistaken for an IPv4 address"
    assert view_network("unknown") == "unknown"


def test_a_full_table_forgets_the_least_recently_used_client_only() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0], max_keys=3)
    assert limiter.hit("s", "abuser", limit=1, period=60).allowed
    assert limiter.hit("s", "idle", limit=1, period=60).allowed
    assert limiter.hit("s", "reader", limit=1, period=60).allowed
    now[0] = 1.0
    assert not limiter.hit("s", "abuser", limit=1, period=60).allowed  # still at it
    for number in range(50):  # new keys fill the table over and over
        assert limiter.hit("s", f"new-{number}", limit=1, period=60).allowed
        assert not limiter.hit("s", "abuser", limit=1, period=60).allowed
    assert len(limiter) == 3
    # The idle clients were forgotten (their next request starts a new window).
    assert limiter.hit("s", "idle", limit=1, period=60).allowed


def test_an_ipv6_client_cannot_escape_a_limit_by_changing_address(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(search_rate_per_minute=1, trusted_proxies="127.0.0.1")
    with TestClient(app, client=("127.0.0.1", 5000)) as client:

        def search(address: str) -> int:
            headers = {"x-forwarded-for": address}
            response = client.get("/api/v1/search", params={"q": "model"}, headers=headers)
            return response.status_code

        assert search("2001:db8:1:2::1") == 200
        assert search("2001:db8:1:2:9999::2") == 429, "same /64"
        assert search("2001:db8:1:3::1") == 200, "another /64"
        assert search("::ffff:198.51.100.1") == 200
        assert search("198.51.100.1") == 429, "the same IPv4 client"
