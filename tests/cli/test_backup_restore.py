"""``paperwire backup`` and ``restore`` as an operator runs them (separate processes)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path

import pytest

from paperwire.ingest.pipeline import ingest_records
from paperwire.records import PaperRecord
from paperwire.store.open import open_store

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from ingest import synthetic_snapshot  # noqa: E402


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


def new_paper(n: int) -> PaperRecord:
    arxiv_id = f"2501.{n:05d}"
    return PaperRecord(
        source="arxiv",
        title=f"A paper stored while the backup runs ({n})",
        arxiv_id=arxiv_id,
        source_id=arxiv_id,
        authors=["Ada Lovelace"],
        categories=["cs.LG"],
        published=datetime(2025, 1, 2),
    )


def test_backup_reports_the_papers_in_the_backup(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "papers.jsonl"
    synthetic_snapshot(4000, source)
    run("ingest", "--quiet", str(source))
    store = open_store(f"sqlite:///{tmp_path}/live.db")
    stop = threading.Event()

    def keep_writing() -> None:  # the web app and the worker go on while a backup runs
        n = 0
        while not stop.is_set():
            ingest_records(store, [new_paper(n)])
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        done = run("backup", str(tmp_path / "backups" / "copy.db"))
    finally:
        stop.set()
        writer.join(60)
    reported = re.search(r"backed up (\d+) papers", done.stderr)
    assert reported, done.stderr
    with sqlite3.connect(tmp_path / "backups" / "copy.db") as conn:
        in_backup = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert int(reported.group(1)) == in_backup
    assert store.papers.count() > in_backup > 4000, "papers were added around the backup"
    store.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_and_backups_are_private_whatever_the_umask(tmp_path: Path) -> None:
    live = tmp_path / "private" / "store" / "live.db"
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{live}",
        "PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
        "PAPERWIRE_EMBED_ON_INGEST": "0",
    }

    def paperwire(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "paperwire.cli", *args],
            env=env, capture_output=True, text=True, timeout=300, umask=0,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    paperwire("demo")
    assert mode(live) == 0o600
    assert mode(live.parent) == 0o700 and mode(live.parent.parent) == 0o700
    backup = tmp_path / "backups" / "nightly" / "copy.db"
    paperwire("backup", str(backup))
    assert mode(backup) == 0o600
    assert mode(backup.parent) == 0o700 and mode(backup.parent.parent) == 0o700
    restored = tmp_path / "elsewhere" / "restored.db"
    env["PAPERWIRE_DATABASE_URL"] = f"sqlite:///{restored}"
    paperwire("restore", "--yes", str(backup))
    assert mode(restored) == 0o600 and mode(restored.parent) == 0o700

    previous = os.umask(0)
    try:  # the write-ahead log and shared-memory files exist while the store is open
        store = open_store(f"sqlite:///{live}")
        ingest_records(store, [new_paper(1)])
        for suffix in ("-wal", "-shm"):
            assert mode(live.with_name(live.name + suffix)) == 0o600, suffix
        store.close()
    finally:
        os.umask(previous)
