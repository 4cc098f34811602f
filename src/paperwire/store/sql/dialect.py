"""SQL that differs by engine, written once for the engines SQLAlchemy can phrase alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from paperwire.store.bulk import dialect_insert


def insert_ignoring_duplicates(
    conn: sa.Connection, table: sa.Table, values: Mapping[str, object]
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted.

    Uniqueness is left to the database, so concurrent writers in several processes
    cannot both insert.
    """
    statement = dialect_insert(conn.dialect.name, table).values(dict(values))
    inserted: int = conn.execute(statement.on_conflict_do_nothing()).rowcount
    return inserted == 1


def upsert_row(
    conn: sa.Connection, table: sa.Table, values: Mapping[str, object], update: Sequence[str]
) -> None:
    """INSERT, or on a primary-key conflict UPDATE the ``update`` columns to the new values:
    one statement, so concurrent writers never fail on the key."""
    statement = dialect_insert(conn.dialect.name, table).values(dict(values))
    keys = [column.name for column in table.primary_key.columns]
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=keys, set_={name: statement.excluded[name] for name in update}
        )
    )
