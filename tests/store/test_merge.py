"""The identity and merge rules, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

from paperwire.records import PaperRecord, Version
from paperwire.store.merge import identity_keys, merge_values, new_paper_id, new_paper_values

NOW = datetime(2026, 11, 29, 12, 0)


def test_records_with_an_id_never_match_by_title() -> None:
    beir = PaperRecord(source="beir", source_id="4983", title="Summary")
    keys = identity_keys(beir)
    assert keys.source_keys == (("beir", "4983"),)
    assert keys.title_key is None


def test_idless_records_match_by_normalised_title() -> None:
    keys = identity_keys(PaperRecord(source="listing", title="AMC:  AutoML for Model Compression"))
    assert keys.title_key == "amc automl for model compression"
    assert not keys.has_id


def test_paper_id_is_derived_from_the_arxiv_id_whatever_the_source() -> None:
    from_snapshot = PaperRecord(
        source="arxiv", source_id="0704.0001", arxiv_id="0704.0001", title="A"
    )
    from_hf = PaperRecord(source="hf-daily", source_id="0704.0001", arxiv_id="0704.0001", title="B")
    first = new_paper_id(identity_keys(from_snapshot), from_snapshot)
    assert first == new_paper_id(identity_keys(from_hf), from_hf)
    assert len(first) == 10 and first.isalnum() and first.islower()


def _stored(record: PaperRecord) -> dict[str, object]:
    return new_paper_values(record, "abcdefghij", NOW)


def test_newer_values_overwrite_and_empty_ones_do_not() -> None:
    stored = _stored(
        PaperRecord(source="arxiv", arxiv_id="1", title="Old", abstract="Kept", doi="10.1/X")
    )
    update = PaperRecord(
        source="hf-daily", arxiv_id="1", title="New", abstract="", code_url="https://g/x"
    )
    changes = merge_values(stored, update, stored_latest_version=None)
    assert changes["title"] == "New"
    assert changes["title_key"] == "new"
    assert changes["code_url"] == "https://g/x"
    assert "abstract" not in changes and "doi" not in changes


def test_an_older_version_only_fills_gaps() -> None:
    stored = _stored(PaperRecord(source="arxiv", arxiv_id="1", title="v3 title"))
    older = PaperRecord(
        source="arxiv", arxiv_id="1", title="v1 title", journal_ref="J. 1", versions=[Version(1)]
    )
    changes = merge_values(stored, older, stored_latest_version=3)
    assert "title" not in changes
    assert changes["journal_ref"] == "J. 1"


def test_title_matches_fill_only() -> None:
    stored = _stored(PaperRecord(source="arxiv", arxiv_id="1", title="T", abstract="Full abstract"))
    listing = PaperRecord(source="listing", title="T", abstract="Listing abstract")
    assert merge_values(stored, listing, stored_latest_version=None, fill_only=True) == {}


def test_published_keeps_the_earliest_date() -> None:
    early = datetime(2020, 1, 1, tzinfo=UTC)
    stored = _stored(PaperRecord(source="arxiv", arxiv_id="1", title="T", published=early))
    later = PaperRecord(
        source="x", arxiv_id="1", title="T", published=datetime(2021, 1, 1, tzinfo=UTC)
    )
    assert "published" not in merge_values(stored, later, stored_latest_version=None)


def test_merging_the_same_record_changes_nothing() -> None:
    record = PaperRecord(
        source="arxiv",
        arxiv_id="1",
        title="T",
        authors=["A"],
        categories=["cs.LG"],
        published=datetime(2020, 1, 1, tzinfo=UTC),
        versions=[Version(1)],
    )
    assert merge_values(_stored(record), record, stored_latest_version=1) == {}
