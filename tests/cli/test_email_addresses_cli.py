"""``paperwire subscribers add|import`` refuse an address that would break its mail,
saying which and why, before anything is stored or sent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from paperwire.store.open import open_store
from paperwire.store.schema import subscribers

INJECTED = "=?utf-8?q?evil=0D=0ABcc=3A_victim=40example.org?=@example.org"
REDIRECTED = "=?utf-8?q?evil?=@example.org"


def _paperwire(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/paperwire.db",
        "PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
        "PAPERWIRE_ENV": "development",
    }
    return subprocess.run(
        [sys.executable, "-m", "paperwire.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _stored(tmp_path: Path) -> list[str]:
    store = open_store(f"sqlite:///{tmp_path}/paperwire.db")
    with store.engine.connect() as conn:
        emails = list(conn.execute(sa.select(subscribers.c.email)).scalars())
    store.close()
    return emails


def test_add_refuses_an_encoded_word_address(tmp_path: Path) -> None:
    done = _paperwire(tmp_path, "subscribers", "add", REDIRECTED, "--confirmed")
    assert done.returncode == 2, done.stderr
    assert "=?" in done.stderr and "cannot contain" in done.stderr
    assert _stored(tmp_path) == []


def test_import_skips_such_rows_by_line(tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text(f"email\nann@example.org\n{INJECTED}\n{REDIRECTED}\n", encoding="utf-8")
    done = _paperwire(tmp_path, "subscribers", "import", str(source))
    assert done.returncode == 1, done.stderr
    assert f"{source}:3: email:" in done.stderr and f"{source}:4: email:" in done.stderr
    assert _stored(tmp_path) == ["ann@example.org"]
