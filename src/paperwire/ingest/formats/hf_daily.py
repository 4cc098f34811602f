"""Hugging Face daily papers (``/api/daily_papers``): a JSON array of items.

Each item is ``{"paper": {"id", "title", "summary", "authors": [{"name"}], "upvotes",
"githubRepo", "githubStars", "publishedAt", ...}, "publishedAt", "title", ...}``; the
paper id is its arXiv id. The same items one per line (JSON lines) are accepted too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, TextIO

from paperwire.ingest.formats.common import (
    admit,
    arxiv_urls,
    json_lines,
    normalised_names,
    parse_iso,
    split_arxiv_id,
)
from paperwire.records import Metric, PaperRecord, RecordError
from paperwire.text import normalise

_METRICS = (("upvotes", "upvotes"), ("githubStars", "github_stars"))


def parse(stream: TextIO, path: str) -> Iterator[PaperRecord | RecordError]:
    first = stream.read(1)
    while first and first.isspace():
        first = stream.read(1)
    if first == "[":
        yield from _parse_array(first + stream.read(), path)
    else:
        yield from _parse_lines(chain([first + stream.readline()], stream), path)


def _parse_array(text: str, path: str) -> Iterator[PaperRecord | RecordError]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        yield RecordError(path, error.lineno, f"invalid JSON: {error.msg} at column {error.colno}")
        return
    for index, item in enumerate(items):
        try:
            yield admit(record_from_item(item))
        except ValueError as error:
            yield RecordError(path, None, f"item {index}: {error}")


def _parse_lines(lines: Iterable[str], path: str) -> Iterator[PaperRecord | RecordError]:
    yield from json_lines(lines, path, record_from_item)


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
