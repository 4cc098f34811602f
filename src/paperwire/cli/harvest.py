"""``paperwire harvest``: arXiv OAI-PMH and API, Hugging Face daily papers, the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer

from paperwire.cli import state
from paperwire.cli.render import to_json
from paperwire.harvest.atom_api import DEFAULT_PAGE, MAX_PAGE, MAX_TOTAL, harvest_atom
from paperwire.harvest.errors import HarvestError
from paperwire.harvest.hf_daily import harvest_hf_daily
from paperwire.harvest.http import PoliteClient
from paperwire.harvest.oai import DEFAULT_PREFIX, harvest_oai
from paperwire.harvest.progress import HarvestReport
from paperwire.harvest.runner import client_from_settings
from paperwire.harvest.schedule import next_due
from paperwire.store.base import Store

app = typer.Typer(
    help=(
        "Harvest live sources politely (one request per PAPERWIRE_ARXIV_DELAY_SECONDS, "
        "at least 3 s for arXiv, shared by every process; User-Agent with "
        "PAPERWIRE_CONTACT_EMAIL)."
    ),
    no_args_is_help=True,
)

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines.")]


def _show_progress(report: HarvestReport) -> None:
    state.console.print(report.line(), highlight=False)


def _show_retry(problem: str, wait: float) -> None:
    state.console.print(f"[yellow]retry[/] in {wait:.0f} s: {problem}", highlight=False)


def _client(store: Store) -> PoliteClient:
    return client_from_settings(store, state.settings(), on_retry=_show_retry)


def _finish(report: HarvestReport) -> None:
    for error in report.ingest.errors:
        state.console.print(f"[yellow]skipped[/] {error}", highlight=False)
    state.console.print(report.summary(), highlight=False)


@app.command("arxiv")
def arxiv(
    set_spec: Annotated[
        str | None, typer.Option("--set", help="OAI-PMH set, e.g. cs:cs:LG; all of arXiv if unset.")
    ] = None,
    from_date: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            formats=["%Y-%m-%d"],
            help="Records changed on or after this day \\[default: the last harvest's date].",
        ),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", formats=["%Y-%m-%d"], help="Records changed up to this day."),
    ] = None,
    prefix: Annotated[
        str, typer.Option("--metadata-prefix", help="arXivRaw (every version) or arXiv.")
    ] = DEFAULT_PREFIX,
    quiet: QuietOption = False,
) -> None:
    """Harvest arXiv over OAI-PMH (PAPERWIRE_ARXIV_OAI_URL), resuming an interrupted run."""
    store = state.store()
    try:
        with _client(store) as client:
            report = harvest_oai(
                client,
                store,
                state.settings().arxiv_oai_url,
                set_spec=set_spec,
                from_date=from_date.date() if from_date else None,
                until=until.date() if until else None,
                prefix=prefix,
                batch_size=state.settings().ingest_batch_size,
                on_page=None if quiet else _show_progress,
            )
    except HarvestError as error:
        raise state.fail(str(error)) from error
    if report.resumed:
        state.console.print("resumed an interrupted harvest", highlight=False)
    _finish(report)


@app.command("arxiv-api")
def arxiv_api(
    query: Annotated[str, typer.Option("--query", help="arXiv API search_query.")],
    max_results: Annotated[
        int, typer.Option("--max", min=1, max=MAX_TOTAL, help="Results to fetch in all.")
    ] = 1000,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, max=MAX_PAGE, help="Results per request.")
    ] = DEFAULT_PAGE,
    quiet: QuietOption = False,
) -> None:
    """Harvest an arXiv API query (PAPERWIRE_ARXIV_API_URL), newest submissions first."""
    store = state.store()
    try:
        with _client(store) as client:
            report = harvest_atom(
                client,
                store,
                state.settings().arxiv_api_url,
                query,
                max_results=max_results,
                page_size=page_size,
                batch_size=state.settings().ingest_batch_size,
                on_page=None if quiet else _show_progress,
            )
    except HarvestError as error:
        raise state.fail(str(error)) from error
    _finish(report)


@app.command("hf-daily")
def hf_daily(
    day: Annotated[
        datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The day \\[default: today, UTC]."),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Harvest one day of Hugging Face daily papers (PAPERWIRE_HF_API_URL), with upvotes."""
    store = state.store()
    wanted = day.date() if day else datetime.now(UTC).date()
    try:
        with _client(store) as client:
            report = harvest_hf_daily(
                client,
                store,
                state.settings().hf_api_url,
                [wanted],
                batch_size=state.settings().ingest_batch_size,
                on_page=None if quiet else _show_progress,
            )
    except HarvestError as error:
        raise state.fail(str(error)) from error
    _finish(report)


@app.command("run-due")
def run_due(quiet: QuietOption = False) -> None:
    """Harvest every followed source (PAPERWIRE_FOLLOW) that is due; for cron.

    Due means not harvested since arXiv's latest announcement (about 22:30 US Eastern,
    Sunday to Thursday). Exit code 1 if any source failed.
    """
    from paperwire.services.worker import harvest_due

    try:
        results = harvest_due(state.services(), on_page=None if quiet else _show_progress)
    except ValueError as error:
        raise state.fail(str(error)) from error
    if not results:
        state.console.print("nothing followed: set PAPERWIRE_FOLLOW", highlight=False)
    for result in results:
        if result.error:
            state.console.print(f"[red]failed[/] {result.source}: {result.error}", highlight=False)
        elif result.report:
            _finish(result.report)
        elif result.next_due:
            state.console.print(
                f"{result.source}: not due until {result.next_due:%Y-%m-%d %H:%M} UTC",
                highlight=False,
            )
    if any(result.error for result in results):
        raise typer.Exit(1)


@app.command("status")
def status(json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Each harvested source: last success, harvested-until date, unfinished run, last error."""
    now = datetime.now(UTC)
    rows = []
    for checkpoint in state.store().harvest_state.list_checkpoints():
        rows.append(
            {
                "source": checkpoint.source,
                "harvested_until": _iso(checkpoint.harvested_until),
                "last_success": _iso(checkpoint.last_success),
                "next_due": next_due(checkpoint.last_success, now).isoformat(),
                "resumption_token": checkpoint.resumption_token,
                "run_records": checkpoint.run_records,
                "last_error": checkpoint.last_error,
            }
        )
    if json:
        state.output.print(to_json(rows))
        return
    for row in rows:
        line = ", ".join(f"{key} {value}" for key, value in row.items() if value not in (None, ""))
        state.output.print(line)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
