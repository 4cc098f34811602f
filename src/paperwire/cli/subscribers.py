"""``paperwire subscribers add|import|list|remove``: the digest's subscribers, by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from paperwire.accounts.emails import InvalidEmail, normalise_email
from paperwire.cli import state
from paperwire.cli.digest import DigestConsole, signer_or_exit, subscriber_or_exit
from paperwire.cli.render import iso_date, to_json
from paperwire.digest.importing import ImportFileError, ImportRow, parse_subscriber_csv
from paperwire.digest.preferences import InvalidPreferences, Preferences, parse_preferences
from paperwire.digest.subscriptions import (
    ACTIVE,
    BOUNCED,
    PAUSED,
    PENDING,
    UNSUBSCRIBED,
    Subscriber,
    list_subscribers,
)
from paperwire.mail import MailError

STATUSES = (PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED)
# Files with more rows than this show a progress bar.
PROGRESS_ROWS = 200
_OPTION_OF_FIELD = {"topics": "--topic", "categories": "--category", "hour": "--hour"}

app = typer.Typer(
    help="Digest subscribers: add, import, list and remove them.", no_args_is_help=True
)


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The subscriber's address.")],
    topics: Annotated[
        list[str] | None,
        typer.Option("--topic", help="A topic in plain words (repeat for several, up to 10)."),
    ] = None,
    categories: Annotated[
        list[str] | None,
        typer.Option("--category", help="An arXiv category such as cs.CL (repeat for several)."),
    ] = None,
    hour: Annotated[
        int | None, typer.Option("--hour", help="Local hour of delivery, 0-23.")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--tz", help="IANA time zone such as Europe/Berlin \\[default: UTC]."),
    ] = None,
    confirmed: Annotated[
        bool,
        typer.Option(
            "--confirmed",
            help="Active at once (you have their consent); else a confirmation mail is sent.",
        ),
    ] = False,
) -> None:
    """Subscribe an address to the daily digest, or change an existing subscriber's
    choices (with --confirmed). Without --confirmed the address gets the same
    confirmation mail as the web form sends, and nothing is sent until it is confirmed."""
    try:
        address = normalise_email(email)
    except InvalidEmail as error:
        raise state.fail(f"{email!r}: {error.message}", code=2) from error
    try:
        preferences = parse_preferences(topics or (), categories or (), hour, timezone)
    except InvalidPreferences as error:
        option = _OPTION_OF_FIELD.get(error.field, "--tz")
        raise state.fail(f"{option}: {error.message}", code=2) from error
    settings = state.settings()
    signer = None if confirmed else signer_or_exit(settings)
    from paperwire.services.subscribers import add_one

    try:
        added = add_one(
            state.services(),
            address,
            preferences,
            signer=signer,
            on_problem=DigestConsole().topic_problem,
        )
    except MailError as error:
        raise state.fail(
            f"{address} is saved as pending, but the confirmation mail could not be sent: {error}"
        ) from error
    if added.outcome == "active":
        message = f"{address} is subscribed (active)"
    elif added.outcome == "already":
        message = (
            f"{address} is already subscribed ({added.status}); nothing changed "
            "(use --confirmed to change their choices)"
        )
    elif added.outcome == "recently_mailed":
        message = f"{address}: a confirmation mail was sent recently; not sending another yet"
    else:
        message = (
            f"{address} is pending: confirmation mail sent; "
            "nothing is delivered until it is confirmed"
        )
    state.console.print(message, highlight=False)


def _read_rows(path: Path) -> tuple[list[ImportRow], list[str]]:
    """Good rows and ``FILE:LINE: field: message`` lines; exit 2 for an unusable file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as lines:
            rows, problems = parse_subscriber_csv(lines)
    except (OSError, UnicodeDecodeError) as error:
        raise state.fail(f"cannot read {path}: {error}", code=2) from error
    except ImportFileError as error:
        raise state.fail(f"{path}: {error}", code=2) from error
    return rows, [f"{path}:{problem}" for problem in problems]


@app.command("import")
def import_subscribers(
    path: Annotated[Path, typer.Argument(help="CSV file with a header row.", dir_okay=False)],
    unconfirmed: Annotated[
        bool,
        typer.Option(
            "--unconfirmed",
            help="Send each address a confirmation mail instead of activating it at once.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Import subscribers from a CSV file: columns email (required), topics (separated
    by ;), categories (separated by ; , or spaces), hour and tz.

    Rows are imported as confirmed (you are moving an existing list), or pending with a
    confirmation mail each with --unconfirmed; addresses that unsubscribed or bounced
    are left alone. A bad row is reported as FILE:LINE:
    column: reason and skipped. Exit code: 0 when every row was imported, 1 when some
    were skipped, 2 when the file cannot be read or has no email column.
    """
    from paperwire.services.subscribers import import_rows

    rows, problems = _read_rows(path)
    for problem in problems:
        state.console.print(f"[yellow]skipped[/] {problem}", highlight=False)
    settings = state.settings()
    signer = signer_or_exit(settings) if unconfirmed else None
    app = state.services()
    with Progress(
        TextColumn("importing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=state.console,
        disable=quiet or len(rows) <= PROGRESS_ROWS,
    ) as progress:
        listener = _ImportConsole(path, progress, progress.add_task(path.name, total=len(rows)))
        counts = import_rows(
            app, rows, signer=signer, listener=listener, on_problem=DigestConsole().topic_problem
        )
    problems += listener.problems
    summary = f"{counts.imported} subscribers imported ({'pending' if unconfirmed else 'active'})"
    if unconfirmed:
        summary += (
            f", {counts.mailed} confirmation mails sent, {counts.unchanged} already subscribed"
        )
    if counts.left_alone:
        summary += f", {counts.left_alone} left alone (unsubscribed or bounced)"
    summary += f", {len(problems)} rows with problems"
    state.console.print(summary, highlight=False)
    if problems:
        raise typer.Exit(1)


class _ImportConsole:
    """An import's notices as console lines, and its progress bar."""

    def __init__(self, path: Path, progress: Progress, task: TaskID) -> None:
        self.path = path
        self.progress = progress
        self.task = task
        self.problems: list[str] = []

    def left_alone(self, row: ImportRow, status: str) -> None:
        state.console.print(
            f"[yellow]left alone[/] {self.path}:{row.line}: {row.email} is {status}",
            highlight=False,
        )

    def not_mailed(self, row: ImportRow, error: MailError) -> None:
        problem = f"{self.path}:{row.line}: email: confirmation mail not sent: {error}"
        state.console.print(f"[yellow]not mailed[/] {problem}", highlight=False)
        self.problems.append(problem)

    def advanced(self, rows: int) -> None:
        self.progress.advance(self.task, rows)


def subscriber_json(subscriber: Subscriber) -> dict[str, Any]:
    """A subscriber as ``subscribers list --json`` prints it."""
    preferences: Preferences = subscriber.preferences
    return {
        "id": subscriber.id,
        "email": subscriber.email,
        "status": subscriber.status,
        "topics": list(preferences.topics),
        "categories": list(preferences.categories),
        "hour": preferences.hour,
        "timezone": preferences.timezone,
        "created_at": subscriber.created_at.isoformat(),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "last_digest_at": (
            subscriber.last_digest_at.isoformat() if subscriber.last_digest_at else None
        ),
        "bounce_count": subscriber.bounce_count,
    }


@app.command("list")
def list_command(
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only these: one of {', '.join(STATUSES)}.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The subscribers, by address, with their choices."""
    if status is not None and status not in STATUSES:
        raise state.fail(
            f"--status: unknown status {status!r}: use one of {', '.join(STATUSES)}", 2
        )
    found = list_subscribers(state.store(), status)
    if as_json:
        state.output.print(to_json([subscriber_json(s) for s in found]))
        return
    if not found:
        state.console.print("No subscribers" + (f" with status {status}." if status else "."))
        return
    table = Table()
    # Addresses are shown whole (other columns wrap instead): they are what is copied.
    widest = max(len(subscriber.email) for subscriber in found)
    table.add_column("email", no_wrap=True, min_width=widest)
    for column in ("status", "hour", "time zone", "topics", "categories", "last digest"):
        table.add_column(column)
    for subscriber in found:
        preferences = subscriber.preferences
        table.add_row(
            subscriber.email,
            subscriber.status,
            f"{preferences.hour:02d}:00",
            preferences.timezone,
            "; ".join(preferences.topics),
            " ".join(preferences.categories),
            iso_date(subscriber.last_digest_at) or "",
        )
    state.output.print(table)


@app.command("remove")
def remove(email: Annotated[str, typer.Argument(help="The subscriber's address.")]) -> None:
    """Delete a subscriber with their topics and the record of their digests (to keep
    the record, let them unsubscribe through the link in any digest instead)."""
    store = state.store()
    subscriber = subscriber_or_exit(store, email)
    store.subscriptions.delete(subscriber.id)
    state.console.print(f"removed {subscriber.email}", highlight=False)
