"""Services over a real SQLite store, with mail to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from paperwire.services.app import AppServices
from paperwire.settings import Settings
from paperwire.store.open import open_store

SECRET = "services-test-secret-key-long-enough-0123456789"


@dataclass
class Inbox:
    """Keeps what it accepts; ``refuse`` answers DATA for these recipients with a 550."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.refuse:
            return "550 no such mailbox"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(message)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def services_settings(folder: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": f"sqlite:///{folder}/paperwire.db",
        "data_dir": folder,
        "secret_key": SECRET,
        "base_url": "https://papers.example.org/base/",
        "mail_from": "paperwire <digest@papers.example.org>",
        "smtp_tls": "none",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def app(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[AppServices]:
    settings = services_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=inbox[1], embedding_model="no-such-model"
    )
    store = open_store(settings.database_url)
    yield AppServices(settings, store)
    store.close()
