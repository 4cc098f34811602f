"""What every engine's ``store.attention`` promises: views and marks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

import pytest

from paperwire.accounts import ensure_user
from paperwire.records import Metric, PaperRecord
from paperwire.store.base import Store
from paperwire.store.interfaces.attention import MarkingUserNotFound, UpvoteCount

NOW = datetime(2025, 3, 1, 12, 0)
DAY = NOW.date()
HOUR = 485_988  # any bucket: the store keeps what it is given


def add_papers(store: Store, count: int) -> list[int]:
    store.papers.upsert(
        [
            PaperRecord(
                source="arxiv",
                title=f"Paper {i}",
                arxiv_id=f"2502.{i:05d}",
                published=NOW - timedelta(days=3),
            )
            for i in range(1, count + 1)
        ]
    )
    return [store.papers.get(f"2502.{i:05d}").row_id for i in range(1, count + 1)]


def add_user(store: Store, email: str) -> int:
    """A user, made through the accounts rules (the store's only way in today)."""
    return ensure_user(store, email, now=NOW).id


def paper_id(store: Store, row_id: int) -> str:
    return store.papers.get_many([row_id])[row_id].paper_id


def test_a_visitors_second_view_the_same_day_is_not_stored(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    attention = contract_store.attention
    assert attention.add_view(paper, "visitor-1", day=DAY, hour=HOUR)
    assert not attention.add_view(paper, "visitor-1", day=DAY, hour=HOUR + 3)
    assert not attention.add_network_view(
        paper, "visitor-1", day=DAY, hour=HOUR, network="n1", network_cap=5
    )
    assert attention.add_view(paper, "visitor-1", day=DAY + timedelta(days=1), hour=HOUR + 24)
    assert attention.add_view(paper, "visitor-2", day=DAY, hour=HOUR)
    assert sorted(attention.view_hours_since(0)) == [
        (paper, HOUR),
        (paper, HOUR),
        (paper, HOUR + 24),
    ]


def test_concurrent_identical_views_store_one(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        stored = list(
            pool.map(
                lambda _: contract_store.attention.add_view(
                    paper, "same-visitor", day=DAY, hour=HOUR
                ),
                range(16),
            )
        )
    assert stored.count(True) == 1
    assert contract_store.attention.view_hours_since(HOUR) == [(paper, HOUR)]


def test_the_network_cap_is_per_paper_network_and_day(contract_store: Store) -> None:
    first, second = add_papers(contract_store, 2)
    attention = contract_store.attention

    def view(paper: int, visitor: str, network: str, day: date = DAY) -> bool:
        return attention.add_network_view(
            paper, visitor, day=day, hour=HOUR, network=network, network_cap=2
        )

    assert [view(first, f"visitor-{n}", "office") for n in range(4)] == [True, True, False, False]
    assert view(second, "visitor-9", "office"), "per paper"
    assert view(first, "visitor-8", "home"), "per network"
    assert view(first, "visitor-7", "office", DAY + timedelta(days=1)), "per day"
    assert attention.add_view(first, "reader-1", day=DAY, hour=HOUR), "readers: no network"


def test_the_network_cap_holds_under_concurrent_inserts(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    cap = 3

    def view(number: int) -> bool:
        return contract_store.attention.add_network_view(
            paper, f"visitor-{number:03d}", day=DAY, hour=HOUR, network="office", network_cap=cap
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        stored = list(pool.map(view, range(40)))
    assert stored.count(True) == cap
    assert len(contract_store.attention.view_hours_since(0)) == cap


def test_marks_are_idempotent_and_unmark_deletes(contract_store: Store) -> None:
    first, second = add_papers(contract_store, 2)
    user = add_user(contract_store, "ann@example.org")
    attention = contract_store.attention
    assert attention.set_mark(user, first, "upvote", at=NOW)
    assert not attention.set_mark(user, first, "upvote", at=NOW + timedelta(hours=1))
    assert attention.set_mark(user, first, "save", at=NOW)
    marks = attention.marks_since(NOW - timedelta(days=1))
    assert sorted(zip(marks.paper_row_ids, marks.kinds, marks.created_at, strict=True)) == [
        (first, "save", NOW),
        (first, "upvote", NOW),
    ], "a mark set again keeps its first time"

    assert attention.unset_mark(user, first, "upvote")
    assert not attention.unset_mark(user, first, "upvote")
    assert not attention.unset_mark(user, second, "save")
    ids = [paper_id(contract_store, first), paper_id(contract_store, second)]
    assert attention.marks_on(user, ids) == {ids[0]: {"save"}, ids[1]: set()}
    assert attention.upvote_counts(ids) == {ids[0]: UpvoteCount(), ids[1]: UpvoteCount()}
    assert list(attention.marks_since(NOW - timedelta(days=1)).kinds) == ["save"]


def test_marks_of_an_unknown_user_are_refused(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    with pytest.raises(MarkingUserNotFound):
        contract_store.attention.set_mark(404, paper, "upvote", at=NOW)
    with pytest.raises(MarkingUserNotFound):
        contract_store.attention.unset_mark(404, paper, "upvote")


def test_concurrent_identical_marks_store_one(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    user = add_user(contract_store, "ann@example.org")
    with ThreadPoolExecutor(max_workers=8) as pool:
        new = list(
            pool.map(
                lambda n: contract_store.attention.set_mark(
                    user, paper, "upvote", at=NOW + timedelta(seconds=n)
                ),
                range(16),
            )
        )
    assert new.count(True) == 1
    assert len(contract_store.attention.marks_since(NOW - timedelta(days=1)).kinds) == 1


def test_marks_on_answers_every_id_asked_for(contract_store: Store) -> None:
    first, second = add_papers(contract_store, 2)
    ann, bob = add_user(contract_store, "ann@example.org"), add_user(contract_store, "b@x.org")
    contract_store.attention.set_mark(ann, first, "upvote", at=NOW)
    contract_store.attention.set_mark(bob, second, "save", at=NOW)
    ids = [paper_id(contract_store, first), paper_id(contract_store, second)]
    assert contract_store.attention.marks_on(ann, [*ids, "unknown-id"]) == {
        ids[0]: {"upvote"},
        ids[1]: set(),
        "unknown-id": set(),
    }
    assert contract_store.attention.marks_on(ann, []) == {}


def test_saved_papers_newest_first_then_higher_row_id_and_limited(contract_store: Store) -> None:
    papers = add_papers(contract_store, 4)
    user = add_user(contract_store, "ann@example.org")
    attention = contract_store.attention
    attention.set_mark(user, papers[0], "save", at=NOW)
    attention.set_mark(user, papers[1], "save", at=NOW + timedelta(hours=1))
    attention.set_mark(user, papers[2], "save", at=NOW)
    attention.set_mark(user, papers[3], "upvote", at=NOW + timedelta(hours=2))
    assert attention.saved_row_ids(user, limit=10) == [papers[1], papers[2], papers[0]]
    assert attention.saved_row_ids(user, limit=2) == [papers[1], papers[2]]


def test_upvote_counts_give_local_and_the_largest_imported(contract_store: Store) -> None:
    store = contract_store
    store.papers.upsert(
        [
            PaperRecord(
                source="hf-daily",
                title="Paper 1",
                arxiv_id="2502.00001",
                metrics=(Metric("upvotes", 40), Metric("github_stars", 900)),
            ),
            PaperRecord(
                source="other",
                title="Paper 1",
                arxiv_id="2502.00001",
                metrics=(Metric("upvotes", 25),),
            ),
        ]
    )
    (other,) = add_papers(store, 2)[1:]
    paper = store.papers.get("2502.00001")
    for email in ("a@x.org", "b@x.org"):
        store.attention.set_mark(add_user(store, email), paper.row_id, "upvote", at=NOW)
    store.attention.set_mark(add_user(store, "c@x.org"), paper.row_id, "save", at=NOW)
    other_id = paper_id(store, other)
    assert store.attention.upvote_counts([paper.paper_id, other_id, "unknown-id"]) == {
        paper.paper_id: UpvoteCount(local=2, imported=40),
        other_id: UpvoteCount(),
        "unknown-id": UpvoteCount(),
    }


def test_activity_is_read_strictly_after_the_window_start(contract_store: Store) -> None:
    store = contract_store
    first, second = add_papers(store, 2)
    user = add_user(store, "ann@example.org")
    since = NOW - timedelta(days=30)
    store.attention.set_mark(user, first, "upvote", at=since)
    store.attention.set_mark(user, second, "upvote", at=since + timedelta(microseconds=1))
    marks = store.attention.marks_since(since)
    assert list(marks.paper_row_ids) == [second]
    assert store.attention.marks_since(NOW).paper_row_ids == []

    store.attention.add_view(first, "visitor-1", day=DAY, hour=HOUR - 1)
    store.attention.add_view(second, "visitor-1", day=DAY, hour=HOUR)
    assert store.attention.view_hours_since(HOUR) == [(second, HOUR)]


def test_metrics_since_reads_positive_named_totals_with_the_paper_date(
    contract_store: Store,
) -> None:
    store = contract_store
    published = datetime(2025, 2, 1)
    store.papers.upsert(
        [
            PaperRecord(
                source="hf-daily",
                title="Paper 1",
                arxiv_id="2502.00001",
                published=published,
                metrics=(Metric("upvotes", 40), Metric("github_stars", 0), Metric("comments", 3)),
            )
        ]
    )
    row_id = store.papers.get("2502.00001").row_id
    (seen,) = store.attention.metrics_since(datetime(2000, 1, 1), ["upvotes", "github_stars"])
    assert (seen.paper_row_id, seen.name, seen.value, seen.paper_date) == (
        row_id,
        "upvotes",
        40,
        published,
    )
    assert store.attention.metrics_since(seen.observed_at, ["upvotes"]) == []
