"""When to try again after a refused or failed request. Pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Statuses worth another try: the server is busy or briefly broken, not refusing us.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_ATTEMPTS = 6
BASE_SECONDS = 5.0
CAP_SECONDS = 600.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_delay(attempt: int, retry_after: float | None, min_delay: float) -> float:
    """Seconds before attempt ``attempt + 1`` (``attempt`` counts from 1).

    The server's ``Retry-After`` wins when given (capped, so a bogus header cannot stall
    the worker for days); otherwise exponential backoff. Never less than the pacing delay.
    """
    if retry_after is not None:
        return max(min_delay, min(retry_after, CAP_SECONDS))
    return max(min_delay, min(BASE_SECONDS * 2.0 ** (attempt - 1), CAP_SECONDS))
