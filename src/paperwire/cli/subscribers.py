"""``paperwire subscribers add|import|list|remove``: the digest's subscribers, by hand."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paperwire.accounts.emails import InvalidEmail, normalise_email
from paperwire.cli import state
from paperwire.cli.digest import load_embedder, signer_or_exit, subscriber_or_exit, topic_model
from paperwire.cli.render import iso_date, to_json
from paperwire.digest.importing import ImportFileError, ImportRow, parse_subscriber_csv
from paperwire.digest.links import LinkSigner
from paperwire.digest.preferences import InvalidPreferences, Preferences, parse_preferences
from paperwire.digest.render import confirmation_message
from paperwire.digest.subscriptions import (
    ACTIVE,
    BOUNCED,
    PAUSED,
    PENDING,
    UNSUBSCRIBED,
    Subscriber,
    SubscribeRequest,
    TopicVector,
    add_subscriber,
    delete_subscriber,
    get_subscriber_by_email,
    list_subscribers,
)
from paperwire.digest.topics import embed_topics
from paperwire.mail import Mailer, MailError, MailSession, absolute_url
from paperwire.search.embedding import Embedder
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.clock import utcnow

STATUSES = (PENDING, ACTIVE, PAUSED, UNSUBSCRIBED, BOUNCED)
# Rows imported per chunk: their topics are embedded in one batch.
IMPORT_CHUNK = 256
# Files with more rows than this show a progress bar.
PROGRESS_ROWS = 200
_OPTION_OF_FIELD = {"topics": "--topic", "categories": "--category", "hour": "--hour"}

app = typer.Typer(
    help="Digest subscribers: add, import, list and remove them.", no_args_is_help=True
)


def _vectors(
    embedder: Embedder | None, settings: Settings, topics: Sequence[str]
) -> list[TopicVector]:
    """One vector per topic, in one batch (None each without the search extras)."""
    if embedder is None:
        return [None] * len(topics)
    return embed_topics(embedder, topic_model(settings), topics)


def _statuses(store: Store, addresses: Sequence[str]) -> dict[str, str]:
    """The status of each address already in the store."""
    return store.subscriptions.statuses_of(addresses)


def confirm_link(settings: Settings, signer: LinkSigner, request: SubscribeRequest) -> str:
    """The link of the double opt-in mail, as the web app sends it."""
    assert request.nonce is not None
    token = signer.confirm_token(request.subscriber_id, request.nonce)
    return absolute_url(settings, f"/subscribe/confirm/{token}")


def _send_confirmation(
    session: MailSession, settings: Settings, signer: LinkSigner, request: SubscribeRequest
) -> None:
    link = confirm_link(settings, signer, request)
    session.send(confirmation_message(request.email, link, settings))


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
    store = state.store()
    embedder = load_embedder(store, settings) if preferences.topics else None
    vectors = _vectors(embedder, settings, preferences.topics)
    request = add_subscriber(
        store, address, preferences, vectors, confirmed=confirmed, now=utcnow()
    )
    if confirmed:
        state.console.print(f"{address} is subscribed (active)", highlight=False)
        return
    if request.nonce is None:
        current = get_subscriber_by_email(store, address)
        if current is not None and current.status in (ACTIVE, PAUSED):
            state.console.print(
                f"{address} is already subscribed ({current.status}); nothing changed "
                "(use --confirmed to change their choices)",
                highlight=False,
            )
        else:
            state.console.print(
                f"{address}: a confirmation mail was sent recently; not sending another yet",
                highlight=False,
            )
        return
    assert signer is not None
    try:
        with Mailer.from_settings(settings).session() as session:
            _send_confirmation(session, settings, signer, request)
    except MailError as error:
        raise state.fail(
            f"{address} is saved as pending, but the confirmation mail could not be sent: {error}"
        ) from error
    state.console.print(
        f"{address} is pending: confirmation mail sent; nothing is delivered until it is confirmed",
        highlight=False,
    )


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
    rows, problems = _read_rows(path)
    for problem in problems:
        state.console.print(f"[yellow]skipped[/] {problem}", highlight=False)
    settings = state.settings()
    signer = signer_or_exit(settings) if unconfirmed else None
    store = state.store()
    embedder = (
        load_embedder(store, settings) if any(row.preferences.topics for row in rows) else None
    )
    imported = mailed = unchanged = left_alone = 0
    with (
        Mailer.from_settings(settings).session() as session,
        Progress(
            TextColumn("importing {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=state.console,
            disable=quiet or len(rows) <= PROGRESS_ROWS,
        ) as progress,
    ):
        task = progress.add_task(path.name, total=len(rows))
        for start in range(0, len(rows), IMPORT_CHUNK):
            chunk = rows[start : start + IMPORT_CHUNK]
            known = _statuses(store, [row.email for row in chunk])
            # Whoever left, paused or bounces is not signed up again by an import (checked
            # here to skip their embedding, and again where the row is written).
            opted_out = (UNSUBSCRIBED, BOUNCED, PAUSED)
            for row in chunk:
                if known.get(row.email) in opted_out:
                    left_alone += 1
                    _report_left_alone(path, row.line, row.email, known[row.email])
            wanted = [row for row in chunk if known.get(row.email) not in opted_out]
            topics = [topic for row in wanted for topic in row.preferences.topics]
            vectors = iter(_vectors(embedder, settings, topics))
            for row in wanted:
                row_vectors = [next(vectors) for _ in row.preferences.topics]
                request = add_subscriber(
                    store,
                    row.email,
                    row.preferences,
                    row_vectors,
                    confirmed=not unconfirmed,
                    now=utcnow(),
                    keep_opted_out=True,
                )
                if request.left_alone:
                    left_alone += 1
                    _report_left_alone(path, row.line, row.email, "no longer subscribed")
                elif signer is None:
                    imported += 1
                elif request.nonce is None:
                    unchanged += 1  # already subscribed, or mailed a moment ago
                else:
                    imported += 1
                    try:
                        _send_confirmation(session, settings, signer, request)
                        mailed += 1
                    except MailError as error:
                        problem = f"{path}:{row.line}: email: confirmation mail not sent: {error}"
                        state.console.print(f"[yellow]not mailed[/] {problem}", highlight=False)
                        problems.append(problem)
            progress.advance(task, len(chunk))
    summary = f"{imported} subscribers imported ({'pending' if unconfirmed else 'active'})"
    if unconfirmed:
        summary += f", {mailed} confirmation mails sent, {unchanged} already subscribed"
    if left_alone:
        summary += f", {left_alone} left alone (unsubscribed or bounced)"
    summary += f", {len(problems)} rows with problems"
    state.console.print(summary, highlight=False)
    if problems:
        raise typer.Exit(1)


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
    delete_subscriber(store, subscriber.id)
    state.console.print(f"removed {subscriber.email}", highlight=False)


def _report_left_alone(path: Path, line: int, email: str, status: str) -> None:
    state.console.print(
        f"[yellow]left alone[/] {path}:{line}: {email} is {status}", highlight=False
    )
