"""What flows from a reader to the writer: records in batches, with the errors met."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from paperwire.records import PaperRecord, RecordError


@dataclass(slots=True)
class Batch:
    """Records to write in one transaction, and the input skipped while reading them.

    ``prepared[i]``, when set, is what the store's ``row_preparer`` made of
    ``records[i]`` (a reader process prepares rows next to the parsing).
    """

    records: Sequence[PaperRecord]
    errors: list[RecordError] = field(default_factory=list)
    prepared: Sequence[object] | None = None


def batches_of(items: Iterable[PaperRecord | RecordError], size: int) -> Iterator[Batch]:
    """``items`` in batches of ``size`` records, each with the errors read since the last."""
    batch = Batch(records=[])
    for item in items:
        if isinstance(item, RecordError):
            batch.errors.append(item)
            continue
        batch.records.append(item)  # type: ignore[attr-defined]
        if len(batch.records) >= size:
            yield batch
            batch = Batch(records=[])
    if batch.records or batch.errors:
        yield batch
