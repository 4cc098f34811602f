"""Rows prepared ahead (the fast path of large ingests) store exactly what records do."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

from paperwire.ingest.reader import read_records
from paperwire.records import Metric, PaperRecord, Version
from paperwire.store.base import Store
from paperwire.store.merge import identity_keys
from paperwire.store.models import UpsertResult
from paperwire.store.open import open_store
from paperwire.store.sqlite.rows import as_record, prepare

FROZEN = datetime(2026, 11, 30, 12, 0, 0, 123456)
PAPER_TABLES = ("papers", "paper_categories", "paper_versions", "paper_sources", "paper_metrics")
SAMPLES = [
    "arxiv-metadata-oai-snapshot.head200.jsonl",
    "arxiv_snapshot_sample.jsonl",
    "beir_scifact_corpus_head20.jsonl",
    "hf_daily_2026-11-28.json",
    "listing_head20.txt",
    "oai/ListRecordsResponse.xml",
    "oai/arxiv-physics-hep-ex.xml",
    "atom/2026_q_testing_s0_m10.xml",
    "atom/2026_id_astro-ph_0601001.xml",
]


def _records(fixtures: Path) -> list[PaperRecord]:
    records = [
        item
        for name in SAMPLES
        for item in read_records(str(fixtures / name))
        if isinstance(item, PaperRecord)
    ]
    records += [
        # Two records of one paper in the same batch, a deletion notice, an export.
        PaperRecord(source="arxiv", title="Twice", arxiv_id="2611.00001", source_id="2611.00001"),
        PaperRecord(
            source="hf-daily",
            title="Twice",
            arxiv_id="2611.00001",
            metrics=[Metric("upvotes", 7)],
            versions=[Version(2, datetime(2026, 11, 2))],
        ),
        PaperRecord(source="arxiv", title="", arxiv_id="2611.00002", withdrawn=True),
        PaperRecord(
            source="paperwire",
            title="Exported",
            paper_id="abcdefghij",
            first_seen=datetime(2020, 1, 2, 3, 4, 5),
            last_updated=datetime(2021, 1, 2, 3, 4, 5),
            extra_sources=[("beir", "77")],
            metrics=[Metric("github_stars", 3, source="hf-daily")],
        ),
    ]
    return records


def _contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the paper tables, with row ids replaced by paper ids."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
        paper_id = dict(conn.exec_driver_sql("SELECT id, paper_id FROM papers").all())
        tables = {}
        for table in PAPER_TABLES:
            key = "id" if table == "papers" else "paper_id"
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").mappings()
            tables[table] = sorted(
                (tuple(sorted({**row, key: paper_id[row[key]]}.items())) for row in rows), key=repr
            )
        tables["read order"] = [paper_id[row_id] for row_id in sorted(paper_id)]
        tables["matches"] = sorted(
            paper_id[rowid]
            for (rowid,) in conn.exec_driver_sql(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?",
                ('learning OR model OR "dark matter"',),
            )
        )
    return tables


def _fill(
    url: str, batches: list[list[PaperRecord]], *, prepared: bool
) -> tuple[Store, list[UpsertResult]]:
    store = open_store(url)
    results = [
        store.papers.upsert([prepare(record) for record in batch] if prepared else batch)
        for batch in batches
    ]
    return store, results


def _assert_same_on_both_paths(tmp_path: Path, batches: list[list[PaperRecord]]) -> None:
    general, general_results = _fill(f"sqlite:///{tmp_path}/general.db", batches, prepared=False)
    fast, fast_results = _fill(f"sqlite:///{tmp_path}/fast.db", batches, prepared=True)
    assert fast_results == general_results
    assert _contents(fast) == _contents(general)


@pytest.mark.parametrize("batch_size", [7, 1000])
def test_prepared_rows_store_what_records_store(
    tmp_path: Path, fixtures: Path, monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    monkeypatch.setattr("paperwire.store.sql.papers.utcnow", lambda: FROZEN)
    records = _records(fixtures)
    # Shuffled and ingested twice, so records meet stored papers and each other in batches.
    shuffled = records[:]
    random.Random(4).shuffle(shuffled)
    stream = records + shuffled
    batches = [stream[i : i + batch_size] for i in range(0, len(stream), batch_size)]
    _assert_same_on_both_paths(tmp_path, batches)
    store = open_store(f"sqlite:///{tmp_path}/fast.db")
    assert store.papers.count() > 250
    assert _contents(store)["matches"]


TITLE = "Attention Is All You Need"
SCENARIOS = {
    # Ids follow the order records are read, so a later title match finds the same paper.
    "row ids in reading order": [
        [
            PaperRecord(source="listing", title=TITLE),
            PaperRecord(source="arxiv", title=TITLE, arxiv_id="1706.03762"),
            PaperRecord(
                source="hf-daily", title=TITLE, arxiv_id="1706.03762", metrics=[Metric("up", 1)]
            ),
        ],
        [PaperRecord(source="listing", title=TITLE, abstract="The dominant models...")],
    ],
    # Two papers of one batch claim a source id: the stored one keeps it.
    "a source id claimed twice": [
        [PaperRecord(source="arxiv", title="Stored", arxiv_id="2401.00001")],
        [
            PaperRecord(source="beir", title="A BEIR doc", source_id="s1"),
            PaperRecord(
                source="paperwire",
                title="Stored",
                arxiv_id="2401.00001",
                extra_sources=[("beir", "s1")],
            ),
        ],
    ],
    "a DOI with a prefix and spaces, twice": [
        [PaperRecord(source="beir", title="D", source_id="d1", doi="doi: 10.1234/ABC")],
        [PaperRecord(source="beir", title="D", source_id="d1", doi="doi: 10.1234/ABC")],
    ],
    "a metric given twice in one record": [
        [
            PaperRecord(
                source="hf-daily", title="M", arxiv_id="2401.00002", metrics=[Metric("up", 5)]
            )
        ],
        [
            PaperRecord(
                source="hf-daily",
                title="M",
                arxiv_id="2401.00002",
                metrics=[Metric("up", 3), Metric("up", 5)],
            )
        ],
    ],
}


@pytest.mark.parametrize("name", SCENARIOS)
def test_edge_cases_store_the_same_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr("paperwire.store.sql.papers.utcnow", lambda: FROZEN)
    _assert_same_on_both_paths(tmp_path, SCENARIOS[name])


def test_a_new_paper_matched_later_in_its_batch_takes_both_records(store: Store) -> None:
    first = PaperRecord(source="arxiv", title="First", arxiv_id="2611.00003", categories=["cs.LG"])
    second = PaperRecord(
        source="hf-daily", title="First", arxiv_id="2611.00003", metrics=[Metric("upvotes", 5)]
    )
    result = store.papers.upsert([prepare(first), prepare(second)])
    assert (result.inserted, result.updated) == (1, 1)
    paper = store.papers.get("2611.00003")
    assert paper.categories == ["cs.LG"]
    assert paper.metrics == {("hf-daily", "upvotes"): 5}


def test_a_deletion_notice_is_never_prepared() -> None:
    notice = PaperRecord(source="arxiv", title="", arxiv_id="2611.00002", withdrawn=True)
    assert prepare(notice) is notice


def test_rows_turn_back_into_a_record_that_prepares_the_same(fixtures: Path) -> None:
    for record in _records(fixtures):
        rows = prepare(record)
        if isinstance(rows, PaperRecord):
            continue
        again = as_record(rows)
        assert identity_keys(again) == identity_keys(record)
        assert prepare(again) == rows
