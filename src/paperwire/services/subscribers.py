"""Digest subscribers as the operator and the subscribe form add them: one subscriber
(confirmed at once or by double opt-in), a CSV import with its policy, and the
confirmation link every front end sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from urllib.parse import quote

from paperwire.digest.importing import ImportRow
from paperwire.digest.links import LinkSigner
from paperwire.digest.preferences import Preferences
from paperwire.digest.render import confirmation_message
from paperwire.digest.subscriptions import (
    ACTIVE,
    BOUNCED,
    PAUSED,
    UNSUBSCRIBED,
    SubscribeRequest,
    add_subscriber,
    get_subscriber_by_email,
    request_subscription,
)
from paperwire.mail import MailError, MailSession, absolute_url
from paperwire.services.app import AppServices
from paperwire.services.embedding import (
    OnProblem,
    topic_embedder,
    topic_vectors,
    vectors_for_topics,
)
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.clock import utcnow

# Rows imported per chunk: their topics are embedded in one batch.
IMPORT_CHUNK = 256
# Whoever left, paused or bounces is not signed up again by an import.
OPTED_OUT = (UNSUBSCRIBED, BOUNCED, PAUSED)


def confirmation_link(settings: Settings, signer: LinkSigner, request: SubscribeRequest) -> str:
    """The link of the double opt-in mail, always under PAPERWIRE_BASE_URL."""
    if request.nonce is None:
        raise ValueError(f"{request.email} is not waiting for a confirmation mail")
    token = signer.confirm_token(request.subscriber_id, request.nonce)
    return absolute_url(settings, f"/subscribe/confirm/{quote(token, safe='')}")


def send_confirmation(
    session: MailSession, settings: Settings, signer: LinkSigner, request: SubscribeRequest
) -> None:
    """Send the confirmation mail of a request that asks for one (MailError if it fails)."""
    link = confirmation_link(settings, signer, request)
    session.send(confirmation_message(request.email, link, settings))


@dataclass(frozen=True, slots=True)
class Added:
    """What adding one subscriber did.

    ``outcome``: ``active`` (confirmed, no mail), ``mailed`` (pending, the confirmation
    mail went out), ``already`` (active or paused before: nothing changed; ``status``
    says which) or ``recently_mailed`` (pending, but mailed a moment ago: no new mail).
    """

    email: str
    outcome: Literal["active", "mailed", "already", "recently_mailed"]
    status: str | None = None


def add_one(
    app: AppServices,
    address: str,
    preferences: Preferences,
    *,
    signer: LinkSigner | None,
    on_problem: OnProblem,
) -> Added:
    """Subscribe ``address`` (canonical form), or change a subscriber's choices when
    ``signer`` is None (confirmed: the operator has their consent).

    With a signer it goes through the same double opt-in as the subscribe form: the
    confirmation mail is sent after the subscriber is committed as pending. Raises
    MailError when that mail cannot be sent (the subscriber stays pending).
    """
    confirmed = signer is None
    embedder = topic_embedder(app, on_problem) if preferences.topics else None
    vectors = vectors_for_topics(embedder, app.settings, preferences.topics)
    request = add_subscriber(
        app.store, address, preferences, vectors, confirmed=confirmed, now=utcnow()
    )
    if signer is None:
        return Added(request.email, "active")
    if request.nonce is None:
        current = get_subscriber_by_email(app.store, address)
        if current is not None and current.status in (ACTIVE, PAUSED):
            return Added(request.email, "already", current.status)
        return Added(request.email, "recently_mailed")
    with app.mailer().session() as session:
        send_confirmation(session, app.settings, signer, request)
    return Added(request.email, "mailed")


def request_one(
    app: AppServices,
    address: str,
    preferences: Preferences,
    *,
    now: datetime,
    on_problem: OnProblem,
) -> SubscribeRequest:
    """The subscribe form's request: pending with a new nonce (send the confirmation
    after it, e.g. with :func:`send_confirmation_quietly`), or nothing changed for an
    active or paused subscription."""
    vectors = topic_vectors(app, preferences.topics, on_problem)
    return request_subscription(app.store, address, preferences, vectors, now=now)


def send_confirmation_quietly(
    app: AppServices, signer: LinkSigner, request: SubscribeRequest, on_problem: OnProblem
) -> None:
    """Send the confirmation mail, telling ``on_problem`` instead of raising (the visitor
    has had their answer already)."""
    try:
        with app.mailer().session() as session:
            send_confirmation(session, app.settings, signer, request)
    except Exception as error:
        on_problem(error)


class ImportListener(Protocol):
    """Told about an import as it goes."""

    def left_alone(self, row: ImportRow, status: str) -> None:
        """``row``'s address is ``status`` (opted out): it was not signed up again."""

    def not_mailed(self, row: ImportRow, error: MailError) -> None:
        """``row`` is imported as pending, but its confirmation mail failed."""

    def advanced(self, rows: int) -> None:
        """``rows`` more rows are done."""


@dataclass(frozen=True, slots=True)
class ImportCounts:
    imported: int = 0
    mailed: int = 0
    unchanged: int = 0  # already subscribed, or mailed a moment ago
    left_alone: int = 0
    not_mailed: int = 0


def _statuses(store: Store, addresses: Sequence[str]) -> dict[str, str]:
    """The status of each address already in the store."""
    return store.subscriptions.statuses_of(addresses)


def import_rows(
    app: AppServices,
    rows: Sequence[ImportRow],
    *,
    signer: LinkSigner | None,
    listener: ImportListener,
    on_problem: OnProblem,
) -> ImportCounts:
    """Import checked CSV rows: active at once (``signer`` None: an existing list moves
    here), else pending with a confirmation mail each. Addresses that unsubscribed,
    bounced or paused are left alone: checked before their topics are embedded, and
    again in the transaction that would change them. Topics are embedded per chunk,
    in one batch; the model loads only if some row has topics."""
    needs_model = any(row.preferences.topics for row in rows)
    embedder = topic_embedder(app, on_problem) if needs_model else None
    imported = mailed = unchanged = left_alone = not_mailed = 0
    with app.mailer().session() as session:
        for start in range(0, len(rows), IMPORT_CHUNK):
            chunk = rows[start : start + IMPORT_CHUNK]
            known = _statuses(app.store, [row.email for row in chunk])
            for row in chunk:
                if known.get(row.email) in OPTED_OUT:
                    left_alone += 1
                    listener.left_alone(row, known[row.email])
            wanted = [row for row in chunk if known.get(row.email) not in OPTED_OUT]
            topics = [topic for row in wanted for topic in row.preferences.topics]
            vectors = iter(vectors_for_topics(embedder, app.settings, topics))
            for row in wanted:
                request = add_subscriber(
                    app.store,
                    row.email,
                    row.preferences,
                    [next(vectors) for _ in row.preferences.topics],
                    confirmed=signer is None,
                    now=utcnow(),
                    keep_opted_out=True,
                )
                if request.left_alone:
                    left_alone += 1
                    listener.left_alone(row, "no longer subscribed")
                elif signer is None:
                    imported += 1
                elif request.nonce is None:
                    unchanged += 1
                else:
                    imported += 1
                    try:
                        send_confirmation(session, app.settings, signer, request)
                        mailed += 1
                    except MailError as error:
                        not_mailed += 1
                        listener.not_mailed(row, error)
            listener.advanced(len(chunk))
    return ImportCounts(imported, mailed, unchanged, left_alone, not_mailed)
