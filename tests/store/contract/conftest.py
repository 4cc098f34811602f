"""The store contract: what every engine promises, one suite for all of them.

Each test takes ``contract_store``, a fresh, migrated store of one engine. A second
engine joins the suite by adding its name to ``ENGINES`` and a branch to
``_open_engine``; no test changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paperwire.store.base import Store
from paperwire.store.open import open_store

ENGINES = ["sqlite"]


def _open_engine(engine: str, folder: Path) -> Store:
    if engine == "sqlite":
        return open_store(f"sqlite:///{folder}/contract.db")
    raise AssertionError(f"no contract fixture for engine {engine!r}")


@pytest.fixture(params=ENGINES)
def contract_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = _open_engine(request.param, tmp_path)
    yield store
    store.close()
