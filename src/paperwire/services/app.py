"""What one process builds once and its services share: settings, store, and (on first
use) the warm search service with its embedding model, and the mailer."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from paperwire.mail import Mailer
from paperwire.services.search import build_search_service
from paperwire.settings import Settings

if TYPE_CHECKING:
    from paperwire.search.embedding import Embedder
    from paperwire.search.service import SearchService
    from paperwire.store.base import Store


class AppServices:
    """One per process (a CLI command, the worker, the web app). Thread-safe."""

    def __init__(
        self, settings: Settings, store: Store, *, search: SearchService | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self._search = search
        self._mailer: Mailer | None = None
        self._lock = threading.Lock()

    def search(self) -> SearchService:
        """The warm search service, built on first use."""
        if self._search is None:
            with self._lock:
                if self._search is None:
                    self._search = build_search_service(self.settings, self.store)
        return self._search

    def embedder(self) -> Embedder:
        """The search service's embedding model (loaded on first use, about 1 s)."""
        return self.search().embedder

    def mailer(self) -> Mailer:
        if self._mailer is None:
            self._mailer = Mailer.from_settings(self.settings)
        return self._mailer
