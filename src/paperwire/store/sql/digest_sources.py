"""What a run of digests shares, read in SQL that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.digest_sources import Arrival
from paperwire.store.schema import papers, trending_scores

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore


class SQLDigestSources:
    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def arrivals(self, since: datetime) -> list[Arrival]:
        query = (
            sa.select(
                papers.c.id,
                papers.c.title,
                papers.c.abstract,
                papers.c.first_seen,
                papers.c.categories,
            )
            .where(papers.c.first_seen > naive_utc(since), papers.c.withdrawn.is_(False))
            .order_by(papers.c.id)
        )
        with self._store.engine.connect() as conn:
            return [
                Arrival(
                    row.id, row.title, row.abstract, row.first_seen, tuple(row.categories or ())
                )
                for row in conn.execute(query)
            ]

    def day_scores(self) -> dict[int, float]:
        query = sa.select(trending_scores.c.paper_id, trending_scores.c.score).where(
            trending_scores.c.period == "day"
        )
        with self._store.engine.connect() as conn:
            return {int(row.paper_id): float(row.score) for row in conn.execute(query)}
