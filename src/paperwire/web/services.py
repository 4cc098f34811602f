"""What the web layer holds for its lifetime: the application services (settings, store,
a warm search service), the rate limiter, page caches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from paperwire.services.app import AppServices
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.web.networks import client_key
from paperwire.web.ratelimit import MemoryRateLimiter, RateLimiter
from paperwire.web.security import Network, client_address, parse_networks

if TYPE_CHECKING:
    from paperwire.search.service import SearchService


class TTLCache:
    """A few rendered pages kept for ``ttl`` seconds (trending changes once a minute).

    :meth:`get_or_render` serves a stale page while one request (and only one)
    renders its replacement, so an expiry never makes every connection render at once;
    only a page never rendered before makes requests wait, for that single render.
    """

    def __init__(self, ttl: float, max_items: int = 256) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._items: dict[object, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._rendering: dict[object, threading.Lock] = {}

    def get(self, key: object) -> Any:
        found = self._items.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        return found[1]

    def put(self, key: object, value: Any) -> None:
        with self._lock:
            if len(self._items) >= self.max_items and key not in self._items:
                self._items.clear()
            self._items[key] = (time.monotonic(), value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get_or_render(self, key: object, render: Callable[[], Any]) -> Any:
        """The cached value, else ``render()``'s, rendered by one caller at a time."""
        found = self._items.get(key)
        if found is not None and time.monotonic() - found[0] <= self.ttl:
            return found[1]
        with self._lock:
            flight = self._rendering.setdefault(key, threading.Lock())
        if found is not None:  # stale: one caller re-renders, the others serve it
            if not flight.acquire(blocking=False):
                return found[1]
        else:
            flight.acquire()
        try:
            again = self._items.get(key)
            if again is not None and again is not found:  # rendered while we waited
                return again[1]
            value = render()
            self.put(key, value)
            return value
        finally:
            flight.release()


@dataclass
class Services:
    """One per app: the process's application services (``app``, whose search service
    and embedding model are built on first use) and what only the web layer needs."""

    app: AppServices
    secret_key: str
    limiter: RateLimiter = field(default_factory=MemoryRateLimiter)
    trusted_proxies: list[Network] = field(default_factory=list)
    page_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=5.0))
    # Anonymous search pages: results change only when papers are added.
    search_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=30.0, max_items=512))

    def __post_init__(self) -> None:
        self.trusted_proxies = parse_networks(self.settings.trusted_proxies)

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def store(self) -> Store:
        return self.app.store

    def search(self) -> SearchService:
        return self.app.search()

    def client(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), self.trusted_proxies)

    def rate_key(self, request: Request) -> str:
        """Whom a rate limit counts: the client's address, an IPv6 client by its /64."""
        return client_key(self.client(request))


def services(request: Request) -> Services:
    return request.app.state.services
