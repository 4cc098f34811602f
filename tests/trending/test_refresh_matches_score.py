"""The fast refresh (numpy, all windows at once) agrees with the pure ``score_activity``.

Random stores: marks, views and imported totals at random times around now, including
the edges of every window, the hour in progress and clock skew (events after now).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.schema import paper_metrics, users
from paperwire.trending import refresh_scores
from paperwire.trending.events import epoch_hour
from paperwire.trending.refresh import gather_activity, tally_all
from paperwire.trending.score import WINDOWS, score_activity, score_tally

# Mid-hour with microseconds, and exactly on an hour (the hour in progress has just begun).
NOWS = [datetime(2025, 3, 1, 12, 37, 15, 250000), datetime(2025, 3, 1, 12)]


def random_moment(rng: random.Random, now: datetime) -> datetime:
    """Mostly anywhere in the last 32 days; sometimes exactly on a window's edge."""
    edges = [now, now + timedelta(minutes=5)] + [now - window.length for window in WINDOWS.values()]
    if rng.random() < 0.1:
        return rng.choice(edges) + rng.choice([-1, 0, 1]) * timedelta(microseconds=1)
    return now - timedelta(seconds=rng.uniform(-3600, 32 * 86400))


def published(rng: random.Random, now: datetime) -> datetime | None:
    """A paper date (sometimes after now, sometimes unknown: then first seen counts)."""
    if rng.random() < 0.1:
        return None
    return (now - timedelta(days=rng.uniform(-1, 400))).replace(tzinfo=UTC)


def fill(store: Store, rng: random.Random, paper_count: int, now: datetime) -> None:
    store.papers.upsert(
        [
            PaperRecord(
                source="arxiv",
                title=f"Paper {i}",
                arxiv_id=f"2502.{i:05d}",
                published=published(rng, now),
            )
            for i in range(paper_count)
        ]
    )
    with store.writing() as conn:  # type: ignore[attr-defined]
        row_ids = list(conn.execute(sa.text("SELECT id FROM papers")).scalars())
        conn.execute(
            sa.insert(users),
            [{"id": i, "email": f"u{i}@example.org", "created_at": now} for i in range(1, 16)],
        )
        marks = {
            (rng.randint(1, 15), rng.choice(row_ids), rng.choice(["upvote", "save"])): (
                random_moment(rng, now)
            )
            for _ in range(rng.randint(0, 300))
        }
        views = {}
        for _ in range(rng.randint(0, 1500)):
            moment = random_moment(rng, now)
            key = (rng.choice(row_ids), f"visitor-{rng.randrange(40):04d}", moment.date())
            views[key] = epoch_hour(moment)
        metrics = {
            (rng.choice(row_ids), rng.choice(["hf-daily", "other"]), name): (
                rng.choice([0, 1, rng.randint(1, 50_000)]),
                random_moment(rng, now) - timedelta(days=rng.choice([0, 0, 5])),
            )
            for name in ("upvotes", "github_stars", "comments")
            for _ in range(rng.randint(0, 25))
        }
        if metrics:
            conn.execute(
                sa.insert(paper_metrics),
                [
                    {"paper_id": p, "source": s, "name": n, "value": v, "observed_at": at}
                    for (p, s, n), (v, at) in metrics.items()
                ],
            )
    for (user, row_id, kind), moment in marks.items():
        assert store.attention.set_mark(user, row_id, kind, at=moment)
    for (row_id, visitor, day), hour in views.items():
        assert store.attention.add_view(row_id, visitor, day=day, hour=hour)


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("seed", range(6))
def test_fast_path_matches_the_pure_formula(store: Store, seed: int, now: datetime) -> None:
    rng = random.Random(seed)
    fill(store, rng, rng.choice([1, 5, 40]), now)
    activity = gather_activity(store, now)
    tallies = tally_all(store, now)
    assert set(tallies) == set(activity)
    expected = {}
    for row_id, paper_activity in activity.items():
        for name, window in WINDOWS.items():
            reference = score_activity(paper_activity, window, now)
            fast = score_tally(tallies[row_id][name], window)
            assert fast.score == pytest.approx(reference.score, rel=1e-9, abs=1e-12)
            assert fast.reason == reference.reason
            if reference.score > 0:
                expected[(name, row_id)] = reference

    assert refresh_scores(store, now=now) == len({row_id for _, row_id in expected})
    stored = {
        (name, ranked.paper_row_id): ranked
        for name in WINDOWS
        for ranked in store.trending.top(
            name, computed_after=now - timedelta(microseconds=1), limit=10**6, offset=0
        )
    }
    assert set(stored) == set(expected)
    for key, reference in expected.items():
        assert stored[key].score == pytest.approx(reference.score, rel=1e-9)
        assert stored[key].reason == reference.reason
    if expected:
        assert store.trending.last_refreshed() == now


def test_empty_store_refreshes_to_nothing(store: Store) -> None:
    assert tally_all(store, NOWS[0]) == {}
    assert refresh_scores(store, now=NOWS[0]) == 0
