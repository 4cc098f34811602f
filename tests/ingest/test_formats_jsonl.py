import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from paperwire.ingest.formats import arxiv_snapshot, jsonl
from paperwire.ingest.formats.jsonl import record_from_json, record_to_json
from paperwire.records import Metric, PaperRecord, RecordError, Version

SNAPSHOT = Path(__file__).parent.parent / "fixtures" / "arxiv_snapshot_sample.jsonl"


def full_record() -> PaperRecord:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    return PaperRecord(
        source="hf-daily",
        title="Täst title",
        abstract="An abstract.",
        source_id="2401.01234",
        arxiv_id="2401.01234",
        authors=["A. Author", "B. Author"],
        categories=["cs.LG", "cs.CL"],
        published=when,
        updated=when + timedelta(days=3),
        doi="10.1000/xyz",
        journal_ref="J. Foo 1 (2024)",
        comments="10 pages",
        license="http://creativecommons.org/licenses/by/4.0/",
        abs_url="https://arxiv.org/abs/2401.01234",
        pdf_url="https://arxiv.org/pdf/2401.01234",
        code_url="https://github.com/a/b",
        versions=[Version(1, when, "10kb"), Version(2, None)],
        metrics=[Metric("upvotes", 12), Metric("github_stars", 3)],
        withdrawn=True,
        paper_id="abcdefghij",
        first_seen=when,
        last_updated=when,
        extra_sources=[("arxiv", "2401.01234"), ("beir", "77")],
    )


def test_round_trip_every_field() -> None:
    record = full_record()
    obj = record_to_json(record)
    assert obj["format"] == "paperwire/1"
    line = json.dumps(obj)
    assert record_from_json(json.loads(line)) == record


def test_round_trip_real_records_through_parse() -> None:
    with SNAPSHOT.open(encoding="utf-8") as stream:
        records = list(arxiv_snapshot.parse(stream, "s"))
    text = "".join(json.dumps(record_to_json(r)) + "\n" for r in records)  # type: ignore[arg-type]
    assert list(jsonl.parse(io.StringIO(text), "export.jsonl")) == records


def test_offsets_become_utc() -> None:
    obj = record_to_json(full_record())
    obj["published"] = "2024-01-02T05:04:05+02:00"
    record = record_from_json(obj)
    assert record.published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert record.published.tzinfo == UTC


def test_bad_lines() -> None:
    good = json.dumps(record_to_json(full_record()))
    no_marker = json.dumps({"title": "x", "source": "listing"})
    no_title = json.dumps({"format": "paperwire/1", "source": "listing"})
    bad_date = json.dumps(dict(record_to_json(full_record()), published="yesterday"))
    future = json.dumps({"format": "paperwire/9", "source": "listing", "title": "x"})
    lines = [good[:-10], no_marker, no_title, bad_date, future, good]
    items = list(jsonl.parse(io.StringIO("\n".join(lines)), "e.jsonl"))
    errors = items[:5]
    assert all(isinstance(e, RecordError) for e in errors)
    assert [e.line for e in errors] == [1, 2, 3, 4, 5]  # type: ignore[union-attr]
    reasons = [e.reason for e in errors]  # type: ignore[union-attr]
    assert "invalid JSON" in reasons[0]
    assert "not a paperwire record" in reasons[1]
    assert "missing required field 'title'" in reasons[2]
    assert "'published'" in reasons[3]
    assert "paperwire/9" in reasons[4]
    assert items[5] == full_record()


def test_ids_are_checked_and_arxiv_ids_made_canonical() -> None:
    obj = record_to_json(full_record())
    assert record_from_json(dict(obj, arxiv_id="arXiv:2401.01234v3")).arxiv_id == "2401.01234"
    assert record_from_json(dict(obj, arxiv_id="", paper_id=None)).arxiv_id is None
    for name, value in (
        ("paper_id", "../logout?x="),
        ("paper_id", "ABCDEFGHIJ"),
        ("paper_id", "abcdefghij\n"),
        ("arxiv_id", "2401.01234/../../x"),
        ("arxiv_id", "x" * 500),
    ):
        try:
            record_from_json(dict(obj, **{name: value}))
        except ValueError as error:
            assert repr(name) in str(error) and len(str(error)) < 200
        else:
            raise AssertionError(f"{name}={value!r} was accepted")
