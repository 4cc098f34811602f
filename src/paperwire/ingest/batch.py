"""What flows from a reader to the writer: records in batches, with the errors met."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from paperwire.records import PaperRecord, RecordError


@dataclass(slots=True)
class Batch:
    """Records to write in one transaction, and the input skipped while reading them.

    A reader process sends what the store's ``row_preparer`` made of each record
    instead of the record, which ``Store.upsert`` takes alike.
    """

    records: list[PaperRecord | Any] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


def batches_of(items: Iterable[PaperRecord | RecordError], size: int) -> Iterator[Batch]:
    """``items`` in batches of ``size`` records, each with the errors read since the last.

    If reading fails part way (a file that turns out unreadable), what was read before
    the failure is still yielded, then the failure raised.
    """
    batch = Batch()
    try:
        for item in items:
            if isinstance(item, RecordError):
                batch.errors.append(item)
                continue
            batch.records.append(item)
            if len(batch.records) >= size:
                yield batch
                batch = Batch()
    except Exception:
        if batch.records or batch.errors:
            yield batch
        raise
    if batch.records or batch.errors:
        yield batch
