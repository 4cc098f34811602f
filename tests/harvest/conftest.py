"""Fixtures for harvest tests: the replay server, the fake clock, paced clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from replay import FakeClock, ReplayServer

from paperwire.harvest.http import PoliteClient
from paperwire.store.base import Store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock) -> Iterator[ReplayServer]:
    replay = ReplayServer(clock)
    yield replay
    replay.close()


@pytest.fixture
def make_client(store: Store, clock: FakeClock) -> Iterator[Callable[..., PoliteClient]]:
    clients: list[PoliteClient] = []

    def make(**options: object) -> PoliteClient:
        settings = {"delay_seconds": 3.0, "contact_email": "ops@example.org"} | options
        client = PoliteClient(store, clock=clock, sleep=clock.sleep, **settings)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
