"""One pipeline for every source: read records, upsert them in batches, report.

Each batch is one transaction, so an interrupted ingest leaves whole batches stored
and nothing half-written; running it again folds the rest in (upserts are idempotent).

Reading runs in a background thread one batch ahead of the writes: SQLite releases the
GIL while it writes and indexes, so the next batch is read meanwhile.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paperwire.ingest.batch import Batch, batches_of
from paperwire.ingest.collector import fewer_collections
from paperwire.records import PaperRecord, RecordError

if TYPE_CHECKING:
    from paperwire.store.base import Store
    from paperwire.store.models import UpsertResult


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: counts, and every record it skipped with the reason, and
    every part of the input it could not read as records (``RecordError.unreadable``)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return sum(not error.unreadable for error in self.errors)

    @property
    def unreadable(self) -> int:
        return sum(error.unreadable for error in self.errors)

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def add(self, result: UpsertResult) -> None:
        self.inserted += result.inserted
        self.updated += result.updated
        self.unchanged += result.unchanged

    def summary(self) -> str:
        unreadable = f", {self.unreadable} not readable" if self.unreadable else ""
        return (
            f"{self.inserted} imported, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped{unreadable}"
        )


class _Done:
    """What the reader thread puts last."""


_DONE = _Done()


def _read_ahead(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """Yield the batches of ``batches``, produced in a background thread.

    An exception raised while reading is re-raised here, in the caller's thread.
    """
    ready: queue.Queue[Batch | _Failure | _Done] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                ready.put(batch)
        except BaseException as error:  # handed to the consumer, which re-raises it
            ready.put(_Failure(error))
        finally:
            if isinstance(batches, Generator):
                batches.close()  # a reader process stops here, not when collected
        ready.put(_DONE)

    thread = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    thread.start()
    try:
        while not isinstance(item := ready.get(), _Done):
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


@dataclass(slots=True)
class _Failure:
    error: BaseException


def ingest_batches(
    store: Store,
    batches: Iterable[Batch],
    *,
    report: IngestReport | None = None,
    on_error: Callable[[RecordError], None] | None = None,
    on_batch: Callable[[Sequence[PaperRecord], UpsertResult], None] | None = None,
) -> IngestReport:
    """Upsert each batch in its own transaction; collect errors (passing each to
    ``on_error``) and call ``on_batch`` after each write."""
    report = report or IngestReport()
    with fewer_collections():
        for batch in _read_ahead(iter(batches)):
            for error in batch.errors:
                report.errors.append(error)
                if on_error:
                    on_error(error)
            if batch.records:
                result = store.papers.upsert(batch.records)
                report.add(result)
                if on_batch:
                    on_batch(batch.records, result)
    return report


def ingest_records(
    store: Store,
    items: Iterable[PaperRecord | RecordError],
    *,
    batch_size: int = 1000,
    report: IngestReport | None = None,
    on_error: Callable[[RecordError], None] | None = None,
) -> IngestReport:
    """Upsert every record, ``batch_size`` to a transaction; collect errors."""
    return ingest_batches(store, batches_of(items, batch_size), report=report, on_error=on_error)
