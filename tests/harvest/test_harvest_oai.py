"""OAI-PMH harvesting against a local server replaying recorded (and edited) responses."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from oai_pages import (
    RECORDED_IDS,
    RECORDS,
    add_version,
    deleted,
    page,
    with_id,
    with_title,
    without_title,
)
from replay import FakeClock, ReplayServer, Reply

from paperwire.harvest.errors import HarvestError, OaiError
from paperwire.harvest.oai import harvest_oai
from paperwire.store.base import Store

ERROR_NO_RECORDS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n'
    b"<responseDate>2026-11-30T03:00:00Z</responseDate>\n"
    b'<request verb="ListRecords">http://export.arxiv.org/oai2</request>\n'
    b'<error code="noRecordsMatch">No records match</error>\n</OAI-PMH>\n'
)


def three_pages(params: dict[str, str]) -> Reply:
    """Six recorded records in three pages, chained by resumption tokens."""
    token = params.get("resumptionToken")
    if token is None:
        return Reply(body=page(RECORDS[0:2], "t|2", cursor=0, size=6))
    if token == "t|2":
        return Reply(body=page(RECORDS[2:4], "t|4", cursor=2, size=6))
    if token == "t|4":
        return Reply(body=page(RECORDS[4:6], "", cursor=4, size=6))
    return Reply(400, b"unexpected token")


def test_follows_resumption_tokens_to_the_end(
    store: Store, server: ReplayServer, make_client, clock: FakeClock
) -> None:
    server.respond = three_pages
    lines: list[str] = []
    report = harvest_oai(
        make_client(),
        store,
        server.url + "/oai",
        set_spec="cs:cs:LG",
        from_date=date(2026, 11, 1),
        on_page=lambda r: lines.append(r.line()),
    )
    assert report.records == 6 and report.pages == 3 and report.ingest.inserted == 6
    assert {p.arxiv_id for p in store.papers.newest(limit=10)} == set(RECORDED_IDS)
    first = server.requests[0].params
    assert first == {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "set": "cs:cs:LG",
        "from": "2026-11-01",
    }
    assert [r.params.get("resumptionToken") for r in server.requests] == [None, "t|2", "t|4"]
    assert "6 of 6 records" in lines[-1] and "step t|4" in lines[1] and "records/s" in lines[0]
    checkpoint = store.harvest_state.get_checkpoint("arxiv:cs:cs:LG")
    assert checkpoint is not None
    assert checkpoint.harvested_until == date(2026, 11, 30)
    assert checkpoint.resumption_token is None and checkpoint.last_success is not None


def test_requests_are_paced_by_the_configured_delay(
    store: Store, server: ReplayServer, make_client, clock: FakeClock
) -> None:
    server.respond = three_pages
    harvest_oai(make_client(delay_seconds=3.0), store, server.url + "/oai")
    times = [seen.at for seen in server.requests]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert len(gaps) == 2 and all(gap >= timedelta(seconds=3) for gap in gaps)


def test_user_agent_names_the_program_and_the_contact(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = three_pages
    harvest_oai(make_client(contact_email="ops@example.org"), store, server.url + "/oai")
    agent = server.requests[0].user_agent
    assert agent.startswith("paperwire/") and "mailto:ops@example.org" in agent


def test_next_harvest_is_incremental_from_the_server_date(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = three_pages
    harvest_oai(make_client(), store, server.url + "/oai", set_spec="cs:cs:LG")
    server.requests.clear()
    server.respond = lambda params: Reply(body=ERROR_NO_RECORDS)
    report = harvest_oai(make_client(), store, server.url + "/oai", set_spec="cs:cs:LG")
    assert server.requests[0].params["from"] == "2026-11-30"
    assert report.records == 0 and report.pages == 1, "an empty day is a success"


def test_503_with_retry_after_is_retried_after_the_wait(
    store: Store, server: ReplayServer, make_client, clock: FakeClock
) -> None:
    calls = {"n": 0}

    def busy_then_ok(params: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return Reply(503, b"Retry later", {"Retry-After": "20"})
        return Reply(body=page(RECORDS[:1]))

    server.respond = busy_then_ok
    report = harvest_oai(make_client(), store, server.url + "/oai")
    assert report.records == 1
    assert server.requests[1].at - server.requests[0].at >= timedelta(seconds=20)


def test_persistent_503_gives_up_with_a_clear_error(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = lambda params: Reply(503, b"down", {"Retry-After": "5"})
    with pytest.raises(HarvestError, match=r"HTTP 503 .*gave up after 3 attempts"):
        harvest_oai(make_client(max_attempts=3), store, server.url + "/oai")
    assert len(server.requests) == 3


def test_oai_error_is_reported_by_name(store: Store, server: ReplayServer, make_client) -> None:
    body = ERROR_NO_RECORDS.replace(b"noRecordsMatch", b"badArgument")
    server.respond = lambda params: Reply(body=body)
    with pytest.raises(OaiError, match="OAI-PMH error badArgument: No records match") as caught:
        harvest_oai(make_client(), store, server.url + "/oai")
    assert caught.value.code == "badArgument"


def test_truncated_xml_reports_the_position_and_keeps_the_resumption_point(
    store: Store, server: ReplayServer, make_client
) -> None:
    whole = page(RECORDS[2:4], "t|4", cursor=2, size=6)
    cut = whole[: whole.index(b"<record>", whole.index(b"</record>")) + 40]

    def truncated_second_page(params: dict[str, str]) -> Reply:
        if params.get("resumptionToken") == "t|2":
            return Reply(body=cut)
        return three_pages(params)

    server.respond = truncated_second_page
    with pytest.raises(HarvestError, match=r"malformed XML at line \d+, column \d+"):
        harvest_oai(make_client(), store, server.url + "/oai")
    assert store.papers.count() == 3, "the records before the break are kept"
    checkpoint = store.harvest_state.get_checkpoint("arxiv")
    assert checkpoint is not None and checkpoint.resumption_token == "t|2"
    assert checkpoint.last_error and "malformed XML" in checkpoint.last_error


def test_bad_record_is_skipped_and_counted(store: Store, server: ReplayServer, make_client) -> None:
    records = [RECORDS[0], without_title(RECORDS[1]), RECORDS[2]]
    server.respond = lambda params: Reply(body=page(records))
    report = harvest_oai(make_client(), store, server.url + "/oai")
    assert report.ingest.inserted == 2 and report.ingest.skipped == 1
    assert "record oai:arXiv.org:0704.0716: missing title" in str(report.ingest.errors[0])


def test_odd_characters_and_latex_survive(store: Store, server: ReplayServer, make_client) -> None:
    title = 'Schrödinger\'s "cat" & <dogs>: $\\alpha$-stable Lévy flights in $^{11}$Be — 量子'
    record = with_title(with_id(RECORDS[0], "2611.00001"), title)
    server.respond = lambda params: Reply(body=page([record, RECORDS[5]]))
    harvest_oai(make_client(), store, server.url + "/oai")
    assert store.papers.get("2611.00001").title == title
    assert "$^{11}$Be" in store.papers.get("0704.1586").title


def test_second_version_updates_the_paper_and_keeps_the_history(
    store: Store, server: ReplayServer, make_client
) -> None:
    first = with_id(RECORDS[4], "2611.00002")
    server.respond = lambda params: Reply(body=page([first]))
    harvest_oai(make_client(), store, server.url + "/oai")
    second = with_title(
        add_version(first, 2, "Sat, 28 Nov 2026 10:00:00 GMT"),
        "Identification of Absorption Features (revised)",
    )
    server.respond = lambda params: Reply(body=page([second], response_date="2026-11-29T03:00:00Z"))
    report = harvest_oai(make_client(), store, server.url + "/oai")
    assert report.ingest.updated == 1
    paper = store.papers.get("2611.00002")
    assert paper.title == "Identification of Absorption Features (revised)"
    assert [v.number for v in paper.versions] == [1, 2]
    assert paper.versions[0].created is not None and paper.versions[1].created is not None


def test_deleted_records_mark_papers_withdrawn_and_add_nothing(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = lambda params: Reply(body=page(RECORDS[:2]))
    harvest_oai(make_client(), store, server.url + "/oai")
    server.respond = lambda params: Reply(body=page([deleted("0704.0471"), deleted("2611.09999")]))
    harvest_oai(make_client(), store, server.url + "/oai")
    assert store.papers.get("0704.0471").withdrawn is True
    assert store.papers.get("0704.0471").title, "the paper keeps its metadata"
    assert store.papers.count() == 2, "a deletion of an unknown paper inserts nothing"


def test_interrupted_harvest_resumes_where_it_stopped(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = three_pages

    class Killed(Exception):
        pass

    def kill_after_first_page(report) -> None:  # type: ignore[no-untyped-def]
        if report.pages == 1:
            raise Killed

    with pytest.raises(Killed):
        harvest_oai(make_client(), store, server.url + "/oai", on_page=kill_after_first_page)
    assert store.papers.count() == 2
    server.requests.clear()
    report = harvest_oai(make_client(), store, server.url + "/oai")
    assert report.resumed
    assert [r.params.get("resumptionToken") for r in server.requests] == ["t|2", "t|4"]
    assert store.papers.count() == 6
    checkpoint = store.harvest_state.get_checkpoint("arxiv")
    assert checkpoint is not None and checkpoint.run_records == 6


def test_expired_token_restarts_the_run_from_its_own_date(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = three_pages
    with pytest.raises(RuntimeError):
        harvest_oai(
            make_client(),
            store,
            server.url + "/oai",
            from_date=date(2026, 11, 2),
            on_page=lambda report: (_ for _ in ()).throw(RuntimeError("killed")),
        )
    bad_token = ERROR_NO_RECORDS.replace(b"noRecordsMatch", b"badResumptionToken")

    expired_once = []

    def expired(params: dict[str, str]) -> Reply:
        if params.get("resumptionToken") == "t|2" and not expired_once:
            expired_once.append(True)
            return Reply(body=bad_token)
        return three_pages(params)

    server.requests.clear()
    server.respond = expired
    harvest_oai(make_client(), store, server.url + "/oai")
    assert server.requests[1].params.get("from") == "2026-11-02"
    assert store.papers.count() == 6
