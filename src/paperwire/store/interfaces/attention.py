"""Attention on papers: views and marks (upvote, save), and reading them back.

The rules (who may view, what a visitor id looks like, how a network is hashed, how
attention becomes a score) live in :mod:`paperwire.trending`; this interface only
stores events and returns them. Papers are named by internal row id, except where a
page asks about papers it shows by their public paperwire id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


class MarkingUserNotFound(LookupError):
    """A mark was set or unset for a user the store does not have."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"no user with id {user_id}")
        self.user_id = user_id


@dataclass(frozen=True, slots=True)
class UpvoteCount:
    """A paper's local upvotes and the largest imported upvote total of any source.

    Imported totals of several sources may count the same people, so the store gives
    the largest rather than a sum; how the two combine is the caller's rule.
    """

    local: int = 0
    imported: int = 0


@dataclass(frozen=True, slots=True)
class MarkColumns:
    """Marks as parallel columns (the i-th mark is the i-th of each), ready for numpy."""

    paper_row_ids: Sequence[int]
    kinds: Sequence[str]
    created_at: Sequence[datetime]


@dataclass(frozen=True, slots=True)
class MetricObservation:
    """An imported running total as last seen, with the date of its paper."""

    paper_row_id: int
    name: str
    value: int
    observed_at: datetime
    paper_date: datetime


class Attention(Protocol):
    """Views and marks. Every engine guarantees what each method's docstring says, also
    with many processes writing at once."""

    def add_view(self, paper_row_id: int, visitor_id: str, *, day: date, hour: int) -> bool:
        """Store a view unless the visitor already has one of the paper on ``day``.

        True when stored. At most one view per (paper, visitor, day), enforced by a
        unique key: of concurrent identical calls exactly one returns True. ``hour`` is
        the caller's time bucket (read back by :meth:`view_hours_since`).
        """
        ...

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
        """As :meth:`add_view`, and not stored either when ``network`` already holds
        ``network_cap`` views of the paper on ``day``.

        The check and the insert are atomic: concurrent calls from one network never
        store more than ``network_cap`` views of a paper a day.
        """
        ...

    def set_mark(self, user_id: int, paper_row_id: int, kind: str, *, at: datetime) -> bool:
        """Set the user's mark of ``kind`` on the paper, made ``at`` (naive UTC).

        Idempotent: a mark already there is kept with its first time, and False is
        returned; True when the mark is new. MarkingUserNotFound for an unknown user.
        """
        ...

    def unset_mark(self, user_id: int, paper_row_id: int, kind: str) -> bool:
        """Delete the user's mark of ``kind`` on the paper (it counts nowhere after).

        Idempotent; True when a mark was deleted. MarkingUserNotFound for an unknown user.
        """
        ...

    def marks_on(self, user_id: int, paper_ids: Sequence[str]) -> dict[str, set[str]]:
        """The kinds of mark the user has on each paperwire id asked for.

        Every id asked for is a key (an empty set when unmarked or unknown).
        """
        ...

    def saved_row_ids(self, user_id: int, *, limit: int) -> list[int]:
        """Row ids of the papers the user saved, most recently saved first (ties: the
        higher row id first), at most ``limit``."""
        ...

    def upvote_counts(self, paper_ids: Sequence[str]) -> dict[str, UpvoteCount]:
        """Local upvotes and the largest imported ``upvotes`` total per paperwire id.

        Every id asked for is a key (zeros when there is nothing).
        """
        ...

    def marks_since(self, since: datetime) -> MarkColumns:
        """Every mark made strictly after ``since``, in no particular order."""
        ...

    def view_hours_since(self, hour: int) -> Sequence[tuple[int, int]]:
        """(paper row id, hour) of every stored view whose hour is ``hour`` or later, one
        row per view, in no particular order."""
        ...

    def metrics_since(self, since: datetime, names: Sequence[str]) -> list[MetricObservation]:
        """Imported totals named in ``names``, positive, observed strictly after
        ``since``: one per paper, source and name, in no particular order."""
        ...
