"""A store of embedded demo papers (built once), a scriptable SMTP server, and a way to
run digests at any moment (the clock is injected)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from paperwire.digest.links import link_signer
from paperwire.digest.run import DigestRunner, RunReport
from paperwire.ingest.pipeline import ingest_records
from paperwire.ingest.reader import read_records
from paperwire.mail import Mailer
from paperwire.search import indexing
from paperwire.search.service import SearchService
from paperwire.settings import Settings
from paperwire.store.base import Store
from paperwire.store.open import open_store
from paperwire.store.schema import papers

SECRET = "digest-test-secret-key-long-enough-0123456789"
# Every demo paper "arrived" here, so tests can drive the clock from fixed dates.
ARRIVED = datetime(2026, 11, 28, 12, 0)


@dataclass
class Received:
    to: list[str]
    message: EmailMessage
    at: float


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it accepts. ``replies`` scripts answers to
    DATA per recipient, ``rcpt_replies`` to RCPT (popped in order; none left means 250);
    a scripted "DROP" closes the connection after the message was received, without
    answering. ``data_started`` is set when a message's DATA arrives (before ``delay``)."""

    received: list[Received] = field(default_factory=list)
    replies: dict[str, list[str]] = field(default_factory=dict)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    data_started: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        scripted = self.rcpt_replies.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            scripted = self.replies.get(address)
            if scripted:
                reply = scripted.pop(0)
                if reply == "DROP":  # accepted, but the answer never reaches the client
                    message = message_from_bytes(envelope.content, policy=policy.default)
                    self.received.append(Received(list(envelope.rcpt_tos), message, time.time()))  # type: ignore[arg-type]
                    server.transport.close()
                    return "250 never seen"
                return reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message, time.time()))  # type: ignore[arg-type]
            return f"250 queued as Q{len(self.received)}"

    def to(self, address: str) -> list[EmailMessage]:
        return [item.message for item in self.received if address in item.to]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def digest_settings(folder: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": f"sqlite:///{folder}/paperwire.db",
        "data_dir": folder,
        "secret_key": SECRET,
        "base_url": "https://papers.example.org",
        "mail_from": "paperwire <digest@papers.example.org>",
        "smtp_tls": "none",
        "send_rate": 10_000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo papers, embedded, all arrived at ARRIVED."""
    folder = tmp_path_factory.mktemp("digest-corpus")
    settings = digest_settings(folder)
    store = open_store(settings.database_url)
    with as_file(files("paperwire.demo") / "ml-papers-119.listing.txt") as demo:
        ingest_records(store, read_records(str(demo), "listing"))
    indexing.embed_missing(store, SearchService(settings, store).embedder)
    with store.writing() as conn:
        conn.execute(sa.update(papers).values(first_seen=ARRIVED))
    store.close()
    return folder / "paperwire.db"


@dataclass
class DigestWorld:
    """A private copy of the demo store, its settings, and runs at chosen moments."""

    store: Store
    settings: Settings
    inbox: Inbox
    embedder: Any

    def run(self, at: datetime, worker: str = "test-worker", **overrides: object) -> RunReport:
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        runner = DigestRunner(
            self.store,
            settings,
            signer=link_signer(settings),
            mailer=Mailer.from_settings(settings),
            worker=worker,
            clock=lambda: at,
        )
        return runner.run()


@pytest.fixture(scope="session")
def embedder(demo_db: Path) -> Any:
    settings = digest_settings(demo_db.parent)
    store = open_store(settings.database_url)
    yield SearchService(settings, store).embedder
    store.close()


@pytest.fixture
def world(
    demo_db: Path, tmp_path: Path, smtp: tuple[Inbox, int], embedder: Any
) -> Iterator[DigestWorld]:
    shutil.copy(demo_db, tmp_path / "paperwire.db")
    inbox, port = smtp
    settings = digest_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    store = open_store(settings.database_url)
    yield DigestWorld(store, settings, inbox, embedder)
    store.close()


Clock = Callable[[], datetime]


def impatient_store(url: str, timeout_ms: int = 500) -> Store:
    """Another store on the same file whose writes give up after ``timeout_ms`` waiting
    for the write lock ("database is locked"), where paperwire's own wait 30 s."""
    store = open_store(url)

    @sa.event.listens_for(store.engine, "connect")
    def _impatient(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={timeout_ms}")

    store.engine.dispose()  # connections made while migrating waited the full 30 s
    return store
