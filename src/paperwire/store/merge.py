"""How a record folds into a stored paper. Pure functions, no I/O.

Identity, in order: the arXiv id (any version, from any source); then (source, source id);
then DOI; and only for records with no id at all, the normalised title. A record that
is older than what is stored (a lower latest version) or that matched only by title
fills empty fields but never overwrites.

Every record enters the store through :func:`identity_keys`, which refuses a paperwire
id or an arXiv id that is not canonical: ids reach URLs, so the store never keeps one
that could not be a path segment (ingest rejects such records earlier, by file and line).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from paperwire.ids import is_arxiv_id, is_paper_id, make_paper_id, normalise_doi, title_key
from paperwire.records import PaperRecord, Version
from paperwire.store.clock import naive_utc


class InvalidIdentity(ValueError):
    """A record whose paperwire id or arXiv id is not canonical."""


class IdentityKeys(NamedTuple):
    paper_id: str | None
    arxiv_id: str | None
    source_keys: tuple[tuple[str, str], ...]
    doi: str | None
    title_key: str | None

    @property
    def has_id(self) -> bool:
        return bool(self.paper_id or self.arxiv_id or self.source_keys or self.doi)


def check_ids(record: PaperRecord) -> None:
    """InvalidIdentity unless the record's paperwire id and arXiv id (when set) are
    canonical: ten base-32 characters, and an arXiv id without version or prefix."""
    if record.paper_id and not is_paper_id(record.paper_id):
        raise InvalidIdentity(
            f"paper_id {record.paper_id[:80]!r} is not a paperwire id (ten characters "
            f"a-z, 2-7); record from {record.source!r}: {record.title[:80]!r}"
        )
    if record.arxiv_id and not is_arxiv_id(record.arxiv_id):
        raise InvalidIdentity(
            f"arxiv_id {record.arxiv_id[:80]!r} is not an arXiv id without version "
            f"(2401.01234 or astro-ph/0601001); record from {record.source!r}: "
            f"{record.title[:80]!r}"
        )


def identity_keys(record: PaperRecord) -> IdentityKeys:
    """The keys a record can be matched on; InvalidIdentity for a non-canonical id."""
    check_ids(record)
    source_keys: list[tuple[str, str]] = []
    if record.source_id:
        source_keys.append((record.source, record.source_id))
    source_keys.extend((source, source_id) for source, source_id in record.extra_sources)
    doi = normalise_doi(record.doi)
    keys = IdentityKeys(
        paper_id=record.paper_id or None,
        arxiv_id=record.arxiv_id or None,
        source_keys=tuple(dict.fromkeys(source_keys)),
        doi=doi,
        title_key=None,
    )
    if keys.has_id:
        return keys
    return IdentityKeys(None, None, (), None, title_key(record.title) or None)


def new_paper_id(keys: IdentityKeys, record: PaperRecord) -> str:
    """The paperwire id for a paper first seen as ``record``."""
    if keys.paper_id:
        return keys.paper_id
    if keys.arxiv_id:
        return make_paper_id(f"arxiv:{keys.arxiv_id}")
    if keys.source_keys:
        source, source_id = keys.source_keys[0]
        return make_paper_id(f"{source}:{source_id}")
    if keys.doi:
        return make_paper_id(f"doi:{keys.doi}")
    return make_paper_id(f"title:{keys.title_key or record.title}")


def record_values(record: PaperRecord) -> dict[str, object]:
    """The ``papers`` columns a record sets, other than identity and bookkeeping (empty
    values included)."""
    return {
        "title": record.title,
        "abstract": record.abstract,
        "authors": list(record.authors),
        "categories": list(record.categories),
        "published": naive_utc(record.published),
        "updated": naive_utc(record.updated),
        "doi": normalise_doi(record.doi),
        "journal_ref": record.journal_ref,
        "comments": record.comments,
        "license": record.license,
        "abs_url": record.abs_url,
        "pdf_url": record.pdf_url,
        "code_url": record.code_url,
    }


def _is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


def merge_values(
    stored: dict[str, object],
    record: PaperRecord,
    *,
    stored_latest_version: int | None,
    fill_only: bool = False,
) -> dict[str, object]:
    """The column values that change when ``record`` is folded into ``stored``.

    Returns only the columns whose value differs; an empty dict means nothing changed.
    """
    incoming = record_values(record)
    older = (
        record.latest_version is not None
        and stored_latest_version is not None
        and record.latest_version < stored_latest_version
    )
    fill_only = fill_only or older
    changes: dict[str, object] = {}
    for name, value in incoming.items():
        if _is_empty(value):
            continue
        current = stored.get(name)
        if fill_only and not _is_empty(current):
            continue
        if name == "published" and isinstance(current, datetime) and isinstance(value, datetime):
            value = min(current, value)
        if value != current:
            changes[name] = value
    if not fill_only and record.arxiv_id and stored.get("arxiv_id") is None:
        changes["arxiv_id"] = record.arxiv_id
    if not fill_only and bool(stored.get("withdrawn")) != record.withdrawn and record.arxiv_id:
        changes["withdrawn"] = record.withdrawn
    if "title" in changes:
        changes["title_key"] = title_key(str(changes["title"]))
    if "published" in changes:
        changes["sort_date"] = changes["published"]
    if "categories" in changes:
        # changes["categories"] is list(record.categories), non-empty
        changes["primary_category"] = record.categories[0] if record.categories else None
    return changes


def new_paper_values(record: PaperRecord, paper_id: str, now: datetime) -> dict[str, object]:
    """All ``papers`` columns for a paper first seen as ``record``."""
    values = record_values(record)
    categories = record.categories
    values.update(
        paper_id=paper_id,
        arxiv_id=record.arxiv_id or None,
        title_key=title_key(record.title),
        primary_category=categories[0] if categories else None,
        source=record.source,
        withdrawn=record.withdrawn,
        first_seen=naive_utc(record.first_seen) or now,
        last_updated=naive_utc(record.last_updated) or now,
    )
    values["sort_date"] = values["published"] or values["first_seen"]
    return values


def new_versions(stored: dict[int, Version], incoming: Iterable[Version]) -> dict[int, Version]:
    """The versions of ``incoming`` to write over ``stored``: numbers not stored yet, and
    stored ones that lack the creation date a new one has (dates as naive UTC)."""
    written: dict[int, Version] = {}
    for version in incoming:
        current = written.get(version.number) or stored.get(version.number)
        if current is None or (current.created is None and version.created is not None):
            created = naive_utc(version.created)
            written[version.number] = Version(version.number, created, version.size)
    return written


def latest_metrics(record: PaperRecord) -> dict[tuple[str, str], int]:
    """A record's metrics by (source, name); of a metric given twice, the last value."""
    return {
        (metric.source or record.source, metric.name): metric.value for metric in record.metrics
    }
