"""The reader process: started before the writer's store is open, told its preparer later."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from paperwire.ingest.background import MIN_BYTES, ReaderProcess, read_batches, start_reader
from paperwire.ingest.batch import batches_of
from paperwire.ingest.reader import read_records
from paperwire.records import UnreadableInput
from paperwire.store.sqlite.rows import prepare


def test_batches_match_parsing_and_preparing_in_process(fixtures: Path) -> None:
    path = str(fixtures / "arxiv-metadata-oai-snapshot.head200.jsonl")
    reader = ReaderProcess(path, batch_size=64)
    time.sleep(0.5)  # the writer opens its store meanwhile; the reader waits for its preparer
    sent = list(reader.batches(prepare))
    here = list(batches_of(read_records(path), 64))
    assert [len(batch.records) for batch in sent] == [64, 64, 64, 8]
    assert [row for batch in sent for row in batch.records] == [
        prepare(record) for batch in here for record in batch.records
    ]


def test_without_a_preparer_the_records_come_as_parsed(fixtures: Path) -> None:
    path = str(fixtures / "beir_scifact_corpus_head20.jsonl")
    sent = [record for batch in ReaderProcess(path).batches() for record in batch.records]
    assert sent == list(read_records(path))


def test_a_reader_never_asked_for_batches_stops_when_closed(fixtures: Path) -> None:
    reader = ReaderProcess(str(fixtures / "arxiv-metadata-oai-snapshot.head200.jsonl"))
    reader.close()
    assert reader.exit_code == 1  # it ended waiting for a preparer, quietly


def test_an_unreadable_file_fails_in_the_writer(tmp_path: Path) -> None:
    binary = tmp_path / "image.jsonl"
    binary.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(UnreadableInput):
        list(ReaderProcess(str(binary)).batches(prepare))


def test_only_large_files_get_a_reader_process(tmp_path: Path, fixtures: Path) -> None:
    small = fixtures / "listing_head20.txt"
    assert start_reader(str(small)) is None
    assert start_reader(str(tmp_path / "missing.jsonl")) is None
    large = tmp_path / "large.listing.txt"
    large.write_text(small.read_text() * (MIN_BYTES // small.stat().st_size + 1))
    reader = start_reader(str(large), "listing")
    assert reader is not None
    batches = list(read_batches(str(large), "listing", reader=reader))
    assert sum(len(batch.records) for batch in batches) > 20
    assert reader.exit_code == 0
