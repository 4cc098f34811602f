"""The vectors contract: one space, one vector per paper, seq order, rebuilds."""

from __future__ import annotations

import threading

import pytest

from paperwire.records import PaperRecord
from paperwire.store.base import Store, VectorSpace, VectorSpaceMismatch


@pytest.fixture
def rows(contract_store: Store) -> list[int]:
    contract_store.papers.upsert(
        [
            PaperRecord(source="arxiv", arxiv_id=f"2401.{n:05d}", title=f"T{n}", abstract="A")
            for n in range(1, 5)
        ]
    )
    return sorted(p.row_id for p in contract_store.papers.iterate())


def blob(value: int) -> bytes:
    return bytes([value]) * 8


def test_the_first_save_makes_the_space(contract_store: Store, rows: list[int]) -> None:
    assert contract_store.vectors.space() is None
    space = contract_store.vectors.save("m", 2, [(rows[0], blob(1)), (rows[1], blob(2))])
    assert space == VectorSpace("m", 2, 1, 2) == contract_store.vectors.space()
    with pytest.raises(VectorSpaceMismatch):
        contract_store.vectors.save("other", 2, [(rows[2], blob(3))])
    assert contract_store.vectors.save("m", 2, []) == space


def test_seq_grows_and_a_paper_has_one_vector(contract_store: Store, rows: list[int]) -> None:
    contract_store.vectors.save("m", 2, [(rows[0], blob(1)), (rows[1], blob(2))])
    space = contract_store.vectors.save("m", 2, [(rows[0], blob(9))])
    assert space.generation == 3
    since = contract_store.vectors.since(0)
    assert [(item, seq) for item, seq, _ in since] == [(rows[1], 2), (rows[0], 3)]
    assert since[-1][2] == blob(9)
    assert contract_store.vectors.since(2) == [(rows[0], 3, blob(9))]
    assert len(contract_store.vectors.since(0, limit=1)) == 1


def test_missing_vectors_by_row_id(contract_store: Store, rows: list[int]) -> None:
    contract_store.vectors.save("m", 2, [(rows[1], blob(1))])
    missing = contract_store.vectors.missing()
    assert [item for item, _, _ in missing] == [rows[0], rows[2], rows[3]]
    assert missing[0][1:] == ("T1", "A")
    assert [item for item, _, _ in contract_store.vectors.missing(after=rows[0], limit=1)] == [
        rows[2]
    ]
    assert contract_store.vectors.count_missing() == 3


def test_vectors_of_unknown_papers_are_skipped(contract_store: Store, rows: list[int]) -> None:
    space = contract_store.vectors.save("m", 2, [(999_999, blob(1)), (rows[0], blob(2))])
    assert space.generation == 1
    assert [item for item, _, _ in contract_store.vectors.since(0)] == [rows[0]]


def test_reset_starts_a_new_epoch(contract_store: Store, rows: list[int]) -> None:
    assert contract_store.vectors.reset("m", 2) == VectorSpace("m", 2, 1, 0)
    contract_store.vectors.save("m", 2, [(rows[0], blob(1))])
    assert contract_store.vectors.reset("n", 3) == VectorSpace("n", 3, 2, 0)
    assert contract_store.vectors.since(0) == []
    assert contract_store.vectors.count_missing() == 4
    assert contract_store.vectors.save("n", 3, [(rows[0], blob(1))]).generation == 1


def test_concurrent_writers_never_share_a_seq(contract_store: Store, rows: list[int]) -> None:
    def write(row_id: int) -> None:
        for value in range(10):
            contract_store.vectors.save("m", 2, [(row_id, blob(value))])

    threads = [threading.Thread(target=write, args=(row_id,)) for row_id in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert contract_store.vectors.space() == VectorSpace("m", 2, 1, 40)
    seqs = [seq for _, seq, _ in contract_store.vectors.since(0)]
    assert len(seqs) == len(set(seqs)) == 4 and max(seqs) == 40
