"""Harvesting Hugging Face daily papers (``/api/daily_papers?date=YYYY-MM-DD``).

Upvotes and GitHub stars keep changing after a paper's day, so a harvest takes the
days since the last harvested one, that day included, up to today (at most a week).
"""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

from paperwire.harvest.http import PoliteClient
from paperwire.harvest.progress import HarvestReport, OnPage
from paperwire.harvest.state import after_page
from paperwire.ingest.formats import hf_daily
from paperwire.ingest.pipeline import ingest_records
from paperwire.records import PaperRecord
from paperwire.store.base import HarvestCheckpoint, Store

SOURCE = "hf-daily"
CATCH_UP_DAYS = 7


def days_to_harvest(last: date | None, today: date, limit: int = CATCH_UP_DAYS) -> list[date]:
    """The days to fetch: from the last harvested day (again) to today, the newest ``limit``."""
    first = max(last or today, today - timedelta(days=limit - 1))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def harvest_hf_daily(
    client: PoliteClient,
    store: Store,
    base_url: str,
    days: list[date],
    *,
    batch_size: int = 1000,
    on_page: OnPage | None = None,
) -> HarvestReport:
    """Store each day's papers with their upvotes and stars; checkpoint after each day.

    An explicit day in the past never moves the incremental point back.
    """
    report = HarvestReport(SOURCE)
    started = time.perf_counter()
    checkpoint = store.harvest_state.get_checkpoint(SOURCE) or HarvestCheckpoint(SOURCE)
    for day in days:
        response = client.get(base_url, {"date": day.isoformat()})
        text = response.body.decode("utf-8", "replace")
        items = list(hf_daily.parse(io.StringIO(text), response.url))
        ingest_records(store, items, batch_size=batch_size, report=report.ingest)
        records = sum(1 for item in items if isinstance(item, PaperRecord))
        latest = max(day, checkpoint.harvested_until or day)
        checkpoint = after_page(
            checkpoint, next_token=None, server_date=latest, records=records, now=response.date
        )
        store.harvest_state.save_checkpoint(checkpoint)
        report.pages += 1
        report.records += records
        report.step = day.isoformat()
        report.elapsed = time.perf_counter() - started
        if on_page:
            on_page(report)
    return report
