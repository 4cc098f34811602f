"""The worker's round and the one-shot commands do the same work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from servicetools import services_settings

from paperwire.digest.preferences import Preferences
from paperwire.digest.run import RunReport
from paperwire.harvest.runner import DueResult
from paperwire.ingest.pipeline import ingest_records
from paperwire.ingest.reader import read_records
from paperwire.services.app import AppServices
from paperwire.services.embedding import embed_papers, papers_to_embed
from paperwire.services.search import build_search_service
from paperwire.services.subscribers import add_one
from paperwire.services.worker import Worker, WorkerConfigError, digest_signer, refresh_trending
from paperwire.store.clock import utcnow
from paperwire.store.open import open_store
from paperwire.trending import top

HF_DAILY = Path(__file__).parents[1] / "fixtures" / "hf_daily_2026-11-28.json"


class WordHashEmbedder:
    """A tiny deterministic embedder: no model to load."""

    model_name = "word-hash"
    dimension = 16

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                vectors[row, sum(map(ord, word)) % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_documents([text])[0]


@dataclass
class Heard:
    lines: list[str] = field(default_factory=list)

    def harvested(self, result: DueResult) -> None:
        self.lines.append(f"harvested {result.source}")

    def embedded(self, papers: int) -> None:
        self.lines.append(f"embedded {papers}")

    def trending_refreshed(self, ranked: int) -> None:
        self.lines.append(f"trending {ranked}")

    def digests_sent(self, report: RunReport) -> None:
        self.lines.append(f"digests {report.planned}")

    def round_failed(self, error: Exception) -> None:
        self.lines.append(f"failed {error}")

    def topics_embedded(self, count: int, model: str) -> None:
        self.lines.append(f"topics {count}")

    def topic_problem(self, error: Exception) -> None:
        self.lines.append("topic problem")


def _app(folder: Path, **overrides: object) -> AppServices:
    folder.mkdir()
    settings = services_settings(folder, **overrides)
    store = open_store(settings.database_url)
    ingest_records(store, read_records(str(HF_DAILY), "hf-daily"))
    search = build_search_service(settings, store, embedder=WordHashEmbedder())
    return AppServices(settings, store, search=search)


def test_one_round_does_what_the_one_shot_steps_do(tmp_path: Path) -> None:
    by_worker = _app(tmp_path / "worker")
    by_steps = _app(tmp_path / "steps")
    heard = Heard()
    Worker(by_worker, heard).run(threading.Event(), interval=60, once=True)
    assert heard.lines[0] == "embedded 12" and heard.lines[1].startswith("trending ")
    assert heard.lines[2] == "digests 0", "digests on (a secret key): nothing due"
    assert by_worker.store.workers.list_all() == [], "the heartbeat is forgotten on the way out"
    assert embed_papers(by_steps) == 12
    assert refresh_trending(by_steps) == int(heard.lines[1].split()[1]) > 0
    for app in (by_worker, by_steps):
        assert papers_to_embed(app) == 0
    now = utcnow()
    assert [e.paper.paper_id for e in top(by_worker.store, "week", now=now)] == [
        e.paper.paper_id for e in top(by_steps.store, "week", now=now)
    ]
    for app in (by_worker, by_steps):
        app.store.close()


def test_digests_are_off_without_a_key_until_a_subscriber_is_active(tmp_path: Path) -> None:
    app = _app(tmp_path / "keyless", secret_key=None, embed_on_ingest=False)
    heard = Heard()
    worker = Worker(app, heard)
    assert worker.runner is None
    worker.run(threading.Event(), interval=60, once=True)
    assert [line for line in heard.lines if not line.startswith("trending")] == []
    add_one(app, "ann@example.org", Preferences(), signer=None, on_problem=heard.topic_problem)
    with pytest.raises(WorkerConfigError, match="cannot send digests"):
        worker.round(threading.Event())
    with pytest.raises(WorkerConfigError):
        digest_signer(app)
    app.store.close()


def test_an_unknown_followed_source_ends_the_worker(tmp_path: Path) -> None:
    app = _app(tmp_path / "follow", follow="gopher:cs")
    with pytest.raises(WorkerConfigError, match="gopher"):
        Worker(app, Heard()).run(threading.Event(), interval=60, once=True)
    assert app.store.workers.list_all() == []
    app.store.close()


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "paperwire.cli", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def test_worker_once_and_the_one_shot_commands_leave_the_same_store(tmp_path: Path) -> None:
    """`paperwire worker --once` against `index` + `trending refresh` (+ `harvest run-due`,
    `digest run`), each on its own copy of the same papers, with the packaged model."""
    results = {}
    for name in ("worker", "commands"):
        env = {
            **os.environ,
            "PAPERWIRE_DATABASE_URL": f"sqlite:///{tmp_path}/{name}.db",
            "PAPERWIRE_DATA_DIR": str(tmp_path / name),
            "PAPERWIRE_SECRET_KEY": "worker-equivalence-secret-key-0123456789abcdef",
            "PAPERWIRE_FOLLOW": "",
        }
        _cli(env, "ingest", "--no-embed", "--quiet", str(HF_DAILY))
        if name == "worker":
            done = _cli(env, "worker", "--once")
            assert "embedded 12 new papers" in done.stderr
        else:
            _cli(env, "harvest", "run-due")
            assert "embedded 12 papers" in _cli(env, "index", "--quiet").stderr
            _cli(env, "trending", "refresh")
            assert "digests: 0 planned" in _cli(env, "digest", "run").stderr
        shown = _cli(env, "trending", "show", "--window", "week", "--json").stdout
        store = open_store(env["PAPERWIRE_DATABASE_URL"])
        results[name] = (store.vectors.count_missing(), [e["id"] for e in json.loads(shown)])
        store.close()
    assert results["worker"] == results["commands"]
    assert results["worker"][0] == 0 and results["worker"][1], "embedded, and ranked"
