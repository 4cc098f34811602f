"""Delivery rules without I/O: retry backoff, Message-IDs, the sending rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

# Waits after the 1st, 2nd, ... temporary failure (421, 451, a dropped connection).
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before trying again after ``attempts`` tries have failed."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def digest_message_id(subscriber_id: int, day: date, domain: str) -> str:
    """The same for every attempt at one subscriber's digest of one date.

    A mail server or client that sees a message twice (a retry after a lost reply)
    can then tell that it is one message.
    """
    return f"<digest.{subscriber_id}.{day:%Y%m%d}@{domain}>"


class RateGate:
    """At most ``rate`` passes per second: :meth:`wait` sleeps until the next is allowed."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = clock()

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = max(now, self._next) + self.interval
