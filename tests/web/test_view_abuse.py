"""Buying trending with views: fresh cookies, one IPv4 address, a whole IPv6 /64.

The app sits behind a trusted proxy (127.0.0.1) that names each client in
X-Forwarded-For, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webtools import sign_in, soup

from paperwire import accounts, trending
from paperwire.store.base import Store
from paperwire.store.clock import utcnow

PROXY = ("127.0.0.1", 5000)


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


def behind_proxy(app: FastAPI) -> TestClient:
    return TestClient(app, client=PROXY)


def view_sender(client: TestClient, paper_id: str):  # type: ignore[no-untyped-def]
    """POST the paper's view as a client with no cookie would: a fresh visitor each time
    (the session holds only a CSRF token, never the visitor id the answer sets)."""
    page = soup(client.get(f"/papers/{paper_id}"))
    token = page.select_one('meta[name="csrf-token"]')["content"]
    cookie = client.cookies["pw_session"]

    def send(address: str) -> int:
        client.cookies.clear()
        client.cookies.set("pw_session", cookie)
        response = client.post(
            f"/papers/{paper_id}/view",
            headers={"x-csrf-token": token, "x-forwarded-for": address},
        )
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) > 0
        return response.status_code

    return send


def upvote_top_ten(store: Store) -> list[str]:
    """Ten papers with two upvotes each, given 1 to 19 hours ago; returns their ids."""
    now = utcnow()
    users = [
        accounts.redeem_login_token(
            store, accounts.request_login(store, f"voter{n}@example.org", now=now).token, now=now
        )
        for n in range(2)
    ]
    chosen = [paper.paper_id for paper in store.papers.newest(limit=10)]
    for rank, paper_id in enumerate(chosen):
        for user in users:
            moment = now - timedelta(hours=2 * rank + 1)
            trending.set_mark(store, user.id, paper_id, "upvote", True, now=moment)
    return chosen


def tops(store: Store) -> dict[str, list[str]]:
    trending.refresh_scores(store, now=utcnow())
    return {
        window: [
            entry.paper.paper_id for entry in trending.top(store, window, limit=10, now=utcnow())
        ]
        for window in trending.WINDOWS
    }


@pytest.fixture
def proxied(make_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with behind_proxy(make_app(trusted_proxies="127.0.0.1")) as client:
        yield client


def test_a_thousand_bought_views_leave_every_top_ten_unchanged(proxied: TestClient) -> None:
    store = proxied.app.state.services.store  # type: ignore[attr-defined]
    top_ten = upvote_top_ten(store)
    before = tops(store)
    assert all(sorted(ids) == sorted(top_ten) for ids in before.values())
    target = store.papers.newest(limit=11)[-1].paper_id
    send = view_sender(proxied, target)

    from_one_ipv4 = [send("203.0.113.7") for _ in range(500)]
    from_one_ipv6_64 = [send(f"2001:db8:5:6:{n:x}::1") for n in range(500)]

    assert tops(store) == before
    for statuses in (from_one_ipv4, from_one_ipv6_64):
        assert set(statuses) == {204, 429} and statuses.count(204) == 30  # the default rate
    day = trending.top(store, "day", limit=11, now=utcnow())
    assert day[-1].paper.paper_id == target and day[-1].reason == "6 views today"


def test_views_are_rate_limited_per_network(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(trusted_proxies="127.0.0.1", view_rate_per_minute=2)
    with behind_proxy(app) as client:
        send = view_sender(client, "2401.01234")
        assert [send("203.0.113.7"), send("203.0.113.200")] == [204, 204]
        assert send("203.0.113.9") == 429, "a neighbour in the same /24"
        assert send("2001:db8::1") == 204
        assert send("2001:db8::2") == 204
        assert send("2001:db8::ffff:3") == 429, "the same /64"
        assert send("198.51.100.1") == 204


def test_readers_count_once_each_and_an_office_three_times(  # type: ignore[no-untyped-def]
    make_app, mail_dir: Path
) -> None:
    app = make_app(trusted_proxies="127.0.0.1", view_rate_per_minute=1_000)
    store = app.state.services.store
    with behind_proxy(app) as client:
        send = view_sender(client, "2401.01234")
        assert [send(f"203.0.113.{n}") for n in range(20)] == [204] * 20
    for n in range(4):
        with behind_proxy(app) as reader:
            sign_in(reader, mail_dir, f"reader{n}@example.org")
            send = view_sender(reader, "2401.01234")
            assert send("203.0.113.50") == 204
            assert send("203.0.113.50") == 204  # a reload
    trending.refresh_scores(store, now=utcnow())
    (entry,) = trending.top(store, "day", limit=5, now=utcnow())
    assert entry.reason == "7 views today"  # 3 from the office's visitors, 4 readers
