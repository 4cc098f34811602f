"""Trending: attention events, imported totals, and precomputed time-decayed scores."""

from paperwire.trending.events import (
    MARK_KINDS,
    InvalidVisitor,
    record_reader_view,
    record_view,
    saved_papers,
    set_mark,
    upvote_counts,
)
from paperwire.trending.ranking import TrendingEntry, top
from paperwire.trending.refresh import refresh_scores
from paperwire.trending.score import WINDOWS

__all__ = [
    "MARK_KINDS",
    "WINDOWS",
    "InvalidVisitor",
    "TrendingEntry",
    "record_reader_view",
    "record_view",
    "refresh_scores",
    "saved_papers",
    "set_mark",
    "top",
    "upvote_counts",
]
