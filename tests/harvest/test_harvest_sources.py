"""The arXiv API and Hugging Face daily papers against recorded responses."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest
from replay import HARVEST_FIXTURES, ReplayServer, Reply

from paperwire.harvest.atom_api import harvest_atom
from paperwire.harvest.errors import HarvestError
from paperwire.harvest.hf_daily import harvest_hf_daily
from paperwire.store.base import Store

ATOM_PAGES = {
    "0": "atom_q_testing_s0_m10.xml",
    "10": "atom_q_testing_s10_m10.xml",
    "20": "atom_q_testing_s20_m10.xml",
}


def test_atom_query_pages_through_recorded_feeds(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = lambda params: Reply(
        body=(HARVEST_FIXTURES / ATOM_PAGES[params["start"]]).read_bytes()
    )
    report = harvest_atom(
        make_client(), store, server.url + "/api/query", "all:testing", max_results=30, page_size=10
    )
    assert [r.params["start"] for r in server.requests] == ["0", "10", "20"]
    assert all(r.params["max_results"] == "10" for r in server.requests)
    assert server.requests[0].params["search_query"] == "all:testing"
    assert report.records == 30 and report.total == 30
    assert store.papers.count() == report.ingest.inserted > 20  # the recorded pages overlap
    assert store.papers.get("2202.12139").title


def test_atom_api_error_is_reported(
    store: Store, server: ReplayServer, make_client, fixtures: Path
) -> None:
    body = (fixtures / "atom" / "2026_id_abc_error.xml").read_bytes()
    server.respond = lambda params: Reply(body=body)
    with pytest.raises(HarvestError, match="arXiv API error: incorrect id format for abc"):
        harvest_atom(make_client(), store, server.url + "/api/query", "id:abc", max_results=5)


def test_hf_daily_stores_papers_with_upvotes(
    store: Store, server: ReplayServer, make_client, fixtures: Path
) -> None:
    body = (fixtures / "hf_daily_2026-11-28.json").read_bytes()
    server.respond = lambda params: Reply(body=body if params["date"] == "2026-11-28" else b"[]")
    report = harvest_hf_daily(
        make_client(),
        store,
        server.url + "/api/daily_papers",
        [date(2026, 11, 28), date(2026, 11, 29)],
    )
    assert report.records == 12 and store.papers.count() == 12
    paper = store.papers.get("2604.03438")
    assert paper.metrics[("hf-daily", "upvotes")] == 102
    checkpoint = store.harvest_state.get_checkpoint("hf-daily")
    assert checkpoint is not None and checkpoint.harvested_until == date(2026, 11, 29)


def test_an_oversized_reply_is_refused_and_stores_nothing(
    store: Store, server: ReplayServer, make_client
) -> None:
    server.respond = lambda params: Reply(body=b"[" + b" " * 5_000 + b"]")
    with pytest.raises(HarvestError, match="larger than 4,096 bytes"):
        make_client(max_response_bytes=4096).get(server.url + "/api/daily_papers")
    assert store.papers.count() == 0


def test_a_gzip_bomb_is_refused_by_its_decompressed_size(
    store: Store, server: ReplayServer, make_client
) -> None:
    bomb = gzip.compress(b"[" + b" " * 2_000_000 + b"]")
    assert len(bomb) < 10_000
    server.respond = lambda params: Reply(body=bomb, headers={"Content-Encoding": "gzip"})
    client = make_client(max_response_bytes=100_000)
    with pytest.raises(HarvestError, match="larger than 100,000 bytes"):
        client.get(server.url + "/api/daily_papers")
    small = gzip.compress(b"[]")
    server.respond = lambda params: Reply(body=small, headers={"Content-Encoding": "gzip"})
    assert client.get(server.url + "/api/daily_papers").body == b"[]"
