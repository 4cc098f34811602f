"""The precomputed trending scores: written whole by a refresh, read by pages.

How scores are computed is :mod:`paperwire.trending`'s business; the store keeps one
score per (window, paper) and hands out the best of a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class TrendingScore:
    """One paper's score in one window, and the sentence that explains it."""

    window: str
    paper_row_id: int
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class RankedPaper:
    """A row of a window's top list, with the paper's local upvotes at reading time."""

    paper_row_id: int
    score: float
    reason: str
    local_upvotes: int


class TrendingScores(Protocol):
    """The scores table. Every engine guarantees what each method's docstring says."""

    def replace_all(self, scores: Sequence[TrendingScore], *, computed_at: datetime) -> int:
        """Replace every score of every window by ``scores`` in one transaction.

        Readers see all the old scores or all the new ones, never a mix. Scores of papers
        deleted meanwhile are dropped (not an error). At most one score per (window,
        paper) may be given. Returns how many distinct papers were stored.
        """
        ...

    def top(
        self, window: str, *, computed_after: datetime, limit: int, offset: int
    ) -> list[RankedPaper]:
        """The window's scores computed strictly after ``computed_after``, best first.

        Ties are broken by the higher row id first, so pages never overlap or skip;
        ``offset`` rows are skipped, at most ``limit`` returned.
        """
        ...

    def scores_of(self, window: str) -> dict[int, float]:
        """Every stored score of the window by paper row id, however old."""
        ...

    def last_refreshed(self) -> datetime | None:
        """When the stored scores were computed; None when there are none."""
        ...
