"""``paperwire digest run|preview|status``: send the daily digests, look at them."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Annotated

import typer

from paperwire.accounts.emails import InvalidEmail
from paperwire.cli import state
from paperwire.cli.render import to_json
from paperwire.digest.deliveries import STATES
from paperwire.digest.links import LinkSigner, link_signer
from paperwire.digest.run import RunReport, preview
from paperwire.digest.schedule import local_today
from paperwire.digest.subscriptions import Subscriber, get_subscriber_by_email
from paperwire.heartbeat import new_worker_name
from paperwire.secret import MissingSecretKey
from paperwire.services.worker import digest_runner, heartbeat_for, send_due_digests
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.clock import naive_utc, utcnow

app = typer.Typer(
    help="Daily digests: send what is due, preview one, count deliveries.",
    no_args_is_help=True,
)

DateOption = Annotated[
    datetime | None,
    typer.Option("--date", formats=["%Y-%m-%d"], help="A local date, YYYY-MM-DD."),
]


class DigestConsole:
    """What a digest run did besides sending, as lines on the console."""

    def topics_embedded(self, count: int, model: str) -> None:
        state.console.print(f"embedded {count} topics for {model}", highlight=False)

    def topic_problem(self, error: Exception) -> None:
        state.console.print(
            f"[yellow]topics not embedded:[/] {error}; they match by their words only",
            highlight=False,
        )


def subscriber_or_exit(store: Store, email: str) -> Subscriber:
    """The subscriber with this address; a clear error and exit 1 when there is none."""
    try:
        subscriber = get_subscriber_by_email(store, email)
    except InvalidEmail as error:
        raise state.fail(f"{email!r}: {error.message}") from error
    if subscriber is None:
        raise state.fail(f"no subscriber with address {email!r}")
    return subscriber


def signer_or_exit(settings: Settings) -> LinkSigner:
    """The link signer; without a secret key, a clear error and exit 2."""
    try:
        return link_signer(settings)
    except MissingSecretKey as error:
        raise state.fail(str(error), code=2) from error


def parse_moment(value: str, option: str) -> datetime:
    """An ISO-8601 moment as naive UTC (a time without an offset is UTC); exit 2 if bad."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise state.fail(
            f"{option}: {value!r} is not an ISO-8601 time such as 2026-12-01T09:00 "
            "or 2026-12-01T09:00+01:00",
            code=2,
        ) from None
    return naive_utc(moment)


def show_report(report: RunReport) -> None:
    state.console.print(f"digests: {report.summary()}", highlight=False)


@app.command("run")
def run(
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Act as if it were this moment (ISO-8601; no offset means UTC) \\[default: now].",
        ),
    ] = None,
) -> None:
    """Plan and send every digest due now, then exit (for cron; the worker does the same
    every round). Safe beside workers and other runs: each digest is sent once."""
    moment = parse_moment(at, "--at") if at is not None else None
    app = state.services()
    signer = signer_or_exit(app.settings)
    name = new_worker_name()
    heartbeat = heartbeat_for(app.store, name, utcnow())
    heartbeat("digest run: starting")
    try:
        runner = digest_runner(
            app,
            signer,
            worker=name,
            heartbeat=heartbeat,
            clock=(lambda: moment) if moment is not None else utcnow,
        )
        report = send_due_digests(app, runner, threading.Event(), DigestConsole())
    finally:
        app.store.workers.forget(name)
    show_report(report)


@app.command("preview")
def preview_digest(
    email: Annotated[str, typer.Argument(help="The subscriber's address.")],
    day: DateOption = None,
    html: Annotated[bool, typer.Option("--html", help="Print the HTML version.")] = False,
) -> None:
    """Print the digest a subscriber would get if it were composed now (nothing is sent
    or recorded). The date defaults to the subscriber's local today."""
    store = state.store()
    settings = state.settings()
    subscriber = subscriber_or_exit(store, email)
    signer = signer_or_exit(settings)
    now = utcnow()
    local = day.date() if day else local_today(now, subscriber.preferences.timezone)
    _, text, rendered = preview(store, settings, signer, subscriber, local, now=now)
    shown = rendered if html else text
    state.output.print(shown, markup=False, end="" if shown.endswith("\n") else "\n")


def delivery_counts(store: Store, day: date) -> dict[str, int]:
    """Deliveries of local date ``day`` in every state (zeros included)."""
    found = store.deliveries.counts_by_state(day)
    return {name: found.get(name, 0) for name in STATES} | found


@app.command("status")
def status(
    day: DateOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")] = False,
) -> None:
    """How the digests of a local date stand, by state \\[default date: today in UTC]."""
    local = day.date() if day else datetime.now(UTC).date()
    counts = delivery_counts(state.store(), local)
    if as_json:
        payload = {"date": local.isoformat(), "deliveries": counts, "total": sum(counts.values())}
        state.output.print(to_json(payload))
        return
    state.output.print(f"digests of {local.isoformat()}: {sum(counts.values())} planned")
    for name, count in counts.items():
        if count:
            state.output.print(f"  {name:<10} {count}")
