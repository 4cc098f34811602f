"""Services over a real SQLite store, with mail to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from servicetools import Inbox, services_settings

from paperwire.services.app import AppServices
from paperwire.store.open import open_store


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


@pytest.fixture
def app(tmp_path: Path, inbox: tuple[Inbox, int]) -> Iterator[AppServices]:
    settings = services_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=inbox[1], embedding_model="no-such-model"
    )
    store = open_store(settings.database_url)
    yield AppServices(settings, store)
    store.close()
