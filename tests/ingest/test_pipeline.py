"""Batching: errors and records read before a file turns out unreadable are kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paperwire.ingest.batch import batches_of
from paperwire.ingest.pipeline import IngestReport, ingest_records
from paperwire.records import PaperRecord, RecordError, UnreadableInput
from paperwire.store.base import Store


def _breaks_after_three() -> Iterator[PaperRecord | RecordError]:
    yield RecordError("in.jsonl", 1, "invalid JSON")
    yield PaperRecord(source="beir", title="Kept", source_id="k1")
    yield RecordError("in.jsonl", 3, "missing required field 'title'")
    raise UnreadableInput("in.jsonl: not UTF-8 at line 4")


def test_batches_keep_what_was_read_before_a_failure() -> None:
    batches = batches_of(_breaks_after_three(), 1000)
    batch = next(batches)
    assert [r.title for r in batch.records] == ["Kept"]
    assert [e.line for e in batch.errors] == [1, 3]
    with pytest.raises(UnreadableInput):
        next(batches)


def test_ingest_stores_and_reports_what_was_read_before_a_failure(store: Store) -> None:
    report = IngestReport()
    with pytest.raises(UnreadableInput):
        ingest_records(store, _breaks_after_three(), report=report)
    assert report.skipped == 2 and report.inserted == 1
    assert store.papers.get("k1").title == "Kept"
