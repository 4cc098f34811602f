"""When the next harvest is due. Pure functions of the clock.

arXiv announces new submissions Sunday to Thursday evenings, US Eastern time; the new
metadata is in the OAI-PMH and API feeds at about 22:30. A followed source is due once
after each announcement. A worker that was down for days finds its sources due and,
because each harvest asks ``from`` the last complete one, catches up in one run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCED_AT = time(22, 30)
# Monday is 0: announcements on Sunday, Monday, Tuesday, Wednesday and Thursday evenings.
ANNOUNCEMENT_DAYS = frozenset({6, 0, 1, 2, 3})


def _announcement_on(day: date) -> datetime:
    return datetime.combine(day, ANNOUNCED_AT, tzinfo=EASTERN).astimezone(UTC)


def last_announcement(now: datetime) -> datetime:
    """The latest announcement at or before ``now`` (an aware datetime)."""
    today = now.astimezone(EASTERN).date()
    for back in range(8):
        day = today - timedelta(days=back)
        if day.weekday() in ANNOUNCEMENT_DAYS and _announcement_on(day) <= now:
            return _announcement_on(day)
    raise AssertionError("an announcement happens every week")


def next_announcement(now: datetime) -> datetime:
    """The first announcement after ``now``."""
    today = now.astimezone(EASTERN).date()
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() in ANNOUNCEMENT_DAYS and _announcement_on(day) > now:
            return _announcement_on(day)
    raise AssertionError("an announcement happens every week")


def is_due(last_success: datetime | None, now: datetime) -> bool:
    """Due when nothing was ever harvested, or not since the latest announcement."""
    return last_success is None or last_success < last_announcement(now)


def next_due(last_success: datetime | None, now: datetime) -> datetime:
    """When a worker should next harvest this source: now if due, else the next announcement."""
    return now if is_due(last_success, now) else next_announcement(now)
