"""Harvesting an arXiv API (Atom) query, page by page within the API's caps.

The API returns at most 2,000 results a call and serves no result past 30,000 for a
query; :func:`page_plan` keeps every request inside both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from paperwire.harvest.errors import HarvestError
from paperwire.harvest.http import PoliteClient
from paperwire.harvest.progress import HarvestReport, OnPage
from paperwire.ingest.formats.arxiv_atom import parse_atom_feed
from paperwire.ingest.pipeline import ingest_records
from paperwire.store.base import Store

MAX_PAGE = 2_000
MAX_TOTAL = 30_000
DEFAULT_PAGE = 200


@dataclass(frozen=True, slots=True)
class PageRequest:
    start: int
    size: int


def page_plan(wanted: int, page_size: int = DEFAULT_PAGE, start: int = 0) -> list[PageRequest]:
    """The (start, max_results) pages for ``wanted`` results, within the API's caps."""
    size = max(1, min(page_size, MAX_PAGE))
    end = min(start + max(wanted, 0), MAX_TOTAL)
    return [PageRequest(s, min(size, end - s)) for s in range(start, end, size)]


def harvest_atom(
    client: PoliteClient,
    store: Store,
    base_url: str,
    query: str,
    *,
    max_results: int = 1_000,
    page_size: int = DEFAULT_PAGE,
    sort_by: str = "submittedDate",
    batch_size: int = 1000,
    on_page: OnPage | None = None,
) -> HarvestReport:
    """Store up to ``max_results`` papers matching ``query``, newest submissions first."""
    report = HarvestReport(f"arxiv-api:{query}")
    started = time.perf_counter()
    for request in page_plan(max_results, page_size):
        params: dict[str, str | int] = {
            "search_query": query,
            "start": request.start,
            "max_results": request.size,
            "sortBy": sort_by,
            "sortOrder": "descending",
        }
        response = client.get(base_url, params)
        page = parse_atom_feed(response.body, response.url)
        if page.api_error:
            raise HarvestError(f"arXiv API error: {page.api_error}")
        records = page.records[: request.size]
        ingest_records(store, [*records, *page.errors], batch_size=batch_size, report=report.ingest)
        report.pages += 1
        report.records += len(records)
        if page.total_results is not None:
            report.total = min(page.total_results, max_results, MAX_TOTAL)
        report.step = f"start={request.start}"
        report.elapsed = time.perf_counter() - started
        if on_page:
            on_page(report)
        malformed = [e for e in page.errors if e.reason.startswith("malformed XML")]
        if malformed:
            raise HarvestError(f"{malformed[0].reason} in the response to {response.url}")
        seen = request.start + len(page.records)
        if not page.records or (page.total_results is not None and seen >= page.total_results):
            break
    return report
