"""``paperwire trending refresh|show`` in a separate process, as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from paperwire.accounts import redeem_login_token, request_login
from paperwire.records import PaperRecord
from paperwire.store.open import open_store
from paperwire.trending import set_mark


def paperwire(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERWIRE_DATABASE_URL": url, "PAPERWIRE_EMBED_ON_INGEST": "0"}
    return subprocess.run(
        [sys.executable, "-m", "paperwire.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refresh_then_show(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    store = open_store(url)
    store.papers.upsert([PaperRecord(source="arxiv", title="Attention", arxiv_id="2502.00001")])
    now = datetime.now(UTC)
    user = redeem_login_token(store, request_login(store, "a@example.org", now=now).token, now=now)
    set_mark(store, user.id, "2502.00001", "upvote", True, now=now)
    store.close()

    empty = paperwire(url, "trending", "show")
    assert empty.returncode == 0 and "Nothing is trending" in empty.stderr

    refreshed = paperwire(url, "trending", "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "1 papers ranked" in refreshed.stderr

    shown = paperwire(url, "trending", "show", "--window", "week", "--json")
    assert shown.returncode == 0, shown.stderr
    (entry,) = json.loads(shown.stdout)
    assert entry["title"] == "Attention"
    assert entry["upvotes"] == 1 and entry["reason"] == "1 upvote this week"

    table = paperwire(url, "trending", "show")
    assert "Attention" in table.stdout and "1 upvote today" in table.stdout

    wrong = paperwire(url, "trending", "show", "--window", "year")
    assert wrong.returncode == 2 and "unknown window" in wrong.stderr
