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
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.schema import paper_marks, paper_metrics, paper_views, papers, trending_scores
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
# Bound parameters per IN (...) list: below SQLite's historical limit of 999.
_IN_CHUNK = 900


def _marks_query(since: datetime) -> sa.Select[Any]:
    return sa.select(paper_marks.c.paper_id, paper_marks.c.kind, paper_marks.c.created_at).where(
        paper_marks.c.created_at > since
    )


def _snapshots(conn: sa.Connection, since: datetime) -> dict[tuple[int, str], Snapshot]:
    """The largest imported total per paper and metric among those changed since ``since``."""
    metrics = (
        sa.select(
            paper_metrics.c.paper_id,
            paper_metrics.c.name,
            paper_metrics.c.value,
            paper_metrics.c.observed_at,
            papers.c.sort_date,
        )
        .join(papers, papers.c.id == paper_metrics.c.paper_id)
        .where(
            paper_metrics.c.observed_at > since,
            paper_metrics.c.name.in_(IMPORTED_METRICS),
            paper_metrics.c.value > 0,
        )
    )
    best: dict[tuple[int, str], Snapshot] = {}
    for paper_id, name, value, observed_at, sort_date in conn.execute(metrics):
        key = (paper_id, name)
        if key not in best or value > best[key].value:
            best[key] = Snapshot(name, int(value), sort_date, observed_at)
    return best


def gather_activity(conn: sa.Connection, now: datetime) -> dict[int, Activity]:
    """Every paper's activity within the longest window, by internal row id.

    The reference input for ``score_activity``; the refresh itself uses ``tally_all``.
    """
    since = now - LONGEST
    activity: dict[int, Activity] = defaultdict(Activity)
    for paper_id, kind, created_at in conn.execute(_marks_query(since)):
        target = activity[paper_id].upvotes if kind == "upvote" else activity[paper_id].saves
        target.append(created_at)
    views = (
        sa.select(paper_views.c.paper_id, paper_views.c.hour, sa.func.count())
        .where(paper_views.c.hour >= epoch_hour(since))
        .group_by(paper_views.c.paper_id, paper_views.c.hour)
    )
    for paper_id, hour, count in conn.execute(views):
        activity[paper_id].views.append((_EPOCH + timedelta(hours=hour), int(count)))
    for (paper_id, _), snapshot in _snapshots(conn, since).items():
        activity[paper_id].snapshots.append(snapshot)
    return activity


def _integer_rows(conn: sa.Connection, query: sa.Select[Any]) -> list[tuple[int, ...]]:
    """All rows of a query of integer columns, as the driver returns them.

    Read from the DBAPI cursor: at 300k views, SQLAlchemy's Row objects cost more
    than the query itself, and integers need no result processing on any engine.
    """
    result = conn.execute(query)
    try:
        return result.cursor.fetchall()  # type: ignore[attr-defined]
    finally:
        result.close()


def _microseconds(delta: timedelta) -> int:
    return delta // _MICROSECOND


def _decays(ages_us: np.ndarray, window: Window) -> np.ndarray:
    """``decay`` of each age (integer microseconds, >= 0), as ``score.decay`` computes it."""
    return np.exp2(-(ages_us / _microseconds(window.half_life)))


def _sums(slots: np.ndarray, weights: np.ndarray, size: int) -> list[float]:
    return np.bincount(slots, weights=weights, minlength=size).tolist()


def _counts(slots: np.ndarray, size: int) -> list[int]:
    return np.bincount(slots, minlength=size).tolist()


def tally_all(conn: sa.Connection, now: datetime) -> dict[int, dict[str, Tally]]:
    """Every active paper's tally in every window (by row id, then window name).

    The same reads as ``gather_activity``, but views are read one row per view (a
    GROUP BY on paper and hour costs SQLite a sort of every view) and every sum is
    taken with numpy; ``score_tally`` of each tally gives what ``score_activity``
    gives for the paper's ``Activity``.
    """
    since = now - LONGEST
    now_us = _microseconds(now - _EPOCH)

    mark_rows = conn.execute(_marks_query(since)).all()
    mark_papers = np.array([row[0] for row in mark_rows], dtype=np.int64)
    mark_saves = np.array([row[1] != "upvote" for row in mark_rows], dtype=bool)
    # (numpy's conversion of datetime objects is ten times slower than this)
    mark_ages_us = np.array([(now - row[2]) // _MICROSECOND for row in mark_rows], dtype=np.int64)

    views = sa.select(paper_views.c.paper_id, paper_views.c.hour).where(
        paper_views.c.hour >= epoch_hour(since)
    )
    view_rows = _integer_rows(conn, views)
    view_columns = np.fromiter(
        itertools.chain.from_iterable(view_rows), dtype=np.int64, count=2 * len(view_rows)
    ).reshape(-1, 2)
    view_papers = view_columns[:, 0]
    hour_starts_us = view_columns[:, 1] * _HOUR_US
    # An hour's views count at its middle, or now while the hour is not over.
    view_ages_us = now_us - np.minimum(hour_starts_us + _HOUR_US // 2, now_us)

    snapshots = _snapshots(conn, since)

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
    with store.engine.connect() as conn:
        tallies = tally_all(conn, now)
    rows = []
    for row_id, by_window in tallies.items():
        for name, tally in by_window.items():
            scored = score_tally(tally, WINDOWS[name])
            if scored.score > 0:
                rows.append(
                    {
                        "period": name,
                        "paper_id": row_id,
                        "score": scored.score,
                        "reason": scored.reason,
                        "computed_at": now,
                    }
                )
    with store.writing() as conn:
        conn.execute(sa.delete(trending_scores))
        if rows:
            # A paper deleted since the scores were computed would break the foreign key.
            ranked = sorted({row["paper_id"] for row in rows})
            existing: set[int] = set()
            for first in range(0, len(ranked), _IN_CHUNK):
                chunk = ranked[first : first + _IN_CHUNK]
                query = sa.select(papers.c.id).where(papers.c.id.in_(chunk))
                existing.update(conn.execute(query).scalars())
            rows = [row for row in rows if row["paper_id"] in existing]
            if rows:
                conn.execute(sa.insert(trending_scores), rows)
    return len({row["paper_id"] for row in rows})
