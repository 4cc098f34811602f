"""Hybrid search end to end: a real SQLite store, the real model, the demo corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from importlib.resources import as_file, files
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
pytest.importorskip("sentence_transformers")

from paperwire.ingest.pipeline import ingest_records
from paperwire.ingest.reader import read_records
from paperwire.records import PaperRecord
from paperwire.search import service as service_module
from paperwire.search.embedding import IncompatibleVectorsError, load_embedder
from paperwire.search.indexing import embed_missing
from paperwire.search.query import QueryError, parse_query
from paperwire.search.service import SearchService
from paperwire.settings import Settings
from paperwire.store.base import PaperNotFound, Store
from paperwire.store.models import PaperFilter
from paperwire.store.open import open_store

FIXTURES = Path(__file__).parents[1] / "fixtures"


def load(store: Store, path: Path, fmt: str = "auto") -> None:
    ingest_records(store, read_records(str(path), fmt))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    """Demo papers plus the arXiv snapshot sample (ids, dates, categories), embedded."""
    root = tmp_path_factory.mktemp("search")
    settings = Settings(database_url=f"sqlite:///{root}/p.db", data_dir=root / "data")
    store = open_store(settings.database_url)
    with as_file(files("paperwire.demo") / "ml-papers-119.listing.txt") as demo:
        load(store, demo, "listing")
    load(store, FIXTURES / "arxiv_snapshot_sample.jsonl")
    assert embed_missing(store, load_embedder()) == store.papers.count()
    yield settings, store
    store.close()


@pytest.fixture(scope="module")
def service(corpus: tuple[Settings, Store]) -> SearchService:
    settings, store = corpus
    return SearchService(settings, store, embedder=load_embedder())


def titles(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [hit.paper.title for hit in hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("speculative rollouts for reinforcement learning", "SPEC-RL"),
        ("agents that plan speculatively to cut latency", "Dynamic Speculative Agent Planning"),
        ("model compression on mobile phones", "AMC: AutoML for Model Compression"),
        ("state space models for PDE simulation", "Mamba"),
        ("sparse mixture of experts activation", "BlockFFN"),
        ("Cooper pairs of ultracold atoms near a Feshbach resonance", "Cooper pairs"),
    ],
)
def test_clearly_relevant_papers_come_first(
    service: SearchService, query: str, expected: str
) -> None:
    hits = service.search(query, limit=3)
    assert expected.lower() in titles(hits)[0].lower() or any(
        expected.lower() in t.lower() for t in titles(hits)[:2]
    ), titles(hits)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_the_shipped_embedder_searches_by_meaning(tmp_path: Path) -> None:
    """With default settings (no embedder handed in) the stored vectors are used."""
    settings = Settings(database_url=f"sqlite:///{tmp_path}/p.db", data_dir=tmp_path / "d")
    store = open_store(settings.database_url)
    with as_file(files("paperwire.demo") / "ml-papers-119.listing.txt") as demo:
        load(store, demo, "listing")
    shipped = SearchService(settings, store)
    embed_missing(store, shipped.embedder)
    hits = shipped.search("making neural networks smaller for phones", limit=5)
    assert shipped.vector_problem is None
    assert any(hit.vector_rank is not None for hit in hits)


def test_papers_with_the_words_come_before_papers_without(service: SearchService) -> None:
    hits = service.search("speculative decoding", limit=3)
    carrying = [
        "speculative decoding" in f"{h.paper.title} {h.paper.abstract}".lower() for h in hits
    ]
    assert carrying.count(True) == 2, titles(hits)


def test_names_rank_their_paper_first(service: SearchService) -> None:
    assert titles(service.search("AMC", limit=3))[0].startswith("AMC:")
    assert "Mamba" in titles(service.search("Mamba", limit=3))[0]
    assert "Mamba" in titles(service.search("mamba", limit=3))[0]


def test_arxiv_id_query_ranks_that_paper_first(service: SearchService) -> None:
    for query in ("0704.0002", "arXiv:0704.0002v1", "0704.0002 graph"):
        hits = service.search(query, limit=5)
        assert hits[0].paper.arxiv_id == "0704.0002", query


def test_filters(service: SearchService) -> None:
    hits = service.search("modular forms", category="math.NT", limit=20)
    assert hits and all("math.NT" in hit.paper.categories for hit in hits)
    hits = service.search("modular forms", author="Choi", limit=20)
    assert hits and all(any("Choi" in a for a in hit.paper.authors) for hit in hits)
    hits = service.search("graph", since=date(2007, 4, 1), until=date(2007, 4, 1), limit=50)
    assert hits and all(hit.paper.published.date() == date(2007, 4, 1) for hit in hits)
    inline = service.search("modular forms category:math.NT author:Choi", limit=20)
    assert inline and all(
        "math.NT" in h.paper.categories and any("Choi" in a for a in h.paper.authors)
        for h in inline
    )


def test_words_over_the_keyword_budget_are_left_to_meaning(
    corpus: tuple[Settings, Store], service: SearchService
) -> None:
    settings, store = corpus
    tight = SearchService(
        settings.model_copy(update={"search_keyword_budget": 20}), store, embedder=service.embedder
    )
    parsed = parse_query("speculative rollouts for reinforcement learning models")
    matches = store.keyword.count_matches(list(parsed.terms), 1000)
    counts = dict(zip(parsed.terms, matches, strict=True))
    kept = tight._affordable_terms(parsed, keep_rarest=False)
    assert "speculative" in kept and "learning" not in kept
    assert sum(counts[t] for t in kept) <= 20 < sum(counts.values())
    assert tight._affordable_terms(parse_query("learning models"), keep_rarest=False) == ()
    assert tight._affordable_terms(parse_query("learning models"), keep_rarest=True)
    assert "SPEC-RL" in titles(tight.search(parsed.text, limit=3))[0]
    common = tight.search("learning models", limit=5)  # the meaning side alone
    assert len(common) == 5 and all(hit.keyword_rank is None for hit in common)


def test_a_narrow_filter_finds_its_papers_beyond_the_nearest_few(
    service: SearchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a wide look of only 10 papers, a category with few papers is rarely among
    them: the search then reads that category's papers and searches them exactly."""
    monkeypatch.setattr(service_module, "FILTER_OVERFETCH", 2)
    selection = PaperFilter(category="hep-ph")
    in_category = service.store.papers.filter_row_ids(selection)
    assert 5 < len(in_category) < 50
    index = service._current_index()
    assert index is not None
    query = parse_query("graph neural networks")
    exact = index.search(service.embedder.encode_query(query.text), 5, within=in_category)
    assert service._vector_hits(query, selection, 5, index) == exact


def test_words_over_the_budget_still_find_papers_that_have_no_vectors_yet(
    tmp_path: Path, service: SearchService
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/p.db", data_dir=tmp_path, search_keyword_budget=5
    )
    store = open_store(settings.database_url)
    store.papers.upsert(
        [PaperRecord(source="t", source_id="u", title="Tidal flats", abstract="Mud and birds.")]
    )
    assert embed_missing(store, service.embedder) == 1
    store.papers.upsert(
        [
            PaperRecord(source="t", source_id=str(n), title=f"Transformer study {n}")
            for n in range(30)
        ]
    )
    tight = SearchService(settings, store, embedder=service.embedder)
    hits = tight.search("transformer", limit=10)
    assert sum("Transformer" in hit.paper.title for hit in hits) == 10
    store.close()


def test_phrase_is_required_and_exclusion_removes(service: SearchService) -> None:
    hits = service.search('"model compression"', limit=50)
    assert hits and all(
        "model compression" in f"{h.paper.title} {h.paper.abstract}".lower() for h in hits
    )
    assert "model compression" in hits[0].matched_terms
    plain = service.search("diffusion models", limit=50)
    assert any("diffusion" in f"{h.paper.title} {h.paper.abstract}".lower() for h in plain)
    excluded = service.search("diffusion models -diffusion", limit=50)
    assert excluded and all(
        "diffusion" not in f"{h.paper.title} {h.paper.abstract}".lower() for h in excluded
    )


@pytest.mark.parametrize("query", ["", "   ", "the of and for with", "x " * 5000])
def test_bad_queries_raise_query_error(service: SearchService, query: str) -> None:
    with pytest.raises(QueryError):
        service.search(query)


def test_limit_and_offset(service: SearchService) -> None:
    first = service.search("neural networks", limit=10)
    second = service.search("neural networks", limit=5, offset=5)
    assert [h.paper.paper_id for h in first[5:]] == [h.paper.paper_id for h in second]
    with pytest.raises(QueryError):
        service.search("neural networks", limit=1001)


def test_similar_papers(service: SearchService) -> None:
    amc = service.search("AMC", limit=1)[0].paper
    near = service.similar(amc.paper_id, limit=5)
    assert len(near) == 5 and amc.paper_id not in {h.paper.paper_id for h in near}
    with pytest.raises(PaperNotFound):
        service.similar("9999.99999")


def test_new_vectors_from_another_process_are_picked_up(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/p.db", data_dir=tmp_path / "d")
    store = open_store(settings.database_url)
    load(store, FIXTURES / "listing_head20.txt", "listing")
    embedder = load_embedder()
    embed_missing(store, embedder)
    reader = SearchService(settings, store, embedder=embedder)
    before = len(reader.search("graph decompositions sparsity", limit=100))
    assert all(h.paper.arxiv_id is None for h in reader.search("graph decompositions", limit=100))
    writer = open_store(settings.database_url)  # another connection pool, as another process
    load(writer, FIXTURES / "arxiv_snapshot_sample.jsonl")
    embed_missing(writer, embedder)
    hits = reader.search("sparsity certifying graph decompositions", limit=3)
    assert hits[0].paper.arxiv_id == "0704.0002" and hits[0].vector_rank == 1
    assert len(reader.search("graph decompositions sparsity", limit=100)) > before
    writer.close()
    store.close()


def test_index_files_are_rebuilt_after_deletion(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/p.db", data_dir=tmp_path / "d", search_hnsw_threshold=10
    )
    store = open_store(settings.database_url)
    load(store, FIXTURES / "listing_head20.txt", "listing")
    embedder = load_embedder()
    embed_missing(store, embedder)
    service = SearchService(settings, store, embedder=embedder)
    service.save_snapshot()
    expected = [h.paper.paper_id for h in service.search("neural networks", limit=5)]
    assert list(service.snapshot_root.rglob("hnsw.usearch"))
    shutil.rmtree(settings.data_dir)
    fresh = SearchService(settings, store, embedder=embedder)
    assert [h.paper.paper_id for h in fresh.search("neural networks", limit=5)] == expected
    assert list(fresh.snapshot_root.rglob("vectors.npy")), "the rebuilt index was saved again"
    store.close()


def test_a_model_change_is_detected(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/p.db", data_dir=tmp_path / "d")
    store = open_store(settings.database_url)
    load(store, FIXTURES / "listing_head20.txt", "listing")
    embed_missing(store, load_embedder())

    class OtherModel:
        model_name = "another-model"
        dimension = 384

        def encode_documents(self, texts):  # type: ignore[no-untyped-def]
            return load_embedder().encode_documents(texts)

        def encode_query(self, text):  # type: ignore[no-untyped-def]
            return load_embedder().encode_query(text)

    with pytest.raises(IncompatibleVectorsError, match=r"rebuild|re-embed"):
        embed_missing(store, OtherModel())
    changed = Settings(**{**settings.model_dump(), "embedding_model": "another-model"})
    service = SearchService(changed, store, embedder=OtherModel())
    hits = service.search("neural networks")
    assert hits and all(h.vector_rank is None for h in hits), "keyword results only"
    assert service.vector_problem and "another-model" in service.vector_problem
    store.close()


def test_cli_search_json_and_queries_file(corpus: tuple[Settings, Store], tmp_path: Path) -> None:
    settings, _ = corpus
    env = {
        **os.environ,
        "PAPERWIRE_DATABASE_URL": settings.database_url,
        "PAPERWIRE_DATA_DIR": str(settings.data_dir),
    }
    queries = tmp_path / "q.txt"
    queries.write_text("AMC\n\nspeculative decoding\nthe of\n")

    def paperwire(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "paperwire.cli", *args],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    done = paperwire("search", "--queries", str(queries), "--json", "--limit", "3")
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["query"] for a in answers] == ["AMC", "speculative decoding", "the of"]
    first = answers[0]["results"][0]
    assert first["title"].startswith("AMC:")
    assert set(first) >= {"id", "source_id", "title", "authors", "categories", "published", "score"}
    assert answers[2]["results"] == [] and "common words" in answers[2]["error"]
    done = paperwire("search", "0704.0002", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["source_id"] == "0704.0002"
    empty = paperwire("search", "")
    assert empty.returncode == 1 and "empty" in empty.stderr


def test_control_characters_never_reach_the_keyword_index(service: SearchService) -> None:
    # A NUL inside a word used to end FTS5's string early ("unterminated string").
    plain = service.search("speculative decoding", limit=3)
    for query in ("speculative\x00 decoding", '"speculative\x1b decoding"', "\x00speculative\x7f"):
        assert service.search(query, limit=3), query
    assert titles(service.search("speculative\x00 decoding", limit=3)) == titles(plain)
