"""The SQLite store against real samples: dedupe, idempotence, lookups, filters, backup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperwire.ingest.pipeline import ingest_records
from paperwire.ingest.reader import read_records
from paperwire.records import Metric, PaperRecord, Version
from paperwire.store.base import PaperNotFound, Store
from paperwire.store.models import PaperFilter
from paperwire.store.open import open_store
from paperwire.store.sqlite.backup import restore_sqlite
from paperwire.store.sqlite.engine import PAGE_SIZE


def ingest(store: Store, path: Path, fmt: str = "auto"):  # type: ignore[no-untyped-def]
    return ingest_records(store, read_records(str(path), fmt), batch_size=7)


def fts_count(store: Store, query: str) -> int:
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.exec_driver_sql(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (query,)
        ).scalar_one()


def test_ingesting_twice_changes_nothing(store: Store, fixtures: Path) -> None:
    first = ingest(store, fixtures / "arxiv_snapshot_sample.jsonl")
    assert first.inserted == 44 and first.skipped == 0
    before = [(p.paper_id, p.last_updated) for p in store.papers.iterate()]
    second = ingest(store, fixtures / "arxiv_snapshot_sample.jsonl")
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 44)
    assert [(p.paper_id, p.last_updated) for p in store.papers.iterate()] == before


def test_same_arxiv_paper_from_three_sources_is_one_paper(store: Store, fixtures: Path) -> None:
    ingest(store, fixtures / "atom" / "2026_q_testing_s0_m10.xml")
    ingest(store, fixtures / "hf_daily_2026-11-28.json")
    hf_ids = {r.arxiv_id for r in read_records(str(fixtures / "hf_daily_2026-11-28.json"))}
    atom_ids = {
        r.arxiv_id for r in read_records(str(fixtures / "atom" / "2026_q_testing_s0_m10.xml"))
    }
    assert store.papers.count() == len(hf_ids | atom_ids)
    shared = sorted(hf_ids & atom_ids)
    assert shared, "the HF fixture reuses papers of the Atom sample"
    paper = store.papers.get(shared[0])
    assert {source for source, _ in paper.sources} == {"arxiv", "hf-daily"}


def test_metrics_are_snapshots_not_sums(store: Store) -> None:
    def hf(upvotes: int) -> PaperRecord:
        return PaperRecord(
            source="hf-daily",
            source_id="2401.00001",
            arxiv_id="2401.00001",
            title="T",
            metrics=[Metric("upvotes", upvotes)],
        )

    store.papers.upsert([hf(10)])
    store.papers.upsert([hf(10)])
    assert store.papers.get("2401.00001").metric("upvotes") == 10
    store.papers.upsert([hf(25)])
    assert store.papers.get("2401.00001").metric("upvotes") == 25


def test_documents_sharing_a_title_stay_distinct(store: Store) -> None:
    records = [PaperRecord(source="beir", source_id=str(n), title="Summary") for n in range(3)]
    records += [PaperRecord(source="beir", source_id="9", title="Corresponding author")] * 2
    result = store.papers.upsert(records)
    assert (result.inserted, result.unchanged) == (4, 1)
    assert store.papers.count() == 4


def test_new_version_updates_and_keeps_history(store: Store) -> None:
    v1 = datetime(2024, 1, 2, tzinfo=UTC)
    store.papers.upsert(
        [
            PaperRecord(
                source="arxiv",
                arxiv_id="2401.00002",
                source_id="2401.00002",
                title="First title",
                versions=[Version(1, v1)],
                published=v1,
            )
        ]
    )
    store.papers.upsert(
        [
            PaperRecord(
                source="arxiv",
                arxiv_id="2401.00002",
                source_id="2401.00002",
                title="Second title",
                versions=[Version(1, v1), Version(2, datetime(2024, 3, 1, tzinfo=UTC))],
            )
        ]
    )
    paper = store.papers.get("2401.00002v1")
    assert paper.title == "Second title"
    assert [v.number for v in paper.versions] == [1, 2]
    assert fts_count(store, "second") == 1 and fts_count(store, "first") == 0


def test_lookup_by_paper_id_arxiv_id_old_style_and_source_id(store: Store, fixtures: Path) -> None:
    ingest(store, fixtures / "atom" / "2026_id_astro-ph_0601001.xml")
    ingest(store, fixtures / "beir_scifact_corpus_head20.jsonl")
    old_style = store.papers.get("astro-ph/0601001")
    assert old_style.arxiv_id == "astro-ph/0601001"
    assert store.papers.get(old_style.paper_id).arxiv_id == "astro-ph/0601001"
    assert store.papers.get("arXiv:astro-ph/0601001v1").paper_id == old_style.paper_id
    assert store.papers.get("4983").source_id == "4983"
    with pytest.raises(PaperNotFound, match="no paper with id"):
        store.papers.get("9999.99999")


def test_list_filters_and_order(store: Store, fixtures: Path) -> None:
    ingest(store, fixtures / "arxiv_snapshot_sample.jsonl")
    ingest(store, fixtures / "listing_head20.txt")
    newest = store.papers.newest(limit=200)
    dates = [p.published or p.first_seen for p in newest]
    assert dates == sorted(dates, reverse=True)
    in_math = store.papers.newest(PaperFilter(category="math.CO"), limit=200)
    assert in_math and all("math.CO" in p.categories for p in in_math)
    day = store.papers.newest(
        PaperFilter(since=date(2007, 4, 1), until=date(2007, 4, 1)), limit=200
    )
    assert day and all(p.published.date() == date(2007, 4, 1) for p in day)
    by_author = store.papers.newest(PaperFilter(author="balázs"), limit=200)
    assert by_author and all(any("Balázs" in a for a in p.authors) for p in by_author)


def test_filter_row_ids_within_a_set(store: Store, fixtures: Path) -> None:
    ingest(store, fixtures / "arxiv_snapshot_sample.jsonl")
    everyone = [p.row_id for p in store.papers.newest(limit=200)]
    half = everyone[::2]
    for selection in (
        PaperFilter(category="math.CO"),  # answered from the category index alone
        PaperFilter(category="math.CO", since=date(2007, 4, 2)),
        PaperFilter(since=date(2007, 4, 2)),
    ):
        selected = set(store.papers.filter_row_ids(selection))
        assert selected and selected != set(everyone)
        assert set(store.papers.filter_row_ids(selection, within=half)) == selected & set(half)
        assert store.papers.filter_row_ids(selection, within=[]) == []
    assert sorted(store.papers.filter_row_ids(PaperFilter(), within=half)) == sorted(half)


def test_stats_counts(store: Store, fixtures: Path) -> None:
    ingest(store, fixtures / "arxiv_snapshot_sample.jsonl")
    ingest(store, fixtures / "beir_scifact_corpus_head20.jsonl")
    stats = store.papers.stats()
    assert stats["papers"] == 64
    assert stats["by_source"] == {"arxiv": 44, "beir": 20}
    assert sum(stats["by_month"].values()) == 64  # type: ignore[union-attr]


def test_backup_is_a_consistent_copy_and_restores(
    store: Store, fixtures: Path, tmp_path: Path
) -> None:
    ingest(store, fixtures / "arxiv_snapshot_sample.jsonl")
    copy = tmp_path / "backup" / "copy.db"
    assert store.backup(copy) == 44
    with pytest.raises(FileExistsError):
        store.backup(copy)
    ingest(store, fixtures / "beir_scifact_corpus_head20.jsonl")
    assert store.papers.count() == 64
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 44
    restore_sqlite(copy, store.url)
    assert store.papers.count() == 44
    assert fts_count(store, "quantum") > 0


@pytest.mark.parametrize(("backup_pages", "store_pages"), [(4096, PAGE_SIZE), (PAGE_SIZE, 4096)])
def test_restore_works_across_page_sizes(
    tmp_path: Path, fixtures: Path, backup_pages: int, store_pages: int
) -> None:
    def store_with_pages(name: str, page_size: int) -> Store:
        made = sqlite3.connect(tmp_path / name)
        made.execute(f"PRAGMA page_size={page_size}")
        made.execute("PRAGMA journal_mode=WAL")
        made.close()
        return open_store(f"sqlite:///{tmp_path / name}")

    old = store_with_pages("old.db", backup_pages)
    ingest(old, fixtures / "arxiv_snapshot_sample.jsonl")
    old.backup(tmp_path / "backup.db")
    old.close()
    current = store_with_pages("current.db", store_pages)
    ingest(current, fixtures / "beir_scifact_corpus_head20.jsonl")
    current.close()
    restore_sqlite(tmp_path / "backup.db", current.url)
    restored = open_store(current.url)
    assert restored.papers.count() == 44
    assert fts_count(restored, "quantum") > 0
    with restored.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.exec_driver_sql("PRAGMA page_size").scalar_one() == backup_pages
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"


def test_restore_refuses_a_file_that_is_not_a_store(store: Store, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ValueError, match=r"not a SQLite database|integrity"):
        restore_sqlite(junk, store.url)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ValueError, match="not a paperwire store"):
        restore_sqlite(other, store.url)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(store: Store) -> None:
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_a_new_store_has_large_pages_and_an_old_one_keeps_its_own(
    tmp_path: Path, fixtures: Path
) -> None:
    new = open_store(f"sqlite:///{tmp_path}/new.db")
    with new.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.exec_driver_sql("PRAGMA page_size").scalar_one() == PAGE_SIZE
    old_file = tmp_path / "old.db"
    made_before = sqlite3.connect(old_file)
    made_before.execute("PRAGMA page_size=4096")
    made_before.execute("PRAGMA journal_mode=WAL")
    made_before.execute("CREATE TABLE unrelated (x)")
    made_before.close()
    old = open_store(f"sqlite:///{old_file}")
    ingest(old, fixtures / "arxiv_snapshot_sample.jsonl")
    with old.engine.connect() as conn:  # type: ignore[attr-defined]
        assert conn.exec_driver_sql("PRAGMA page_size").scalar_one() == 4096
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
    assert old.papers.count() == 44


def test_reopening_an_existing_store_keeps_its_papers(database_url: str, fixtures: Path) -> None:
    first = open_store(database_url)
    ingest(first, fixtures / "listing_head20.txt")
    first.close()
    again = open_store(database_url)
    assert again.papers.count() == 20
    again.close()
