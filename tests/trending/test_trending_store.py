"""Events, marks, refresh and the precomputed top lists on a real SQLite store."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from paperwire.accounts import UnknownUser, User, redeem_login_token, request_login
from paperwire.records import Metric, PaperRecord
from paperwire.store.base import PaperNotFound, Store
from paperwire.store.schema import paper_metrics
from paperwire.trending import (
    InvalidVisitor,
    record_view,
    refresh_scores,
    saved_papers,
    set_mark,
    top,
    upvote_counts,
)

NOW = datetime(2025, 3, 1, 12, 0)
KEY = "test-secret-key-that-is-long-enough-0123456789"


def view(
    store: Store, paper_ref: str, visitor_id: str, *, now: datetime, network: str | None = None
) -> bool:
    """An anonymous view, from a network of the visitor's own unless one is named."""
    return record_view(
        store,
        paper_ref,
        visitor_id,
        network=network or f"198.51.100.0/24 of {visitor_id}",
        secret_key=KEY,
        network_cap=3,
        now=now,
    )


@pytest.fixture
def papers(store: Store) -> list[str]:
    """Five arXiv papers published 1..5 days before NOW; returns their paperwire ids."""
    store.papers.upsert(
        [
            PaperRecord(
                source="arxiv",
                title=f"Paper {i}",
                arxiv_id=f"2502.0000{i}",
                published=NOW - timedelta(days=i),
            )
            for i in range(1, 6)
        ]
    )
    return [store.papers.get(f"2502.0000{i}").paper_id for i in range(1, 6)]


def sign_in(store: Store, email: str) -> User:
    return redeem_login_token(store, request_login(store, email, now=NOW).token, now=NOW)


def test_fresh_install_has_no_trending(store: Store, papers: list[str]) -> None:
    assert refresh_scores(store, now=NOW) == 0
    assert top(store, "day", limit=10, now=NOW) == []
    assert store.trending.last_refreshed() is None


def test_a_view_counts_once_per_visitor_per_utc_day(store: Store, papers: list[str]) -> None:
    assert view(store, "2502.00001", "visitor-aaaa", now=NOW) is True
    assert view(store, papers[0], "visitor-aaaa", now=NOW + timedelta(hours=1)) is False
    assert view(store, papers[0], "visitor-bbbb", now=NOW) is True
    assert view(store, papers[0], "visitor-aaaa", now=datetime(2025, 3, 2, 0, 1)) is True
    with pytest.raises(PaperNotFound):
        view(store, "2502.99999", "visitor-aaaa", now=NOW)
    for bad in ("", "short", "x" * 65, "has space!", "ünïcode-id"):
        with pytest.raises(InvalidVisitor):
            view(store, papers[0], bad, now=NOW)


def test_marks_are_one_per_user_and_undoable(store: Store, papers: list[str]) -> None:
    ann, bob = sign_in(store, "ann@example.org"), sign_in(store, "bob@example.org")
    set_mark(store, ann.id, "2502.00001", "upvote", True, now=NOW)
    set_mark(store, ann.id, papers[0], "upvote", True, now=NOW)  # again: still one
    set_mark(store, bob.id, papers[0], "upvote", True, now=NOW)
    set_mark(store, ann.id, papers[1], "save", True, now=NOW)
    assert upvote_counts(store, papers[:2]) == {papers[0]: 2, papers[1]: 0}
    assert store.attention.marks_on(ann.id, papers[:3]) == {
        papers[0]: {"upvote"},
        papers[1]: {"save"},
        papers[2]: set(),
    }
    set_mark(store, ann.id, papers[0], "upvote", False, now=NOW)
    set_mark(store, ann.id, papers[0], "upvote", False, now=NOW)  # undo twice: harmless
    assert upvote_counts(store, [papers[0]]) == {papers[0]: 1}
    assert store.attention.marks_on(ann.id, []) == {}
    with pytest.raises(ValueError, match="unknown mark"):
        set_mark(store, ann.id, papers[0], "like", True, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(UnknownUser):
        set_mark(store, 999, papers[0], "upvote", True, now=NOW)
    with pytest.raises(PaperNotFound):
        set_mark(store, ann.id, "nope", "upvote", True, now=NOW)


def test_saved_papers_newest_save_first(store: Store, papers: list[str]) -> None:
    ann = sign_in(store, "ann@example.org")
    for minutes, paper_id in enumerate([papers[2], papers[0], papers[4]]):
        set_mark(store, ann.id, paper_id, "save", True, now=NOW + timedelta(minutes=minutes))
    set_mark(store, ann.id, papers[0], "save", False, now=NOW)
    assert [p.paper_id for p in saved_papers(store, ann.id)] == [papers[4], papers[2]]
    assert saved_papers(store, 999) == []


def test_imported_upvotes_add_to_local_ones(store: Store, papers: list[str]) -> None:
    store.papers.upsert(
        [
            PaperRecord(
                source="hf-daily",
                title="Paper 1",
                arxiv_id="2502.00001",
                metrics=[Metric("upvotes", 40), Metric("github_stars", 300)],
            )
        ]
    )
    ann = sign_in(store, "ann@example.org")
    set_mark(store, ann.id, papers[0], "upvote", True, now=NOW)
    assert upvote_counts(store, [papers[0], papers[1]]) == {papers[0]: 41, papers[1]: 0}


def test_refresh_ranks_by_recent_attention(store: Store, papers: list[str]) -> None:
    users = [sign_in(store, f"user{i}@example.org") for i in range(3)]
    for user in users:  # paper 2: three upvotes an hour ago
        set_mark(store, user.id, papers[1], "upvote", True, now=NOW - timedelta(hours=1))
    set_mark(store, users[0].id, papers[0], "upvote", True, now=NOW - timedelta(days=3))
    for i in range(5):  # paper 3: five visitors
        view(store, papers[2], f"visitor-{i:04d}", now=NOW - timedelta(hours=2))
    assert refresh_scores(store, now=NOW) == 3

    day = top(store, "day", limit=10, now=NOW)
    assert [e.paper.paper_id for e in day] == [papers[1], papers[2]]
    assert day[0].reason == "3 upvotes today" and day[0].upvotes == 3
    assert day[1].reason == "5 views today" and day[1].upvotes == 0
    # Views add at most 0.25: this week, an upvote three days old weighs more.
    week = top(store, "week", limit=10, now=NOW)
    assert [e.paper.paper_id for e in week] == [papers[1], papers[0], papers[2]]
    assert week[1].reason == "1 upvote this week"
    assert [e.paper.paper_id for e in top(store, "week", limit=1, offset=1, now=NOW)] == [papers[0]]
    assert store.trending.last_refreshed() == NOW
    with pytest.raises(ValueError, match="unknown window"):
        top(store, "year", limit=10, now=NOW)


def test_undo_takes_the_upvote_out_at_the_next_refresh(store: Store, papers: list[str]) -> None:
    ann = sign_in(store, "ann@example.org")
    set_mark(store, ann.id, papers[0], "upvote", True, now=NOW)
    refresh_scores(store, now=NOW)
    assert len(top(store, "day", limit=10, now=NOW)) == 1
    set_mark(store, ann.id, papers[0], "upvote", False, now=NOW)
    assert len(top(store, "day", limit=10, now=NOW)) == 1, "top never recomputes"
    refresh_scores(store, now=NOW)
    assert top(store, "day", limit=10, now=NOW) == []


def test_reloading_does_not_game_views(store: Store, papers: list[str]) -> None:
    for minute in range(100):
        view(store, papers[0], "visitor-reload", now=NOW - timedelta(minutes=minute))
    view(store, papers[1], "visitor-other1", now=NOW)
    view(store, papers[1], "visitor-other2", now=NOW)
    refresh_scores(store, now=NOW)
    day = top(store, "day", limit=10, now=NOW)
    assert [e.paper.paper_id for e in day] == [papers[1], papers[0]]
    assert day[1].reason == "1 view today"


def test_events_older_than_a_month_are_ignored(store: Store, papers: list[str]) -> None:
    ann = sign_in(store, "ann@example.org")
    set_mark(store, ann.id, papers[0], "upvote", True, now=NOW - timedelta(days=31))
    view(store, papers[0], "visitor-aaaa", now=NOW - timedelta(days=31))
    assert refresh_scores(store, now=NOW) == 0


def test_stale_scores_are_not_shown(store: Store, papers: list[str]) -> None:
    ann = sign_in(store, "ann@example.org")
    set_mark(store, ann.id, papers[0], "upvote", True, now=NOW)
    refresh_scores(store, now=NOW)
    later = NOW + timedelta(days=2)
    assert top(store, "day", limit=10, now=later) == []
    assert len(top(store, "week", limit=10, now=later)) == 1


def test_imported_totals_trend_by_the_paper_age(store: Store) -> None:
    store.papers.upsert(
        [
            PaperRecord(
                source="hf-daily",
                title="New with code",
                arxiv_id="2502.00011",
                published=NOW - timedelta(days=2),
                metrics=[Metric("github_stars", 300)],
            ),
            PaperRecord(
                source="hf-daily",
                title="Old classic",
                arxiv_id="1706.03762",
                published=NOW - timedelta(days=2900),
                metrics=[Metric("upvotes", 200), Metric("github_stars", 9000)],
            ),
        ]
    )
    # The snapshot was taken at NOW (ingest stamps the wall clock: move it to NOW).
    with store.writing() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.update(paper_metrics).values(observed_at=NOW))
    refresh_scores(store, now=NOW)
    day = top(store, "day", limit=10, now=NOW)
    assert [e.paper.title for e in day] == ["New with code", "Old classic"]
    assert day[0].reason == "300 GitHub stars"
    assert day[1].upvotes == 200


def test_refresh_replaces_scores_atomically(store: Store, papers: list[str]) -> None:
    ann = sign_in(store, "ann@example.org")
    set_mark(store, ann.id, papers[0], "upvote", True, now=NOW)
    refresh_scores(store, now=NOW)
    refresh_scores(store, now=NOW + timedelta(minutes=1))
    assert store.trending.last_refreshed() == NOW + timedelta(minutes=1)
    row_id = store.papers.get(papers[0]).row_id
    for period in ("day", "month", "week"):
        assert list(store.trending.scores_of(period)) == [row_id]
        (ranked,) = store.trending.top(period, computed_after=NOW, limit=5, offset=0)
        assert ranked.paper_row_id == row_id
