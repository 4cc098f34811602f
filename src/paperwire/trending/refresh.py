"""Recomputing the precomputed scores table (run in the background, never per request).

Only papers with something in the longest window are read: marks and views from the
last 30 days and metric totals that changed in them, so the cost follows activity,
not the size of the store.

The refresh computes every paper's :class:`~paperwire.trending.score.Tally` for all
three windows at once, on plain numbers: event times become integer microseconds
before ``now``, each event's decay is computed once per window with numpy and summed
per paper with ``bincount``. ``score_tally`` (score.py) then turns each tally into the
score and the reason, as ``score_activity`` does. ``gather_activity`` reads the same
rows into :class:`~paperwire.trending.score.Activity` values for ``score_activity``:
the slow reference that tests compare the refresh against.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.trending import TrendingScore
from paperwire.trending.events import epoch_hour
from paperwire.trending.score import (
    LONGEST,
    WINDOWS,
    Activity,
    Snapshot,
    Tally,
    Window,
    score_tally,
    snapshot_decayed,
    snapshot_in_window,
)

IMPORTED_METRICS = ("upvotes", "github_stars")
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)
_HOUR_US = 3600 * 10**6


def _snapshots(store: Store, since: datetime) -> dict[tuple[int, str], Snapshot]:
    """The largest imported total per paper and metric among those changed since ``since``."""
    best: dict[tuple[int, str], Snapshot] = {}
    for seen in store.attention.metrics_since(since, IMPORTED_METRICS):
        key = (seen.paper_row_id, seen.name)
        if key not in best or seen.value > best[key].value:
            best[key] = Snapshot(seen.name, seen.value, seen.paper_date, seen.observed_at)
    return best


def gather_activity(store: Store, now: datetime) -> dict[int, Activity]:
    """Every paper's activity within the longest window, by internal row id.

    The reference input for ``score_activity``; the refresh itself uses ``tally_all``.
    """
    since = now - LONGEST
    activity: dict[int, Activity] = defaultdict(Activity)
    marks = store.attention.marks_since(since)
    for paper_id, kind, created_at in zip(
        marks.paper_row_ids, marks.kinds, marks.created_at, strict=True
    ):
        target = activity[paper_id].upvotes if kind == "upvote" else activity[paper_id].saves
        target.append(created_at)
    view_hours = Counter(store.attention.view_hours_since(epoch_hour(since)))
    for (paper_id, hour), count in sorted(view_hours.items()):
        activity[paper_id].views.append((_EPOCH + timedelta(hours=hour), count))
    for (paper_id, _), snapshot in _snapshots(store, since).items():
        activity[paper_id].snapshots.append(snapshot)
    return activity


def _microseconds(delta: timedelta) -> int:
    return delta // _MICROSECOND


def _decays(ages_us: np.ndarray, window: Window) -> np.ndarray:
    """``decay`` of each age (integer microseconds, >= 0), as ``score.decay`` computes it."""
    return np.exp2(-(ages_us / _microseconds(window.half_life)))


def _sums(slots: np.ndarray, weights: np.ndarray, size: int) -> list[float]:
    return np.bincount(slots, weights=weights, minlength=size).tolist()


def _counts(slots: np.ndarray, size: int) -> list[int]:
    return np.bincount(slots, minlength=size).tolist()


def tally_all(store: Store, now: datetime) -> dict[int, dict[str, Tally]]:
    """Every active paper's tally in every window (by row id, then window name).

    The same reads as ``gather_activity`` (views one row per view: a GROUP BY on paper
    and hour costs SQLite a sort of every view), but every sum is taken with numpy;
    ``score_tally`` of each tally gives what ``score_activity``
    gives for the paper's ``Activity``.
    """
    since = now - LONGEST
    now_us = _microseconds(now - _EPOCH)

    marks = store.attention.marks_since(since)
    mark_papers = np.array(marks.paper_row_ids, dtype=np.int64)
    mark_saves = np.array([kind != "upvote" for kind in marks.kinds], dtype=bool)
    # (numpy's conversion of datetime objects is ten times slower than this)
    mark_ages_us = np.array(
        [(now - moment) // _MICROSECOND for moment in marks.created_at], dtype=np.int64
    )

    view_rows = store.attention.view_hours_since(epoch_hour(since))
    view_columns = np.fromiter(
        itertools.chain.from_iterable(view_rows), dtype=np.int64, count=2 * len(view_rows)
    ).reshape(-1, 2)
    view_papers = view_columns[:, 0]
    hour_starts_us = view_columns[:, 1] * _HOUR_US
    # An hour's views count at its middle, or now while the hour is not over.
    view_ages_us = now_us - np.minimum(hour_starts_us + _HOUR_US // 2, now_us)

    snapshots = _snapshots(store, since)

    row_ids = np.unique(
        np.concatenate(
            [mark_papers, view_papers, np.array([key[0] for key in snapshots], dtype=np.int64)]
        )
    )
    size = len(row_ids)
    # Upvotes of paper i at 2i, saves at 2i + 1.
    mark_slots = 2 * np.searchsorted(row_ids, mark_papers) + mark_saves
    view_slots = np.searchsorted(row_ids, view_papers)
    position = {row_id: i for i, row_id in enumerate(row_ids.tolist())}

    tallies: dict[int, dict[str, Tally]] = {}
    for window in WINDOWS.values():
        length_us = _microseconds(window.length)
        # start < moment <= now, as _counted_events
        marked = (mark_ages_us >= 0) & (mark_ages_us < length_us)
        mark_weights = np.where(marked, _decays(np.maximum(mark_ages_us, 0), window), 0.0)
        mark_sums = _sums(mark_slots, mark_weights, 2 * size)
        mark_counts = _counts(mark_slots[marked], 2 * size)
        # start < hour start + 1 h and hour start <= now, as _counted_views
        viewed = (hour_starts_us + _HOUR_US > now_us - length_us) & (hour_starts_us <= now_us)
        view_weights = np.where(viewed, _decays(view_ages_us, window), 0.0)
        view_sums = _sums(view_slots, view_weights, size)
        view_counts = _counts(view_slots[viewed], size)
        in_window = [
            Tally(
                upvotes=mark_sums[2 * i],
                saves=mark_sums[2 * i + 1],
                views=view_sums[i],
                upvote_count=mark_counts[2 * i],
                save_count=mark_counts[2 * i + 1],
                view_count=view_counts[i],
            )
            for i in range(size)
        ]
        _add_snapshots(in_window, position, snapshots.items(), window, now)
        for row_id, tally in zip(row_ids.tolist(), in_window, strict=True):
            tallies.setdefault(row_id, {})[window.name] = tally
    return tallies


def _add_snapshots(
    in_window: list[Tally],
    position: dict[int, int],
    snapshots: Sequence[tuple[tuple[int, str], Snapshot]] | Any,
    window: Window,
    now: datetime,
) -> None:
    for (row_id, _), snapshot in snapshots:
        tally = in_window[position[row_id]]
        if snapshot.name == "upvotes":
            tally.imported += snapshot_decayed(snapshot, window, now)
            tally.imported_count += snapshot_in_window(snapshot, window, now)
            tally.upvotes_total = max(tally.upvotes_total, snapshot.value)
        elif snapshot.name == "github_stars":
            tally.stars += snapshot_decayed(snapshot, window, now)
            tally.stars_total = max(tally.stars_total, snapshot.value)


def refresh_scores(store: Store, *, now: datetime) -> int:
    """Replace every window's scores with fresh ones; returns how many papers are ranked.

    The scores are computed outside any write transaction; the table is then replaced
    in one (readers see the old scores or the new ones, never a mix).
    """
    now = naive_utc(now)
    scores = [
        TrendingScore(name, row_id, scored.score, scored.reason)
        for row_id, by_window in tally_all(store, now).items()
        for name, tally in by_window.items()
        if (scored := score_tally(tally, WINDOWS[name])).score > 0
    ]
    return store.trending.replace_all(scores, computed_at=now)
