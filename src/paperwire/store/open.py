"""Opening the store a URL names, migrated to the current schema."""

from __future__ import annotations

from paperwire.store.base import Store
from paperwire.store.migrate import upgrade
from paperwire.store.sqlite.engine import create_sqlite_engine
from paperwire.store.sqlite.store import SQLiteStore


class UnsupportedDatabase(ValueError):
    pass


def open_store(url: str, *, migrate: bool = True) -> Store:
    """The store at ``url``; pending migrations are applied first (under a lock)."""
    if url.startswith("sqlite"):
        store = SQLiteStore(create_sqlite_engine(url))
    else:
        scheme = url.split(":", 1)[0]
        raise UnsupportedDatabase(
            f"unsupported PAPERWIRE_DATABASE_URL scheme {scheme!r}: use sqlite:///PATH"
        )
    if migrate:
        upgrade(store.engine)
    return store
