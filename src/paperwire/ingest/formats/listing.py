"""The simplest source: a title line, then an abstract line, for each paper.

Blank lines anywhere are ignored, so both ``title\\nabstract\\n`` and blank-line separated
pairs read the same. Nothing else is known about these papers: no ids, authors or dates.
A line that cannot be read (not UTF-8, too long) takes its pair with it.
"""

from __future__ import annotations

from collections.abc import Iterator

from paperwire.ingest.formats.common import admit, non_blank
from paperwire.ingest.formats.text_source import TextSource
from paperwire.records import PaperRecord, RecordError
from paperwire.text import normalise


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    pending: tuple[int, str | RecordError] | None = None
    for number, line in non_blank(stream):
        if isinstance(line, RecordError):
            yield line
        if pending is None:
            pending = (number, line)
            continue
        yield from _pair(path, *pending, number, line)
        pending = None
    if pending is not None and isinstance(pending[1], str):
        yield RecordError(path, pending[0], "title line with no abstract line after it")


def _pair(
    path: str, title_line: int, title: str | RecordError, number: int, abstract: str | RecordError
) -> Iterator[PaperRecord | RecordError]:
    if isinstance(title, RecordError):
        if isinstance(abstract, str):
            yield RecordError(path, number, f"abstract of line {title_line}, which was not read")
        return
    if isinstance(abstract, RecordError):
        yield RecordError(path, title_line, f"title of line {number}, which was not read")
        return
    try:
        record = admit(
            PaperRecord(source="listing", title=normalise(title), abstract=normalise(abstract))
        )
    except ValueError as error:
        yield RecordError(path, title_line, str(error))
        return
    yield record
