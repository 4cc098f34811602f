"""What a parser reads: the shape of ``ingest.reader.CheckedText`` and of ``io.StringIO``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from paperwire.records import RecordError


class TextSource(Protocol):
    """Text read by size or by line (XML, whole-file JSON), or line by line, where a line
    the reader could not read (not UTF-8, over the record size limit) comes as the
    RecordError it gave in its place."""

    def read(self, size: int = -1, /) -> str: ...

    def readline(self, size: int = -1, /) -> str: ...

    def __iter__(self) -> Iterator[str | RecordError]: ...
