"""Harvest checkpoint bookkeeping: where to start, how a page moves it, what "done" means.

Pure functions over :class:`~paperwire.store.base.HarvestCheckpoint`. A page's records
are stored before the checkpoint moves past it, so an interrupted harvest refetches at
most one page (upserts are idempotent) and never skips one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from paperwire.store.base import HarvestCheckpoint


@dataclass(frozen=True, slots=True)
class OaiStart:
    """The first request of a run: a resumption token, or a fresh ``from``."""

    resumption_token: str | None
    from_date: date | None
    resuming: bool


def oai_start(checkpoint: HarvestCheckpoint | None, requested_from: date | None) -> OaiStart:
    """Resume an interrupted run unless a different ``from`` was asked for; else go on
    incrementally from the last complete harvest's server date."""
    same_run = checkpoint is not None and requested_from in (None, checkpoint.run_from)
    if checkpoint and checkpoint.resumption_token and same_run:
        return OaiStart(checkpoint.resumption_token, checkpoint.run_from, resuming=True)
    if requested_from is not None:
        return OaiStart(None, requested_from, resuming=False)
    previous = checkpoint.harvested_until if checkpoint else None
    return OaiStart(None, previous, resuming=False)


def begin_run(
    checkpoint: HarvestCheckpoint | None, source: str, start: OaiStart
) -> HarvestCheckpoint:
    """The checkpoint as a (new or resumed) run begins."""
    base = checkpoint or HarvestCheckpoint(source)
    if start.resuming:
        return base
    return replace(base, run_from=start.from_date, run_server_date=None, run_records=0)


def after_page(
    checkpoint: HarvestCheckpoint,
    *,
    next_token: str | None,
    server_date: date | None,
    records: int,
    now: datetime,
) -> HarvestCheckpoint:
    """The checkpoint once a page is stored: the next token, or the run complete."""
    run_server_date = checkpoint.run_server_date or server_date
    if next_token:
        return replace(
            checkpoint,
            resumption_token=next_token,
            run_server_date=run_server_date,
            run_records=checkpoint.run_records + records,
            last_error=None,
        )
    return replace(
        checkpoint,
        harvested_until=run_server_date or checkpoint.harvested_until,
        last_success=now,
        run_from=None,
        run_server_date=None,
        resumption_token=None,
        run_records=checkpoint.run_records + records,
        last_error=None,
    )


def failed(checkpoint: HarvestCheckpoint, error: str) -> HarvestCheckpoint:
    """Keep the resumption point; remember why the run stopped."""
    return replace(checkpoint, last_error=error)
