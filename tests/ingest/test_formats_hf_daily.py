import io
import json
from datetime import UTC, datetime
from pathlib import Path

from paperwire.ingest.formats import hf_daily
from paperwire.records import Metric, PaperRecord, RecordError

SAMPLE = Path(__file__).parent.parent / "fixtures" / "hf_daily_2026-11-28.json"


def parse_text(text: str) -> list[PaperRecord | RecordError]:
    return list(hf_daily.parse(io.StringIO(text), "daily.json"))


def test_daily_array() -> None:
    records = parse_text(SAMPLE.read_text(encoding="utf-8"))
    assert len(records) == 12
    assert all(isinstance(r, PaperRecord) for r in records)
    first = records[0]
    assert isinstance(first, PaperRecord)
    assert first.source == "hf-daily"
    assert first.source_id == first.arxiv_id == "2604.03438"
    assert first.title.startswith("Android Instrumentation Testing in Continuous Integration")
    assert first.code_url == "https://github.com/ci-android/instrumentation-testing"
    assert first.metrics == [Metric("upvotes", 102), Metric("github_stars", 887)]
    assert first.abs_url == "https://arxiv.org/abs/2604.03438"
    rest = records[3]
    assert isinstance(rest, PaperRecord)
    assert rest.authors[:2] == ["Zhuoshi Pan", "Qizhi Pei"]
    assert rest.published == datetime(2025, 7, 14, 17, 58, 47, tzinfo=UTC)


def test_missing_metrics_are_omitted() -> None:
    records = parse_text(SAMPLE.read_text(encoding="utf-8"))
    no_stars = records[2]
    no_upvotes = records[5]
    assert isinstance(no_stars, PaperRecord) and isinstance(no_upvotes, PaperRecord)
    assert [m.name for m in no_stars.metrics] == ["upvotes"]
    assert no_stars.code_url is None
    assert no_upvotes.metrics == []


def test_items_one_per_line_and_bad_items() -> None:
    items = json.loads(SAMPLE.read_text(encoding="utf-8"))
    broken = dict(items[1], paper={"id": "2511.02810"})
    lines = [
        json.dumps(items[0]),
        json.dumps(broken),
        json.dumps(items[2])[:50],
        json.dumps(items[2]),
    ]
    records = parse_text("\n".join(lines) + "\n")
    assert isinstance(records[0], PaperRecord)
    assert isinstance(records[1], PaperRecord)  # the item's own title stands in
    assert isinstance(records[2], RecordError) and records[2].line == 3
    assert isinstance(records[3], PaperRecord) and records[3].arxiv_id == "2509.24242"


def test_array_with_a_bad_item() -> None:
    records = parse_text(json.dumps([{"paper": {"title": "no id"}}, "text"]))
    assert [type(r) for r in records] == [RecordError, RecordError]
    assert "paper.id" in records[0].reason  # type: ignore[union-attr]


def test_array_items_are_reported_by_number_and_line() -> None:
    items = json.loads(SAMPLE.read_text(encoding="utf-8"))
    text = json.dumps([items[0], {"paper": {"title": "no id"}}, items[2]], indent=1)
    records = parse_text("\n\n" + text)
    error = records[1]
    assert isinstance(error, RecordError) and error.reason.startswith("item 2: ")
    assert (
        error.line == 2 + text[: text.index('{\n  "paper": {\n   "title": "no id"')].count("\n") + 1
    )
    broken = parse_text(text[:-200])
    assert [type(r) for r in broken] == [PaperRecord, RecordError, RecordError]
    assert broken[2].unreadable and "nothing from there on" in broken[2].reason  # type: ignore[union-attr]
