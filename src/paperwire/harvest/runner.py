"""Harvesting every followed source that is due: what the worker and ``run-due`` call."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from paperwire.harvest.errors import HarvestError
from paperwire.harvest.follow import HF_DAILY, Follow, parse_follow
from paperwire.harvest.hf_daily import days_to_harvest, harvest_hf_daily
from paperwire.harvest.http import PoliteClient, utc_now
from paperwire.harvest.oai import harvest_oai
from paperwire.harvest.pacing import Clock, Sleep
from paperwire.harvest.progress import HarvestReport, OnPage
from paperwire.harvest.schedule import is_due, next_due
from paperwire.settings import Settings
from paperwire.store.base import Store


@dataclass(frozen=True, slots=True)
class DueResult:
    """One followed source: harvested (report), failed (error), or not due yet."""

    source: str
    report: HarvestReport | None = None
    error: str | None = None
    next_due: datetime | None = None

    @property
    def ran(self) -> bool:
        return self.report is not None or self.error is not None


def client_from_settings(
    store: Store,
    settings: Settings,
    *,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    on_retry: Callable[[str, float], None] | None = None,
) -> PoliteClient:
    return PoliteClient(
        store,
        delay_seconds=settings.arxiv_delay_seconds,
        contact_email=settings.contact_email,
        clock=clock,
        sleep=sleep,
        on_retry=on_retry,
    )


def harvest_follow(
    follow: Follow,
    client: PoliteClient,
    store: Store,
    settings: Settings,
    now: datetime,
    on_page: OnPage | None = None,
) -> HarvestReport:
    """One incremental harvest of a followed source."""
    batch = settings.ingest_batch_size
    if follow.kind == HF_DAILY:
        checkpoint = store.harvest_state.get_checkpoint(HF_DAILY)
        days = days_to_harvest(checkpoint.harvested_until if checkpoint else None, now.date())
        return harvest_hf_daily(
            client, store, settings.hf_api_url, days, batch_size=batch, on_page=on_page
        )
    return harvest_oai(
        client,
        store,
        settings.arxiv_oai_url,
        set_spec=follow.set_spec,
        batch_size=batch,
        on_page=on_page,
    )


def run_due_harvests(
    store: Store,
    settings: Settings,
    now: datetime | None = None,
    *,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    on_page: OnPage | None = None,
) -> list[DueResult]:
    """Harvest each followed source that is due; one failing source does not stop the rest.

    ``next_due`` on each result tells a worker when to call again.
    """
    now = now or clock()
    results: list[DueResult] = []
    with client_from_settings(store, settings, clock=clock, sleep=sleep) as client:
        for follow in parse_follow(settings.follow):
            checkpoint = store.harvest_state.get_checkpoint(follow.source)
            last = checkpoint.last_success if checkpoint else None
            if not is_due(last, now):
                results.append(DueResult(follow.source, next_due=next_due(last, now)))
                continue
            try:
                report = harvest_follow(follow, client, store, settings, now, on_page)
            except HarvestError as error:
                results.append(DueResult(follow.source, error=str(error)))
                continue
            results.append(DueResult(follow.source, report, next_due=next_due(clock(), clock())))
    return results
