"""``paperwire worker``: one round of scheduled work against a replayed source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from replay import ReplayServer, Reply


def _worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperwire.cli", "worker", "--once", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_worker_harvests_what_is_due_then_waits(
    server: ReplayServer, fixtures: Path, tmp_path: Path
) -> None:
    body = (fixtures / "hf_daily_2026-11-28.json").read_bytes()
    server.respond = lambda params: Reply(body=body)
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/worker.db",
        "PAPERWIRE_FOLLOW": "hf-daily",
        "PAPERWIRE_HF_API_URL": server.url + "/api/daily_papers",
        "PAPERWIRE_ARXIV_DELAY_SECONDS": "0",
        "PAPERWIRE_CONTACT_EMAIL": "ops@example.org",
    }
    first = _worker(env)
    assert first.returncode == 0, first.stderr
    assert "harvested hf-daily" in first.stderr
    assert "trending refreshed" in first.stderr
    assert "embedded 12 new papers" in first.stderr
    stats = subprocess.run(
        [sys.executable, "-m", "paperwire.cli", "stats", "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(stats.stdout)["papers"] == 12
    asked = len(server.requests)
    second = _worker(env)
    assert second.returncode == 0, second.stderr
    assert "hf-daily: next harvest" in second.stderr
    assert len(server.requests) == asked, "not due again: no request sent"


def test_worker_refuses_an_unknown_followed_source(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/worker.db",
        "PAPERWIRE_FOLLOW": "gopher:cs",
    }
    done = _worker(env)
    assert done.returncode == 2
    assert "gopher" in done.stderr
