"""Signed-in sessions on a real SQLite store: only hashes kept, ended one or all, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from paperwire.accounts import (
    end_session,
    ensure_user,
    session_user,
    start_session,
)
from paperwire.accounts.tokens import hash_token
from paperwire.store.base import Store
from paperwire.store.interfaces.sessions import StoredSession

NOW = datetime(2025, 3, 1, 12, 0)
DAY = timedelta(days=1)


def rows(store: Store, *users: int) -> list[StoredSession]:
    return [session for user in users for session in store.sessions.of_user(user)]


def test_a_session_signs_in_until_it_is_ended(store: Store) -> None:
    ann = ensure_user(store, "ann@example.org", now=NOW)
    token = start_session(store, ann.id, now=NOW, lifetime=30 * DAY)
    assert session_user(store, token, now=NOW + DAY) == ann
    [stored] = rows(store, ann.id)
    assert stored.token_hash == hash_token(token)
    assert token not in repr(stored), "only the hash is stored"
    end_session(store, token)
    assert session_user(store, token, now=NOW + DAY) is None
    assert rows(store, ann.id) == []


def test_ending_all_sessions_of_one_user(store: Store) -> None:
    ann = ensure_user(store, "ann@example.org", now=NOW)
    bob = ensure_user(store, "bob@example.org", now=NOW)
    phone, laptop = (start_session(store, ann.id, now=NOW, lifetime=DAY) for _ in range(2))
    other = start_session(store, bob.id, now=NOW, lifetime=DAY)
    assert store.sessions.end_all(ann.id) == 2
    assert session_user(store, phone, now=NOW) is None
    assert session_user(store, laptop, now=NOW) is None
    assert session_user(store, other, now=NOW) == bob


def test_expired_sessions_sign_no_one_in_and_are_deleted(store: Store) -> None:
    ann = ensure_user(store, "ann@example.org", now=NOW)
    old = start_session(store, ann.id, now=NOW, lifetime=DAY)
    assert session_user(store, old, now=NOW + DAY) is None
    fresh = start_session(store, ann.id, now=NOW + 2 * DAY, lifetime=DAY)
    assert [row.token_hash for row in rows(store, ann.id)] == [hash_token(fresh)]


def test_deleting_a_user_ends_their_sessions(store: Store) -> None:
    ann = ensure_user(store, "ann@example.org", now=NOW)
    token = start_session(store, ann.id, now=NOW, lifetime=DAY)
    store.accounts.delete_user(ann.id)
    assert rows(store, ann.id) == []
    assert session_user(store, token, now=NOW) is None


def test_odd_tokens_are_refused_without_a_lookup(store: Store) -> None:
    for token in ("", "x" * 500, "a b", "%00"):
        assert session_user(store, token, now=NOW) is None
        end_session(store, token)
