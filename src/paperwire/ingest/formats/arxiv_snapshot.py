"""The arXiv metadata snapshot (Kaggle ``arxiv-metadata-oai-snapshot.json``), JSON lines.

One object per line: ``id, submitter, authors, title, comments, journal-ref, doi,
report-no, categories, license, abstract, versions, update_date, authors_parsed``.
The snapshot holds millions of lines, so this path avoids needless work per record.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from paperwire.ingest.formats.common import (
    arxiv_urls,
    first_doi,
    json_lines,
    optional_text,
    parse_iso,
    parse_rfc2822,
    says_withdrawn,
    split_arxiv_id,
    split_author_string,
    split_categories,
)
from paperwire.ingest.formats.text_source import TextSource
from paperwire.records import PaperRecord, RecordError, Version
from paperwire.text import normalise


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    yield from json_lines(stream, path, record_from_snapshot)


def record_from_snapshot(obj: Any) -> PaperRecord:
    """One snapshot object as a record. Raises ValueError saying what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    raw_id = _text(obj, "id")
    title = normalise(_text(obj, "title"))
    if not raw_id:
        raise ValueError("missing required field 'id'")
    if not title:
        raise ValueError("missing required field 'title'")
    arxiv_id, _ = split_arxiv_id(raw_id)
    if arxiv_id is None:
        raise ValueError(f"'id' is not an arXiv identifier: {raw_id!r}")
    versions = _versions(obj.get("versions"))
    comments = optional_text(obj.get("comments"))
    abs_url, pdf_url = arxiv_urls(arxiv_id)
    updated = max((v.created for v in versions if v.created), default=None)
    return PaperRecord(
        source="arxiv",
        source_id=arxiv_id,
        arxiv_id=arxiv_id,
        title=title,
        abstract=normalise(_text(obj, "abstract")),
        authors=_authors(obj),
        categories=split_categories(_text(obj, "categories")),
        published=versions[0].created if versions and versions[0].number == 1 else None,
        updated=updated or parse_iso(obj.get("update_date")),
        doi=first_doi(_text(obj, "doi")),
        journal_ref=optional_text(obj.get("journal-ref")),
        comments=comments,
        license=_text(obj, "license") or None,
        abs_url=abs_url,
        pdf_url=pdf_url,
        versions=versions,
        withdrawn=says_withdrawn(comments),
    )


def _text(obj: dict[str, Any], name: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} should be a string, got {type(value).__name__}")
    return value


def _versions(raw: Any) -> list[Version]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError("field 'versions' should be a list")
    versions = []
    for item in raw:
        label = item.get("version") if isinstance(item, dict) else None
        if not isinstance(label, str) or not label[1:].isdigit():
            raise ValueError(f"bad entry in 'versions': {item!r}")
        created = item.get("created")
        versions.append(
            Version(int(label[1:]), parse_rfc2822(created if isinstance(created, str) else None))
        )
    versions.sort(key=lambda v: v.number)
    return versions


def _authors(obj: dict[str, Any]) -> list[str]:
    """Names from ``authors_parsed`` ([last, first, suffix, affiliation...]) as "First Last Suffix".

    Falls back to splitting the free-text ``authors`` string when it is missing.
    """
    parsed = obj.get("authors_parsed")
    if not isinstance(parsed, list):
        return split_author_string(_text(obj, "authors"))
    names = []
    for entry in parsed:
        if not isinstance(entry, list) or not entry:
            raise ValueError(f"bad entry in 'authors_parsed': {entry!r}")
        parts = [entry[1] if len(entry) > 1 else "", entry[0], entry[2] if len(entry) > 2 else ""]
        name = normalise(" ".join(p for p in parts if p and isinstance(p, str)))
        if name:
            names.append(name)
    return names
