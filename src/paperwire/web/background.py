"""Work `paperwire serve` does beside answering requests: trending refresh, search warm-up."""

from __future__ import annotations

import logging
import threading

from paperwire.services.worker import refresh_trending
from paperwire.web.services import Services

log = logging.getLogger(__name__)


class TrendingRefresher(threading.Thread):
    """Recomputes trending scores every ``interval`` seconds until stopped."""

    def __init__(self, services: Services, interval: float) -> None:
        super().__init__(name="trending-refresh", daemon=True)
        self.services = services
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                refresh_trending(self.services.app)
            except Exception:  # keep serving pages; try again next round
                log.exception("trending refresh failed")
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


def warm_search(services: Services) -> threading.Thread:
    """Load the embedding model and vector index now, so the first search is not slow."""

    def warm() -> None:
        try:
            services.search().warm_up()
        except Exception:
            log.exception("search warm-up failed; searches will load the model on first use")

    thread = threading.Thread(target=warm, name="search-warm-up", daemon=True)
    thread.start()
    return thread
