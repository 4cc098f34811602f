"""The papers contract: identity, atomic batches, row ids, derived data kept in step."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from paperwire.records import PaperRecord, Version
from paperwire.store.base import PaperNotFound, Store
from paperwire.store.interfaces.keyword import KeywordQuery
from paperwire.store.models import PaperFilter
from paperwire.store.open import open_store


def arxiv(number: int, title: str = "", abstract: str = "", **extra: object) -> PaperRecord:
    arxiv_id = f"2401.{number:05d}"
    record = PaperRecord(
        source="arxiv",
        source_id=arxiv_id,
        arxiv_id=arxiv_id,
        title=title or f"Paper {number}",
        abstract=abstract,
    )
    return replace(record, **extra)


def test_a_paper_is_found_by_each_of_its_ids(contract_store: Store) -> None:
    contract_store.papers.upsert([arxiv(1, "Sparse attention")])
    paper = contract_store.papers.get("2401.00001v2")
    assert paper.title == "Sparse attention"
    assert contract_store.papers.get(paper.paper_id).row_id == paper.row_id
    assert contract_store.papers.get_many([paper.row_id, 999_999]) == {paper.row_id: paper}
    with pytest.raises(PaperNotFound):
        contract_store.papers.get("2401.99999")


def test_records_of_one_paper_fold_into_one(contract_store: Store) -> None:
    first = contract_store.papers.upsert([arxiv(1), arxiv(1, versions=[Version(2)])])
    again = contract_store.papers.upsert([arxiv(1)])
    assert (first.inserted, again.inserted, again.unchanged) == (1, 0, 1)
    assert contract_store.papers.count() == 1


def test_row_ids_are_unique_and_in_reading_order(contract_store: Store) -> None:
    contract_store.papers.upsert([arxiv(n) for n in range(1, 6)])
    contract_store.papers.upsert([arxiv(n) for n in range(6, 9)])
    by_number = {p.arxiv_id: p.row_id for p in contract_store.papers.iterate()}
    ids = [by_number[f"2401.{n:05d}"] for n in range(1, 9)]
    assert ids == sorted(ids) and len(set(ids)) == 8 and ids[0] > 0


def test_a_failed_batch_writes_nothing(contract_store: Store) -> None:
    with pytest.raises(TypeError):
        contract_store.papers.upsert([arxiv(1), object()])
    assert contract_store.papers.count() == 0


def test_newest_first_and_filters(contract_store: Store) -> None:
    contract_store.papers.upsert(
        [
            arxiv(1, published=datetime(2024, 1, 1, tzinfo=UTC), categories=["cs.LG"]),
            arxiv(2, published=datetime(2024, 3, 1, tzinfo=UTC), categories=["math.CO"]),
            arxiv(3, published=datetime(2024, 2, 1, tzinfo=UTC), authors=["Ada Lovelace"]),
        ]
    )
    newest = contract_store.papers.newest()
    assert [p.arxiv_id for p in newest] == ["2401.00002", "2401.00003", "2401.00001"]
    assert [p.arxiv_id for p in contract_store.papers.newest(limit=1, offset=1)] == ["2401.00003"]
    in_math = contract_store.papers.filter_row_ids(PaperFilter(category="math.CO"))
    assert in_math == [newest[0].row_id]
    by_author = contract_store.papers.newest(PaperFilter(author="lovelace"))
    assert [p.arxiv_id for p in by_author] == ["2401.00003"]
    assert contract_store.papers.filter_row_ids(PaperFilter(), within=[newest[1].row_id]) == [
        newest[1].row_id
    ]
    assert contract_store.papers.stats()["papers"] == 3


def test_changed_text_is_searched_and_loses_its_vector(contract_store: Store) -> None:
    """Kept in step in the writing transaction: on SQLite by triggers (migrations 0001
    and 0002); a second engine must keep the same promise its own way."""
    contract_store.papers.upsert([arxiv(1, "Graph networks", "An abstract about zebras.")])
    row_id = contract_store.papers.get("2401.00001").row_id
    contract_store.vectors.save("model", 2, [(row_id, b"\x00" * 8)])
    assert contract_store.vectors.count_missing() == 0

    contract_store.papers.upsert(
        [arxiv(1, "Graph networks", "An abstract about giraffes.", versions=[Version(2)])]
    )
    assert contract_store.papers.get("2401.00001").abstract == "An abstract about giraffes."
    found = contract_store.keyword.search(KeywordQuery(any_of=("giraffes",)))
    assert [item for item, _ in found] == [row_id]
    assert contract_store.keyword.search(KeywordQuery(any_of=("zebras",))) == []
    assert contract_store.vectors.count_missing() == 1
    assert [row[0] for row in contract_store.vectors.missing()] == [row_id]


def test_unchanged_text_keeps_its_vector(contract_store: Store) -> None:
    contract_store.papers.upsert([arxiv(1, "Graph networks", "Zebras.")])
    row_id = contract_store.papers.get("2401.00001").row_id
    contract_store.vectors.save("model", 2, [(row_id, b"\x00" * 8)])
    contract_store.papers.upsert([arxiv(1, "Graph networks", "Zebras.", authors=["A. Author"])])
    assert contract_store.vectors.count_missing() == 0
    found = contract_store.keyword.search(KeywordQuery(any_of=("author",)))
    assert [item for item, _ in found] == [row_id]


def _ingest(url: str, first: int, batches: int) -> None:
    store = open_store(url)
    try:
        for batch in range(batches):
            start = first + batch * 50
            store.papers.upsert([arxiv(n) for n in range(start, start + 50)])
    finally:
        store.close()


def test_two_processes_ingesting_at_once_lose_nothing(contract_store: Store) -> None:
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_ingest, args=(contract_store.url, first, 10))
        for first in (1, 50_001)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    stored = list(contract_store.papers.iterate())
    assert len(stored) == 1000
    assert len({paper.row_id for paper in stored}) == 1000
