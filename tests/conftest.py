"""Shared fixtures: a fresh SQLite store per test, paths to the recorded samples."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperwire.settings import DOTENV_VARIABLE, Settings
from paperwire.store.base import Store
from paperwire.store.open import open_store

FIXTURES = Path(__file__).parent / "fixtures"

# The model is packaged; nothing may be fetched. The int8 ONNX export is made once per
# machine for the whole suite (and the processes it starts) instead of once per test.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault(
    "PAPERWIRE_MODEL_DIR", str(Path(tempfile.gettempdir()) / "paperwire-test-models")
)

# Tests set their settings explicitly: a .env left in the checkout by `make run` must not
# reach them, in this process or in the commands they start.
os.environ[DOTENV_VARIABLE] = ""
Settings.model_config["env_file"] = None


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/paperwire.db"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.close()
