"""SQLite backups and restores with the online backup API (a consistent copy while
others read and write)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from paperwire.files import create_private_file
from paperwire.store.sqlite.engine import BUSY_TIMEOUT_MS, sqlite_path


def backup_sqlite(engine: sa.Engine, destination: Path) -> int:
    """Copy the store at ``engine`` into a new file; the number of papers in the copy."""
    if not create_private_file(destination):
        raise FileExistsError(f"{destination} exists; choose a new file for the backup")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        if not isinstance(source, sqlite3.Connection):
            raise TypeError("not a sqlite3 connection")
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
            return int(target.execute("SELECT count(*) FROM papers").fetchone()[0])
        finally:
            target.close()
    finally:
        raw.close()


def restore_sqlite(source: Path, url: str) -> None:
    """Copy a backup over the store at ``url`` with the online backup API.

    The source is checked first (readable, intact, a paperwire store, at schema
    revisions this release can open), so a wrong file never replaces good data.
    """
    from paperwire.store.migrate import known_revisions  # migrate imports this module

    if not source.is_file():
        raise FileNotFoundError(f"{source}: no such backup file")
    check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
        revisions: set[str] = set()
        if "alembic_version" in tables:
            query = "SELECT version_num FROM alembic_version"
            revisions = {row[0] for row in check.execute(query)}
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{source}: not a SQLite database ({error})") from error
    finally:
        check.close()
    if verdict != "ok":
        raise ValueError(f"{source}: integrity check failed: {verdict}")
    if not {"papers", "alembic_version"} <= tables or not revisions:
        raise ValueError(f"{source}: not a paperwire store (no papers table or schema version)")
    unknown = sorted(revisions - known_revisions())
    if unknown:
        raise ValueError(
            f"{source}: made by a newer paperwire (schema revision {', '.join(unknown)}, "
            "unknown to this release); restore it with the release that made it or a "
            "later one. Nothing was replaced."
        )
    path = sqlite_path(url)
    if path is None:
        raise ValueError("cannot restore into an in-memory database")
    create_private_file(path)
    source_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        page_size = "PRAGMA page_size"
        if source_conn.execute(page_size).fetchone() == target.execute(page_size).fetchone():
            source_conn.backup(target)
        else:
            # The copy takes the backup's page size (stores made since 16 KB pages became
            # the default differ from older backups), which SQLite cannot change in WAL
            # mode; leaving WAL mode needs the store to itself.
            try:
                target.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError as error:
                raise ValueError(f"{path} is in use: stop paperwire, then restore") from error
            source_conn.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source_conn.close()
