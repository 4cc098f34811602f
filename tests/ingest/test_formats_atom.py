import io
from datetime import UTC, datetime
from pathlib import Path

from paperwire.ingest.formats import arxiv_atom
from paperwire.ingest.formats.arxiv_atom import parse_atom_feed
from paperwire.records import PaperRecord, RecordError, Version

ATOM = Path(__file__).parent.parent / "fixtures" / "atom"


def page(name: str) -> arxiv_atom.AtomPage:
    return parse_atom_feed((ATOM / name).read_bytes(), name)


def test_old_style_id_2026_schema() -> None:
    result = page("2026_id_astro-ph_0601001.xml")
    assert (result.total_results, result.start_index, result.items_per_page) == (1, 0, 100)
    [record] = result.records
    assert record.arxiv_id == record.source_id == "astro-ph/0601001"
    assert record.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]
    assert record.published == datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC)
    assert record.versions == [Version(1, datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC))]
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001"


def test_search_page_2026() -> None:
    result = page("2026_q_testing_s0_m10.xml")
    assert (result.total_results, result.start_index, result.items_per_page) == (214881, 0, 10)
    assert len(result.records) == 10 and result.errors == []
    second_version = next(r for r in result.records if r.arxiv_id == "2005.14124")
    assert second_version.latest_version == 2
    assert second_version.updated == datetime(2020, 7, 16, 8, 15, 48, tzinfo=UTC)


def test_categories_primary_first() -> None:
    [record] = page("2026_id_1605.08386.xml").records
    assert record.categories == ["math.CO", "math.ST"]
    assert record.comments == "20 pages, 3 figures"


def test_2016_schema_with_offsets_and_tex() -> None:
    [record] = page("2016_id_list_1111.2011v2.xml").records
    assert record.arxiv_id == "1111.2011"
    assert record.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert record.doi == "10.1103/physrevb.85.115117"
    assert record.latest_version == 2
    result = page("2016_q_au_del_maestro.xml")
    assert result.total_results == 31 and len(result.records) == 10
    renyi = next(r for r in result.records if r.arxiv_id == "1412.6529")
    assert renyi.abstract.startswith("We consider the Rényi entanglement entropy")
    assert "$\\delta$-function" in renyi.abstract  # math is kept as written
    assert renyi.categories[0] == "cond-mat.quant-gas"


def test_api_error_and_empty_result() -> None:
    error = page("2026_id_abc_error.xml")
    assert error.api_error == "incorrect id format for abc" and error.records == []
    empty = page("2026_id_0000.0000_empty.xml")
    assert (empty.total_results, empty.records, empty.api_error) == (0, [], None)
    path = str(ATOM / "2026_id_abc_error.xml")
    with open(path, encoding="utf-8") as stream:
        [item] = list(arxiv_atom.parse(stream, path))
    assert isinstance(item, RecordError) and "incorrect id format for abc" in item.reason


def test_truncated_feed_keeps_entries_before_the_break() -> None:
    data = (ATOM / "2026_q_testing_s0_m10.xml").read_text(encoding="utf-8")
    cut = data.index("<entry>", data.index("<entry>", data.index("<entry>") + 1) + 1) + 40
    items = list(arxiv_atom.parse(io.StringIO(data[:cut]), "cut.xml"))
    assert [type(i) for i in items] == [PaperRecord, PaperRecord, RecordError]
    error = items[-1]
    assert isinstance(error, RecordError)
    assert error.line == data[:cut].count("\n") + 1
    assert error.reason.startswith(f"malformed XML at line {error.line}, column ")
