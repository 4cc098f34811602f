"""``paperwire worker``: the scheduled work, in a loop, beside the web processes."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from typing import Annotated

import typer

from paperwire.cli import state
from paperwire.harvest import run_due_harvests
from paperwire.search.indexing import embed_missing
from paperwire.search.service import SearchService
from paperwire.trending import refresh_scores


def worker(
    interval: Annotated[
        float, typer.Option(min=1.0, help="Seconds between rounds of scheduled work.")
    ] = 60.0,
    once: Annotated[bool, typer.Option("--once", help="Do one round and exit.")] = False,
) -> None:
    """Run the scheduled work: harvest due sources, embed new papers, refresh trending.

    Any number of workers may run against one store: arXiv requests are paced through
    the store and every write is idempotent. SIGTERM or Ctrl-C stops it after the
    current round.
    """
    store = state.store()
    settings = state.settings()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    state.console.print(f"worker started on {store.url}; every {interval:g} s", highlight=False)
    while True:
        try:
            results = run_due_harvests(store, settings)
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
        if settings.embed_on_ingest and store.count_without_vectors():
            embedded = embed_missing(store, SearchService(settings, store).embedder)
            state.console.print(f"embedded {embedded} new papers", highlight=False)
        ranked = refresh_scores(store, now=datetime.now(UTC))
        state.console.print(f"trending refreshed: {ranked} papers ranked", highlight=False)
        if once or stop.wait(interval):
            return
