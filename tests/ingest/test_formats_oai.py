import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperwire.ingest.formats import oai_pmh
from paperwire.ingest.formats.oai_pmh import parse_oai_response
from paperwire.records import PaperRecord, RecordError, Version

OAI = Path(__file__).parent.parent / "fixtures" / "oai"


def page(name: str) -> oai_pmh.OaiPage:
    return parse_oai_response((OAI / name).read_bytes(), name)


def test_list_records_arxiv_raw_with_resumption_token() -> None:
    result = page("ListRecordsResponse.xml")
    assert result.resumption_token == "726959|1001"
    assert result.complete_list_size == 58011
    assert result.cursor == 0
    assert result.response_date == datetime(2015, 1, 6, 20, 49, 59, tzinfo=UTC)
    assert result.error_code is None and result.errors == []
    assert len(result.records) == 6
    first = result.records[0]
    assert first.arxiv_id == "0704.0471"
    assert first.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert first.categories == ["nucl-ex", "nucl-th"]
    assert first.doi == "10.1103/physrevc.76.024606"  # the first of two
    richard = result.records[1]
    assert [v.number for v in richard.versions] == [1, 2, 3, 4]
    assert richard.versions[0] == Version(1, datetime(2007, 4, 5, 12, 45, 3, tzinfo=UTC), "43kb")
    assert richard.published == datetime(2007, 4, 5, 12, 45, 3, tzinfo=UTC)
    assert richard.updated == datetime(2008, 11, 14, 9, 7, 25, tzinfo=UTC)
    assert richard.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def test_get_record_arxiv_raw() -> None:
    [record] = page("GetRecordResponse.xml").records
    assert record.arxiv_id == "1302.2146"
    assert record.authors == [
        "Joshua Berger",
        "Maxim Perelstein",
        "Michael Saelim",
        "Philip Tanedo",
    ]
    assert record.categories == ["hep-ph", "hep-ex"]
    assert record.latest_version == 2


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("ErrorResponseBadArgument.xml", "badArgument"),
        ("ErrorResponseBadResumptionToken.xml", "badResumptionToken"),
        ("ErrorResponseBadVerb.xml", "badVerb"),
        ("ErrorResponseIdDoesNotExist.xml", "idDoesNotExist"),
        ("ErrorResponseNoRecordsMatch.xml", "noRecordsMatch"),
    ],
)
def test_error_codes(name: str, code: str) -> None:
    result = page(name)
    assert result.error_code == code
    assert result.error_message
    assert result.records == [] and result.resumption_token is None


def test_parse_reports_errors_but_not_an_empty_list() -> None:
    def items(name: str) -> list[PaperRecord | RecordError]:
        with open(OAI / name, encoding="utf-8") as stream:
            return list(oai_pmh.parse(stream, name))

    [error] = items("ErrorResponseBadArgument.xml")
    assert isinstance(error, RecordError) and "badArgument" in error.reason
    assert items("ErrorResponseNoRecordsMatch.xml") == []


def test_arxiv_format_list_records() -> None:
    result = page("arxiv-physics-hep-ex.xml")
    assert result.resumption_token is None and len(result.records) == 3
    record = result.records[0]
    assert record.arxiv_id == "1706.05371"
    assert record.authors[:2] == ["Tyler Anderson", "Jacob Cutter"]
    assert record.published == datetime(2017, 6, 16, tzinfo=UTC)
    assert record.updated == datetime(2017, 12, 12, tzinfo=UTC)
    assert record.categories == ["physics.ins-det", "hep-ex"]
    assert result.records[2].title.startswith(
        "Implications of right-handed neutrinos in $B-L$ extended"
    )


def test_arxiv_element_without_namespace() -> None:
    [record] = page("sample_arxiv_record0.xml").records
    assert record.arxiv_id == "1601.03238"
    assert record.authors[:2] == ["Planck Collaboration", "Jieci Wang"]
    assert record.doi == "10.1103/physrevd.93.016005"
    assert len(page("sample_arxiv_record.xml").records) == 12


def test_deleted_record_and_unknown_metadata() -> None:
    xml = """<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>
<record><header status="deleted"><identifier>oai:arXiv.org:0704.0001</identifier>
<datestamp>2020-01-01</datestamp></header></record>
<record><header><identifier>oai:arXiv.org:0704.0002</identifier></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"/></metadata></record>
<resumptionToken completeListSize="2" cursor="0"/>
</ListRecords></OAI-PMH>"""
    result = parse_oai_response(xml.encode(), "mem.xml")
    [deleted] = result.records
    assert deleted.withdrawn and deleted.arxiv_id == "0704.0001" and deleted.title == ""
    [error] = result.errors
    assert "oai:arXiv.org:0704.0002" in error.reason and "dc" in error.reason
    assert result.resumption_token is None and result.complete_list_size == 2


def test_truncated_response() -> None:
    data = (OAI / "ListRecordsResponse.xml").read_text(encoding="utf-8")
    cut = data[: data.index("<record>", data.index("0704.0874"))]
    cut = cut[: cut.rindex("</record>") + 20]
    items = list(oai_pmh.parse(io.StringIO(cut), "cut.xml"))
    assert sum(isinstance(i, PaperRecord) for i in items) == 3
    error = items[-1]
    assert isinstance(error, RecordError) and error.line is not None
    assert "malformed XML at line" in error.reason
