"""Small helpers the format parsers share: dates, arXiv links, categories, DOIs, authors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from paperwire.ids import ARXIV_ID_RE, normalise_doi, parse_arxiv_id
from paperwire.limits import MAX_RECORD_BYTES, check_fields
from paperwire.records import PaperRecord, RecordError
from paperwire.text import normalise, strip_controls

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_WITHDRAWN = re.compile(r"\bwithdrawn\b", re.IGNORECASE)
_DOI_SEPARATORS = re.compile(r"[\s,;]+")
_AUTHOR_SEPARATORS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*")
# Fields that parsers may copy from the input as they are (text fields are normalised).
_VERBATIM_FIELDS = ("source_id", "doi", "license", "abs_url", "pdf_url", "code_url")


def parse_rfc2822(value: str | None) -> datetime | None:
    """Parse arXiv's ``Mon, 2 Apr 2007 19:18:42 GMT`` into an aware UTC datetime.

    The fixed arXiv shape is parsed by hand (about ten times faster than the email
    module, and the snapshot has millions of these); anything else falls back to it.
    """
    if not value:
        return None
    parts = value.split()
    if len(parts) == 6 and parts[5] in ("GMT", "UTC", "+0000") and parts[2] in _MONTHS:
        clock = parts[4].split(":")
        try:
            return datetime(
                int(parts[3]),
                _MONTHS[parts[2]],
                int(parts[1]),
                int(clock[0]),
                int(clock[1]),
                int(clock[2]),
                tzinfo=UTC,
            )
        except (ValueError, IndexError):
            pass
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return as_utc(parsed)


def parse_iso(value: str | None) -> datetime | None:
    """Parse an ISO-8601 date or datetime (``Z`` or offset); a bare date is midnight UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return as_utc(parsed)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def arxiv_urls(arxiv_id: str | None) -> tuple[str | None, str | None]:
    """The abstract page and PDF links of an arXiv paper (latest version)."""
    if not arxiv_id:
        return None, None
    return f"https://arxiv.org/abs/{arxiv_id}", f"https://arxiv.org/pdf/{arxiv_id}"


def split_arxiv_id(value: str | None) -> tuple[str | None, int | None]:
    """(id without version, version) for an id, URL or OAI identifier; (None, None) if not arXiv."""
    if not value:
        return None, None
    bare = ARXIV_ID_RE.match(value)  # the common case, without parse_arxiv_id's URL handling
    if bare is not None:
        version = bare.group("version")
        return bare.group("id"), int(version) if version else None
    parsed = parse_arxiv_id(value)
    if parsed is None:
        return None, None
    return parsed


def split_categories(value: str | None) -> list[str]:
    """arXiv's space-separated category list, primary first, without duplicates."""
    if not value:
        return []
    return list(dict.fromkeys(value.split()))


def primary_first(primary: str | None, categories: Iterable[str]) -> list[str]:
    ordered = [primary] if primary else []
    ordered.extend(c for c in categories if c and c != primary)
    return list(dict.fromkeys(ordered))


def first_doi(value: str | None) -> str | None:
    """arXiv allows several DOIs (space, comma or semicolon separated); keep the first."""
    if not value:
        return None
    for candidate in _DOI_SEPARATORS.split(value.strip()):
        doi = normalise_doi(candidate)
        if doi:
            return doi
    return None


def says_withdrawn(comments: str | None) -> bool:
    return bool(comments and _WITHDRAWN.search(comments))


def optional_text(value: object) -> str | None:
    """Normalised text, or None for missing, empty or non-string values."""
    if not isinstance(value, str):
        return None
    return normalise(value) or None


def split_author_string(value: str | None) -> list[str]:
    """Split a free-text author list (``A, B and C``), dropping affiliations in parentheses."""
    if not value:
        return []
    plain = _strip_parentheses(normalise(value))
    return [name for name in (n.strip() for n in _AUTHOR_SEPARATORS.split(plain)) if name]


def _strip_parentheses(value: str) -> str:
    out: list[str] = []
    depth = 0
    for char in value:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


def normalised_names(names: Iterable[str]) -> list[str]:
    return [name for name in (normalise(n) for n in names) if name]


def record_size_limit(source: object) -> int:
    """The record size limit of what is read: the reader's stream carries the setting."""
    return getattr(source, "max_record_bytes", MAX_RECORD_BYTES)


def admit(record: PaperRecord) -> PaperRecord:
    """``record`` as it may be stored: within the field limits (ValueError, saying
    which, otherwise), and with control characters removed from the fields that parsers
    copy as given. Cheap when there are none, as there almost never are: one check of
    all of them at once."""
    check_fields(record)
    verbatim = (record.source_id, record.doi, record.license, record.abs_url, record.pdf_url)
    if not "".join(filter(None, (*verbatim, record.code_url, *record.categories))).isprintable():
        for name in _VERBATIM_FIELDS:
            value = getattr(record, name)
            if value:
                setattr(record, name, strip_controls(value))
        record.categories = [c for c in map(strip_controls, record.categories) if c]
    return record


def non_blank(
    lines: Iterable[str | RecordError], first: int = 1
) -> Iterator[tuple[int, str | RecordError]]:
    """(line number, from ``first``; line without its end) for every line that is not
    blank. A line the reader could not read comes as the RecordError it gave instead.
    """
    for number, line in enumerate(lines, first):
        if not isinstance(line, str):
            yield number, line
            continue
        stripped = line.rstrip("\r\n")
        if stripped.strip():
            yield number, stripped


def json_lines(
    lines: Iterable[str | RecordError],
    path: str,
    convert: Callable[[Any], PaperRecord],
    first: int = 1,
) -> Iterator[PaperRecord | RecordError]:
    """One record per non-blank JSON line; a bad line becomes a RecordError, reading goes on.

    ``convert`` raises ValueError, with the reason, for an object it cannot use. Lines
    are decoded by orjson: snapshots run to millions of lines, and it takes half the
    time of the standard library (its errors are ``json.JSONDecodeError`` too).
    """
    for number, line in non_blank(lines, first):
        if not isinstance(line, str):
            yield line
            continue
        try:
            obj = orjson.loads(line)
        except json.JSONDecodeError as error:
            yield RecordError(path, number, f"invalid JSON: {error.msg} at column {error.colno}")
            continue
        try:
            yield admit(convert(obj))
        except ValueError as error:
            yield RecordError(path, number, str(error))
