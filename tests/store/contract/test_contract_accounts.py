"""What every engine's ``store.accounts`` promises: one user per address, tokens used once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest

from paperwire.store.base import Store
from paperwire.store.interfaces.accounts import LoginToken, User

NOW = datetime(2025, 3, 1, 12, 0)
HOUR = timedelta(hours=1)


def never(_: Sequence[datetime]) -> None:
    return None


def token(name: str, email: str = "ann@example.org", at: datetime = NOW) -> LoginToken:
    return LoginToken(name * 4, email, created_at=at, expires_at=at + HOUR)


def all_at_once(count: int, work: Callable[[], object]) -> list[object]:
    """Run ``work`` in ``count`` threads released together; their results."""
    barrier = threading.Barrier(count)
    results: list[object] = []

    def run() -> None:
        barrier.wait()
        results.append(work())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_signing_in_creates_the_user_once_and_updates_the_last_sign_in(
    contract_store: Store,
) -> None:
    accounts = contract_store.accounts
    assert accounts.user_by_email("ann@example.org") is None
    first = accounts.record_sign_in("ann@example.org", now=NOW)
    assert first == User(first.id, "ann@example.org", NOW, NOW)
    later = accounts.record_sign_in("ann@example.org", now=NOW + HOUR)
    assert later == User(first.id, "ann@example.org", NOW, NOW + HOUR)
    assert accounts.user_by_id(first.id) == later
    assert accounts.user_by_email("ann@example.org") == later
    assert accounts.user_by_id(first.id + 1000) is None
    assert accounts.record_sign_in("bob@example.org", now=NOW).id != first.id


def test_concurrent_first_sign_ins_make_one_user(contract_store: Store) -> None:
    users = all_at_once(
        8, lambda: contract_store.accounts.record_sign_in("ann@example.org", now=NOW)
    )
    assert len({user.id for user in users if isinstance(user, User)}) == 1
    assert len(users) == 8


def test_a_token_is_found_by_its_hash_only(contract_store: Store) -> None:
    accounts = contract_store.accounts
    stored = token("a")
    assert accounts.issue_login_token(stored, requests_since=NOW - HOUR, refusal=never) is None
    assert accounts.login_token("aaaa") == stored
    assert accounts.login_token("bbbb") is None
    assert accounts.user_by_email("ann@example.org") is None, "asking creates no user"


def test_a_token_hash_is_unique(contract_store: Store) -> None:
    accounts = contract_store.accounts
    accounts.issue_login_token(token("a"), requests_since=NOW - HOUR, refusal=never)
    with pytest.raises(Exception):  # noqa: B017 (each engine raises its own)
        accounts.issue_login_token(
            token("a", "bob@example.org"), requests_since=NOW - HOUR, refusal=never
        )
    assert accounts.login_token("aaaa") == token("a")


def test_the_refusal_sees_the_addresses_requests_in_the_window(contract_store: Store) -> None:
    accounts = contract_store.accounts
    for name, email, at in [
        ("a", "ann@example.org", NOW - 2 * HOUR),
        ("b", "ann@example.org", NOW - HOUR / 2),
        ("c", "bob@example.org", NOW - HOUR / 2),
    ]:
        accounts.issue_login_token(token(name, email, at), requests_since=at, refusal=never)
    seen: list[datetime] = []

    def refuse(times: Sequence[datetime]) -> int:
        seen.extend(times)
        return 42

    refused = accounts.issue_login_token(token("d"), requests_since=NOW - HOUR, refusal=refuse)
    assert refused == 42
    assert seen == [NOW - HOUR / 2]
    assert accounts.login_token("dddd") is None, "a refused request stores nothing"


def test_a_limit_holds_under_concurrent_requests(contract_store: Store) -> None:
    names = iter("abcdefgh")
    lock = threading.Lock()

    def request() -> int | None:
        with lock:
            name = next(names)
        return contract_store.accounts.issue_login_token(
            token(name),
            requests_since=NOW - HOUR,
            refusal=lambda times: 60 if len(times) >= 3 else None,
        )

    outcomes = all_at_once(8, request)
    assert sorted(outcomes, key=str) == [60] * 5 + [None] * 3


def test_a_token_is_consumed_once(contract_store: Store) -> None:
    accounts = contract_store.accounts
    accounts.issue_login_token(token("a"), requests_since=NOW - HOUR, refusal=never)
    user = accounts.consume_login_token("aaaa", now=NOW)
    assert user is not None and user.email == "ann@example.org" and user.last_login_at == NOW
    assert accounts.consume_login_token("aaaa", now=NOW) is None
    assert accounts.login_token("aaaa") == LoginToken(
        "aaaa", "ann@example.org", NOW, NOW + HOUR, used_at=NOW
    )
    assert accounts.consume_login_token("zzzz", now=NOW) is None


def test_a_token_consumed_from_many_threads_signs_in_once(contract_store: Store) -> None:
    accounts = contract_store.accounts
    accounts.issue_login_token(token("a"), requests_since=NOW - HOUR, refusal=never)
    outcomes = all_at_once(8, lambda: accounts.consume_login_token("aaaa", now=NOW))
    assert [outcome for outcome in outcomes if outcome is not None] == [
        accounts.user_by_email("ann@example.org")
    ]


def test_consuming_leaves_expiry_to_the_caller(contract_store: Store) -> None:
    accounts = contract_store.accounts
    accounts.issue_login_token(token("a"), requests_since=NOW - HOUR, refusal=never)
    assert accounts.consume_login_token("aaaa", now=NOW + 2 * HOUR) is not None


def test_purging_deletes_only_tokens_expired_before_the_moment(contract_store: Store) -> None:
    accounts = contract_store.accounts
    accounts.issue_login_token(token("a", at=NOW), requests_since=NOW, refusal=never)
    accounts.issue_login_token(token("b", at=NOW + HOUR), requests_since=NOW, refusal=never)
    assert accounts.purge_login_tokens(expired_before=NOW + HOUR) == 0, "expiry itself stays"
    assert accounts.purge_login_tokens(expired_before=NOW + 90 * timedelta(minutes=1)) == 1
    assert accounts.login_token("aaaa") is None
    assert accounts.login_token("bbbb") is not None


def test_deleting_a_user_deletes_their_sessions_and_tokens_only(contract_store: Store) -> None:
    accounts = contract_store.accounts
    for name, email in [("a", "ann@example.org"), ("b", "bob@example.org")]:
        accounts.issue_login_token(token(name, email), requests_since=NOW, refusal=never)
    ann = accounts.record_sign_in("ann@example.org", now=NOW)
    bob = accounts.record_sign_in("bob@example.org", now=NOW)
    contract_store.sessions.create("s-ann", ann.id, now=NOW, expires_at=NOW + HOUR)
    contract_store.sessions.create("s-bob", bob.id, now=NOW, expires_at=NOW + HOUR)

    accounts.delete_user(ann.id)
    accounts.delete_user(ann.id)  # again: nothing happens
    assert accounts.user_by_id(ann.id) is None
    assert accounts.login_token("aaaa") is None
    assert contract_store.sessions.of_user(ann.id) == []
    assert accounts.user_by_id(bob.id) == bob
    assert accounts.login_token("bbbb") is not None
    assert contract_store.sessions.resolve("s-bob", now=NOW) == bob
