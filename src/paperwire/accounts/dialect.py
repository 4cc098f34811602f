"""Portable SQL helpers that differ by engine (SQLite now, PostgreSQL later)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(
    conn: sa.Connection, table: sa.Table, values: dict[str, Any]
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted.

    Uniqueness is left to the database, so concurrent writers in several processes
    cannot both insert.
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite.insert(table).values(values).on_conflict_do_nothing()
    elif dialect == "postgresql":
        statement = postgresql.insert(table).values(values).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"no insert-or-ignore for {dialect}")
    return conn.execute(statement).rowcount == 1
