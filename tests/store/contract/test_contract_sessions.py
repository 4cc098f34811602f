"""What every engine's ``store.sessions`` promises: sessions resolve until ended or expired."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from paperwire.store.base import Store
from paperwire.store.interfaces.accounts import User
from paperwire.store.interfaces.sessions import StoredSession

NOW = datetime(2025, 3, 1, 12, 0)
DAY = timedelta(days=1)


def user(store: Store, email: str = "ann@example.org") -> User:
    return store.accounts.record_sign_in(email, now=NOW)


def test_a_session_resolves_to_its_user_until_it_expires(contract_store: Store) -> None:
    sessions = contract_store.sessions
    ann = user(contract_store)
    sessions.create("h1", ann.id, now=NOW, expires_at=NOW + DAY)
    assert sessions.resolve("h1", now=NOW) == ann
    assert sessions.resolve("h1", now=NOW + DAY - timedelta(seconds=1)) == ann
    assert sessions.resolve("h1", now=NOW + DAY) is None, "expires_at itself is too late"
    assert sessions.resolve("h2", now=NOW) is None
    assert sessions.of_user(ann.id) == [StoredSession("h1", ann.id, NOW, NOW + DAY)]


def test_an_ended_session_resolves_to_nothing(contract_store: Store) -> None:
    sessions = contract_store.sessions
    ann = user(contract_store)
    sessions.create("h1", ann.id, now=NOW, expires_at=NOW + DAY)
    sessions.create("h2", ann.id, now=NOW, expires_at=NOW + DAY)
    sessions.end("h1")
    sessions.end("h1")  # again: nothing happens
    assert sessions.resolve("h1", now=NOW) is None
    assert sessions.resolve("h2", now=NOW) == ann


def test_ending_all_sessions_of_one_user(contract_store: Store) -> None:
    sessions = contract_store.sessions
    ann, bob = user(contract_store), user(contract_store, "bob@example.org")
    for name, owner in [("a1", ann), ("a2", ann), ("b1", bob)]:
        sessions.create(name, owner.id, now=NOW, expires_at=NOW + DAY)
    assert sessions.end_all(ann.id) == 2
    assert sessions.end_all(ann.id) == 0
    assert sessions.resolve("a1", now=NOW) is None and sessions.resolve("a2", now=NOW) is None
    assert sessions.resolve("b1", now=NOW) == bob


def test_purging_deletes_the_expired_only(contract_store: Store) -> None:
    sessions = contract_store.sessions
    ann = user(contract_store)
    sessions.create("old", ann.id, now=NOW, expires_at=NOW + DAY)
    sessions.create("new", ann.id, now=NOW + DAY, expires_at=NOW + 2 * DAY)
    assert sessions.purge_expired(now=NOW + DAY - timedelta(seconds=1)) == 0
    assert sessions.purge_expired(now=NOW + DAY) == 1
    assert [session.token_hash for session in sessions.of_user(ann.id)] == ["new"]


def test_sessions_of_a_user_oldest_first(contract_store: Store) -> None:
    sessions = contract_store.sessions
    ann = user(contract_store)
    sessions.create("z-late", ann.id, now=NOW + DAY, expires_at=NOW + 3 * DAY)
    sessions.create("a-early", ann.id, now=NOW, expires_at=NOW + 3 * DAY)
    assert [session.token_hash for session in sessions.of_user(ann.id)] == ["a-early", "z-late"]


def test_a_session_hash_is_unique(contract_store: Store) -> None:
    sessions = contract_store.sessions
    ann, bob = user(contract_store), user(contract_store, "bob@example.org")
    sessions.create("h1", ann.id, now=NOW, expires_at=NOW + DAY)
    with pytest.raises(Exception):  # noqa: B017 (each engine raises its own)
        sessions.create("h1", bob.id, now=NOW, expires_at=NOW + DAY)
    assert sessions.resolve("h1", now=NOW) == ann


def test_a_session_needs_an_existing_user(contract_store: Store) -> None:
    with pytest.raises(Exception):  # noqa: B017 (each engine raises its own)
        contract_store.sessions.create("h1", 12345, now=NOW, expires_at=NOW + DAY)
