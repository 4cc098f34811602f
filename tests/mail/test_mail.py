"""Sending through a real SMTP server (aiosmtpd on 127.0.0.1) and into the dev folder."""

from __future__ import annotations

import email
import logging
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from paperwire.mail import Mailer, MailError, absolute_url, login_message
from paperwire.settings import Settings


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address.endswith("@refused.example"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.envelopes.append(envelope)
        return f"250 queued as Q{len(self.envelopes)}"


def _authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies 535


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start() cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield controller, inbox
    controller.stop()


def settings_for(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path, base_url="https://papers.example.org/", **values)


def smtp_settings(tmp_path: Path, controller: Controller, **values: Any) -> Settings:
    return settings_for(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_tls="none",
        mail_from="paperwire <noreply@papers.example.org>",
        **values,
    )


def test_login_message_is_multipart_with_the_link(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    link = absolute_url(settings, "/login/confirm?token=abc&x=<1>")
    assert link == "https://papers.example.org/login/confirm?token=abc&x=<1>"
    message = login_message("Ann@Example.org", link, settings)
    assert message["To"] == "ann@example.org"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert link in text.get_content() and "15 minutes" in text.get_content()
    assert 'href="https://papers.example.org/login/confirm?token=abc&amp;x=&lt;1&gt;"' in (
        html.get_content()
    )


def test_login_message_refuses_links_outside_the_base_url(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with pytest.raises(ValueError, match="PAPERWIRE_BASE_URL"):
        login_message("ann@example.org", "https://evil.example/login?token=abc", settings)
    with pytest.raises(ValueError, match="PAPERWIRE_BASE_URL"):
        login_message("ann@example.org", "https://papers.example.org.evil.example/x", settings)


def test_without_a_host_mail_goes_to_eml_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(tmp_path)
    mailer = Mailer.from_settings(settings)
    link = absolute_url(settings, "login?token=abc")
    with caplog.at_level(logging.INFO, logger="paperwire.mail"):
        first = mailer.send(login_message("ann@example.org", link, settings))
        second = mailer.send(login_message("bob@example.org", link, settings))
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert sorted([first, second]) == [str(path) for path in files]
    assert first in caplog.text
    parsed = email.message_from_bytes(Path(first).read_bytes(), policy=policy.default)
    assert parsed["To"] == "ann@example.org"
    assert parsed["From"] == settings.mail_from
    assert parsed["Message-ID"] and parsed["Date"]
    body = parsed.get_body(("plain",))
    assert body is not None and link in body.get_content()


def test_sends_through_smtp_and_returns_the_reply(
    tmp_path: Path, smtp: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp
    settings = smtp_settings(tmp_path, controller)
    link = absolute_url(settings, "login?token=abc")
    reply = Mailer.from_settings(settings).send(login_message("ann@example.org", link, settings))
    assert reply == "250 queued as Q1"
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "noreply@papers.example.org"
    assert envelope.rcpt_tos == ["ann@example.org"]
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    body = received.get_body(("html",))
    assert body is not None and "https://papers.example.org/login?token=abc" in body.get_content()
    assert not (tmp_path / "mail").exists()


def test_smtp_login(tmp_path: Path, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    good = smtp_settings(tmp_path, controller, smtp_user="paperwire", smtp_password="s3cret")
    message = EmailMessage()
    message["To"] = "ann@example.org"
    message["Subject"] = "hello"
    message.set_content("hi")
    assert Mailer.from_settings(good).send(message).startswith("250")
    bad = smtp_settings(tmp_path, controller, smtp_user="paperwire", smtp_password="wrong")
    with pytest.raises(MailError, match=r"could not connect.*535") as refused:
        Mailer.from_settings(bad).send(message)
    assert refused.value.server_problem and not refused.value.recipient_refused
    assert len(inbox.envelopes) == 1


def test_refused_recipient_is_an_error(tmp_path: Path, smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    message = EmailMessage()
    message["To"] = "nobody@refused.example"
    message.set_content("hi")
    with pytest.raises(MailError, match="refused"):
        Mailer.from_settings(smtp_settings(tmp_path, controller)).send(message)
    assert inbox.envelopes == []


def test_unreachable_server_is_an_error(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, smtp_host="127.0.0.1", smtp_port=1, smtp_tls="none")
    message = EmailMessage()
    message["To"] = "ann@example.org"
    message.set_content("hi")
    with pytest.raises(MailError, match=r"127\.0\.0\.1:1"):
        Mailer.from_settings(settings).send(message)


def test_ports_default_by_tls_mode(tmp_path: Path) -> None:
    assert Mailer.from_settings(settings_for(tmp_path, smtp_host="mx")).port == 587
    assert Mailer.from_settings(settings_for(tmp_path, smtp_host="mx", smtp_tls="tls")).port == 465
    assert Mailer.from_settings(settings_for(tmp_path, smtp_host="mx", smtp_tls="none")).port == 25
    assert Mailer.from_settings(settings_for(tmp_path, smtp_host="")).host is None
