import io
import json
from pathlib import Path

from paperwire.ingest.formats import beir
from paperwire.records import PaperRecord, RecordError

SAMPLE = Path(__file__).parent.parent / "fixtures" / "beir_scifact_corpus_head20.jsonl"


def parse_text(text: str) -> list[PaperRecord | RecordError]:
    return list(beir.parse(io.StringIO(text), "corpus.jsonl"))


def test_scifact_sample() -> None:
    records = parse_text(SAMPLE.read_text(encoding="utf-8"))
    assert len(records) == 20
    first = records[0]
    assert isinstance(first, PaperRecord)
    assert first.source == "beir" and first.source_id == "4983"
    assert first.title.startswith("Microstructural development of human newborn cerebral white")
    assert first.abstract.startswith("Alterations of the architecture of cerebral white matter")
    assert first.arxiv_id is None


def test_empty_title_is_cut_from_text() -> None:
    text = "word " * 60
    [record] = parse_text(json.dumps({"_id": "t1", "title": "", "text": text, "metadata": {}}))
    assert isinstance(record, PaperRecord)
    assert record.title.endswith("…") and len(record.title) <= 101
    assert record.abstract == text.strip()


def test_bad_records() -> None:
    lines = [
        json.dumps({"_id": "a", "title": "", "text": ""}),
        json.dumps({"title": "no id", "text": "x"}),
        json.dumps({"_id": "b", "title": 3, "text": "x"}),
        '{"_id": "c", "title": "trunc',
        json.dumps({"_id": 7, "title": "numeric id", "text": "x"}),
    ]
    records = parse_text("\n".join(lines))
    assert [r.line for r in records[:4]] == [1, 2, 3, 4]  # type: ignore[union-attr]
    assert "both 'title' and 'text' are empty" in records[0].reason  # type: ignore[union-attr]
    assert isinstance(records[4], PaperRecord) and records[4].source_id == "7"
