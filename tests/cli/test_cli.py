"""The ``paperwire`` command line, run as a user runs it (a separate process)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer
import typer.main

from paperwire.cli.app import app
from paperwire.ingest.background import MIN_BYTES

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from ingest import synthetic_snapshot  # noqa: E402


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
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

    paperwire.env = env  # type: ignore[attr-defined]
    return paperwire


def test_init_creates_an_empty_store(run) -> None:  # type: ignore[no-untyped-def]
    assert "0 papers" in run("init").stderr
    assert json.loads(run("stats", "--json").stdout)["papers"] == 0


def test_demo_loads_the_bundled_papers(run) -> None:  # type: ignore[no-untyped-def]
    assert "119 imported" in run("demo").stderr
    assert "119 unchanged" in run("demo", "--no-embed").stderr
    listed = json.loads(run("papers", "list", "--json", "--limit", "200").stdout)
    assert len(listed) == 119
    assert {"id", "source_id", "title", "authors", "categories", "published"} <= set(listed[0])
    shown = json.loads(run("papers", "show", listed[0]["id"], "--json").stdout)
    assert shown["title"] == listed[0]["title"] and shown["abstract"]


def test_export_then_ingest_round_trips(run, fixtures: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run(
        "ingest",
        str(fixtures / "arxiv_snapshot_sample.jsonl"),
        str(fixtures / "hf_daily_2026-11-28.json"),
        str(fixtures / "listing_head20.txt"),
        str(fixtures / "oai" / "ListRecordsResponse.xml"),
    )
    first = tmp_path / "first.jsonl"
    run("export", str(first))
    run.env["PAPERWIRE_DATABASE_URL"] = f"sqlite:///{tmp_path}/second.db"
    assert "skipped" in run("ingest", str(first)).stderr
    second = tmp_path / "second.jsonl"
    run("export", str(second))
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
    assert len(first.read_text(encoding="utf-8").splitlines()) > 70


def test_bad_records_are_reported_and_skipped(run, tmp_path: Path, fixtures: Path) -> None:  # type: ignore[no-untyped-def]
    lines = (fixtures / "arxiv_snapshot_sample.jsonl").read_text(encoding="utf-8").splitlines()[:5]
    lines[2] = lines[2][:40]  # truncated JSON on line 3
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run("ingest", str(bad))
    assert f"{bad}:3" in done.stderr
    assert "4 imported" in done.stderr and "1 skipped" in done.stderr
    strict = run("ingest", "--strict", str(bad), check=False)
    assert strict.returncode == 1


def test_unreadable_files_fail_with_exit_2(run, tmp_path: Path, fixtures: Path) -> None:  # type: ignore[no-untyped-def]
    binary = tmp_path / "image.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    done = run("ingest", str(binary), str(fixtures / "listing_head20.txt"), check=False)
    assert done.returncode == 2
    assert "image.bin" in done.stderr
    assert "20 imported" in done.stderr, "the readable file is still imported"
    missing = run("ingest", str(tmp_path / "nope.jsonl"), check=False)
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr


def test_a_mistyped_command_gets_a_suggestion(run) -> None:  # type: ignore[no-untyped-def]
    done = run("ingst", check=False)
    assert done.returncode == 2 and "Did you mean 'ingest'" in done.stderr


def test_unknown_paper_is_a_clear_error(run) -> None:  # type: ignore[no-untyped-def]
    done = run("papers", "show", "2401.99999", check=False)
    assert done.returncode == 1 and "no paper with id '2401.99999'" in done.stderr


def test_every_command_loads_with_its_help() -> None:
    root = typer.main.get_command(app)
    context = typer.Context(root)
    for name in root.list_commands(context):  # type: ignore[attr-defined]
        command = root.get_command(context, name)  # type: ignore[attr-defined]
        assert command is not None and command.name == name
        assert command.help, f"{name} has no help text"


def test_help_names_the_environment_variables(run) -> None:  # type: ignore[no-untyped-def]
    assert "PAPERWIRE_DATABASE_URL" in run("--help").stdout
    for command in ("init", "ingest", "export", "backup", "restore", "stats", "demo", "papers"):
        assert command in run("--help").stdout


def test_killed_ingest_leaves_a_consistent_store_and_rerun_completes(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "big.jsonl"
    synthetic_snapshot(12_000, source)
    run("init")
    process = subprocess.Popen(
        [sys.executable, "-m", "paperwire.cli", "ingest", "--quiet", str(source)],
        env=run.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    database = tmp_path / "cli.db"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and stored < 2000:
        time.sleep(0.2)
        with sqlite3.connect(database, timeout=30) as conn:
            stored = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    process.send_signal(signal.SIGKILL)
    process.wait()
    with sqlite3.connect(database) as conn:
        partial = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
        orphans = conn.execute(
            "SELECT count(*) FROM paper_versions WHERE paper_id NOT IN (SELECT id FROM papers)"
        ).fetchone()[0]
    assert 0 < partial < 12_000 and orphans == 0
    assert partial % 1000 == 0, "whole batches only"
    done = run("ingest", "--quiet", str(source))
    assert f"{12_000 - partial} imported" in done.stderr
    assert json.loads(run("stats", "--json").stdout)["papers"] == 12_000


def test_a_large_file_piped_to_dev_stdin_is_read(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "piped.jsonl"
    synthetic_snapshot(3500, source)
    assert source.stat().st_size >= MIN_BYTES  # read by a reader process
    with source.open("rb") as piped:
        done = subprocess.run(
            [sys.executable, "-m", "paperwire.cli", "ingest", "--quiet", "/dev/stdin"],
            env=run.env,
            stdin=piped,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    assert "3500 imported" in done.stderr
