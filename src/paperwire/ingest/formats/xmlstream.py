"""Incremental XML reading shared by the Atom and OAI-PMH parsers.

Elements are matched by local name so that a lost or changed namespace (as in some
hand-edited OAI-PMH fixtures, where ``<arXiv>`` fell into the OAI namespace) does not
hide data.

Memory stays within about the record size limit whatever the input: the input is fed
a line (at most ``CHUNK_SIZE`` characters) at a time, so that each record's line is
known; each record is dropped once read, and so is every element outside the records
once it has been seen. A record that grows past the limit is dropped there and the
rest of it skipped as it is read (it is reported by number and line). Text outside the
records over the limit, one tag or comment over it, or nesting deeper than
``MAX_DEPTH`` end the reading, as malformed XML does.
"""

from __future__ import annotations

import io
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from paperwire.ingest.formats.text_source import TextSource
from paperwire.limits import MAX_RECORD_BYTES
from paperwire.records import RecordError

CHUNK_SIZE = 1 << 16
MAX_DEPTH = 100  # far deeper than any feed; bounds what a hostile file can keep open
_TAG_BYTES = 5  # what a start and an end tag take besides the name: <>, </>


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def child(element: Element, name: str) -> Element | None:
    for item in element:
        if local_name(item.tag) == name:
            return item
    return None


def children(element: Element, name: str) -> Iterator[Element]:
    return (item for item in element if local_name(item.tag) == name)


def child_text(element: Element, name: str) -> str | None:
    found = child(element, name)
    if found is None or found.text is None:
        return None
    return found.text


@dataclass(frozen=True, slots=True)
class Completed:
    """An element that has closed: a record (``number`` counts them from 1; ``line`` is
    where it starts) or an element outside the records (``number`` 0)."""

    element: Element
    parent: Element | None
    line: int
    number: int = 0


class _Stop(Exception):
    """Input that cannot be read on: what and where."""


class _Builder:
    """The target of an XMLParser: builds elements with a TreeBuilder, but drops what
    would make memory grow without bound (see the module's docstring)."""

    def __init__(self, path: str, records: Container[str], max_record_bytes: int) -> None:
        self._path = path
        self._tree = TreeBuilder()
        self._records = records
        self._cap = max_record_bytes
        self.line = 1  # of the input being fed; set by the reader
        self.calls = 0  # callbacks so far, to tell when the parser holds one long token
        self.done: list[Completed | RecordError] = []
        self._open: list[Element] = []
        self._record_depth = -1  # len(self._open) just before the record opened
        self._record_line = 0
        self._records_seen = 0
        self._size = 0  # since the record began or, outside records, since the last end
        self._over = False  # the record is over the limit and being dropped
        self._dropped = 0  # elements open inside the dropped part

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.calls += 1
        if self._over:
            self._dropped += 1
            return
        size = len(tag) + _TAG_BYTES
        if attrib:
            size += sum(len(name) + len(value) + 4 for name, value in attrib.items())
        self._size += size
        if self._record_depth < 0:
            if len(self._open) >= MAX_DEPTH:
                raise _Stop(f"elements nested more than {MAX_DEPTH} deep at line {self.line}")
            if local_name(tag) in self._records:
                self._record_depth = len(self._open)
                self._record_line = self.line
                self._records_seen += 1
                self._size = size
        self._open.append(self._tree.start(tag, attrib))
        self._check_size()

    def data(self, text: str) -> None:
        self.calls += 1
        if not self._over:
            self._size += len(text)
            self._tree.data(text)
            self._check_size()

    def end(self, tag: str) -> None:
        self.calls += 1
        if self._dropped:
            self._dropped -= 1
            return
        element = self._tree.end(tag)
        self._open.pop()
        depth = len(self._open)
        parent = self._open[-1] if self._open else None
        if depth == self._record_depth:
            self._record_depth = -1
            if self._over:
                self._over = False
                self.done.append(self._oversized())
            else:
                self.done.append(Completed(element, parent, self._record_line, self._records_seen))
        elif self._record_depth < 0:
            self.done.append(Completed(element, parent, self.line))
        else:
            return
        self._size = 0

    def close(self) -> None:
        return None

    def _check_size(self) -> None:
        if self._size <= self._cap:
            return
        if self._record_depth < 0:
            raise _Stop(f"an element at line {self.line} is over {_limit(self._cap)}")
        self._over = True
        self._open[self._record_depth].clear()  # what was built of it goes now

    def _oversized(self) -> RecordError:
        return RecordError(
            self._path,
            self._record_line,
            f"record {self._records_seen} is over {_limit(self._cap)}; skipped",
        )


def _limit(cap: int) -> str:
    return f"the record size limit of {cap:,} bytes (PAPERWIRE_INGEST_MAX_RECORD_BYTES)"


def _pieces(source: TextSource | IO[bytes] | bytes | str) -> Iterator[str | bytes]:
    """The input a line at a time, a long line in pieces of at most CHUNK_SIZE."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif isinstance(source, str):
        source = io.StringIO(source)
    return iter(lambda: source.readline(CHUNK_SIZE), source.read(0))


def completed_elements(
    source: TextSource | IO[bytes] | bytes | str,
    path: str,
    records: Container[str],
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[Completed | RecordError]:
    """Each record (an element named in ``records``) as it closes, and each element
    outside the records as it closes; elements inside a record come with it.

    A record over ``max_record_bytes`` comes as a RecordError instead. Input that cannot
    be read on (malformed XML, an element outside the records over the limit, absurd
    nesting) ends the stream with a RecordError marked ``unreadable``, naming the line
    from which nothing was read; what closed before it was yielded. A caller must not
    keep an element it is given: it is taken from its parent once the caller is done.
    """
    builder = _Builder(path, records, max_record_bytes)
    parser = XMLParser(target=builder)
    quiet, quiet_from, calls = 0, 0, 0  # characters fed since the parser last called back
    try:
        for piece in _pieces(source):
            parser.feed(piece)
            yield from _take(builder)
            if builder.calls != calls:
                quiet, calls = 0, builder.calls
            else:  # within one tag, comment or declaration
                quiet_from = quiet_from if quiet else builder.line
                quiet += len(piece)
                if quiet > max_record_bytes:
                    raise _Stop(f"markup from line {quiet_from} is over {_limit(max_record_bytes)}")
            builder.line += _newlines(piece)
        parser.close()
        yield from _take(builder)
    except ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        yield from _take(builder)
        yield RecordError(
            path,
            line,
            f"malformed XML at line {line}, column {column + 1}: {message}; "
            f"nothing from there on was read",
            unreadable=True,
        )
    except _Stop as stop:
        yield from _take(builder)
        yield RecordError(
            path, builder.line, f"{stop}; nothing from there on was read", unreadable=True
        )


def _newlines(piece: str | bytes) -> int:
    return piece.count(b"\n") if isinstance(piece, bytes) else piece.count("\n")


def _take(builder: _Builder) -> Iterator[Completed | RecordError]:
    done, builder.done = builder.done, []
    for item in done:
        yield item
        if isinstance(item, Completed) and item.parent is not None:
            item.parent.remove(item.element)
