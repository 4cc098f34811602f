"""arXiv OAI-PMH responses (``export.arxiv.org/oai2``), metadataPrefix ``arXivRaw`` or ``arXiv``.

``arXivRaw`` lists every version with its date and size; ``arXiv`` gives structured
author names but only the first (``created``) and last (``updated``) dates. A header
with ``status="deleted"`` becomes a record with ``withdrawn=True``, an empty title and
only its ids, so that the pipeline can mark a stored paper withdrawn.
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
    parse_rfc2822,
    record_size_limit,
    says_withdrawn,
    split_arxiv_id,
    split_author_string,
    split_categories,
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
from paperwire.text import normalise, strip_controls

# An empty list is an answer, not a failure: a harvest with nothing new since ``from``.
NO_RECORDS = "noRecordsMatch"
_RECORDS = frozenset({"record"})


@dataclass
class OaiPage:
    """One OAI-PMH response, with what a harvester needs to ask for the next one."""

    records: list[PaperRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    resumption_token: str | None = None
    complete_list_size: int | None = None
    cursor: int | None = None
    response_date: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None


def parse_oai_response(data: bytes, path: str) -> OaiPage:
    """Read a whole response body."""
    page = OaiPage()
    for item in _records(data, path, page):
        if isinstance(item, PaperRecord):
            page.records.append(item)
        else:
            page.errors.append(item)
    return page


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    page = OaiPage()
    yield from _records(stream, path, page)
    if page.error_code and page.error_code != NO_RECORDS:
        yield RecordError(path, None, f"OAI-PMH error {page.error_code}: {page.error_message}")


def _records(
    source: TextSource | bytes, path: str, page: OaiPage
) -> Iterator[PaperRecord | RecordError]:
    for item in completed_elements(source, path, _RECORDS, record_size_limit(source)):
        if isinstance(item, RecordError):
            yield item
            continue
        element = item.element
        name = local_name(element.tag)
        if item.number:
            yield _record(item, path)
        elif name == "resumptionToken":
            page.resumption_token = (element.text or "").strip() or None
            page.complete_list_size = _int(element.get("completeListSize"))
            page.cursor = _int(element.get("cursor"))
        elif name == "responseDate":
            page.response_date = parse_iso(element.text)
        elif name == "error" and page.error_code is None:
            page.error_code = element.get("code") or "unknown"
            page.error_message = normalise(element.text) or None


def _record(item: Completed, path: str) -> PaperRecord | RecordError:
    record = item.element
    header = child(record, "header")
    identifier = (child_text(header, "identifier") or "").strip() if header is not None else ""
    try:
        if header is not None and header.get("status") == "deleted":
            return admit(_deleted(identifier))
        metadata = child(record, "metadata")
        body = metadata[0] if metadata is not None and len(metadata) else None
        if body is None:
            raise ValueError("record has no metadata")
        kind = local_name(body.tag)
        if kind == "arXivRaw":
            return admit(record_from_arxiv_raw(body))
        if kind == "arXiv":
            return admit(record_from_arxiv(body))
        raise ValueError(f"unsupported metadata format <{kind}> (use arXivRaw or arXiv)")
    except ValueError as error:
        what = f"record {identifier or '(no identifier)'}"
        return RecordError(path, item.line, f"{what}: {error} (record number {item.number})")


def _deleted(identifier: str) -> PaperRecord:
    arxiv_id, _ = split_arxiv_id(identifier)
    if arxiv_id is None:
        raise ValueError("deleted record without an arXiv identifier")
    abs_url, pdf_url = arxiv_urls(arxiv_id)
    return PaperRecord(
        source="arxiv",
        source_id=arxiv_id,
        arxiv_id=arxiv_id,
        title="",
        abs_url=abs_url,
        pdf_url=pdf_url,
        withdrawn=True,
    )


def record_from_arxiv_raw(body: Element) -> PaperRecord:
    """An ``<arXivRaw>`` metadata element as a record. Raises ValueError."""
    versions = sorted((_raw_version(v) for v in children(body, "version")), key=lambda v: v.number)
    return _record_common(
        body,
        authors=split_author_string(child_text(body, "authors")),
        versions=versions,
        published=versions[0].created if versions and versions[0].number == 1 else None,
        updated=max((v.created for v in versions if v.created), default=None),
    )


def record_from_arxiv(body: Element) -> PaperRecord:
    """An ``<arXiv>`` metadata element as a record. Raises ValueError."""
    created = parse_iso(child_text(body, "created"))
    authors_element = child(body, "authors")
    authors = []
    for author in children(authors_element, "author") if authors_element is not None else ():
        parts = (child_text(author, n) for n in ("forenames", "keyname", "suffix"))
        name = normalise(" ".join(p for p in parts if p))
        if name:
            authors.append(name)
    return _record_common(
        body,
        authors=authors,
        versions=[Version(1, created)] if created else [],
        published=created,
        updated=parse_iso(child_text(body, "updated")) or created,
    )


def _record_common(
    body: Element,
    *,
    authors: list[str],
    versions: list[Version],
    published: datetime | None,
    updated: datetime | None,
) -> PaperRecord:
    raw_id = (child_text(body, "id") or "").strip()
    arxiv_id, _ = split_arxiv_id(raw_id)
    if arxiv_id is None:
        raise ValueError(f"id is not an arXiv identifier: {raw_id!r}")
    title = normalise(child_text(body, "title"))
    if not title:
        raise ValueError("missing title")
    comments = optional_text(child_text(body, "comments"))
    abs_url, pdf_url = arxiv_urls(arxiv_id)
    return PaperRecord(
        source="arxiv",
        source_id=arxiv_id,
        arxiv_id=arxiv_id,
        title=title,
        abstract=normalise(child_text(body, "abstract")),
        authors=authors,
        categories=split_categories(child_text(body, "categories")),
        published=published,
        updated=updated,
        doi=first_doi(child_text(body, "doi")),
        journal_ref=optional_text(child_text(body, "journal-ref")),
        comments=comments,
        license=(child_text(body, "license") or "").strip() or None,
        abs_url=abs_url,
        pdf_url=pdf_url,
        versions=versions,
        withdrawn=says_withdrawn(comments),
    )


def _raw_version(element: Element) -> Version:
    label = element.get("version", "")
    if not label[1:].isdigit():
        raise ValueError(f"bad version label {label!r}")
    size = strip_controls((child_text(element, "size") or "").strip()) or None
    return Version(int(label[1:]), parse_rfc2822(child_text(element, "date")), size)


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None
