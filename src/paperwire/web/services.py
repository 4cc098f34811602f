"""What the web layer holds for its lifetime: settings, store, limiter, a warm search service."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.web.security import Network, RateLimiter, client_address, parse_networks

if TYPE_CHECKING:
    from paperwire.search.service import SearchService


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None)


class TTLCache:
    """A few rendered pages kept for ``ttl`` seconds (trending changes once a minute)."""

    def __init__(self, ttl: float, max_items: int = 256) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._items: dict[object, tuple[float, Any]] = {}

    def get(self, key: object) -> Any:
        found = self._items.get(key)
        if found is None or time.monotonic() - found[0] > self.ttl:
            return None
        return found[1]

    def put(self, key: object, value: Any) -> None:
        if len(self._items) >= self.max_items:
            self._items.clear()
        self._items[key] = (time.monotonic(), value)


@dataclass
class Services:
    """One per app. The search service (and its embedding model) is built on first use."""

    settings: Settings
    store: Store
    secret_key: str
    limiter: RateLimiter = field(default_factory=RateLimiter)
    search_service: Any = None
    trusted_proxies: list[Network] = field(default_factory=list)
    page_cache: TTLCache = field(default_factory=lambda: TTLCache(ttl=5.0))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.trusted_proxies = parse_networks(self.settings.trusted_proxies)

    def search(self) -> SearchService:
        if self.search_service is None:
            with self._lock:
                if self.search_service is None:
                    from paperwire.search.service import SearchService

                    self.search_service = SearchService(self.settings, self.store)
        return self.search_service  # type: ignore[no-any-return]

    def client(self, request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), self.trusted_proxies)


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]
