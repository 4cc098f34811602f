import io
from importlib.resources import files
from pathlib import Path

from paperwire.ingest.formats import listing
from paperwire.records import PaperRecord, RecordError

FIXTURES = Path(__file__).parent.parent / "fixtures"


def parse_text(text: str) -> list[PaperRecord | RecordError]:
    return list(listing.parse(io.StringIO(text), "mem.txt"))


def test_bundled_demo_listing_has_119_papers() -> None:
    demo = files("paperwire") / "demo" / "ml-papers-119.listing.txt"
    records = parse_text(demo.read_text(encoding="utf-8"))
    assert len(records) == 119
    assert all(isinstance(r, PaperRecord) for r in records)
    first = records[0]
    assert first.title == "AMC: AutoML for Model Compression and Acceleration on Mobile Devices"
    assert first.abstract.startswith("Model compression is a critical technique")
    assert first.source == "listing"
    assert first.source_id is None and first.arxiv_id is None


def test_fixture_pairs_and_blank_lines_between_them() -> None:
    lines = (FIXTURES / "listing_head20.txt").read_text(encoding="utf-8").splitlines()
    assert len(parse_text("\n".join(lines))) == 20
    spaced = parse_text("\n\n".join(lines) + "\n\n")
    assert [r.title for r in spaced] == [r.title for r in parse_text("\n".join(lines))]


def test_trailing_title_without_abstract_is_an_error() -> None:
    records = parse_text("Title one\nAbstract one\n\nLonely title\n")
    assert isinstance(records[0], PaperRecord)
    assert records[1] == RecordError("mem.txt", 4, "title line with no abstract line after it")


def test_whitespace_is_collapsed() -> None:
    [record] = parse_text("  A   title\t here \r\nAn  abstract.\r\n")
    assert (record.title, record.abstract) == ("A title here", "An abstract.")
