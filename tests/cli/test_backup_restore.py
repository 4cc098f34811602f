"""``paperwire backup`` and ``restore`` as an operator runs them (separate processes)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/live.db",
        "PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
        "PAPERWIRE_EMBED_ON_INGEST": "0",
    }

    def paperwire(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "paperwire.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, done.stderr
        return done

    return paperwire


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def revisions(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}


def test_restore_refuses_a_backup_from_a_newer_release(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("demo")
    backup = tmp_path / "newer.db"
    run("backup", str(backup))
    with sqlite3.connect(backup) as conn:  # as if a later release had migrated it
        conn.execute("INSERT INTO alembic_version (version_num) VALUES ('9999')")
    live = tmp_path / "live.db"
    before, known = digest(live), revisions(live)

    done = run("restore", "--yes", str(backup), check=False)
    assert done.returncode == 1
    message = " ".join(done.stderr.split())
    assert "9999" in message and "newer paperwire" in message and "Nothing was replaced" in message
    assert "Traceback" not in done.stderr
    assert digest(live) == before and revisions(live) == known
    assert json.loads(run("stats", "--json").stdout)["papers"] == 119
