"""When a subscriber's digest is due, in their own time zone (no I/O).

A digest belongs to a local date. It is due from the subscriber's hour on that date
until the date ends; a date that has passed is never sent. Daylight-saving changes need
no special case: the local date has one row whatever happens to the clock, and an hour
the clock skips (02:00 on a spring-forward day) is due as soon as the clock passes it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from paperwire.store.clock import naive_utc


def local_now(now: datetime, timezone: str) -> datetime:
    """``now`` (aware, or naive UTC) on the clocks of ``timezone``."""
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone))


def local_today(now: datetime, timezone: str) -> date:
    return local_now(now, timezone).date()


def due_at(day: date, hour: int, timezone: str) -> datetime:
    """The moment (naive UTC) the digest of local date ``day`` falls due."""
    local = datetime.combine(day, time(hour), tzinfo=ZoneInfo(timezone))
    return naive_utc(local)


def due_date(
    now: datetime, hour: int, timezone: str, confirmed_at: datetime | None = None
) -> date | None:
    """The local date whose digest is due at ``now``, or None when none is due yet.

    A subscriber confirmed after today's hour starts tomorrow: their first digest is
    the first one scheduled after they said yes.
    """
    local = local_now(now, timezone)
    if local.hour < hour:
        return None
    day = local.date()
    if confirmed_at is not None and naive_utc(confirmed_at) > due_at(day, hour, timezone):
        return None
    return day


def date_has_passed(day: date, now: datetime, timezone: str) -> bool:
    """True once the subscriber's local date is past ``day`` (too late to send it)."""
    return local_today(now, timezone) > day
