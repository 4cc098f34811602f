"""Reading trending: only the precomputed scores table, never a recomputation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from paperwire.accounts.clock import naive_utc
from paperwire.store.base import Store
from paperwire.store.models import Paper
from paperwire.store.schema import trending_scores
from paperwire.trending.events import upvote_counts
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
    query = (
        sa.select(trending_scores.c.paper_id, trending_scores.c.score, trending_scores.c.reason)
        .where(trending_scores.c.period == window, trending_scores.c.computed_at > oldest)
        .order_by(trending_scores.c.score.desc(), trending_scores.c.paper_id.desc())
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(query).all()
    found = store.get_papers([row.paper_id for row in rows])
    entries = [(found[row.paper_id], row) for row in rows if row.paper_id in found]
    upvotes = upvote_counts(store, [paper.paper_id for paper, _ in entries])
    return [
        TrendingEntry(paper, row.score, upvotes[paper.paper_id], row.reason)
        for paper, row in entries
    ]


def last_refresh(store: Store) -> datetime | None:
    """When the scores were last computed (None before the first refresh with activity)."""
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.execute(sa.select(sa.func.max(trending_scores.c.computed_at))).scalar()
