"""The trending formula as a pure function: decay, windows, imported totals, reasons."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from paperwire.trending.score import (
    VIEW_CAP,
    WINDOWS,
    Activity,
    Snapshot,
    decay,
    score_activity,
    snapshot_decayed,
    snapshot_in_window,
)

NOW = datetime(2025, 3, 1, 12, 0)
DAY, WEEK, MONTH = WINDOWS["day"], WINDOWS["week"], WINDOWS["month"]


def hours_ago(*values: float) -> list[datetime]:
    return [NOW - timedelta(hours=value) for value in values]


def test_decay_halves_every_half_life() -> None:
    assert decay(timedelta(0), DAY.half_life) == 1.0
    assert decay(DAY.half_life, DAY.half_life) == pytest.approx(0.5)
    assert decay(2 * DAY.half_life, DAY.half_life) == pytest.approx(0.25)
    assert decay(-timedelta(hours=1), DAY.half_life) == 1.0, "clock skew never boosts"
    assert DAY.half_life == timedelta(hours=8) and WEEK.half_life == timedelta(hours=56)


def test_nothing_scores_zero_with_no_reason() -> None:
    scored = score_activity(Activity(), DAY, NOW)
    assert scored.score == 0 and scored.reason == ""


def test_newer_upvotes_beat_older_ones_and_windows_cut_off() -> None:
    fresh = score_activity(Activity(upvotes=hours_ago(1, 1)), DAY, NOW)
    stale = score_activity(Activity(upvotes=hours_ago(20, 20)), DAY, NOW)
    assert fresh.score > stale.score > 0
    assert score_activity(Activity(upvotes=hours_ago(25)), DAY, NOW).score == 0
    assert score_activity(Activity(upvotes=hours_ago(25)), WEEK, NOW).score > 0
    assert score_activity(Activity(upvotes=hours_ago(-1)), DAY, NOW).score == 0, "future"
    assert fresh.reason == "2 upvotes today"
    assert score_activity(Activity(upvotes=hours_ago(30)), WEEK, NOW).reason == (
        "1 upvote this week"
    )


def test_many_old_upvotes_versus_few_new_ones() -> None:
    """Within a day, 3 upvotes this hour outrank 5 from 20 hours ago; in a month, not."""
    recent = Activity(upvotes=hours_ago(0.5, 0.5, 0.5))
    earlier = Activity(upvotes=hours_ago(20, 20, 20, 20, 20))
    assert score_activity(recent, DAY, NOW).score > score_activity(earlier, DAY, NOW).score
    assert score_activity(recent, MONTH, NOW).score < score_activity(earlier, MONTH, NOW).score


def test_views_count_little_and_with_diminishing_returns() -> None:
    hour = NOW.replace(minute=0) - timedelta(hours=1)
    one_upvote = score_activity(Activity(upvotes=hours_ago(1)), DAY, NOW).score
    ten_views = score_activity(Activity(views=[(hour, 10)]), DAY, NOW)
    thousand_views = score_activity(Activity(views=[(hour, 1000)]), DAY, NOW)
    assert ten_views.score < 2 * one_upvote
    assert thousand_views.score < 100 * ten_views.score / 5, "sqrt: 100x views, 10x score"
    assert thousand_views.reason == "1,000 views today"


def test_no_number_of_views_outranks_two_upvotes_in_the_window() -> None:
    for window in WINDOWS.values():
        hours = int(window.length / timedelta(hours=1))
        flood = [(NOW.replace(minute=0) - timedelta(hours=h), 10**6) for h in range(hours)]
        edge = NOW - window.length + timedelta(minutes=1)
        two_upvotes_long_ago = score_activity(Activity(upvotes=[edge, edge]), window, NOW)
        bought = score_activity(Activity(views=flood), window, NOW)
        assert bought.score == pytest.approx(VIEW_CAP)
        assert bought.score < two_upvotes_long_ago.score, window.name
    assert VIEW_CAP == 0.25
    # Below the cap, more views still rank higher.
    hour = NOW.replace(minute=0)
    few = [score_activity(Activity(views=[(hour, n)]), DAY, NOW).score for n in (1, 4, 25, 90)]
    assert few == sorted(few) and len(set(few)) == 4 and few[-1] < VIEW_CAP


def test_saves_count_like_upvotes() -> None:
    scored = score_activity(Activity(saves=hours_ago(2)), WEEK, NOW)
    assert scored.score == pytest.approx(decay(timedelta(hours=2), WEEK.half_life))
    assert scored.reason == "1 save this week"


def test_snapshot_is_spread_evenly_from_the_paper_date() -> None:
    # 48 upvotes over the last two days: 24 of them in the last day.
    snapshot = Snapshot("upvotes", 48, NOW - timedelta(days=2), NOW)
    assert snapshot_in_window(snapshot, DAY, NOW) == pytest.approx(24)
    assert snapshot_in_window(snapshot, WEEK, NOW) == pytest.approx(48)
    # The decayed value is the integral of rate * 2^(-age/h) over the last day.
    rate = 48 / (2 * 86400)
    h = DAY.half_life.total_seconds()
    expected = rate * h / math.log(2) * (1 - 2 ** (-86400 / h))
    assert snapshot_decayed(snapshot, DAY, NOW) == pytest.approx(expected)
    # Numerical check of the closed form.
    steps = 10_000
    width = 86400 / steps
    riemann = sum(rate * width * 2 ** (-((i + 0.5) * width) / h) for i in range(steps))
    assert snapshot_decayed(snapshot, DAY, NOW) == pytest.approx(riemann, rel=1e-4)


def test_snapshot_seen_long_ago_no_longer_counts() -> None:
    snapshot = Snapshot("upvotes", 100, NOW - timedelta(days=60), NOW - timedelta(days=40))
    assert snapshot_in_window(snapshot, MONTH, NOW) == 0
    assert snapshot_decayed(snapshot, MONTH, NOW) == 0


def test_snapshot_of_an_old_paper_is_a_trickle() -> None:
    old = Snapshot("github_stars", 5000, NOW - timedelta(days=3650), NOW)
    new = Snapshot("github_stars", 300, NOW - timedelta(days=2), NOW)
    old_score = score_activity(Activity(snapshots=[old]), DAY, NOW)
    new_score = score_activity(Activity(snapshots=[new]), DAY, NOW)
    assert new_score.score > 10 * old_score.score
    assert new_score.reason == "300 GitHub stars"


def test_snapshot_observed_at_the_paper_date_is_not_infinite() -> None:
    snapshot = Snapshot("upvotes", 10, NOW, NOW)
    scored = score_activity(Activity(snapshots=[snapshot]), DAY, NOW)
    assert 0 < scored.score <= 10
    assert scored.reason == "10 upvotes today"


def test_imported_and_local_upvotes_add_up_in_the_reason() -> None:
    activity = Activity(
        upvotes=hours_ago(1, 2),
        snapshots=[Snapshot("upvotes", 48, NOW - timedelta(days=2), NOW)],
    )
    assert score_activity(activity, DAY, NOW).reason == "26 upvotes today"


def test_stars_weigh_less_than_upvotes() -> None:
    since = NOW - timedelta(days=1)
    stars = Activity(snapshots=[Snapshot("github_stars", 100, since, NOW)])
    upvotes = Activity(snapshots=[Snapshot("upvotes", 100, since, NOW)])
    assert score_activity(stars, DAY, NOW).score == pytest.approx(
        0.2 * score_activity(upvotes, DAY, NOW).score
    )


def test_reason_names_the_strongest_signal() -> None:
    hour = NOW.replace(minute=0)
    activity = Activity(upvotes=hours_ago(23), views=[(hour, 400)])
    assert score_activity(activity, DAY, NOW).reason == "400 views today"
    activity = Activity(upvotes=hours_ago(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), views=[(hour, 4)])
    assert score_activity(activity, DAY, NOW).reason == "12 upvotes today"
