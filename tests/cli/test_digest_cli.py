"""``paperwire subscribers``, ``digest`` and ``status``, run as an operator runs them: separate
processes on a real SQLite store, mail through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from paperwire.heartbeat import beat
from paperwire.store.open import open_store
from paperwire.store.schema import subscribers

Run = Callable[..., subprocess.CompletedProcess[str]]


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 queued"


def _paperwire(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperwire.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo papers, embedded, loaded once for the whole module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{path}",
        "PAPERWIRE_EMBED_ON_INGEST": "1",
    }
    done = _paperwire(env, "demo")
    assert done.returncode == 0, done.stderr
    return path


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start() cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def run(demo_store: Path, tmp_path: Path, inbox: tuple[Inbox, int]) -> Run:
    """``paperwire`` on a private copy of the demo store, in development mode."""
    database = tmp_path / "paperwire.db"
    shutil.copyfile(demo_store, database)
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{database}",
        "PAPERWIRE_ENV": "development",
        "PAPERWIRE_DATA_DIR": str(tmp_path / "data"),
        "PAPERWIRE_BASE_URL": "https://papers.example.org",
        "PAPERWIRE_SMTP_HOST": "127.0.0.1",
        "PAPERWIRE_SMTP_PORT": str(inbox[1]),
        "PAPERWIRE_SMTP_TLS": "none",
        "PAPERWIRE_MAIL_FROM": "paperwire <digest@papers.example.org>",
        "PAPERWIRE_EMBED_ON_INGEST": "0",
    }
    env.pop("PAPERWIRE_SECRET_KEY", None)
    env.pop("PAPERWIRE_FOLLOW", None)

    def paperwire(*args: str, code: int = 0, **extra: str) -> subprocess.CompletedProcess[str]:
        done = _paperwire({**env, **extra}, *args)
        assert done.returncode == code, done.stderr
        return done

    paperwire.database = database  # type: ignore[attr-defined]
    return paperwire


def _listed(run: Run, *args: str) -> dict[str, dict[str, Any]]:
    return {
        entry["email"]: entry
        for entry in json.loads(run("subscribers", "list", "--json", *args).stdout)
    }


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def test_add_confirmed_is_active_at_once_and_unconfirmed_gets_the_confirmation_mail(
    run: Run, inbox: tuple[Inbox, int]
) -> None:
    received, _ = inbox
    run("subscribers", "add", "Ann@Example.org", "--topic", "parallel decoding",
        "--category", "cs.CL", "--hour", "7", "--tz", "Europe/Berlin", "--confirmed")  # fmt: skip
    assert received.messages == [], "a confirmed subscriber gets no confirmation mail"
    done = run("subscribers", "add", "bob@example.org", "--topic", "diffusion")
    assert "pending" in done.stderr
    assert len(received.messages) == 1
    mail = received.messages[0]
    assert mail["To"] == "bob@example.org"
    assert re.search(r"https://papers\.example\.org/subscribe/confirm/\S+", _text(mail))

    listed = _listed(run)
    assert listed["ann@example.org"]["status"] == "active"
    assert listed["ann@example.org"]["topics"] == ["parallel decoding"]
    assert listed["ann@example.org"]["categories"] == ["cs.CL"]
    assert (listed["ann@example.org"]["hour"], listed["ann@example.org"]["timezone"]) == (
        7,
        "Europe/Berlin",
    )
    assert listed["bob@example.org"]["status"] == "pending"
    assert list(_listed(run, "--status", "active")) == ["ann@example.org"]
    assert "ann@example.org" in run("subscribers", "list").stdout

    again = run("subscribers", "add", "bob@example.org")
    assert "recently" in again.stderr and len(received.messages) == 1


def test_add_refuses_bad_choices_naming_the_option(run: Run) -> None:
    bad_zone = run("subscribers", "add", "a@example.org", "--tz", "Mars/Olympus", code=2)
    assert "--tz" in bad_zone.stderr and "Mars/Olympus" in bad_zone.stderr
    bad_hour = run("subscribers", "add", "a@example.org", "--hour", "24", "--confirmed", code=2)
    assert "--hour" in bad_hour.stderr
    bad_address = run("subscribers", "add", "not an address", "--confirmed", code=2)
    assert "not an address" in bad_address.stderr
    assert run("subscribers", "list", "--status", "gone", code=2).stderr
    assert _listed(run) == {}


def test_import_keeps_good_rows_and_reports_bad_ones_by_line(
    run: Run, tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    source = tmp_path / "list.csv"
    source.write_text(
        "email,topics,categories,hour,tz\n"
        "ann@example.org,parallel decoding;speculative decoding,cs.CL,6,UTC\n"
        "not-an-address,,,,\n"
        "carl@example.org,,,99,\n"
        "dora@example.org,,cs.LG,,America/New_York\n",
        encoding="utf-8",
    )
    done = run("subscribers", "import", str(source), code=1)
    assert f"{source}:3: email:" in done.stderr
    assert f"{source}:4: hour:" in done.stderr
    assert "2 subscribers imported" in done.stderr
    listed = _listed(run)
    assert sorted(listed) == ["ann@example.org", "dora@example.org"]
    assert listed["ann@example.org"]["topics"] == ["parallel decoding", "speculative decoding"]
    assert listed["dora@example.org"]["timezone"] == "America/New_York"
    assert {entry["status"] for entry in listed.values()} == {"active"}
    assert inbox[0].messages == [], "imported as confirmed: no mail"

    db = sqlite3.connect(run.database)  # type: ignore[attr-defined]
    with db:
        db.execute("UPDATE subscribers SET status = 'unsubscribed' WHERE email = 'ann@example.org'")
    db.close()
    fresh = tmp_path / "fresh.csv"
    fresh.write_text(
        "Email\nerin@example.org\nfrank@example.org\nann@example.org\n", encoding="utf-8"
    )
    again = run("subscribers", "import", "--unconfirmed", str(fresh))
    assert f"{fresh}:4: ann@example.org is unsubscribed" in again.stderr
    assert sorted(m["To"] for m in inbox[0].messages) == ["erin@example.org", "frank@example.org"]
    listed = _listed(run)
    assert listed["erin@example.org"]["status"] == "pending"
    assert listed["ann@example.org"]["status"] == "unsubscribed", "who left is left alone"

    no_email = tmp_path / "names.csv"
    no_email.write_text("name\nAnn\n", encoding="utf-8")
    assert "email column" in run("subscribers", "import", str(no_email), code=2).stderr
    missing = run("subscribers", "import", str(tmp_path / "nope.csv"), code=2)
    assert "nope.csv" in missing.stderr


def test_remove_deletes_the_subscriber(run: Run) -> None:
    run("subscribers", "add", "ann@example.org", "--confirmed")
    assert "removed ann@example.org" in run("subscribers", "remove", "ANN@example.org").stderr
    assert _listed(run) == {}
    assert "no subscriber" in run("subscribers", "remove", "ann@example.org", code=1).stderr


def test_digest_run_sends_once_when_the_hour_has_come(run: Run, inbox: tuple[Inbox, int]) -> None:
    received, _ = inbox
    due = (datetime.now(UTC) + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    run("subscribers", "add", "ann@example.org", "--topic", "parallel decoding",
        "--hour", str(due.hour), "--confirmed")  # fmt: skip

    early = run("digest", "run", "--at", (due - timedelta(minutes=1)).isoformat())
    assert "0 planned" in early.stderr and received.messages == []

    at = (due + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")  # no offset: UTC
    first = run("digest", "run", "--at", at)
    assert "1 planned" in first.stderr and "1 sent" in first.stderr, first.stderr
    assert [m["To"] for m in received.messages] == ["ann@example.org"]
    digest = _text(received.messages[0])
    assert "On: parallel decoding" in digest
    assert "Parallel Decoding" in digest

    second = run("digest", "run", "--at", at)
    assert "0 planned" in second.stderr and len(received.messages) == 1, "sent once"

    day = due.date().isoformat()
    counts = json.loads(run("digest", "status", "--date", day, "--json").stdout)
    assert counts["date"] == day and counts["deliveries"]["sent"] == 1 and counts["total"] == 1
    assert "sent" in run("digest", "status", "--date", day).stdout

    text = run("digest", "preview", "ann@example.org").stdout
    assert "paperwire digest for" in text and "On: parallel decoding" in text
    html = run("digest", "preview", "ann@example.org", "--date", day, "--html").stdout
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "no subscriber" in run("digest", "preview", "zed@example.org", code=1).stderr


def test_digest_run_refuses_a_bad_moment_and_a_missing_secret(run: Run) -> None:
    bad = run("digest", "run", "--at", "next tuesday", code=2)
    assert "--at" in bad.stderr and "next tuesday" in bad.stderr
    production = run("digest", "run", code=2, PAPERWIRE_ENV="production")
    assert "PAPERWIRE_SECRET_KEY" in production.stderr


def test_status_shows_workers_deliveries_and_subscribers(run: Run) -> None:
    run("subscribers", "add", "ann@example.org", "--confirmed")
    store = open_store(f"sqlite:///{run.database}")  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    beat(store, "alive:1:aa", started_at=now, now=now, activity="sending digests")
    old = now - timedelta(minutes=30)
    beat(store, "silent:2:bb", started_at=old, now=old, activity="harvesting")
    store.close()

    report = json.loads(run("status", "--json").stdout)
    workers = {worker["name"]: worker for worker in report["workers"]}
    assert workers["alive:1:aa"]["stale"] is False
    assert workers["alive:1:aa"]["activity"] == "sending digests"
    assert workers["silent:2:bb"]["stale"] is True
    assert workers["silent:2:bb"]["seconds_ago"] >= 1800 - 5
    assert report["subscribers"]["active"] == 1 and report["subscribers"]["pending"] == 0
    assert report["deliveries"]["date"] == now.date().isoformat()
    assert set(report["deliveries"]["counts"]) >= {"pending", "sent", "failed", "review"}

    text = run("status").stdout
    assert "alive:1:aa" in text and "stale" in text and "1 active" in text


def test_worker_sends_digests_and_forgets_its_heartbeat_on_exit(
    run: Run, inbox: tuple[Inbox, int]
) -> None:
    hour = datetime.now(UTC).hour
    run("subscribers", "add", "ann@example.org", "--topic", "parallel decoding", "--confirmed",
        "--hour", str(hour))  # fmt: skip
    production = run("worker", "--once", code=2, PAPERWIRE_ENV="production")
    assert "PAPERWIRE_SECRET_KEY" in production.stderr

    store = open_store(f"sqlite:///{run.database}")  # type: ignore[attr-defined]
    with store.writing() as conn:  # confirmed yesterday: today's digest is due now
        conn.execute(
            sa.update(subscribers).values(confirmed_at=datetime.now(UTC) - timedelta(days=1))
        )
    store.close()

    done = run("worker", "--once")
    assert "trending refreshed" in done.stderr
    assert "1 sent" in done.stderr, done.stderr
    assert [m["To"] for m in inbox[0].messages] == ["ann@example.org"]
    assert json.loads(run("status", "--json").stdout)["workers"] == []
