"""The simplest source: a title line, then an abstract line, for each paper.

Blank lines anywhere are ignored, so both ``title\\nabstract\\n`` and blank-line separated
pairs read the same. Nothing else is known about these papers: no ids, authors or dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from paperwire.ingest.formats.common import admit, non_blank
from paperwire.records import PaperRecord, RecordError
from paperwire.text import normalise


def parse(stream: TextIO, path: str) -> Iterator[PaperRecord | RecordError]:
    pending: tuple[int, str] | None = None
    for number, line in non_blank(stream):
        if pending is None:
            pending = (number, line)
            continue
        yield _record(path, *pending, line)
        pending = None
    if pending is not None:
        yield RecordError(path, pending[0], "title line with no abstract line after it")


def _record(path: str, number: int, title: str, abstract: str) -> PaperRecord | RecordError:
    try:
        return admit(
            PaperRecord(source="listing", title=normalise(title), abstract=normalise(abstract))
        )
    except ValueError as error:
        return RecordError(path, number, str(error))
