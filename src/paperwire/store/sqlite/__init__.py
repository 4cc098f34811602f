"""The SQLite engine: connections (``engine``), FTS5 keyword search (``fts``), the
fast-ingest rows (``rows``), backups (``backup``) and the store that plugs them in."""

from __future__ import annotations

from paperwire.store.sqlite.backup import restore_sqlite
from paperwire.store.sqlite.engine import PAGE_SIZE, create_sqlite_engine, sqlite_path
from paperwire.store.sqlite.store import SQLiteStore

__all__ = ["PAGE_SIZE", "SQLiteStore", "create_sqlite_engine", "restore_sqlite", "sqlite_path"]
