"""The scheduled work, one round at a time: harvest what is due, embed the papers
without a vector, refresh trending, then plan and send the digests that are due.

``paperwire worker`` runs :class:`Worker` in a loop; the one-shot commands (``harvest
run-due``, ``index``, ``trending refresh``, ``digest run``) call the same steps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from paperwire.digest.links import LinkSigner, link_signer
from paperwire.digest.run import DigestRunner, RunReport
from paperwire.digest.subscriptions import ACTIVE, list_subscribers
from paperwire.harvest.progress import HarvestReport
from paperwire.harvest.runner import DueResult, run_due_harvests
from paperwire.heartbeat import beat, new_worker_name
from paperwire.secret import MissingSecretKey
from paperwire.services.app import AppServices
from paperwire.services.embedding import embed_papers, refresh_topic_vectors, topic_space
from paperwire.store.base import Store
from paperwire.store.clock import utcnow
from paperwire.trending import refresh_scores

# Seconds between heartbeats while waiting or harvesting (`paperwire status` calls a
# worker stale after 5 minutes of silence).
BEAT_SECONDS = 60.0

Heartbeat = Callable[[str], None]


class WorkerConfigError(RuntimeError):
    """The configuration makes the scheduled work impossible (an unknown followed
    source; active subscribers but no secret key to sign their digests): no use
    trying again next round."""


class DigestListener(Protocol):
    """Told what a digest run did besides sending."""

    def topics_embedded(self, count: int, model: str) -> None: ...

    def topic_problem(self, error: Exception) -> None:
        """The model cannot be loaded: topics stay matched by their words."""


class WorkerListener(DigestListener, Protocol):
    """Told what each round did, as it goes."""

    def harvested(self, result: DueResult) -> None: ...

    def embedded(self, papers: int) -> None: ...

    def trending_refreshed(self, ranked: int) -> None: ...

    def digests_sent(self, report: RunReport) -> None: ...

    def round_failed(self, error: Exception) -> None: ...


def heartbeat_for(store: Store, name: str, started_at: datetime) -> Heartbeat:
    """A callback that records worker ``name`` as alive, doing ``activity``."""

    def record(activity: str) -> None:
        beat(store, name, started_at=started_at, now=utcnow(), activity=activity)

    return record


def harvest_due(
    app: AppServices, on_page: Callable[[HarvestReport], None] | None = None
) -> list[DueResult]:
    """Harvest every followed source (PAPERWIRE_FOLLOW) that is due; ValueError when
    it names something unknown."""
    return run_due_harvests(app.store, app.settings, on_page=on_page)


def refresh_trending(app: AppServices) -> int:
    """Recompute every window's trending scores; how many papers are ranked."""
    return refresh_scores(app.store, now=utcnow())


def digest_runner(
    app: AppServices,
    signer: LinkSigner,
    *,
    worker: str,
    heartbeat: Heartbeat,
    clock: Callable[[], datetime] = utcnow,
) -> DigestRunner:
    return DigestRunner(
        app.store,
        app.settings,
        signer=signer,
        mailer=app.mailer(),
        worker=worker,
        clock=clock,
        heartbeat=heartbeat,
    )


def send_due_digests(
    app: AppServices, runner: DigestRunner, stop: threading.Event, listener: DigestListener
) -> RunReport:
    """Re-embed topics saved under another model, then plan and send what is due."""
    topics = refresh_topic_vectors(app, listener.topic_problem)
    if topics:
        listener.topics_embedded(topics, topic_space(app.settings))
    return runner.run(stop)


def digest_signer(app: AppServices) -> LinkSigner | None:
    """The signer of digest links; None (digests off) without a secret key while no
    subscriber is active, WorkerConfigError when active subscribers wait."""
    try:
        return link_signer(app.settings)
    except MissingSecretKey as error:
        if list_subscribers(app.store, ACTIVE):
            raise WorkerConfigError(f"cannot send digests: {error}") from error
    return None


class Worker:
    """One worker process: its name, heartbeat and digest runner (None: digests off)."""

    def __init__(self, app: AppServices, listener: WorkerListener) -> None:
        self.app = app
        self.listener = listener
        self.name = new_worker_name()
        self.heartbeat = heartbeat_for(app.store, self.name, utcnow())
        signer = digest_signer(app)
        self.runner = (
            None
            if signer is None
            else digest_runner(app, signer, worker=self.name, heartbeat=self.heartbeat)
        )

    def run(self, stop: threading.Event, *, interval: float, once: bool = False) -> None:
        """Rounds every ``interval`` seconds until ``stop`` is set (one with ``once``).

        A failing round is reported and the next one comes as planned; a
        WorkerConfigError ends the run. The heartbeat is forgotten on the way out.
        """
        try:
            while True:
                try:
                    self.round(stop)
                except WorkerConfigError:
                    raise
                except Exception as error:  # one bad round (a locked store, a bug) is not the end
                    self.listener.round_failed(error)
                if once or self._wait(stop, interval):
                    break
        finally:
            self.app.store.workers.forget(self.name)

    def round(self, stop: threading.Event) -> None:
        self.heartbeat("harvesting, embedding, refreshing trending")
        self._harvest()
        if self.app.settings.embed_on_ingest:
            embedded = embed_papers(self.app, save_snapshot=False)
            if embedded:
                self.listener.embedded(embedded)
        self.listener.trending_refreshed(refresh_trending(self.app))
        if self.runner is None:
            digest_signer(self.app)  # raises once a subscriber is active
            return
        self.heartbeat("sending digests")
        self.listener.digests_sent(send_due_digests(self.app, self.runner, stop, self.listener))

    def _harvest(self) -> None:
        last_beat = time.monotonic()

        def harvesting(report: HarvestReport) -> None:
            nonlocal last_beat
            if time.monotonic() - last_beat > BEAT_SECONDS:
                self.heartbeat(f"harvesting {report.line()}")
                last_beat = time.monotonic()

        try:
            results = harvest_due(self.app, on_page=harvesting)
        except ValueError as error:  # PAPERWIRE_FOLLOW names something unknown
            raise WorkerConfigError(str(error)) from error
        for result in results:
            self.listener.harvested(result)

    def _wait(self, stop: threading.Event, interval: float) -> bool:
        """Wait for the next round, still beating (so a long interval never looks
        stale); True when asked to stop."""
        deadline = time.monotonic() + interval
        while (remaining := deadline - time.monotonic()) > 0:
            self.heartbeat(f"waiting {remaining:.0f} s for the next round")
            if stop.wait(min(remaining, BEAT_SECONDS)):
                return True
        return stop.is_set()
