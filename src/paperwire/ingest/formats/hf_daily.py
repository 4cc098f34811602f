"""Hugging Face daily papers (``/api/daily_papers``): a JSON array of items.

Each item is ``{"paper": {"id", "title", "summary", "authors": [{"name"}], "upvotes",
"githubRepo", "githubStars", "publishedAt", ...}, "publishedAt", "title", ...}``; the
paper id is its arXiv id. The same items one per line (JSON lines) are accepted too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import chain, count
from typing import Any

from paperwire.ingest.formats.common import (
    admit,
    arxiv_urls,
    json_lines,
    normalised_names,
    parse_iso,
    record_size_limit,
    split_arxiv_id,
)
from paperwire.ingest.formats.text_source import TextSource
from paperwire.limits import WHOLE_FILE_RECORDS
from paperwire.records import Metric, PaperRecord, RecordError
from paperwire.text import normalise

_METRICS = (("upvotes", "upvotes"), ("githubStars", "github_stars"))
_DECODER = json.JSONDecoder()
_WHITE_SPACE = re.compile(r"[ \t\n\r]*")
_TAIL_CHARS = 1 << 16


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    first, line = _first_character(stream)
    if first == "[":
        yield from _parse_array(first, stream, path, line)
    elif first:
        lines = iter(stream)
        rest = next(lines, "")  # of the first line
        head = first + rest if isinstance(rest, str) else rest
        yield from json_lines(chain([head], lines), path, record_from_item, first=line)


def _skip_space(text: str, position: int) -> int:
    """Where the white space from ``position`` ends (the pattern matches the empty string)."""
    match = _WHITE_SPACE.match(text, position)
    assert match is not None
    return match.end()


def _first_character(stream: TextSource) -> tuple[str, int]:
    """The first character that is not white space ("" if none), and its line."""
    line = 1
    while True:
        char = stream.read(1) or stream.read(1) or stream.read(1) or stream.read(1)
        if not char.isspace():  # "" too: four bytes that make no character end the file
            return char, line
        line += char == "\n"


def _parse_array(
    first: str, stream: TextSource, path: str, line: int
) -> Iterator[PaperRecord | RecordError]:
    """A JSON array is read whole, so it is capped as a whole (and its items by the
    field limits); each item is decoded on its own, to tell its line."""
    limit = record_size_limit(stream) * WHOLE_FILE_RECORDS
    text = first + stream.read(limit)
    while (more := stream.read(_TAIL_CHARS)) and not more.strip():
        pass
    if more:
        yield RecordError(
            path,
            line,
            f"a JSON array over {limit:,} bytes ({WHOLE_FILE_RECORDS} times "
            f"PAPERWIRE_INGEST_MAX_RECORD_BYTES) is not read; give its items one per line",
            unreadable=True,
        )
        return
    lines = _Lines(text, line)
    position = _skip_space(text, 1)
    if text.startswith("]", position):
        return
    for number in count(1):
        try:
            item, end = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            yield _broken(path, lines.at(error.pos), f"invalid JSON: {error.msg}")
            return
        yield _item(path, lines.at(position), number, item)
        position = _skip_space(text, end)
        if text.startswith("]", position):
            return
        if not text.startswith(",", position):
            yield _broken(path, lines.at(position), "invalid JSON: expected ',' or ']'")
            return
        position = _skip_space(text, position + 1)


def _item(path: str, line: int, number: int, item: Any) -> PaperRecord | RecordError:
    try:
        return admit(record_from_item(item))
    except ValueError as error:
        return RecordError(path, line, f"item {number}: {error}")


class _Lines:
    """Line numbers of positions in ``text``, asked for in increasing order."""

    def __init__(self, text: str, first: int) -> None:
        self._text, self._line, self._at = text, first, 0

    def at(self, position: int) -> int:
        self._line += self._text.count("\n", self._at, position)
        self._at = position
        return self._line


def _broken(path: str, line: int, reason: str) -> RecordError:
    return RecordError(
        path, line, f"{reason} at line {line}; nothing from there on was read", unreadable=True
    )


def record_from_item(item: Any) -> PaperRecord:
    """One daily-papers item (or a bare paper object) as a record. Raises ValueError."""
    if not isinstance(item, dict):
        raise ValueError(f"expected a JSON object, got {type(item).__name__}")
    paper = item.get("paper", item)
    if not isinstance(paper, dict):
        raise ValueError("field 'paper' should be an object")
    paper_id = paper.get("id")
    if not isinstance(paper_id, str) or not paper_id:
        raise ValueError("missing required field 'paper.id'")
    title = normalise(_string(paper, "title") or _string(item, "title"))
    if not title:
        raise ValueError("missing required field 'paper.title'")
    arxiv_id, _ = split_arxiv_id(paper_id)
    abs_url, pdf_url = arxiv_urls(arxiv_id)
    authors = paper.get("authors") or []
    if not isinstance(authors, list):
        raise ValueError("field 'paper.authors' should be a list")
    return PaperRecord(
        source="hf-daily",
        source_id=paper_id,
        arxiv_id=arxiv_id,
        title=title,
        abstract=normalise(_string(paper, "summary") or _string(item, "summary")),
        authors=normalised_names(
            a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
        ),
        published=parse_iso(paper.get("publishedAt")),
        abs_url=abs_url,
        pdf_url=pdf_url,
        code_url=_string(paper, "githubRepo") or None,
        metrics=[
            Metric(name, value)
            for key, name in _METRICS
            if isinstance(value := paper.get(key), int) and not isinstance(value, bool)
        ],
    )


def _string(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} should be a string, got {type(value).__name__}")
    return value
