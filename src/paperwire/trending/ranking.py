"""Reading trending: only the precomputed scores table, never a recomputation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.models import Paper
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
    # One read of the page (with local upvotes), one hydration of the papers; the
    # imported upvote totals come with the hydrated papers' metrics.
    ranked = store.trending.top(window, computed_after=oldest, limit=limit, offset=offset)
    found = store.papers.get_many([row.paper_row_id for row in ranked])
    return [
        TrendingEntry(
            found[row.paper_row_id],
            row.score,
            row.local_upvotes + imported_upvotes(found[row.paper_row_id]),
            row.reason,
        )
        for row in ranked
        if row.paper_row_id in found
    ]


def imported_upvotes(paper: Paper) -> int:
    """The largest imported upvote total of a hydrated paper (as ``upvote_counts``)."""
    return max(
        (int(value) for (_, name), value in paper.metrics.items() if name == "upvotes"),
        default=0,
    )
