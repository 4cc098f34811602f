"""Reading trending: only the precomputed scores table, never a recomputation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.models import Paper
from paperwire.store.schema import paper_marks, trending_scores
from paperwire.trending.score import WINDOWS


@dataclass(frozen=True, slots=True)
class TrendingEntry:
    paper: Paper
    score: float
    upvotes: int
    reason: str


def top(
    store: Store, window: str, *, limit: int = 30, offset: int = 0, now: datetime
) -> list[TrendingEntry]:
    """The best-scored papers of a window, best first; [] before any scores exist.

    Scores older than the window itself (the refresh has not run for that long) say
    nothing about it any more, so they are not shown.
    """
    if window not in WINDOWS:
        raise ValueError(f"unknown window {window!r}: use one of {list(WINDOWS)}")
    oldest = naive_utc(now) - WINDOWS[window].length
    # One query for the page of scores with each paper's local upvotes (an indexed
    # count per row), one hydration of the papers; the imported upvote totals come with
    # the hydrated papers' metrics, so no per-paper and no further count queries.
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
            local_upvotes.label("upvotes"),
        )
        .where(trending_scores.c.period == window, trending_scores.c.computed_at > oldest)
        .order_by(trending_scores.c.score.desc(), trending_scores.c.paper_id.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    found = store.papers.get_many([row.paper_id for row in rows])
    return [
        TrendingEntry(
            found[row.paper_id],
            row.score,
            int(row.upvotes) + imported_upvotes(found[row.paper_id]),
            row.reason,
        )
        for row in rows
        if row.paper_id in found
    ]


def imported_upvotes(paper: Paper) -> int:
    """The largest imported upvote total of a hydrated paper (as ``upvote_counts``)."""
    return max(
        (int(value) for (_, name), value in paper.metrics.items() if name == "upvotes"),
        default=0,
    )


def last_refresh(store: Store) -> datetime | None:
    """When the scores were last computed (None before the first refresh with activity)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.max(trending_scores.c.computed_at))).scalar()
