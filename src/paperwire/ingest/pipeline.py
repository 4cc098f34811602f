"""One pipeline for every source: read records, upsert them in batches, report.

Each batch is one transaction, so an interrupted ingest leaves whole batches stored
and nothing half-written; running it again folds the rest in (upserts are idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from paperwire.records import PaperRecord, RecordError
from paperwire.store.base import Store
from paperwire.store.models import UpsertResult


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: counts, and every record it skipped with the reason."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def add(self, result: UpsertResult) -> None:
        self.inserted += result.inserted
        self.updated += result.updated
        self.unchanged += result.unchanged

    def summary(self) -> str:
        return (
            f"{self.inserted} imported, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )


def _batches(items: Iterable[PaperRecord], size: int) -> Iterator[list[PaperRecord]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def ingest_records(
    store: Store,
    items: Iterable[PaperRecord | RecordError],
    *,
    batch_size: int = 1000,
    report: IngestReport | None = None,
    on_error: Callable[[RecordError], None] | None = None,
    on_batch: Callable[[list[PaperRecord], UpsertResult], None] | None = None,
) -> IngestReport:
    """Upsert every record; collect errors (and pass each to ``on_error`` as it comes)."""
    report = report or IngestReport()

    def records_only() -> Iterator[PaperRecord]:
        for item in items:
            if isinstance(item, RecordError):
                report.errors.append(item)
                if on_error:
                    on_error(item)
            else:
                yield item

    for batch in _batches(records_only(), batch_size):
        result = store.upsert(batch)
        report.add(result)
        if on_batch:
            on_batch(batch, result)
    return report
