"""``paperwire worker``: the scheduled work, in a loop, beside the web processes."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer

from paperwire.cli import state
from paperwire.cli.digest import DigestConsole, show_report
from paperwire.digest.run import RunReport
from paperwire.harvest.runner import DueResult
from paperwire.services.worker import Worker, WorkerConfigError

log = logging.getLogger(__name__)


class WorkerConsole(DigestConsole):
    """What a round did, as lines on the console."""

    def harvested(self, result: DueResult) -> None:
        if result.error:
            state.console.print(f"[red]harvest failed[/] {result.source}: {result.error}")
        elif result.report:
            state.console.print(f"harvested {result.report.summary()}", highlight=False)
        elif result.next_due:
            state.console.print(
                f"{result.source}: next harvest {result.next_due:%Y-%m-%d %H:%M} UTC"
            )

    def embedded(self, papers: int) -> None:
        state.console.print(f"embedded {papers} new papers", highlight=False)

    def trending_refreshed(self, ranked: int) -> None:
        state.console.print(f"trending refreshed: {ranked} papers ranked", highlight=False)

    def digests_sent(self, report: RunReport) -> None:
        if report.planned or report.counts or report.review:
            show_report(report)

    def round_failed(self, error: Exception) -> None:
        log.error("worker round failed", exc_info=error)
        state.console.print(f"[red]round failed:[/] {error}", highlight=False)


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
    app = state.services()
    try:
        scheduled = Worker(app, WorkerConsole())
        if scheduled.runner is None:
            state.console.print(
                "[yellow]digests off:[/] PAPERWIRE_SECRET_KEY is not set and no subscriber "
                "is active",
                highlight=False,
            )
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        state.console.print(
            f"worker started on {app.store.url}; every {interval:g} s", highlight=False
        )
        scheduled.run(stop, interval=interval, once=once)
    except WorkerConfigError as error:
        raise state.fail(str(error), code=2) from error
