"""Request pacing shared by every process of an installation, through the store.

arXiv allows one request every 3 seconds and one connection at a time. A process-local
timer cannot promise that when a worker and a CLI harvest run together, so each request
first reserves its host's slot in the store (one row per host, updated atomically) and
releases it, with the earliest next start, when the response is in.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from paperwire.store.base import Store

ARXIV_MIN_DELAY = 3.0
# How long a reservation holds if its process dies mid-request (request timeout + margin).
DEFAULT_LEASE = timedelta(seconds=120)

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


def is_arxiv_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "arxiv.org" or host.endswith(".arxiv.org")


def pacing_key(url: str) -> str:
    """One key per remote service: all of arXiv's hosts share one rate."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if is_arxiv_host(host):
        return "arxiv.org"
    return f"{host}:{parts.port}" if parts.port else host


def effective_delay(url: str, configured: float) -> float:
    """The configured delay, raised to arXiv's 3 seconds for arXiv's own hosts."""
    host = urlsplit(url).hostname or ""
    return max(configured, ARXIV_MIN_DELAY) if is_arxiv_host(host) else max(configured, 0.0)


def new_holder() -> str:
    """An id for this client in the slot table (host, process, instance)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_dead(holder: str) -> bool:
    """True for a holder on this machine whose process is gone (killed mid-request)."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Pacer:
    """Waits for a host's slot before each request and releases it after."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        sleep: Sleep,
        *,
        lease: timedelta = DEFAULT_LEASE,
        poll_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.sleep = sleep
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.holder = new_holder()

    def acquire(self, key: str) -> datetime:
        """Block until this client may start a request to ``key``; returns the start time."""
        dead: str | None = None
        while True:
            now = self.clock()
            grant = self.store.harvest_state.reserve_request_slot(
                key, self.holder, now, self.lease, dead
            )
            if not grant.granted and grant.holder and holder_is_dead(grant.holder):
                dead = grant.holder
                continue
            if grant.granted:
                wait = (grant.at - now).total_seconds()
                if wait > 0:
                    self.sleep(wait)
                return grant.at
            self.sleep(min(max((grant.at - now).total_seconds(), 0.0), self.poll_seconds) or 0.05)

    def release(self, key: str, delay: float) -> None:
        """The response is in: the next request to ``key`` may start ``delay`` from now."""
        free_at = self.clock() + timedelta(seconds=delay)
        self.store.harvest_state.release_request_slot(key, self.holder, free_at)
