"""Rate limits: the interface the web layer counts requests through, and the in-memory
implementation each web process uses today (a shared one can sit behind the same
interface)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class RateLimiter(Protocol):
    """Counts requests per (bucket, key); the web layer knows nothing more about it."""

    def hit(self, bucket: str, key: str, *, limit: int, period: float) -> Verdict:
        """Count one request; refused (with seconds to wait) past ``limit`` per ``period``."""
        ...


class MemoryRateLimiter:
    """Fixed-window counters per (bucket, key), in this process's memory.

    Each web process counts for itself; behind N processes a client gets up to N times
    the limit, which is the documented trade for not needing a shared counter store.
    The table holds at most ``max_keys`` counters: past that, the least recently used
    one is forgotten. A refused client touches its counter with every attempt, so
    flooding the table with new keys evicts idle clients, never an active one.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self._clock = clock
        self._max_keys = max_keys
        self._windows: OrderedDict[tuple[str, str], tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, bucket: str, key: str, *, limit: int, period: float) -> Verdict:
        now = self._clock()
        slot = (bucket, key)
        with self._lock:
            start, count = self._windows.get(slot, (now, 0))
            if now - start >= period:
                start, count = now, 0
            allowed = count < limit
            self._windows[slot] = (start, count + 1 if allowed else count)
            self._windows.move_to_end(slot)
            if len(self._windows) > self._max_keys:
                self._windows.popitem(last=False)
        if allowed:
            return Verdict(True)
        return Verdict(False, max(1, int(start + period - now + 0.999)))

    def __len__(self) -> int:
        return len(self._windows)
