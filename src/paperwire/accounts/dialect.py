"""Portable SQL helpers that differ by engine (SQLite now, PostgreSQL later)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from paperwire.store.bulk import dialect_insert


def insert_ignoring_duplicates(
    conn: sa.Connection, table: sa.Table, values: dict[str, Any]
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted.

    Uniqueness is left to the database, so concurrent writers in several processes
    cannot both insert.
    """
    statement = dialect_insert(conn.dialect.name, table).values(values)
    return conn.execute(statement.on_conflict_do_nothing()).rowcount == 1
