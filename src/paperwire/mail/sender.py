"""Sending one message: through SMTP when a host is configured, else into a folder.

The folder is for development: each message becomes one ``.eml`` file under
``$PAPERWIRE_DATA_DIR/mail/`` and the log says where, so a developer can open the
sign-in link without a mail server.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Literal

from paperwire.files import write_private_file
from paperwire.settings import Settings

log = logging.getLogger(__name__)

TlsMode = Literal["none", "starttls", "tls"]
DEFAULT_PORTS: dict[str, int] = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT_SECONDS = 30.0


Stage = Literal["connect", "mail", "rcpt", "data", "unknown"]


class MailError(RuntimeError):
    """A message could not be handed over (refused, or the server could not be reached).

    ``code`` is the SMTP reply code when the server answered; None when it could not be
    reached or the connection broke. ``stage`` says where it failed: ``connect`` (the
    connection, greeting, TLS or login), ``mail`` (the sender), ``rcpt`` (the
    recipient), ``data`` (the message), or ``unknown`` when the connection broke after
    the message was handed over, so the server may or may not have accepted it.
    """

    def __init__(self, message: str, code: int | None = None, stage: Stage = "connect") -> None:
        super().__init__(message)
        self.code = code
        self.stage = stage

    @property
    def permanent(self) -> bool:
        """A 5xx reply: retrying the same message to the same address will not help."""
        return self.code is not None and 500 <= self.code < 600

    @property
    def recipient_refused(self) -> bool:
        """The address itself was refused for good (a bounce)."""
        return self.stage == "rcpt" and self.permanent

    @property
    def server_problem(self) -> bool:
        """Not about this message or address: the server or its settings (login, TLS,
        sender address). Every other message would fail the same way."""
        return self.stage in ("connect", "mail")


@dataclass(frozen=True)
class Mailer:
    """Where mail goes. ``host`` None means the development folder ``folder``."""

    sender: str
    folder: Path
    host: str | None = None
    port: int = 25
    tls: TlsMode = "none"
    user: str | None = None
    password: str | None = None
    ssl_context: ssl.SSLContext | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            sender=settings.mail_from,
            folder=settings.data_dir / "mail",
            host=settings.smtp_host or None,
            port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_tls],
            tls=settings.smtp_tls,
            user=settings.smtp_user or None,
            password=password,
        )

    def send(self, message: Message) -> str:
        """Send one message; the server's reply to the data, or the path of the file."""
        with self.session() as session:
            return session.send(message)

    @contextmanager
    def session(self) -> Iterator[MailSession]:
        """One connection for many messages (reopened when the server drops it)."""
        session = MailSession(self)
        try:
            yield session
        finally:
            session.close()

    def _complete(self, message: Message) -> None:
        if not message["To"]:
            raise MailError("a message needs a To: address")
        if not message["From"]:
            message["From"] = self.sender
        if not message["Date"]:
            message["Date"] = format_datetime(datetime.now(UTC))
        if not message["Message-ID"]:
            domain = parseaddr(str(message["From"]))[1].rpartition("@")[2] or "paperwire"
            message["Message-ID"] = make_msgid(domain=domain)

    def _write(self, message: Message) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        temporary = path.with_suffix(".tmp")
        write_private_file(temporary, _wire_bytes(message))  # it holds an address
        temporary.replace(path)
        log.info("no SMTP host set: wrote mail to %s for %s", path, message["To"])
        return path

    def _connect(self) -> smtplib.SMTP:
        assert self.host is not None
        context = self.ssl_context or ssl.create_default_context()
        if self.tls == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            client.ehlo()
            if self.tls == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if self.user:
                client.login(self.user, self.password or "")
        except BaseException:
            client.close()
            raise
        return client


class MailSession:
    """Messages sent over one SMTP connection, opened on first use.

    A connection the server closed while idle is reopened once, when that is safe: the
    server noticed before the message was handed over. A connection that breaks after
    the message was handed over is not retried (MailError stage ``unknown``).
    """

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._client: smtplib.SMTP | None = None

    @property
    def _where(self) -> str:
        return f"{self.mailer.host}:{self.mailer.port}"

    def open(self) -> None:
        """Connect, greet, start TLS and log in now, unless already connected (MailError)."""
        if self.mailer.host is None or self._client is not None:
            return
        try:
            self._client = self.mailer._connect()
        except smtplib.SMTPResponseException as error:
            text = _text(error.smtp_error)
            raise MailError(
                f"could not connect to {self._where}: {error.smtp_code} {text}", error.smtp_code
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(f"could not connect to {self._where}: {error}") from error

    def send(self, message: Message) -> str:
        """Send one message: the reply to its data (or the dev file's path); MailError."""
        mailer = self.mailer
        mailer._complete(message)
        if mailer.host is None:
            return str(mailer._write(message))
        recipients = [address for _, address in getaddresses(message.get_all("To", []))]
        recipients += [address for _, address in getaddresses(message.get_all("Cc", []))]
        envelope_from = parseaddr(str(message["From"]))[1]
        for attempt in (1, 2):
            fresh = self._client is None
            self.open()
            assert self._client is not None
            try:
                reply = _transmit(self._client, envelope_from, recipients, message)
            except _Stale as stale:
                self.close()
                if fresh or attempt == 2:
                    raise MailError(
                        f"could not send mail via {self._where}: {stale.__cause__}", stage="mail"
                    ) from stale
                continue
            except MailError as error:
                if error.code in (None, 421) or error.stage == "unknown":
                    self.close()  # the server closed it, or its state is unknown
                raise
            log.info("sent mail to %s via %s: %s", ", ".join(recipients), mailer.host, reply)
            return reply
        raise AssertionError("unreachable")

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


class _Stale(Exception):
    """The connection was gone before anything of the message was handed over."""


def _transmit(client: smtplib.SMTP, sender: str, recipients: list[str], message: Message) -> str:
    """MAIL, RCPT, DATA by hand, because ``sendmail`` drops the reply to DATA (the queue id).

    Each failure says at which stage it happened; a connection lost at MAIL or RCPT is
    ``_Stale`` (safe to send again on a new connection).
    """
    try:
        code, text = client.mail(sender)
        if code != 250:
            client.rset()
            raise MailError(f"sender refused: {code} {_text(text)}", code, "mail")
        accepted = 0
        for recipient in recipients:
            code, text = client.rcpt(recipient)
            if code in (250, 251):
                accepted += 1
        if not accepted:
            client.rset()
            raise MailError(f"every recipient refused: {code} {_text(text)}", code, "rcpt")
    except (smtplib.SMTPServerDisconnected, ConnectionError) as error:
        raise _Stale() from error
    except smtplib.SMTPResponseException as error:
        raise MailError(
            f"refused: {error.smtp_code} {_text(error.smtp_error)}", error.smtp_code, "mail"
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"the connection failed: {error}", None, "rcpt") from error
    del message["Bcc"]
    try:
        code, text = client.data(_wire_bytes(message))
    except smtplib.SMTPResponseException as error:  # the DATA command itself was refused
        raise MailError(
            f"message refused: {error.smtp_code} {_text(error.smtp_error)}", error.smtp_code, "data"
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(
            f"the connection broke while the message was handed over ({error}): "
            "the server may or may not have accepted it",
            None,
            "unknown",
        ) from error
    if code != 250:
        raise MailError(f"message refused: {code} {_text(text)}", code, "data")
    return f"{code} {_text(text)}"


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _wire_bytes(message: Message) -> bytes:
    """The message as sent: its own policy (modern or classic ``email.mime``), CRLF lines."""
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
