"""The store's one time convention: naive datetimes in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


@overload
def naive_utc(moment: datetime) -> datetime: ...
@overload
def naive_utc(moment: None) -> None: ...
def naive_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as naive UTC (aware values are converted; naive ones are taken as UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None)


def iso_datetime(moment: datetime) -> str:
    """How SQLAlchemy stores a naive datetime in SQLite: ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    return moment.isoformat(" ", "microseconds")
