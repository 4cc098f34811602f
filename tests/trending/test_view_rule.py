"""The view rule on the store, without the web layer's rate limit: once per visitor,
at most a few per network, once per signed-in reader (tests/store/test_view_networks.py:
no address in the table)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from paperwire.accounts import User, redeem_login_token, request_login
from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.trending import record_reader_view, record_view

NOW = datetime(2025, 3, 1, 12, 0)
KEY = "test-secret-key-that-is-long-enough-0123456789"
OFFICE = "203.0.113.0/24"


@pytest.fixture
def paper_ids(store: Store) -> list[str]:
    store.papers.upsert(
        [
            PaperRecord(source="arxiv", title=f"Paper {i}", arxiv_id=f"2502.0000{i}", published=NOW)
            for i in (1, 2)
        ]
    )
    return [store.papers.get(f"2502.0000{i}").paper_id for i in (1, 2)]


def anonymous(store: Store, paper_id: str, visitor: str, network: str, now: datetime) -> bool:
    return record_view(
        store, paper_id, visitor, network=network, secret_key=KEY, network_cap=3, now=now
    )


def reader(store: Store, email: str) -> User:
    return redeem_login_token(store, request_login(store, email, now=NOW).token, now=NOW)


def test_fresh_cookies_from_one_network_count_three_times_a_day(
    store: Store, paper_ids: list[str]
) -> None:
    first, second = paper_ids
    counted = [anonymous(store, first, f"fresh-cookie-{n:04d}", OFFICE, NOW) for n in range(500)]
    assert counted == [True] * 3 + [False] * 497
    assert anonymous(store, second, "fresh-cookie-0500", OFFICE, NOW), "per paper"
    assert anonymous(store, first, "fresh-cookie-0501", "2001:db8:1:2::/64", NOW), "per network"
    tomorrow = datetime(2025, 3, 2, 0, 1)
    assert anonymous(store, first, "fresh-cookie-0502", OFFICE, tomorrow), "per UTC day"
    assert not anonymous(store, first, "fresh-cookie-0000", "2001:db8:9::/64", NOW), "per visitor"
    assert len(store.attention.view_hours_since(0)) == 6, "views over the cap are not stored"


def test_signed_in_readers_count_once_each_outside_the_network_cap(
    store: Store, paper_ids: list[str]
) -> None:
    paper_id = paper_ids[0]
    for n in range(3):
        assert anonymous(store, paper_id, f"visitor-{n:04d}", OFFICE, NOW)
    readers = [reader(store, f"reader{n}@example.org") for n in range(5)]
    assert all(record_reader_view(store, paper_id, user.id, now=NOW) for user in readers)
    assert not record_reader_view(store, paper_id, readers[0].id, now=NOW + timedelta(hours=1))
    assert record_reader_view(store, paper_id, readers[0].id, now=NOW + timedelta(days=1))
