"""BEIR corpus files: ``{"_id", "title", "text", "metadata"}`` per line.

Some BEIR corpora have empty titles (for example tweets or forum posts); such a record
gets a title cut from the start of its text, so every record has something to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from paperwire.ingest.formats.common import json_lines, normalised_names
from paperwire.ingest.formats.text_source import TextSource
from paperwire.records import PaperRecord, RecordError
from paperwire.text import normalise

TITLE_FROM_TEXT_CHARS = 100


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    yield from json_lines(stream, path, record_from_beir)


def record_from_beir(obj: Any) -> PaperRecord:
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    doc_id = obj.get("_id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError("missing required field '_id'")
    title, text = obj.get("title", ""), obj.get("text", "")
    for name, value in (("title", title), ("text", text)):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"field {name!r} should be a string, got {type(value).__name__}")
    title, abstract = normalise(title), normalise(text)
    if not title and not abstract:
        raise ValueError("both 'title' and 'text' are empty")
    metadata = obj.get("metadata")
    authors = metadata.get("authors") if isinstance(metadata, dict) else None
    return PaperRecord(
        source="beir",
        source_id=doc_id,
        title=title or title_from_text(abstract),
        abstract=abstract,
        authors=normalised_names(a for a in authors if isinstance(a, str))
        if isinstance(authors, list)
        else [],
    )


def title_from_text(text: str, limit: int = TITLE_FROM_TEXT_CHARS) -> str:
    """The start of ``text``, cut at a word boundary, with an ellipsis when shortened."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:") + "…"
