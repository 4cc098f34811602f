"""The precomputed trending scores in SQL that runs on SQLite and PostgreSQL alike
(:class:`~paperwire.store.interfaces.trending.TrendingScores`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from paperwire.store.interfaces.trending import RankedPaper, TrendingScore
from paperwire.store.schema import paper_marks, papers, trending_scores

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore

# Bound parameters per IN (...) list: below SQLite's historical limit of 999.
_IN_CHUNK = 900


class SQLTrendingScores:
    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def replace_all(self, scores: Sequence[TrendingScore], *, computed_at: datetime) -> int:
        with self._store.writing() as conn:
            conn.execute(sa.delete(trending_scores))
            if not scores:
                return 0
            # A paper deleted since the scores were computed would break the foreign key.
            existing = _existing_papers(conn, sorted({s.paper_row_id for s in scores}))
            rows = [
                {
                    "period": s.window,
                    "paper_id": s.paper_row_id,
                    "score": s.score,
                    "reason": s.reason,
                    "computed_at": computed_at,
                }
                for s in scores
                if s.paper_row_id in existing
            ]
            if rows:
                conn.execute(sa.insert(trending_scores), rows)
        return len({row["paper_id"] for row in rows})

    def top(
        self, window: str, *, computed_after: datetime, limit: int, offset: int
    ) -> list[RankedPaper]:
        # One query for the page of scores with each paper's local upvotes (an indexed
        # count per row).
        local_upvotes = (
            sa.select(sa.func.count())
            .where(
                paper_marks.c.paper_id == trending_scores.c.paper_id,
                paper_marks.c.kind == "upvote",
            )
            .scalar_subquery()
        )
        query = (
            sa.select(
                trending_scores.c.paper_id,
                trending_scores.c.score,
                trending_scores.c.reason,
                local_upvotes,
            )
            .where(
                trending_scores.c.period == window,
                trending_scores.c.computed_at > computed_after,
            )
            .order_by(trending_scores.c.score.desc(), trending_scores.c.paper_id.desc())
            .limit(limit)
            .offset(offset)
        )
        with self._store.engine.connect() as conn:
            return [
                RankedPaper(int(row_id), float(score), reason, int(upvotes))
                for row_id, score, reason, upvotes in conn.execute(query)
            ]

    def scores_of(self, window: str) -> dict[int, float]:
        query = sa.select(trending_scores.c.paper_id, trending_scores.c.score).where(
            trending_scores.c.period == window
        )
        with self._store.engine.connect() as conn:
            return {int(row_id): float(score) for row_id, score in conn.execute(query)}

    def last_refreshed(self) -> datetime | None:
        query = sa.select(sa.func.max(trending_scores.c.computed_at))
        with self._store.engine.connect() as conn:
            newest: datetime | None = conn.execute(query).scalar()
            return newest


def _existing_papers(conn: sa.Connection, row_ids: list[int]) -> set[int]:
    existing: set[int] = set()
    for first in range(0, len(row_ids), _IN_CHUNK):
        chunk = row_ids[first : first + _IN_CHUNK]
        existing.update(
            conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(chunk))).scalars()
        )
    return existing
