"""Incremental XML reading shared by the Atom and OAI-PMH parsers.

Elements are matched by local name so that a lost or changed namespace (as in some
hand-edited OAI-PMH fixtures, where ``<arXiv>`` fell into the OAI namespace) does not
hide data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from paperwire.records import RecordError

CHUNK_SIZE = 1 << 16


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


def chunks_of(source: IO[str] | IO[bytes] | bytes | str) -> Iterable[str | bytes]:
    if isinstance(source, bytes | str):
        return (source,)
    return iter(lambda: source.read(CHUNK_SIZE), source.read(0))


def completed_elements(
    source: IO[str] | IO[bytes] | bytes | str, path: str, errors: list[RecordError]
) -> Iterator[tuple[Element, Element | None]]:
    """Yield (element, parent) as each element closes, reading ``source`` in chunks.

    A caller that is done with an element may remove it from its parent to keep memory
    flat on large responses. Malformed XML ends the stream with one RecordError (line and
    column from the parser) appended to ``errors``; elements closed before it were yielded.
    """
    parser = XMLPullParser(events=("start", "end"))
    stack: list[Element] = []
    try:
        for chunk in chunks_of(source):
            parser.feed(chunk)
            yield from _drain(parser, stack)
        parser.close()
        yield from _drain(parser, stack)
    except ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        errors.append(
            RecordError(path, line, f"malformed XML at line {line}, column {column + 1}: {message}")
        )


def _drain(parser: XMLPullParser, stack: list[Element]) -> Iterator[tuple[Element, Element | None]]:
    for event, element in parser.read_events():
        if event == "start":
            stack.append(element)
        else:
            stack.pop()
            yield element, stack[-1] if stack else None
