"""``paperwire worker``: the scheduled work, in a loop, beside the web processes."""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

import typer

from paperwire.cli import state
from paperwire.cli.digest import heartbeat_for, refresh_topic_vectors, show_report
from paperwire.cli.status import subscriber_counts
from paperwire.digest.links import LinkSigner, link_signer
from paperwire.digest.run import DigestRunner
from paperwire.digest.subscriptions import ACTIVE
from paperwire.harvest import run_due_harvests
from paperwire.harvest.progress import HarvestReport
from paperwire.heartbeat import forget, new_worker_name
from paperwire.mail import Mailer
from paperwire.search.indexing import embed_missing
from paperwire.search.service import SearchService
from paperwire.secret import MissingSecretKey
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.clock import utcnow
from paperwire.trending import refresh_scores

# Seconds between heartbeats while waiting or harvesting (`paperwire status` calls a
# worker stale after 5 minutes of silence).
BEAT_SECONDS = 60.0
log = logging.getLogger(__name__)


def worker(
    interval: Annotated[
        float, typer.Option(min=1.0, help="Seconds between rounds of scheduled work.")
    ] = 60.0,
    once: Annotated[bool, typer.Option("--once", help="Do one round and exit.")] = False,
) -> None:
    """Run the scheduled work: harvest due sources, embed new papers, refresh trending,
    send the daily digests that are due.

    Any number of workers may run against one store: arXiv requests are paced through
    the store, every write is idempotent and each digest is sent once. Sending digests
    needs PAPERWIRE_SECRET_KEY (outside development). SIGTERM or Ctrl-C stops it after
    the current round. `paperwire status` shows the workers that are alive.
    """
    store = state.store()
    settings = state.settings()
    signer = _digest_signer(store, settings)
    name = new_worker_name()
    heartbeat = heartbeat_for(store, name, utcnow())
    runner = (
        DigestRunner(
            store,
            settings,
            signer=signer,
            mailer=Mailer.from_settings(settings),
            worker=name,
            heartbeat=heartbeat,
        )
        if signer is not None
        else None
    )
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    state.console.print(f"worker started on {store.url}; every {interval:g} s", highlight=False)
    try:
        while True:
            try:
                heartbeat("harvesting, embedding, refreshing trending")
                _scheduled_work(store, settings, heartbeat)
                _digests(store, settings, runner, heartbeat, stop)
            except typer.Exit:
                raise
            except Exception as error:  # one bad round (a locked store, a bug) is not the end
                log.exception("worker round failed")
                state.console.print(f"[red]round failed:[/] {error}", highlight=False)
            if once or _wait(stop, interval, heartbeat):
                break
    except typer.Exit:
        forget(store, name)
        raise
    forget(store, name)


def _wait(stop: threading.Event, interval: float, heartbeat: Callable[[str], None]) -> bool:
    """Wait for the next round, still beating (so a long interval never looks stale);
    True when asked to stop."""
    deadline = time.monotonic() + interval
    while (remaining := deadline - time.monotonic()) > 0:
        heartbeat(f"waiting {remaining:.0f} s for the next round")
        if stop.wait(min(remaining, BEAT_SECONDS)):
            return True
    return stop.is_set()


def _scheduled_work(store: Store, settings: Settings, heartbeat: Callable[[str], None]) -> None:
    last_beat = time.monotonic()

    def harvesting(report: HarvestReport) -> None:
        nonlocal last_beat
        if time.monotonic() - last_beat > BEAT_SECONDS:
            heartbeat(f"harvesting {report.line()}")
            last_beat = time.monotonic()

    try:
        results = run_due_harvests(store, settings, on_page=harvesting)
    except ValueError as error:  # PAPERWIRE_FOLLOW names something unknown
        raise state.fail(str(error), code=2) from error
    for result in results:
        if result.error:
            state.console.print(f"[red]harvest failed[/] {result.source}: {result.error}")
        elif result.report:
            state.console.print(f"harvested {result.report.summary()}", highlight=False)
        elif result.next_due:
            state.console.print(
                f"{result.source}: next harvest {result.next_due:%Y-%m-%d %H:%M} UTC"
            )
    if settings.embed_on_ingest and store.vectors.count_missing():
        embedded = embed_missing(store, SearchService(settings, store).embedder)
        state.console.print(f"embedded {embedded} new papers", highlight=False)
    ranked = refresh_scores(store, now=datetime.now(UTC))
    state.console.print(f"trending refreshed: {ranked} papers ranked", highlight=False)


def _digests(
    store: Store,
    settings: Settings,
    runner: DigestRunner | None,
    heartbeat: Callable[[str], None],
    stop: threading.Event,
) -> None:
    """Send the digests that are due (``runner`` None: digests off, no secret key)."""
    if runner is None:
        _require_secret_key(store, settings)
        return
    refresh_topic_vectors(store, settings)
    heartbeat("sending digests")
    report = runner.run(stop)
    if report.planned or report.counts or report.review:
        show_report(report)


def _digest_signer(store: Store, settings: Settings) -> LinkSigner | None:
    """The signer of digest links, or None (digests off) without a secret key while no
    subscriber is active."""
    try:
        return link_signer(settings)
    except MissingSecretKey:
        _require_secret_key(store, settings)
    state.console.print(
        "[yellow]digests off:[/] PAPERWIRE_SECRET_KEY is not set and no subscriber is active",
        highlight=False,
    )
    return None


def _require_secret_key(store: Store, settings: Settings) -> None:
    """Exit 2 with a clear error when active subscribers wait for digests that cannot be
    signed (the key is missing)."""
    if not subscriber_counts(store)[ACTIVE]:
        return
    try:
        link_signer(settings)
    except MissingSecretKey as error:
        raise state.fail(f"cannot send digests: {error}", code=2) from error
