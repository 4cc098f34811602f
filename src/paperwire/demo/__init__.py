"""The bundled demo corpus.

``ml-papers-119.arxiv.jsonl`` holds 119 machine-learning papers in the arXiv metadata
snapshot format, with their arXiv ids, authors, v1 dates and categories where public
pages confirm them (README, "Demo data"). ``ml-papers-119.listing.txt`` holds the same
papers as a trending-page listing (titles and abstracts only); it stays as a sample of
the listing format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.resources import as_file, files
from typing import TYPE_CHECKING, Any

from paperwire.records import PaperRecord, RecordError

if TYPE_CHECKING:
    from paperwire.ingest.pipeline import IngestReport
    from paperwire.store.base import Store

DEMO_FILE = "ml-papers-119.arxiv.jsonl"
DEMO_FORMAT = "arxiv-snapshot"
DEMO_LISTING = "ml-papers-119.listing.txt"


def load_demo(
    store: Store,
    *,
    batch_size: int = 1000,
    on_error: Callable[[RecordError], None] | None = None,
) -> IngestReport:
    """Ingest the 119 demo papers into ``store``; loading them again stores nothing new."""
    from paperwire.ingest.pipeline import ingest_records

    with as_file(files(__name__) / DEMO_FILE) as path:
        return ingest_records(store, read_demo(str(path)), batch_size=batch_size, on_error=on_error)


def read_demo(path: str) -> Iterator[PaperRecord | RecordError]:
    """The demo file's records: arXiv snapshot lines, except that a paper without a
    confirmed arXiv id (one: VaiBot) is kept as a listing record (title and abstract,
    matched on its title), as the snapshot format would refuse it."""
    from paperwire.ingest.formats.common import json_lines
    from paperwire.ingest.reader import open_text

    with open_text(path) as stream:
        yield from json_lines(stream, path, _demo_record)


def _demo_record(obj: Any) -> PaperRecord:
    from paperwire.ingest.formats.arxiv_snapshot import record_from_snapshot
    from paperwire.text import normalise

    if isinstance(obj, dict) and not obj.get("id"):
        authors = [name for name in (obj.get("authors") or "").split(", ") if name]
        return PaperRecord(
            source="listing",
            title=normalise(obj.get("title") or ""),
            abstract=normalise(obj.get("abstract") or ""),
            authors=authors,
        )
    return record_from_snapshot(obj)
