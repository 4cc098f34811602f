"""Trending: attention events, imported totals, and precomputed time-decayed scores."""

from paperwire.trending.events import (
    MARK_KINDS,
    InvalidVisitor,
    marks_for,
    record_reader_view,
    record_view,
    saved_papers,
    set_mark,
    upvote_counts,
)
from paperwire.trending.ranking import TrendingEntry, last_refresh, top
from paperwire.trending.refresh import refresh_scores
from paperwire.trending.score import WINDOWS

__all__ = [
    "MARK_KINDS",
    "WINDOWS",
    "InvalidVisitor",
    "TrendingEntry",
    "last_refresh",
    "marks_for",
    "record_reader_view",
    "record_view",
    "refresh_scores",
    "saved_papers",
    "set_mark",
    "top",
    "upvote_counts",
]
