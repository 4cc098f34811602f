"""The SQLAlchemy Core implementation of :class:`~paperwire.store.base.Store`.

One module per interface (``papers``, ``vectors``, ``accounts``, ``deliveries`` ...), in
SQL that runs on SQLite and PostgreSQL alike. Engine-specific pieces (how a write
transaction begins, how new row ids are handed out, month formatting, the keyword index,
a fast insert path, backups) are small hooks that an engine's subclass fills in.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.sql.accounts import SQLAccounts
from paperwire.store.sql.attention import SQLAttention
from paperwire.store.sql.deliveries import SQLDeliveries
from paperwire.store.sql.digest_sources import SQLDigestSources
from paperwire.store.sql.harvest_state import SQLHarvestState
from paperwire.store.sql.papers import SQLPapers
from paperwire.store.sql.sessions import SQLSessions
from paperwire.store.sql.subscriptions import SQLSubscriptions
from paperwire.store.sql.trending import SQLTrendingScores
from paperwire.store.sql.vectors import SQLVectors
from paperwire.store.sql.workers import SQLWorkers
from paperwire.store.upsert import FastInsert


class SQLStore(Store):
    """The store on any SQLAlchemy engine; subclasses provide the engine-specific hooks
    and the keyword search."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)
        self.papers = SQLPapers(self)
        self.vectors = SQLVectors(self)
        self.harvest_state = SQLHarvestState(self)
        self.accounts = SQLAccounts(self)
        self.sessions = SQLSessions(self)
        self.workers = SQLWorkers(self)
        self.subscriptions = SQLSubscriptions(self)
        self.deliveries = SQLDeliveries(self)
        self.digest_sources = SQLDigestSources(self)
        self.attention = SQLAttention(self)
        self.trending = SQLTrendingScores(self)

    # Engine-specific hooks -------------------------------------------------------

    def writing(self) -> AbstractContextManager[sa.Connection]:
        """A connection in a write transaction, committed on success."""
        return self.engine.begin()

    def month_of(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
        """``YYYY-MM`` of a datetime column."""
        raise NotImplementedError

    def allocate_paper_ids(self, conn: sa.Connection, count: int) -> range:
        """``count`` new row ids for papers, ascending, inside the write transaction
        ``conn``; unique even with concurrent writers (an engine with a sequence takes
        them from it)."""
        raise NotImplementedError

    def index_new_papers(self, conn: sa.Connection, rows: list[tuple[int, str, str, str]]) -> None:
        """Add new papers (row id, title, abstract, authors as JSON text) to an engine's
        keyword index, in the writing transaction (nothing to do for an index that
        follows the table by itself)."""

    def row_preparer(self) -> Callable[[PaperRecord], object] | None:
        """The engine's pure function that readies records ahead of the write."""
        return None

    def fast_insert(self) -> FastInsert[Any] | None:
        """The engine's fast path for records prepared by ``row_preparer``."""
        return None

    def schema_revisions(self) -> set[str]:
        from paperwire.store.migrate import current_revisions  # migrate imports the engine

        return current_revisions(self.engine)

    def close(self) -> None:
        self.engine.dispose()
