"""The worker's entry point, the CLI, and pacing across real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

from oai_pages import RECORDS, page
from replay import FakeClock, ReplayServer, Reply

from paperwire.harvest.runner import run_due_harvests
from paperwire.settings import Settings
from paperwire.store.base import Store


def pages_and_daily(fixtures: Path):  # type: ignore[no-untyped-def]
    daily = (fixtures / "hf_daily_2026-11-28.json").read_bytes()

    def respond(params: dict[str, str]) -> Reply:
        if "date" in params:
            return Reply(body=daily)
        if params.get("resumptionToken") == "t|3":
            return Reply(body=page(RECORDS[3:], "", cursor=3, size=6))
        return Reply(body=page(RECORDS[:3], "t|3", size=6))

    return respond


def test_run_due_harvests_each_followed_source_once_per_announcement(
    store: Store, server: ReplayServer, clock: FakeClock, fixtures: Path, database_url: str
) -> None:
    server.respond = pages_and_daily(fixtures)
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url,
        follow="arxiv:cs.LG,hf-daily",
        arxiv_oai_url=server.url + "/oai",
        hf_api_url=server.url + "/hf",
        arxiv_delay_seconds=0.5,
    )
    now = clock()
    results = run_due_harvests(store, settings, now, clock=clock, sleep=clock.sleep)
    assert [(r.source, r.ran, r.error) for r in results] == [
        ("arxiv:cs:cs:LG", True, None),
        ("hf-daily", True, None),
    ]
    assert server.requests[0].params["set"] == "cs:cs:LG"
    assert store.papers.count() == 6 + 12
    again = run_due_harvests(store, settings, clock(), clock=clock, sleep=clock.sleep)
    assert not any(r.ran for r in again), "nothing is due until the next announcement"
    assert again[0].next_due == datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
    server.requests.clear()
    clock.sleep((datetime(2026, 12, 1, 4, tzinfo=UTC) - clock()).total_seconds())
    later = run_due_harvests(store, settings, clock(), clock=clock, sleep=clock.sleep)
    assert all(r.ran for r in later)
    assert server.requests[0].params["from"] == "2026-11-30", "incremental from the server date"


def test_a_failing_source_does_not_stop_the_others(
    store: Store, server: ReplayServer, clock: FakeClock, fixtures: Path
) -> None:
    daily = (fixtures / "hf_daily_2026-11-28.json").read_bytes()
    server.respond = lambda params: Reply(body=daily) if "date" in params else Reply(404, b"gone")
    settings = Settings(  # type: ignore[call-arg]
        follow="arxiv:cs:cs:CL,hf-daily",
        arxiv_oai_url=server.url + "/oai",
        hf_api_url=server.url + "/hf",
        arxiv_delay_seconds=0,
    )
    results = run_due_harvests(store, settings, clock=clock, sleep=clock.sleep)
    assert results[0].error and "HTTP 404" in results[0].error
    assert results[1].report is not None and results[1].report.records == 12


def _env(database_url: str, server: ReplayServer, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": database_url,
        "PAPERWIRE_ARXIV_OAI_URL": server.url + "/oai",
        "PAPERWIRE_ARXIV_DELAY_SECONDS": "0",
        **extra,
    }


def test_cli_harvest_killed_mid_way_resumes_where_it_stopped(
    tmp_path: Path, server: ReplayServer
) -> None:
    database_url = f"sqlite:///{tmp_path}/cli.db"
    release = threading.Event()
    second_page_asked = threading.Event()

    def respond(params: dict[str, str]) -> Reply:
        if params.get("resumptionToken") == "t|3":
            if not second_page_asked.is_set():
                second_page_asked.set()
                release.wait(30)  # the process is killed while it waits here
            return Reply(body=page(RECORDS[3:], "", cursor=3, size=6))
        return Reply(body=page(RECORDS[:3], "t|3", size=6))

    server.respond = respond
    command = [sys.executable, "-m", "paperwire.cli", "harvest", "arxiv", "--set", "cs:cs:LG"]
    env = _env(database_url, server)
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert second_page_asked.wait(60), "the first page was stored and the second asked"
        process.kill()
        process.wait(10)
    finally:
        release.set()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "resumed an interrupted harvest" in done.stderr
    assert "1 page(s), 3 imported" in done.stderr, "only the missing page was fetched"
    status = subprocess.run(
        [sys.executable, "-m", "paperwire.cli", "harvest", "status", "--json"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    [row] = json.loads(status.stdout)
    assert row["source"] == "arxiv:cs:cs:LG" and row["resumption_token"] is None
    assert row["run_records"] == 6


def test_cli_reports_an_oai_error_by_name(
    tmp_path: Path, server: ReplayServer, fixtures: Path
) -> None:
    server.respond = lambda params: Reply(
        body=(fixtures / "oai" / "ErrorResponseBadArgument.xml").read_bytes()
    )
    done = subprocess.run(
        [sys.executable, "-m", "paperwire.cli", "harvest", "arxiv", "--from", "2026-11-01"],
        env=_env(f"sqlite:///{tmp_path}/e.db", server), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "OAI-PMH error badArgument" in done.stderr


PACED_SCRIPT = """
import sys
from paperwire.harvest.http import PoliteClient
from paperwire.store.open import open_store
client = PoliteClient(open_store(sys.argv[1]), delay_seconds=float(sys.argv[3]))
for _ in range(3):
    client.get(sys.argv[2])
"""


def test_processes_share_one_pace_through_the_store(tmp_path: Path) -> None:
    server = ReplayServer(lambda: datetime.now(UTC))
    server.respond = lambda params: Reply(body=b"ok")
    database_url = f"sqlite:///{tmp_path}/paced.db"
    delay = 0.4
    try:
        subprocess.run(
            [sys.executable, "-c", "import sys; from paperwire.store.open import open_store; "
             "open_store(sys.argv[1])", database_url], check=True, timeout=60,
        )  # fmt: skip
        started = time.monotonic()
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", PACED_SCRIPT, database_url, server.url + "/x", str(delay)]
            )
            for _ in range(3)
        ]
        for process in processes:
            assert process.wait(120) == 0
        assert time.monotonic() - started >= 8 * delay
    finally:
        server.close()
    times = sorted(seen.at for seen in server.requests)
    assert len(times) == 9
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert min(gaps) >= timedelta(seconds=delay * 0.95), gaps
