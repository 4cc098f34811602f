"""paperwire's own export format: one JSON object per line, a lossless PaperRecord.

Every line carries ``"format": "paperwire/1"`` so that a file can be told apart from
BEIR or the arXiv snapshot by its first line alone, and so that lines can be
concatenated from several exports without a header.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, TypeVar

from paperwire.ids import is_paper_id, parse_arxiv_id
from paperwire.ingest.formats.common import json_lines, parse_iso
from paperwire.ingest.formats.text_source import TextSource
from paperwire.records import Metric, PaperRecord, RecordError, Version
from paperwire.text import strip_controls

FORMAT_MARKER = "paperwire/1"
_MARKER_PREFIX = "paperwire/"
_T = TypeVar("_T")

_TEXT_FIELDS = ("source_id", "arxiv_id", "doi", "journal_ref", "comments", "license")
_URL_FIELDS = ("abs_url", "pdf_url", "code_url", "paper_id")
_SHOWN_CHARS = 60
_DATETIME_FIELDS = ("published", "updated", "first_seen", "last_updated")


def record_to_json(record: PaperRecord) -> dict[str, Any]:
    """A JSON-ready dict holding every field of ``record`` (datetimes as ISO-8601)."""
    return {
        "format": FORMAT_MARKER,
        "source": record.source,
        "title": record.title,
        "abstract": record.abstract,
        **{name: getattr(record, name) for name in _TEXT_FIELDS + _URL_FIELDS},
        "authors": list(record.authors),
        "categories": list(record.categories),
        **{name: _iso(getattr(record, name)) for name in _DATETIME_FIELDS},
        "versions": [
            {"number": v.number, "created": _iso(v.created), "size": v.size}
            for v in record.versions
        ],
        "metrics": [{"name": m.name, "value": m.value} for m in record.metrics],
        "withdrawn": record.withdrawn,
        "extra_sources": [[source, source_id] for source, source_id in record.extra_sources],
    }


def record_from_json(obj: Mapping[str, Any]) -> PaperRecord:
    """The record ``record_to_json`` wrote. Raises ValueError saying what is wrong."""
    if not isinstance(obj, Mapping):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    marker = obj.get("format")
    if not isinstance(marker, str) or not marker.startswith(_MARKER_PREFIX):
        raise ValueError('not a paperwire record (no "format": "paperwire/1")')
    if marker != FORMAT_MARKER:
        raise ValueError(f"unsupported paperwire format version {marker!r}")
    title = _required_text(obj, "title")
    source = _required_text(obj, "source")
    return PaperRecord(
        source=source,
        title=title,
        abstract=_text(obj, "abstract") or "",
        # the text and URL fields; arxiv_id and paper_id are checked by their own rules
        source_id=_text(obj, "source_id"),
        doi=_text(obj, "doi"),
        journal_ref=_text(obj, "journal_ref"),
        comments=_text(obj, "comments"),
        license=_text(obj, "license"),
        abs_url=_text(obj, "abs_url"),
        pdf_url=_text(obj, "pdf_url"),
        code_url=_text(obj, "code_url"),
        arxiv_id=_arxiv_id(obj),
        paper_id=_paper_id(obj),
        authors=_string_list(obj, "authors"),
        categories=_string_list(obj, "categories"),
        published=_datetime(obj, "published"),
        updated=_datetime(obj, "updated"),
        first_seen=_datetime(obj, "first_seen"),
        last_updated=_datetime(obj, "last_updated"),
        versions=[_version(v) for v in _field(obj, "versions", list) or []],
        metrics=[_metric(m) for m in _field(obj, "metrics", list) or []],
        withdrawn=bool(_field(obj, "withdrawn", bool)),
        extra_sources=[_pair(p) for p in _field(obj, "extra_sources", list) or []],
    )


def parse(stream: TextSource, path: str) -> Iterator[PaperRecord | RecordError]:
    yield from json_lines(stream, path, record_from_json)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _field(obj: Mapping[str, Any], name: str, kind: type[_T], required: bool = False) -> _T | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise ValueError(f"missing required field {name!r}")
        return None
    if not isinstance(value, kind):
        raise ValueError(f"field {name!r} should be {kind.__name__}, got {type(value).__name__}")
    return value


def _text(obj: Mapping[str, Any], name: str) -> str | None:
    """A text field as given, but without control characters."""
    value = _field(obj, name, str)
    return None if value is None else strip_controls(value)


def _required_text(obj: Mapping[str, Any], name: str) -> str:
    """``_text`` of a field that must be there (ValueError otherwise)."""
    value = _field(obj, name, str, required=True)
    assert value is not None  # _field raised
    return strip_controls(value)


def _arxiv_id(obj: Mapping[str, Any]) -> str | None:
    """The arXiv id without its version; anything else is refused, never stored."""
    raw = _field(obj, "arxiv_id", str)
    if not raw:
        return None
    parsed = parse_arxiv_id(raw)
    if parsed is None:
        raise ValueError(f"'arxiv_id' is not an arXiv identifier: {_shown(raw)}")
    return parsed[0]


def _paper_id(obj: Mapping[str, Any]) -> str | None:
    raw = _field(obj, "paper_id", str)
    if not raw:
        return None
    if not is_paper_id(raw):
        raise ValueError(
            f"'paper_id' is not a paperwire id (ten characters a-z, 2-7): {_shown(raw)}"
        )
    return raw


def _shown(value: str) -> str:
    """``value`` for a message: quoted, escaped, and cut short."""
    if len(value) > _SHOWN_CHARS:
        return repr(value[:_SHOWN_CHARS]) + "…"
    return repr(value)


def _string_list(obj: Mapping[str, Any], name: str) -> list[str]:
    values = _field(obj, name, list) or []
    if not all(isinstance(v, str) for v in values):
        raise ValueError(f"field {name!r} should be a list of strings")
    return [strip_controls(value) for value in values]


def _datetime(obj: Mapping[str, Any], name: str) -> datetime | None:
    raw = _field(obj, name, str)
    if raw is None:
        return None
    value = parse_iso(raw)
    if value is None:
        raise ValueError(f"field {name!r} is not an ISO-8601 datetime: {raw!r}")
    return value


def _version(obj: Any) -> Version:
    if not isinstance(obj, Mapping) or not isinstance(obj.get("number"), int):
        raise ValueError("each version needs an integer 'number'")
    return Version(obj["number"], _datetime(obj, "created"), _text(obj, "size"))


def _metric(obj: Any) -> Metric:
    if not isinstance(obj, Mapping):
        raise ValueError("each metric should be an object")
    name, value = obj.get("name"), obj.get("value")
    if not isinstance(name, str) or not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("each metric needs a string 'name' and an integer 'value'")
    return Metric(strip_controls(name), value)


def _pair(obj: Any) -> tuple[str, str]:
    if not isinstance(obj, list) or len(obj) != 2 or not all(isinstance(v, str) for v in obj):
        raise ValueError("each extra source should be a [source, source_id] pair")
    return strip_controls(obj[0]), strip_controls(obj[1])
