"""What every engine's ``store.trending`` promises: the precomputed scores table."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from paperwire.accounts import ensure_user
from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.interfaces.trending import RankedPaper, TrendingScore

NOW = datetime(2025, 3, 1, 12, 0)
LATER = NOW + timedelta(minutes=5)


def add_papers(store: Store, count: int) -> list[int]:
    store.papers.upsert(
        [
            PaperRecord(source="arxiv", title=f"Paper {i}", arxiv_id=f"2502.{i:05d}")
            for i in range(1, count + 1)
        ]
    )
    return [store.papers.get(f"2502.{i:05d}").row_id for i in range(1, count + 1)]


def test_nothing_before_the_first_refresh(contract_store: Store) -> None:
    assert contract_store.trending.last_refreshed() is None
    assert contract_store.trending.top("day", computed_after=NOW, limit=5, offset=0) == []
    assert contract_store.trending.scores_of("day") == {}
    assert contract_store.trending.replace_all([], computed_at=NOW) == 0
    assert contract_store.trending.last_refreshed() is None


def test_top_is_best_first_ties_by_higher_row_id_and_paged(contract_store: Store) -> None:
    papers = add_papers(contract_store, 5)
    scores = [1.0, 3.0, 2.0, 3.0, 0.5]
    ranked = contract_store.trending.replace_all(
        [
            TrendingScore("week", row_id, score, f"r{row_id}")
            for row_id, score in zip(papers, scores, strict=True)
        ]
        + [TrendingScore("day", papers[0], 9.0, "only today")],
        computed_at=NOW,
    )
    assert ranked == 5
    week = contract_store.trending.top(
        "week", computed_after=NOW - timedelta(days=7), limit=10, offset=0
    )
    order = [papers[3], papers[1], papers[2], papers[0], papers[4]]
    assert [row.paper_row_id for row in week] == order
    assert week[0] == RankedPaper(papers[3], 3.0, f"r{papers[3]}", 0)
    pages = [
        contract_store.trending.top(
            "week", computed_after=NOW - timedelta(days=7), limit=2, offset=o
        )
        for o in (0, 2, 4)
    ]
    assert [row.paper_row_id for page in pages for row in page] == order
    assert [len(page) for page in pages] == [2, 2, 1]
    (day,) = contract_store.trending.top(
        "day", computed_after=NOW - timedelta(days=1), limit=10, offset=0
    )
    assert (day.paper_row_id, day.reason) == (papers[0], "only today")
    assert contract_store.trending.scores_of("week") == dict(zip(papers, scores, strict=True))


def test_top_counts_local_upvotes_at_reading_time(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    contract_store.trending.replace_all([TrendingScore("day", paper, 1.0, "r")], computed_at=NOW)
    for email in ("a@x.org", "b@x.org"):
        user = ensure_user(contract_store, email, now=NOW).id
        contract_store.attention.set_mark(user, paper, "upvote", at=NOW)
        contract_store.attention.set_mark(user, paper, "save", at=NOW)
    (row,) = contract_store.trending.top(
        "day", computed_after=NOW - timedelta(days=1), limit=1, offset=0
    )
    assert row.local_upvotes == 2


def test_scores_older_than_asked_are_not_in_the_top(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    contract_store.trending.replace_all([TrendingScore("day", paper, 1.0, "r")], computed_at=NOW)
    assert contract_store.trending.top("day", computed_after=NOW, limit=5, offset=0) == []
    assert (
        len(
            contract_store.trending.top(
                "day", computed_after=NOW - timedelta(microseconds=1), limit=5, offset=0
            )
        )
        == 1
    )
    assert contract_store.trending.scores_of("day") == {paper: 1.0}, "however old"


def test_replace_all_replaces_every_window(contract_store: Store) -> None:
    first, second = add_papers(contract_store, 2)
    trending = contract_store.trending
    trending.replace_all(
        [TrendingScore("day", first, 1.0, "a"), TrendingScore("week", first, 1.0, "a")],
        computed_at=NOW,
    )
    assert trending.replace_all([TrendingScore("week", second, 2.0, "b")], computed_at=LATER) == 1
    assert trending.scores_of("day") == {}
    assert trending.scores_of("week") == {second: 2.0}
    assert trending.last_refreshed() == LATER


def test_scores_of_deleted_papers_are_dropped(contract_store: Store) -> None:
    (paper,) = add_papers(contract_store, 1)
    stored = contract_store.trending.replace_all(
        [TrendingScore("day", paper, 1.0, "a"), TrendingScore("day", paper + 1000, 2.0, "gone")],
        computed_at=NOW,
    )
    assert stored == 1
    assert contract_store.trending.scores_of("day") == {paper: 1.0}


def test_readers_never_see_a_mix_of_two_refreshes(contract_store: Store) -> None:
    papers = add_papers(contract_store, 60)
    trending = contract_store.trending
    stop = threading.Event()
    seen: list[set[float]] = []

    def read() -> None:
        while not stop.is_set():
            seen.append(set(trending.scores_of("day").values()))

    def refresh(generation: int) -> None:
        trending.replace_all(
            [TrendingScore("day", row_id, float(generation), "g") for row_id in papers],
            computed_at=NOW + timedelta(minutes=generation),
        )

    refresh(0)
    reader = threading.Thread(target=read)
    reader.start()
    try:
        for generation in range(1, 30):
            refresh(generation)
    finally:
        stop.set()
        reader.join()
    assert seen
    assert all(len(values) == 1 for values in seen), "one whole refresh at a time, never none"
