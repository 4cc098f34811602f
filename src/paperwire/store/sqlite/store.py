"""The SQLite store: the engine-neutral store with SQLite's own parts plugged in."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from paperwire.records import PaperRecord
from paperwire.store.schema import papers
from paperwire.store.sql import SQLStore
from paperwire.store.sqlite.backup import backup_sqlite, restore_sqlite
from paperwire.store.sqlite.engine import WRITE_CACHE_KIB
from paperwire.store.sqlite.fts import SQLiteKeywordSearch, index_new_papers
from paperwire.store.sqlite.rows import NewPaperRows, SQLiteFastInsert, prepare


class SQLiteStore(SQLStore):
    """The embedded default: one SQLite file in WAL mode."""

    def __init__(self, engine: sa.Engine) -> None:
        super().__init__(engine)
        self.keyword = SQLiteKeywordSearch(engine)

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A write transaction, begun IMMEDIATE, on a connection with a larger page cache:
        a batch of 1,000 papers dirties several MB, and SQLite's default 2 MB would spill
        them into the WAL mid-transaction and write many pages twice."""
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            driver = conn.connection.driver_connection
            if isinstance(driver, sqlite3.Connection):
                driver.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
            with conn.begin():
                yield conn

    def row_preparer(self) -> Callable[[PaperRecord], NewPaperRows | PaperRecord]:
        return prepare

    def fast_insert(self) -> SQLiteFastInsert:
        return SQLiteFastInsert()

    def month_of(self, column: sa.ColumnElement[object]) -> sa.ColumnElement[str]:
        return sa.func.strftime("%Y-%m", column)

    def allocate_paper_ids(self, conn: sa.Connection, count: int) -> range:
        """The ids after the largest stored one. Safe with concurrent writers because
        every write transaction begins IMMEDIATE (``writing``): it holds SQLite's only
        write lock from its first statement to its commit, so no other writer can insert
        in between. Given rather than read back, so the fast path can insert its tuples."""
        last = conn.execute(sa.select(sa.func.max(papers.c.id))).scalar() or 0
        return range(last + 1, last + 1 + count)

    def index_new_papers(self, conn: sa.Connection, rows: list[tuple[int, str, str, str]]) -> None:
        index_new_papers(conn, rows)

    def backup(self, destination: Path) -> int:
        """SQLite's online backup API: a consistent copy while others read and write.
        Returns the number of papers in the copy."""
        return backup_sqlite(self.engine, destination)

    def restore(self, source: Path) -> None:
        """:func:`restore_sqlite` over this store's file, then the migrations. The
        store's own idle connections are closed first: a backup with another page size
        needs the file to itself."""
        from paperwire.store.migrate import upgrade  # migrate imports the engine module

        self.engine.dispose()
        restore_sqlite(source, self.engine.url.render_as_string(hide_password=False))
        upgrade(self.engine)
