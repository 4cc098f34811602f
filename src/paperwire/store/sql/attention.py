"""Views and marks in SQL that runs on SQLite and PostgreSQL alike
(:class:`~paperwire.store.interfaces.attention.Attention`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from paperwire.store.bulk import dialect_insert
from paperwire.store.interfaces.attention import (
    MarkColumns,
    MarkingUserNotFound,
    MetricObservation,
    UpvoteCount,
)
from paperwire.store.schema import paper_marks, paper_metrics, paper_views, papers, users

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore


def _insert_ignoring_duplicates(
    conn: sa.Connection, table: sa.Table, values: Mapping[str, object]
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING (the same syntax on SQLite and PostgreSQL);
    True when the row was inserted. The unique key decides, so concurrent writers in
    several processes cannot both insert."""
    statement = dialect_insert(conn.dialect.name, table).values(dict(values))
    return bool(conn.execute(statement.on_conflict_do_nothing()).rowcount == 1)


class SQLAttention:
    def __init__(self, store: SQLStore) -> None:
        self._store = store

    # Views ------------------------------------------------------------------------

    def add_view(self, paper_row_id: int, visitor_id: str, *, day: date, hour: int) -> bool:
        row = {"paper_id": paper_row_id, "visitor_id": visitor_id, "day": day, "hour": hour}
        with self._store.writing() as conn:
            return _insert_ignoring_duplicates(conn, paper_views, row)

    def add_network_view(
        self,
        paper_row_id: int,
        visitor_id: str,
        *,
        day: date,
        hour: int,
        network: str,
        network_cap: int,
    ) -> bool:
        seen = sa.select(sa.literal(1)).where(
            paper_views.c.paper_id == paper_row_id,
            paper_views.c.visitor_id == visitor_id,
            paper_views.c.day == day,
        )
        from_network = sa.select(sa.func.count()).where(
            paper_views.c.paper_id == paper_row_id,
            paper_views.c.day == day,
            paper_views.c.network == network,
        )
        row = {
            "paper_id": paper_row_id,
            "visitor_id": visitor_id,
            "day": day,
            "hour": hour,
            "network": network,
        }
        with self._store.writing() as conn:
            if conn.execute(seen).first() is not None:
                return False
            self.lock_network_quota(conn, paper_row_id, day, network)
            if conn.execute(from_network).scalar_one() >= network_cap:
                return False
            return _insert_ignoring_duplicates(conn, paper_views, row)

    def lock_network_quota(
        self, conn: sa.Connection, paper_row_id: int, day: date, network: str
    ) -> None:
        """Engine-specific: hold, until the transaction ends, a lock that serialises the
        count-then-insert of views of one paper, day and network.

        Nothing to do on SQLite, whose write transactions are serialised as a whole
        (``BEGIN IMMEDIATE``). An engine with concurrent write transactions (PostgreSQL)
        overrides this, e.g. with ``pg_advisory_xact_lock`` on a hash of the three.
        """

    # Marks ------------------------------------------------------------------------

    def set_mark(self, user_id: int, paper_row_id: int, kind: str, *, at: datetime) -> bool:
        row = {"user_id": user_id, "paper_id": paper_row_id, "kind": kind, "created_at": at}
        with self._store.writing() as conn:
            _require_user(conn, user_id)
            return _insert_ignoring_duplicates(conn, paper_marks, row)

    def unset_mark(self, user_id: int, paper_row_id: int, kind: str) -> bool:
        delete = sa.delete(paper_marks).where(
            paper_marks.c.user_id == user_id,
            paper_marks.c.paper_id == paper_row_id,
            paper_marks.c.kind == kind,
        )
        with self._store.writing() as conn:
            _require_user(conn, user_id)
            return bool(conn.execute(delete).rowcount > 0)

    def marks_on(self, user_id: int, paper_ids: Sequence[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {paper_id: set() for paper_id in paper_ids}
        if not found:
            return found
        query = (
            sa.select(papers.c.paper_id, paper_marks.c.kind)
            .join(paper_marks, paper_marks.c.paper_id == papers.c.id)
            .where(paper_marks.c.user_id == user_id, papers.c.paper_id.in_(list(found)))
        )
        with self._store.engine.connect() as conn:
            for paper_id, kind in conn.execute(query):
                found[paper_id].add(kind)
        return found

    def saved_row_ids(self, user_id: int, *, limit: int) -> list[int]:
        query = (
            sa.select(paper_marks.c.paper_id)
            .where(paper_marks.c.user_id == user_id, paper_marks.c.kind == "save")
            .order_by(paper_marks.c.created_at.desc(), paper_marks.c.paper_id.desc())
            .limit(limit)
        )
        with self._store.engine.connect() as conn:
            return [int(row_id) for row_id in conn.execute(query).scalars()]

    def upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, UpvoteCount]:
        wanted = list(dict.fromkeys(paper_ids))
        if not wanted:
            return {}
        local = (
            sa.select(papers.c.paper_id, sa.func.count())
            .join(paper_marks, paper_marks.c.paper_id == papers.c.id)
            .where(paper_marks.c.kind == "upvote", papers.c.paper_id.in_(wanted))
            .group_by(papers.c.paper_id)
        )
        imported = (
            sa.select(papers.c.paper_id, sa.func.max(paper_metrics.c.value))
            .join(paper_metrics, paper_metrics.c.paper_id == papers.c.id)
            .where(paper_metrics.c.name == "upvotes", papers.c.paper_id.in_(wanted))
            .group_by(papers.c.paper_id)
        )
        with self._store.engine.connect() as conn:
            local_counts = {paper_id: int(n) for paper_id, n in conn.execute(local)}
            imported_counts = {paper_id: int(n) for paper_id, n in conn.execute(imported)}
        return {
            paper_id: UpvoteCount(local_counts.get(paper_id, 0), imported_counts.get(paper_id, 0))
            for paper_id in wanted
        }

    # Activity for the refresh -----------------------------------------------------

    def marks_since(self, since: datetime) -> MarkColumns:
        query = sa.select(
            paper_marks.c.paper_id, paper_marks.c.kind, paper_marks.c.created_at
        ).where(paper_marks.c.created_at > since)
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return MarkColumns([], [], [])
        row_ids, kinds, times = zip(*rows, strict=True)
        return MarkColumns(row_ids, kinds, times)

    def view_hours_since(self, hour: int) -> Sequence[tuple[int, int]]:
        query = sa.select(paper_views.c.paper_id, paper_views.c.hour).where(
            paper_views.c.hour >= hour
        )
        with self._store.engine.connect() as conn:
            return _integer_pairs(conn, query)

    def metrics_since(self, since: datetime, names: Sequence[str]) -> list[MetricObservation]:
        query = (
            sa.select(
                paper_metrics.c.paper_id,
                paper_metrics.c.name,
                paper_metrics.c.value,
                paper_metrics.c.observed_at,
                papers.c.sort_date,
            )
            .join(papers, papers.c.id == paper_metrics.c.paper_id)
            .where(
                paper_metrics.c.observed_at > since,
                paper_metrics.c.name.in_(list(names)),
                paper_metrics.c.value > 0,
            )
        )
        with self._store.engine.connect() as conn:
            return [
                MetricObservation(int(row_id), name, int(value), observed_at, sort_date)
                for row_id, name, value, observed_at, sort_date in conn.execute(query)
            ]


def _require_user(conn: sa.Connection, user_id: int) -> None:
    if conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first() is None:
        raise MarkingUserNotFound(user_id)


def _integer_pairs(conn: sa.Connection, query: sa.Select[int, int]) -> Sequence[tuple[int, int]]:
    """All rows of a query of two integer columns, as the driver returns them.

    Read from the DBAPI cursor: at 300k views, SQLAlchemy's Row objects cost more than
    the query itself, and integers need no result processing on any engine.
    """
    result = conn.execute(query)
    try:
        rows: Sequence[tuple[int, int]] = result.cursor.fetchall()
        return rows
    finally:
        result.close()
