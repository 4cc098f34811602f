"""arXiv API responses (``export.arxiv.org/api/query``): Atom feeds.

Both the current (2026) and the older (2016) schema read the same way; elements are
matched by local name. A failed query comes back as a feed with one entry titled
``Error`` whose id is ``.../api/errors#...``; that becomes ``AtomPage.api_error``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element

from paperwire.ingest.formats.common import (
    admit,
    arxiv_urls,
    first_doi,
    optional_text,
    parse_iso,
    primary_first,
    record_size_limit,
    says_withdrawn,
    split_arxiv_id,
)
from paperwire.ingest.formats.text_source import TextSource
from paperwire.ingest.formats.xmlstream import (
    Completed,
    child,
    child_text,
    children,
    completed_elements,
    local_name,
)
from paperwire.records import PaperRecord, RecordError, Version
from paperwire.text import normalise

_RECORDS = frozenset({"entry"})
_PAGING = {
    "totalResults": "total_results",
    "startIndex": "start_index",
    "itemsPerPage": "items_per_page",
}


@dataclass
class AtomPage:
    """One page of an arXiv API query, with what a harvester needs to fetch the next."""

    records: list[PaperRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None
    api_error: str | None = None


def parse_atom_feed(data: bytes, path: str) -> AtomPage:
    """Read a whole API response body."""
    page = AtomPage()
    for item in _entries(data, path, page):
        if isinstance(item, PaperRecord):
            page.records.append(item)
        else:
            page.errors.append(item)
    return page


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    page = AtomPage()
    yield from _entries(stream, path, page)
    if page.api_error:
        yield RecordError(path, None, f"arXiv API error: {page.api_error}")


def _entries(
    source: TextSource | bytes, path: str, page: AtomPage
) -> Iterator[PaperRecord | RecordError]:
    for item in completed_elements(source, path, _RECORDS, record_size_limit(source)):
        if isinstance(item, RecordError):
            yield item
            continue
        name = local_name(item.element.tag)
        if item.number:
            yield from _entry(item, path, page)
        elif name in _PAGING and item.parent is not None and local_name(item.parent.tag) == "feed":
            setattr(page, _PAGING[name], _int(item.element.text))


def _entry(item: Completed, path: str, page: AtomPage) -> Iterator[PaperRecord | RecordError]:
    entry = item.element
    entry_id = (child_text(entry, "id") or "").strip()
    title = normalise(child_text(entry, "title"))
    if "/api/errors" in entry_id or (title == "Error" and not split_arxiv_id(entry_id)[0]):
        page.api_error = normalise(child_text(entry, "summary")) or entry_id
        return
    try:
        yield admit(record_from_entry(entry))
    except ValueError as error:
        what = f"entry {entry_id or '(no id)'}"
        yield RecordError(path, item.line, f"{what}: {error} (entry number {item.number})")


def record_from_entry(entry: Element) -> PaperRecord:
    """One Atom ``<entry>`` as a record. Raises ValueError saying what is wrong."""
    entry_id = (child_text(entry, "id") or "").strip()
    arxiv_id, version = split_arxiv_id(entry_id)
    if arxiv_id is None:
        raise ValueError("id is not an arXiv abstract URL")
    title = normalise(child_text(entry, "title"))
    if not title:
        raise ValueError("missing title")
    published = parse_iso(child_text(entry, "published"))
    updated = parse_iso(child_text(entry, "updated"))
    primary = child(entry, "primary_category")
    comments = optional_text(child_text(entry, "comment"))
    abs_url, pdf_url = arxiv_urls(arxiv_id)
    return PaperRecord(
        source="arxiv",
        source_id=arxiv_id,
        arxiv_id=arxiv_id,
        title=title,
        abstract=normalise(child_text(entry, "summary")),
        authors=[
            name
            for name in (normalise(child_text(a, "name")) for a in children(entry, "author"))
            if name
        ],
        categories=primary_first(
            primary.get("term") if primary is not None else None,
            (c.get("term", "") for c in children(entry, "category")),
        ),
        published=published,
        updated=updated or published,
        doi=first_doi(child_text(entry, "doi")),
        journal_ref=optional_text(child_text(entry, "journal_ref")),
        comments=comments,
        abs_url=abs_url,
        pdf_url=pdf_url,
        versions=_versions(version, published, updated),
        withdrawn=says_withdrawn(comments),
    )


def _versions(
    latest: int | None, published: datetime | None, updated: datetime | None
) -> list[Version]:
    """An entry names only its latest version: v1 dates from ``published``, vN from ``updated``."""
    versions = [Version(1, published)]
    if latest is not None and latest > 1:
        versions.append(Version(latest, updated))
    return versions


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None
