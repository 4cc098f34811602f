"""Bulk inserts without per-row SQLAlchemy overhead, with optional ON CONFLICT.

``Connection.execute(insert, rows)`` spends more time building parameters than SQLite
spends writing them. Here the statement is compiled once per table, column set and
conflict rule, and each row goes through the same type processors SQLAlchemy would
apply, straight to the driver. SQLite and PostgreSQL share the ``ON CONFLICT`` syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from paperwire.store.clock import iso_datetime

_DialectInsert = sqlite.Insert | postgresql.Insert
_DIALECT_INSERTS: dict[str, Callable[[sa.Table], _DialectInsert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
_Compiled = tuple[str, list[str], list[Callable[[Any], Any] | None]]
_cache: dict[tuple[str, str, tuple[str, ...], str, tuple[str, ...]], _Compiled] = {}


def dialect_insert(dialect: str, table: sa.Table) -> _DialectInsert:
    """The engine's ``insert(table)``, which has ``on_conflict_do_nothing/_update``."""
    if dialect not in _DIALECT_INSERTS:
        raise NotImplementedError(f"no INSERT ... ON CONFLICT for {dialect}")
    return _DIALECT_INSERTS[dialect](table)


def _statement(dialect: str, table: sa.Table, conflict: str, update: tuple[str, ...]) -> sa.Insert:
    if conflict == "error":
        return table.insert()
    statement = dialect_insert(dialect, table)
    if conflict == "ignore":
        return statement.on_conflict_do_nothing()
    keys = [column.name for column in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in update}
    )


def _processor(
    column_type: sa.types.TypeEngine[Any], dialect: sa.Dialect
) -> Callable[[Any], Any] | None:
    """SQLAlchemy's bind processor for a column, with a C-speed one for SQLite datetimes.

    SQLAlchemy stores SQLite datetimes as ``YYYY-MM-DD HH:MM:SS.ffffff``, which is exactly
    what ``iso_datetime`` writes for the naive datetimes the store keeps.
    """
    if dialect.name == "sqlite" and isinstance(column_type, sa.DateTime):
        return iso_datetime
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _compile(
    conn: sa.Connection,
    table: sa.Table,
    columns: tuple[str, ...],
    conflict: str,
    update: tuple[str, ...],
) -> _Compiled:
    dialect = conn.dialect
    key = (dialect.name, table.name, columns, conflict, update)
    if key not in _cache:
        statement = _statement(dialect.name, table, conflict, update)
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        positions = compiled.positiontup if compiled.positional else None
        order = list(positions) if positions is not None else list(columns)
        processors = [_processor(table.c[name].type, dialect) for name in order]
        _cache[key] = (str(compiled), order, processors)
    return _cache[key]


def insert_many(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: str = "error",
    update: Sequence[str] = (),
) -> None:
    """Insert every row (all with the same keys) in one driver-level executemany.

    ``conflict``: ``error`` (a plain insert), ``ignore`` (keep the stored row) or
    ``update`` (overwrite the ``update`` columns of the row with the same primary key).
    """
    if not rows:
        return
    sql, order, processors = _compile(conn, table, tuple(rows[0]), conflict, tuple(update))
    converted = [(i, p) for i, p in enumerate(processors) if p is not None]
    params: list[Any] = []
    for row in rows:
        values = [row[name] for name in order]
        for i, processor in converted:
            if values[i] is not None:
                values[i] = processor(values[i])
        params.append(tuple(values))
    if not conn.dialect.positional:
        params = [dict(zip(order, values, strict=True)) for values in params]
    conn.exec_driver_sql(sql, params)
