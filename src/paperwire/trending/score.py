"""The trending score, as pure functions: no I/O, every input passed in.

A paper's score in a window (day, week, month) is a weighted sum of what happened to
it inside the window, each event discounted by its age with a half-life of a third of
the window::

    score = Σ upvotes·d(age) + Σ saves·d(age) + Σ imported upvotes·d(age)
          + 0.2·Σ GitHub stars·d(age) + min(0.25, 0.025·sqrt(Σ views·d(age)))
    d(age) = 2 ** (-age / half_life),  half_life = window / 3

Views are the one signal anyone can make more of, so they add at most 0.25: two
upvotes anywhere in the window weigh more than any number of views.

Imported totals (Hugging Face upvotes, GitHub stars) have no timestamps: a total is
spread evenly over the time from the paper's date to when the total was last seen to
change, and that stream is discounted like any other. docs/trending.md says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Window:
    name: str
    length: timedelta
    label: str  # "14 upvotes today"

    @property
    def half_life(self) -> timedelta:
        return self.length / 3


WINDOWS: dict[str, Window] = {
    "day": Window("day", timedelta(days=1), "today"),
    "week": Window("week", timedelta(days=7), "this week"),
    "month": Window("month", timedelta(days=30), "this month"),
}
LONGEST = max(window.length for window in WINDOWS.values())

UPVOTE_WEIGHT = 1.0
SAVE_WEIGHT = 1.0
IMPORTED_UPVOTE_WEIGHT = 1.0
STAR_WEIGHT = 0.2
VIEW_WEIGHT = 0.025
# The most views add to a score, reached at 100 (decayed) views. An event at the far
# edge of a window weighs 2^-3 (the half-life is a third of the window), so two
# upvotes anywhere inside the window always outweigh any number of views.
VIEW_CAP = 2 * UPVOTE_WEIGHT * 2.0**-3
# An imported total seen at (almost) the paper's date is spread over at least this long.
MIN_SPREAD = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An imported running total: ``value`` accrued from ``since`` until ``observed_at``."""

    name: str  # "upvotes" or "github_stars"
    value: int
    since: datetime
    observed_at: datetime


@dataclass(slots=True)
class Activity:
    """Everything known about one paper's recent attention (naive UTC times)."""

    upvotes: list[datetime] = field(default_factory=list)
    saves: list[datetime] = field(default_factory=list)
    views: list[tuple[datetime, int]] = field(default_factory=list)  # (hour start, count)
    snapshots: list[Snapshot] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    reason: str


def decay(age: timedelta, half_life: timedelta) -> float:
    """Weight of an event ``age`` old: 1 now, 1/2 after one half-life."""
    return 2.0 ** (-max(age, timedelta(0)) / half_life)


def _decayed_events(times: Sequence[datetime], window: Window, now: datetime) -> float:
    start = now - window.length
    return sum(decay(now - moment, window.half_life) for moment in times if start < moment <= now)


def _counted_events(times: Sequence[datetime], window: Window, now: datetime) -> int:
    start = now - window.length
    return sum(1 for moment in times if start < moment <= now)


def _view_hour_middle(hour_start: datetime, now: datetime) -> datetime:
    return min(hour_start + timedelta(minutes=30), now)


def _decayed_views(views: Sequence[tuple[datetime, int]], window: Window, now: datetime) -> float:
    start = now - window.length
    return sum(
        count * decay(now - _view_hour_middle(hour, now), window.half_life)
        for hour, count in views
        if start < hour + timedelta(hours=1) and hour <= now
    )


def _counted_views(views: Sequence[tuple[datetime, int]], window: Window, now: datetime) -> int:
    start = now - window.length
    return sum(count for hour, count in views if start < hour + timedelta(hours=1) and hour <= now)


def _spread(snapshot: Snapshot) -> tuple[datetime, datetime, float]:
    """The interval a total accrued over and its rate per second."""
    end = snapshot.observed_at
    begin = min(snapshot.since, end - MIN_SPREAD)
    return begin, end, snapshot.value / (end - begin).total_seconds()


def snapshot_in_window(snapshot: Snapshot, window: Window, now: datetime) -> float:
    """How much of a total accrued inside the window, assuming an even rate."""
    begin, end, rate = _spread(snapshot)
    overlap = min(end, now) - max(begin, now - window.length)
    return max(overlap.total_seconds(), 0.0) * rate


def snapshot_decayed(snapshot: Snapshot, window: Window, now: datetime) -> float:
    """The decayed weight of a total's in-window part: the integral of rate·d(age)."""
    begin, end, rate = _spread(snapshot)
    lo, hi = max(begin, now - window.length), min(end, now)
    if hi <= lo:
        return 0.0
    half = window.half_life.total_seconds()
    oldest, newest = (now - lo).total_seconds(), (now - hi).total_seconds()
    return rate * half / math.log(2) * (2.0 ** (-newest / half) - 2.0 ** (-oldest / half))


@dataclass(slots=True)
class Tally:
    """What one paper's score in one window is made of, before weights and reasons.

    ``score_activity`` fills it from an :class:`Activity`; the refresh fills it for
    every paper at once (``refresh.py``) and tests check that both agree.
    """

    upvotes: float = 0.0  # Σ d(age) over local upvotes in the window
    saves: float = 0.0
    views: float = 0.0  # Σ count·d(age) over view hours in the window
    imported: float = 0.0  # Σ snapshot_decayed over imported upvote totals
    stars: float = 0.0  # Σ snapshot_decayed over GitHub star totals
    upvote_count: int = 0  # local upvotes in the window
    save_count: int = 0
    view_count: int = 0
    imported_count: float = 0.0  # Σ snapshot_in_window over imported upvote totals
    upvotes_total: int = 0  # the largest imported upvote total
    stars_total: int = 0


def tally_activity(activity: Activity, window: Window, now: datetime) -> Tally:
    """The decayed sums and counts of one paper's activity inside one window."""
    tally = Tally(
        upvotes=_decayed_events(activity.upvotes, window, now),
        saves=_decayed_events(activity.saves, window, now),
        views=_decayed_views(activity.views, window, now),
        upvote_count=_counted_events(activity.upvotes, window, now),
        save_count=_counted_events(activity.saves, window, now),
        view_count=_counted_views(activity.views, window, now),
    )
    for snapshot in activity.snapshots:
        if snapshot.name == "upvotes":
            tally.imported += snapshot_decayed(snapshot, window, now)
            tally.imported_count += snapshot_in_window(snapshot, window, now)
            tally.upvotes_total = max(tally.upvotes_total, snapshot.value)
        elif snapshot.name == "github_stars":
            tally.stars += snapshot_decayed(snapshot, window, now)
            tally.stars_total = max(tally.stars_total, snapshot.value)
    return tally


def score_tally(tally: Tally, window: Window) -> Scored:
    """The weighted score of a tally and the plainest true sentence about why."""
    upvotes = UPVOTE_WEIGHT * tally.upvotes
    saves = SAVE_WEIGHT * tally.saves
    views = min(VIEW_CAP, VIEW_WEIGHT * math.sqrt(tally.views))
    imported = IMPORTED_UPVOTE_WEIGHT * tally.imported
    stars = STAR_WEIGHT * tally.stars
    total = upvotes + saves + views + imported + stars
    if total <= 0:
        return Scored(0.0, "")
    terms = {"upvotes": upvotes + imported, "saves": saves, "views": views, "stars": stars}
    strongest = max(terms, key=lambda name: terms[name])
    if strongest == "upvotes":
        count = tally.upvote_count + round(tally.imported_count)
        reason = (
            plural(count, "upvote") + f" {window.label}"
            if count
            else plural(tally.upvotes_total, "upvote") + " on Hugging Face"
        )
    elif strongest == "saves":
        reason = plural(tally.save_count, "save") + f" {window.label}"
    elif strongest == "views":
        reason = plural(tally.view_count, "view") + f" {window.label}"
    else:
        reason = plural(tally.stars_total, "GitHub star")
    return Scored(total, reason)


def score_activity(activity: Activity, window: Window, now: datetime) -> Scored:
    """A paper's score in one window and the plainest true sentence about why."""
    return score_tally(tally_activity(activity, window, now), window)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
