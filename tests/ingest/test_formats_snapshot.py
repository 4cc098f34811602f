import io
import json
from datetime import UTC, datetime
from pathlib import Path

from paperwire.ingest.formats import arxiv_snapshot
from paperwire.records import PaperRecord, RecordError, Version

SAMPLE = Path(__file__).parent.parent / "fixtures" / "arxiv_snapshot_sample.jsonl"


def parse_text(text: str) -> list[PaperRecord | RecordError]:
    return list(arxiv_snapshot.parse(io.StringIO(text), "snap.jsonl"))


def by_id() -> dict[str, PaperRecord]:
    with SAMPLE.open(encoding="utf-8") as stream:
        records = list(arxiv_snapshot.parse(stream, str(SAMPLE)))
    assert all(isinstance(r, PaperRecord) for r in records)
    return {r.arxiv_id: r for r in records}  # type: ignore[union-attr]


def test_sample_reads_completely() -> None:
    assert len(by_id()) == 44


def test_first_record_fields() -> None:
    record = by_id()["0704.0001"]
    assert record.source == "arxiv" and record.source_id == "0704.0001"
    assert record.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert record.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]
    assert record.versions == [
        Version(1, datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)),
        Version(2, datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)),
    ]
    assert record.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert record.updated == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert record.categories == ["hep-ph"]
    assert record.doi == "10.1103/physrevd.76.013009"
    assert record.journal_ref == "Phys.Rev.D76:013009,2007"
    assert record.abs_url == "https://arxiv.org/abs/0704.0001"
    assert record.pdf_url == "https://arxiv.org/pdf/0704.0001"
    assert record.abstract.startswith("A fully differential calculation in perturbative")
    assert "\n" not in record.abstract and "  " not in record.abstract


def test_categories_primary_first_and_tex_accents() -> None:
    records = by_id()
    assert records["0704.0002"].categories == ["math.CO", "cs.CG"]
    assert records["0704.0073"].title == "A transcendental approach to Kollár's injectivity theorem"
    assert records["0704.0062"].authors == ["Rastislav Šrámek", "Broňa Brejová", "Tomáš Vinař"]
    assert records["0704.0049"].authors == ["Mikkel Øbro"]


def test_withdrawn_comment_marks_record() -> None:
    records = by_id()
    assert records["0704.0156"].withdrawn
    assert not records["0704.0001"].withdrawn


def test_bad_lines_become_errors_and_parsing_goes_on() -> None:
    good = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
    no_title = json.dumps({"id": "0704.9999", "abstract": "x"})
    wrong_type = json.dumps({"id": "0704.9998", "title": ["not", "a", "string"]})
    text = "\n".join([good[:200], no_title, wrong_type, "[1, 2]", good]) + "\n"
    records = parse_text(text)
    assert [type(r).__name__ for r in records] == ["RecordError"] * 4 + ["PaperRecord"]
    assert records[0].line == 1 and "invalid JSON" in records[0].reason  # type: ignore[union-attr]
    assert records[1] == RecordError("snap.jsonl", 2, "missing required field 'title'")
    assert records[2].line == 3 and "'title' should be a string" in records[2].reason  # type: ignore[union-attr]
    assert records[3].line == 4


def test_old_style_id_and_missing_authors_parsed() -> None:
    line = json.dumps(
        {
            "id": "astro-ph/0601001",
            "authors": "Andrew Gould, Susan Dorsher and B. Scott Gaudi (CfA)",
            "title": "Frequency of Hot Jupiters",
            "categories": "astro-ph",
            "versions": [{"version": "v1", "created": "Mon, 2 Jan 2006 14:57:58 GMT"}],
            "update_date": "2009-11-13",
        }
    )
    [record] = parse_text(line)
    assert isinstance(record, PaperRecord)
    assert record.arxiv_id == "astro-ph/0601001"
    assert record.abs_url == "https://arxiv.org/abs/astro-ph/0601001"
    assert record.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi"]
    assert record.published == datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC)
