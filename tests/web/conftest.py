"""One corpus (demo papers, a real arXiv sample, a few hostile records) built once per
session with its vectors; each test that changes state gets its own copy of the database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from webtools import HOSTILE_TITLE, SECRET

from paperwire.ingest.pipeline import ingest_records
from paperwire.ingest.reader import read_records
from paperwire.records import PaperRecord, Version
from paperwire.search import indexing
from paperwire.search.service import SearchService
from paperwire.settings import Settings
from paperwire.store.open import open_store
from paperwire.web.app import create_app

FIXTURES = Path(__file__).parents[1] / "fixtures"


def extra_records() -> list[PaperRecord]:
    return [
        PaperRecord(
            source="arxiv",
            title=HOSTILE_TITLE,
            abstract="We study dark matter halos <img src=x onerror=alert(1)> in simulations. " * 8,
            arxiv_id="astro-ph/0601001",
            source_id="astro-ph/0601001",
            authors=["Ada <b>Lovelace</b>", "Grace Hopper", "Alan Turing", "Emmy Noether"],
            categories=["astro-ph"],
            published=datetime(2006, 1, 1),
            versions=[Version(1, datetime(2006, 1, 1)), Version(2, datetime(2006, 3, 1))],
        ),
        PaperRecord(
            source="arxiv",
            title="Speculative decoding for fast transformer inference",
            abstract="Speculative decoding drafts tokens with a small model and verifies them "
            "with a large transformer, making inference faster without changing outputs.",
            arxiv_id="2401.01234",
            source_id="2401.01234",
            authors=["Yaniv Leviathan", "Matan Kalman"],
            categories=["cs.LG", "cs.CL"],
            published=datetime(2024, 1, 3),
            code_url="https://github.com/example/spec",
        ),
    ]


def settings_for(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "development",
        "database_url": f"sqlite:///{tmp}/paperwire.db",
        "data_dir": tmp,
        "secret_key": SECRET,
        "base_url": "http://testserver",
        "search_rate_per_minute": 10_000,
        "api_rate_per_minute": 100_000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding paperwire.db with every test paper stored and embedded."""
    folder = tmp_path_factory.mktemp("corpus")
    settings = settings_for(folder)
    store = open_store(settings.database_url)
    with as_file(files("paperwire.demo") / "ml-papers-119.listing.txt") as demo:
        ingest_records(store, read_records(str(demo), "listing"))
    ingest_records(store, read_records(str(FIXTURES / "arxiv_snapshot_sample.jsonl")))
    ingest_records(store, extra_records())
    store.close()
    return folder


@pytest.fixture(scope="session")
def shared_search(corpus_db: Path) -> Iterator[SearchService]:
    """One warm search service for the session (loading the model takes seconds); it
    embeds the corpus first."""
    settings = settings_for(corpus_db)
    store = open_store(settings.database_url)
    service = SearchService(settings, store)
    indexing.embed_missing(store, service.embedder)
    service.save_snapshot()
    service.warm_up()
    yield service
    store.close()


@pytest.fixture(scope="session")
def corpus(corpus_db: Path, shared_search: SearchService) -> Path:
    """The folder of the corpus database, once it is embedded."""
    return corpus_db


@pytest.fixture(scope="session")
def app(corpus: Path, shared_search: SearchService) -> FastAPI:
    """A read-only app over the session corpus (tests using it must not change state)."""
    return create_app(settings_for(corpus), search=shared_search)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_app(corpus: Path, shared_search: SearchService, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An app over a private copy of the corpus, with settings overrides."""
    shutil.copy(corpus / "paperwire.db", tmp_path / "paperwire.db")

    def build(**overrides: object) -> FastAPI:
        return create_app(settings_for(tmp_path, **overrides), search=shared_search)

    return build


@pytest.fixture
def fresh(make_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A client of an app over a private copy of the corpus: safe to change state."""
    with TestClient(make_app()) as test_client:
        yield test_client
