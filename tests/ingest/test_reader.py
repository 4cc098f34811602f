import gzip
import shutil
from pathlib import Path

import pytest

from paperwire.ingest.formats import FORMATS
from paperwire.ingest.reader import detect_format, open_text, read_records
from paperwire.records import PaperRecord, RecordError, UnreadableInput

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_registry_names() -> None:
    assert set(FORMATS) == {
        "listing",
        "jsonl",
        "arxiv-snapshot",
        "beir",
        "hf-daily",
        "arxiv-atom",
        "oai-pmh",
    }


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("listing_head20.txt", "listing"),
        ("arxiv_snapshot_sample.jsonl", "arxiv-snapshot"),
        ("beir_scifact_corpus_head20.jsonl", "beir"),
        ("hf_daily_2026-11-28.json", "hf-daily"),
        ("atom/2026_q_testing_s0_m10.xml", "arxiv-atom"),
        ("atom/2016_id_list_1111.2011v2.xml", "arxiv-atom"),
        ("oai/ListRecordsResponse.xml", "oai-pmh"),
        ("oai/ErrorResponseBadVerb.xml", "oai-pmh"),
        ("oai/sample_arxiv_record0.xml", "oai-pmh"),
    ],
)
def test_detect_by_content(name: str, fmt: str, tmp_path: Path) -> None:
    assert detect_format(str(FIXTURES / name)) == fmt
    disguised = tmp_path / "input.dat"
    shutil.copy(FIXTURES / name, disguised)
    assert detect_format(str(disguised)) == fmt


def test_detect_hf_lines_and_paperwire_jsonl(tmp_path: Path) -> None:
    lines = tmp_path / "hf.jsonl"
    lines.write_text('{"paper": {"id": "2401.00001", "title": "T"}}\n', encoding="utf-8")
    assert detect_format(str(lines)) == "hf-daily"
    own = tmp_path / "own.jsonl"
    own.write_text('{"format": "paperwire/1", "_id": "x", "text": "t"}\n', encoding="utf-8")
    assert detect_format(str(own)) == "jsonl"


def test_detect_skips_a_truncated_first_line(tmp_path: Path) -> None:
    sample = (FIXTURES / "arxiv_snapshot_sample.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "s.jsonl"
    path.write_text(sample[0][:100] + "\n" + "\n".join(sample[1:3]) + "\n", encoding="utf-8")
    assert detect_format(str(path)) == "arxiv-snapshot"


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "snapshot.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "arxiv_snapshot_sample.jsonl").read_bytes()))
    assert detect_format(str(path)) == "arxiv-snapshot"
    records = list(read_records(str(path)))
    assert len(records) == 44 and all(isinstance(r, PaperRecord) for r in records)


def test_gzip_xml(tmp_path: Path) -> None:
    path = tmp_path / "page"
    path.write_bytes(gzip.compress((FIXTURES / "oai" / "ListRecordsResponse.xml").read_bytes()))
    assert detect_format(str(path)) == "oai-pmh"
    assert sum(isinstance(r, PaperRecord) for r in read_records(str(path))) == 6


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress((FIXTURES / "beir_scifact_corpus_head20.jsonl").read_bytes())
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableInput, match="corrupt or truncated gzip"):
        list(read_records(str(path), "beir"))


def test_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfA title\nAn abstract\n")
    assert detect_format(str(path)) == "listing"
    [record] = list(read_records(str(path)))
    assert isinstance(record, PaperRecord) and record.title == "A title"


def test_missing_file() -> None:
    with pytest.raises(UnreadableInput, match="no such file"):
        open_text("/nonexistent/file.jsonl")
    with pytest.raises(UnreadableInput, match="no such file"):
        list(read_records("/nonexistent/file.jsonl"))


def test_empty_and_blank_files(tmp_path: Path) -> None:
    for content in (b"", b"\n  \n\t\n"):
        path = tmp_path / "empty.txt"
        path.write_bytes(content)
        with pytest.raises(UnreadableInput, match="empty file"):
            detect_format(str(path))


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(UnreadableInput, match=r"binary file \(NUL byte at offset 8\)"):
        detect_format(str(path))
    with pytest.raises(UnreadableInput, match="binary file"):
        open_text(str(path))


def test_a_line_that_is_not_utf8_is_skipped_with_its_pair(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    head = b"A title\nAn abstract\n"
    path.write_bytes(head + "Café au lait\nAbstract\nLast\nIts abstract\n".encode("latin-1"))
    items = list(read_records(str(path), "listing"))
    assert [type(item) for item in items] == [PaperRecord, RecordError, RecordError, PaperRecord]
    lost, pair = items[1], items[2]
    assert isinstance(lost, RecordError) and lost.unreadable and lost.line == 3
    assert "byte 0xe9 at byte offset 23" in str(lost) and str(lost).startswith(f"{path}:3: ")
    assert isinstance(pair, RecordError) and pair.line == 4 and not pair.unreadable


def test_latin1_far_into_a_file(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    sample = (FIXTURES / "beir_scifact_corpus_head20.jsonl").read_bytes()
    path.write_bytes(sample + b'{"_id": "x", "title": "caf\xe9", "text": "t"}\n' + sample)
    items = list(read_records(str(path)))
    assert len(items) == 41
    [error] = [item for item in items if isinstance(item, RecordError)]
    assert error.line == 21 and f"byte offset {len(sample) + 26}" in error.reason


def test_latin1_in_xml_ends_the_file_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    data = (FIXTURES / "atom" / "2026_q_testing_s0_m10.xml").read_bytes()
    cut = data.index(b"<entry>", data.index(b"<entry>") + 1)
    path.write_bytes(data[:cut] + "<!-- café -->".encode("latin-1") + data[cut:])
    line = data[:cut].count(b"\n") + 1
    items = read_records(str(path))
    assert isinstance(next(items), PaperRecord)
    with pytest.raises(UnreadableInput, match=f"at line {line}, .*nothing from there on"):
        next(items)


def test_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("A title\nAn abstract\n".encode("utf-16"))
    with pytest.raises(UnreadableInput, match="UTF-16"):
        detect_format(str(path))


def test_unknown_xml_and_json(tmp_path: Path) -> None:
    rss = tmp_path / "feed.xml"
    rss.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n', encoding="utf-8")
    with pytest.raises(UnreadableInput, match="<rss>"):
        detect_format(str(rss))
    other = tmp_path / "other.jsonl"
    other.write_text('{"name": "x"}\n', encoding="utf-8")
    with pytest.raises(UnreadableInput, match="unknown kind"):
        detect_format(str(other))


def test_unknown_format_name() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        list(read_records(str(FIXTURES / "listing_head20.txt"), "csv"))


def test_errors_carry_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"_id": "1", "title": "t", "text": "x"}\n{"_id": "2", "ti\n', encoding="utf-8")
    items = list(read_records(str(path)))
    assert isinstance(items[1], RecordError)
    assert str(items[1]).startswith(f"{path}:2: invalid JSON")
