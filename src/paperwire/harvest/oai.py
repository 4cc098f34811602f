"""Harvesting arXiv's OAI-PMH endpoint (ListRecords, arXivRaw), resumable.

A run follows resumption tokens to the end. After each page is stored the checkpoint
records the next token, so a run that is killed continues where it stopped; once the
list is complete the checkpoint keeps the server's date of the run's first response,
the ``from`` of the next (incremental) run. arXivRaw lists every version, so a new
version updates the paper and adds to its history; deleted records mark the paper
withdrawn.
"""

from __future__ import annotations

import time
from datetime import date

from paperwire.harvest.errors import HarvestError, OaiError
from paperwire.harvest.http import PoliteClient
from paperwire.harvest.progress import HarvestReport, OnPage
from paperwire.harvest.state import OaiStart, after_page, begin_run, failed, oai_start
from paperwire.ingest.formats.oai_pmh import NO_RECORDS, OaiPage, parse_oai_response
from paperwire.ingest.pipeline import ingest_records
from paperwire.records import RecordError
from paperwire.store.base import Store

BAD_TOKEN = "badResumptionToken"
DEFAULT_PREFIX = "arXivRaw"


def oai_source(set_spec: str | None) -> str:
    """The checkpoint name of a set's harvest (``arxiv:cs:cs:LG``; ``arxiv`` for all)."""
    return f"arxiv:{set_spec}" if set_spec else "arxiv"


def request_params(
    start: OaiStart, set_spec: str | None, until: date | None, prefix: str
) -> dict[str, str]:
    """ListRecords arguments: a token alone, or prefix, set and date range."""
    if start.resumption_token:
        return {"verb": "ListRecords", "resumptionToken": start.resumption_token}
    params = {"verb": "ListRecords", "metadataPrefix": prefix}
    if set_spec:
        params["set"] = set_spec
    if start.from_date:
        params["from"] = start.from_date.isoformat()
    if until:
        params["until"] = until.isoformat()
    return params


def xml_error(page: OaiPage) -> RecordError | None:
    """The parser's malformed-XML error (it ends the page), as opposed to a bad record."""
    for error in page.errors:
        if error.reason.startswith("malformed XML"):
            return error
    return None


def harvest_oai(
    client: PoliteClient,
    store: Store,
    base_url: str,
    *,
    set_spec: str | None = None,
    from_date: date | None = None,
    until: date | None = None,
    prefix: str = DEFAULT_PREFIX,
    batch_size: int = 1000,
    on_page: OnPage | None = None,
) -> HarvestReport:
    """Harvest a set to the end of its list; HarvestError (checkpoint kept) on failure."""
    source = oai_source(set_spec)
    checkpoint = store.harvest_state.get_checkpoint(source)
    start = oai_start(checkpoint, from_date)
    checkpoint = begin_run(checkpoint, source, start)
    report = HarvestReport(source, resumed=start.resuming)
    started = time.perf_counter()
    restarted = False
    try:
        while True:
            params = request_params(start, set_spec, until, prefix)
            response = client.get(base_url, params)
            page = parse_oai_response(response.body, response.url)
            if page.error_code == BAD_TOKEN and start.resuming and not restarted:
                # Tokens expire; the run's own ``from`` starts it again without a gap.
                restarted = True
                start = OaiStart(None, checkpoint.run_from, resuming=False)
                checkpoint = begin_run(checkpoint, source, start)
                report.resumed = False
                continue
            if page.error_code and page.error_code != NO_RECORDS:
                raise OaiError(page.error_code, page.error_message)
            broken = xml_error(page)
            ingest_records(
                store,
                [*page.records, *(e for e in page.errors if e is not broken)],
                batch_size=batch_size,
                report=report.ingest,
            )
            if broken is not None:
                raise HarvestError(f"{broken.reason} in the response to {response.url}")
            server_date = page.response_date.date() if page.response_date else None
            checkpoint = after_page(
                checkpoint,
                next_token=page.resumption_token,
                server_date=server_date,
                records=len(page.records),
                now=response.date,
            )
            store.harvest_state.save_checkpoint(checkpoint)
            report.pages += 1
            report.records += len(page.records)
            report.total = page.complete_list_size
            report.step = page.resumption_token or ""
            report.elapsed = time.perf_counter() - started
            if on_page:
                on_page(report)
            if not page.resumption_token:
                return report
            start = OaiStart(page.resumption_token, checkpoint.run_from, resuming=True)
    except HarvestError as error:
        store.harvest_state.save_checkpoint(failed(checkpoint, str(error)))
        raise
