"""The README's "Using it" examples, run against the bundled demo as a reader types them.

Every example that reads the store, plus ``subscribers add`` and ``digest preview``,
must exit 0 and name at least one demo paper. The commands come from the README's code
block, so the test fails when the README names an id, author or category the demo lacks.
Each example runs twice: bare (without its ``[optional]`` parts) and with all of them.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

# Examples that read the store (or, for ``subscribers add``, set up ``digest preview``).
# The rest write or need the network or a server: init, demo (run as the setup),
# ingest, index, harvest, worker, status, subscribers import/remove, digest run,
# trending refresh|show, serve, backup, restore.
RUN = {
    ("search",),
    ("similar",),
    ("papers", "list"),
    ("papers", "show"),
    ("stats",),
    ("subscribers", "add"),
    ("subscribers", "list"),
    ("digest", "preview"),
    ("digest", "status"),
    ("export",),
}
# These print no paper by design: a count, a table of subscribers, a summary.
NO_PAPER = {("stats",), ("subscribers", "add"), ("subscribers", "list"), ("digest", "status")}


def using_it_examples() -> list[str]:
    """The command lines of the README's "Using it" code block, comments removed."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using it", 1)[1]
    block = section.split("```", 2)[1]
    return [
        re.split(r"\s{2,}#", line, maxsplit=1)[0].strip()
        for line in block.splitlines()
        if line.startswith("paperwire ")
    ]


def variants(line: str) -> list[list[str]]:
    """The example bare and with every ``[optional]`` part."""
    bare = re.sub(r"\s*\[[^\]]*\]", "", line)
    full = re.sub(r"\[([^\]]*)\]", r"\1", line)
    return [shlex.split(bare)[1:], shlex.split(full)[1:]]


def examples() -> list[list[str]]:
    chosen = []
    for line in using_it_examples():
        for args in variants(line):
            if (tuple(args[:2]) in RUN or tuple(args[:1]) in RUN) and args not in chosen:
                chosen.append(args)
    return chosen


def command_of(args: list[str]) -> tuple[str, ...]:
    return tuple(args[:2]) if tuple(args[:2]) in RUN else tuple(args[:1])


def demo_names() -> tuple[set[str], set[str]]:
    """The demo's arXiv ids and its title beginnings (enough to recognise a paper)."""
    text = (files("paperwire.demo") / "ml-papers-119.arxiv.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {row["id"] for row in rows if row["id"]}, {row["title"][:24] for row in rows}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("readme")
    env = {
        **os.environ,
        "PAPERWIRE_ENV": "development",
        "PAPERWIRE_DATA_DIR": str(data),
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{data}/paperwire.db",
        "COLUMNS": "250",
    }
    done = _run(env, ["demo"], cwd=data)  # embedded: `similar` needs the vectors
    assert done.returncode == 0, done.stderr
    assert "119 imported" in done.stderr
    return env


def _run(env: dict[str, str], args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paperwire.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_readme_names_examples_to_run() -> None:
    commands = {command_of(args) for args in examples()}
    assert commands == RUN, RUN - commands


def test_readme_examples_work_on_the_demo(demo_store: dict[str, str], tmp_path: Path) -> None:
    ids, titles = demo_names()
    failures = []
    for args in examples():
        done = _run(demo_store, args, cwd=tmp_path)
        output = done.stdout + done.stderr
        if command_of(args) == ("export",):
            output = (tmp_path / args[1]).read_text(encoding="utf-8")
        names_a_paper = any(i in output for i in ids) or any(t in output for t in titles)
        if done.returncode != 0 or (command_of(args) not in NO_PAPER and not names_a_paper):
            failures.append(f"paperwire {shlex.join(args)}: exit {done.returncode}\n{output}")
    assert not failures, "\n\n".join(failures)


def test_the_demo_carries_authors_dates_categories_and_ids(
    demo_store: dict[str, str], tmp_path: Path
) -> None:
    shown = _run(demo_store, ["papers", "show", "1802.03494", "--json"], cwd=tmp_path)
    paper = json.loads(shown.stdout)
    assert paper["title"].startswith("AMC: AutoML for Model Compression")
    assert "Song Han" in paper["authors"]
    shown = _run(demo_store, ["papers", "show", "2509.01920", "--json"], cwd=tmp_path)
    paper = json.loads(shown.stdout)
    assert paper["published"] == "2025-09-02"
    assert paper["categories"] == ["cs.AI", "cs.LG", "cs.MA"]
    stats = json.loads(_run(demo_store, ["stats", "--json"], cwd=tmp_path).stdout)
    assert stats["papers"] == 119
