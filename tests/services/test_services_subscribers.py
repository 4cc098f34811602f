"""Adding and importing subscribers, and the confirmation link, through the services."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from servicetools import Inbox

from paperwire.digest.importing import ImportRow
from paperwire.digest.links import link_signer
from paperwire.digest.preferences import Preferences
from paperwire.digest.subscriptions import (
    ACTIVE,
    PENDING,
    confirm_subscription,
    get_subscriber_by_email,
)
from paperwire.mail import MailError
from paperwire.services.app import AppServices
from paperwire.services.subscribers import (
    add_one,
    confirmation_link,
    import_rows,
    request_one,
    send_confirmation_quietly,
)
from paperwire.store.clock import utcnow

LINK = re.compile(r"https://papers\.example\.org/base/subscribe/confirm/[A-Za-z0-9._-]+")


@dataclass
class Heard:
    left_alone: list[tuple[int, str]] = field(default_factory=list)
    not_mailed: list[int] = field(default_factory=list)
    rows: int = 0
    problems: list[Exception] = field(default_factory=list)

    def left_alone_(self, row: ImportRow, status: str) -> None:
        self.left_alone.append((row.line, status))

    def not_mailed_(self, row: ImportRow, error: MailError) -> None:
        self.not_mailed.append(row.line)

    def advanced(self, rows: int) -> None:
        self.rows += rows

    def problem(self, error: Exception) -> None:
        self.problems.append(error)


class Listener:
    def __init__(self, heard: Heard) -> None:
        self.heard = heard

    def left_alone(self, row: ImportRow, status: str) -> None:
        self.heard.left_alone_(row, status)

    def not_mailed(self, row: ImportRow, error: MailError) -> None:
        self.heard.not_mailed_(row, error)

    def advanced(self, rows: int) -> None:
        self.heard.advanced(rows)


def _links(inbox: Inbox) -> list[str]:
    found = []
    for message in inbox.received:
        body = message.get_body(("plain",))
        assert body is not None
        found += LINK.findall(body.get_content())
    return found


def test_confirmed_is_active_at_once_and_gets_no_mail(
    app: AppServices, inbox: tuple[Inbox, int]
) -> None:
    heard = Heard()
    added = add_one(app, "ann@example.org", Preferences(), signer=None, on_problem=heard.problem)
    assert (added.email, added.outcome) == ("ann@example.org", "active")
    assert inbox[0].received == []
    subscriber = get_subscriber_by_email(app.store, "ann@example.org")
    assert subscriber is not None and subscriber.status == ACTIVE


def test_unconfirmed_is_mailed_once_after_the_commit_then_left_as_it_is(
    app: AppServices, inbox: tuple[Inbox, int]
) -> None:
    signer = link_signer(app.settings)
    heard = Heard()
    added = add_one(app, "bob@example.org", Preferences(), signer=signer, on_problem=heard.problem)
    assert added.outcome == "mailed"
    (link,) = _links(inbox[0])
    subscriber_id, nonce = signer.read_confirm(link.rsplit("/", 1)[1])
    subscriber = get_subscriber_by_email(app.store, "bob@example.org")
    assert subscriber is not None and subscriber.status == PENDING
    assert subscriber.id == subscriber_id
    again = add_one(app, "bob@example.org", Preferences(), signer=signer, on_problem=heard.problem)
    assert again.outcome == "recently_mailed" and len(inbox[0].received) == 1
    confirm_subscription(app.store, subscriber_id, nonce, now=utcnow())
    done = add_one(app, "bob@example.org", Preferences(), signer=signer, on_problem=heard.problem)
    assert (done.outcome, done.status) == ("already", ACTIVE)


def test_a_refused_confirmation_mail_raises_and_leaves_the_address_pending(
    app: AppServices, inbox: tuple[Inbox, int]
) -> None:
    inbox[0].refuse.add("cat@example.org")
    with pytest.raises(MailError):
        add_one(
            app, "cat@example.org", Preferences(), signer=link_signer(app.settings),
            on_problem=Heard().problem,
        )  # fmt: skip
    subscriber = get_subscriber_by_email(app.store, "cat@example.org")
    assert subscriber is not None and subscriber.status == PENDING


def test_topics_are_saved_by_their_words_when_the_model_cannot_load(app: AppServices) -> None:
    heard = Heard()
    preferences = Preferences(topics=("speculative decoding",))
    add_one(app, "dan@example.org", preferences, signer=None, on_problem=heard.problem)
    assert len(heard.problems) == 1, "the model (no-such-model) cannot load: told once"
    subscriber = get_subscriber_by_email(app.store, "dan@example.org")
    assert subscriber is not None and subscriber.preferences.topics == ("speculative decoding",)


def test_the_form_and_the_operator_send_the_same_link(
    app: AppServices, inbox: tuple[Inbox, int]
) -> None:
    signer = link_signer(app.settings)
    heard = Heard()
    request = request_one(
        app, "eve@example.org", Preferences(), now=utcnow(), on_problem=heard.problem
    )
    send_confirmation_quietly(app, signer, request, heard.problem)
    (mailed,) = _links(inbox[0])
    built = confirmation_link(app.settings, signer, request)
    assert mailed.rsplit("/", 1)[0] == built.rsplit("/", 1)[0]
    for link in (mailed, built):  # timed tokens: equal in what they carry
        assert signer.read_confirm(link.rsplit("/", 1)[1]) == (request.subscriber_id, request.nonce)
    inbox[0].refuse.add("fay@example.org")
    refused = request_one(
        app, "fay@example.org", Preferences(), now=utcnow(), on_problem=heard.problem
    )
    send_confirmation_quietly(app, signer, refused, heard.problem)
    assert len(heard.problems) == 1 and isinstance(heard.problems[0], MailError)


def test_import_leaves_opted_out_addresses_alone_and_reports_mail_failures(
    app: AppServices, inbox: tuple[Inbox, int]
) -> None:
    gone = add_one(app, "gone@example.org", Preferences(), signer=None, on_problem=Heard().problem)
    stored = get_subscriber_by_email(app.store, gone.email)
    assert stored is not None
    app.store.subscriptions.unsubscribe(stored.id, now=utcnow())
    rows = [
        ImportRow(2, "gone@example.org", Preferences()),
        ImportRow(3, "hal@example.org", Preferences()),
        ImportRow(4, "ivy@example.org", Preferences()),
    ]
    inbox[0].refuse.add("ivy@example.org")
    heard = Heard()
    counts = import_rows(
        app, rows, signer=link_signer(app.settings), listener=Listener(heard),
        on_problem=heard.problem,
    )  # fmt: skip
    assert (counts.imported, counts.mailed, counts.left_alone, counts.not_mailed) == (2, 1, 1, 1)
    assert heard.left_alone == [(2, "unsubscribed")] and heard.not_mailed == [4]
    assert heard.rows == 3 and heard.problems == [], "no topics: the model is not loaded"
    again = import_rows(
        app, rows, signer=None, listener=Listener(Heard()), on_problem=heard.problem
    )
    assert (again.imported, again.left_alone) == (2, 1)
    for address in ("hal@example.org", "ivy@example.org"):
        subscriber = get_subscriber_by_email(app.store, address)
        assert subscriber is not None and subscriber.status == ACTIVE
