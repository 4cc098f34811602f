"""Text already stored, whatever it holds, makes well-formed feeds and bounded pages:
each writer strips what XML forbids and caps what one paper renders."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from webtools import SECRET, soup

from paperwire import trending
from paperwire.digest.compose import DigestContent, Section
from paperwire.digest.render import DigestLinks, render_digest
from paperwire.records import PaperRecord
from paperwire.settings import Settings
from paperwire.store.clock import utcnow
from paperwire.store.models import Paper
from paperwire.store.open import open_store
from paperwire.web.app import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
CONTROLS = "\x01\x08\x1b\x7f\x00\x0c\ufffe"
# What no HTML or XML response may carry: controls other than tab, newline, return.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
MEGABYTE = 1_000_000
MARK = "…"  # what ends a text cut short (paperwire.display.MARK)


def controlled(text: str) -> str:
    """``text`` with control characters after its first word."""
    first, _, rest = text.partition(" ")
    return f"{first} {CONTROLS}{rest}"


def text_records() -> list[PaperRecord]:
    return [
        PaperRecord(
            source="arxiv",
            source_id="2401.00001",
            arxiv_id="2401.00001",
            title=controlled("Zebra stripes \x1b[31mred\x1b[0m"),
            abstract=controlled("Zebra stripes confuse flies."),
            authors=[controlled("Ada Lovelace"), "\x01"],
            categories=[controlled("cs.LG")],
            published=datetime(2024, 1, 2),
        ),
        PaperRecord(
            source="arxiv",
            source_id="2401.00002",
            arxiv_id="2401.00002",
            title="Plain zebra paper",
            abstract="Zebra herds.",
            published=datetime(2024, 1, 3),
        ),
    ]


def huge_record() -> PaperRecord:
    """Stored before ingest capped anything: 20 MB of abstract, 2 MB of title, 20,000
    authors of 1,000 characters each."""
    return PaperRecord(
        source="arxiv",
        source_id="2401.00003",
        arxiv_id="2401.00003",
        title="Zebra " * 350_000,
        abstract="zebra " * 3_500_000,
        authors=[f"{n:05d} " + "x" * 994 for n in range(20_000)],
        categories=["cs.LG"],
        published=datetime(2024, 1, 4),
    )


def client_over(folder: Path, records: list[PaperRecord]) -> Iterator[TestClient]:
    settings = Settings(
        env="development",
        database_url=f"sqlite:///{folder}/paperwire.db",
        data_dir=folder,
        secret_key=SECRET,
        base_url="http://testserver",
        search_rate_per_minute=10_000,
    )
    store = open_store(settings.database_url)
    store.papers.upsert(records)
    now = utcnow()
    for record in records:  # every paper trends (views by a few visitors)
        for visitor in ("visitor-one", "visitor-two", "visitor-three"):
            trending.record_view(
                store,
                record.arxiv_id or "",
                visitor,
                network=f"192.0.2.{len(visitor)}",
                secret_key=SECRET,
                network_cap=3,
                now=now,
            )
    trending.refresh_scores(store, now=now)
    store.close()
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from client_over(tmp_path_factory.mktemp("texts"), text_records())


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from client_over(tmp_path_factory.mktemp("huge"), [huge_record()])


def feed_entries(body: bytes) -> list[ET.Element]:
    """The entries of an Atom feed, read by an XML parser (which refuses what XML 1.0
    forbids)."""
    return ET.fromstring(body).findall(f"{ATOM}entry")


@pytest.mark.parametrize("url", ["/feeds/search.atom?q=zebra", "/feeds/trending.atom?window=day"])
def test_feeds_are_well_formed_with_control_characters_stored(texts: TestClient, url: str) -> None:
    response = texts.get(url)
    assert response.status_code == 200
    titles = {entry.findtext(f"{ATOM}title") for entry in feed_entries(response.content)}
    assert "Zebra stripes [31mred[0m" in titles
    assert not FORBIDDEN.search(response.content.decode())


@pytest.mark.parametrize("url", ["/search?q=zebra", "/?window=day", "/papers/2401.00001"])
def test_pages_carry_no_control_characters(texts: TestClient, url: str) -> None:
    response = texts.get(url)
    assert response.status_code == 200
    assert "Zebra stripes" in soup(response).get_text()
    assert not FORBIDDEN.search(response.text)


def test_api_answers_json_with_control_characters_stored(texts: TestClient) -> None:
    found = texts.get("/api/v1/search", params={"q": "zebra"})
    assert found.status_code == 200
    titles = {item["title"] for item in found.json()["items"]}
    assert "Zebra stripes [31mred[0m" in titles


def stored_paper(title: str, abstract: str, authors: list[str]) -> Paper:
    now = datetime(2026, 1, 1)
    return Paper("abcdefghij", title, abstract, authors, [], "arxiv", now, now, row_id=1)


def test_mail_is_bounded_and_carries_no_control_characters() -> None:
    huge = huge_record()
    paper = stored_paper(controlled(huge.title), controlled(huge.abstract), huge.authors)
    content = DigestContent((Section("trending", "Trending", (1,)),))
    links = DigestLinks("http://testserver", "u", "a", "v", "m")
    text, html = render_digest(date(2026, 1, 2), content, {1: paper}, links)
    for body in (text, html):
        assert len(body) < 20_000
        assert MARK in body
        assert not FORBIDDEN.search(body)


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=zebra",
        "/feeds/search.atom?q=zebra",
        "/feeds/trending.atom?window=day",
        "/api/v1/search?q=zebra",
        "/api/v1/trending?window=day",
        "/api/v1/papers",
        "/?window=day",
    ],
)
def test_one_huge_stored_paper_gives_a_bounded_answer(huge: TestClient, url: str) -> None:
    response = huge.get(url)
    assert response.status_code == 200
    assert len(response.content) < MEGABYTE
    assert MARK in response.content.decode()


def test_a_huge_papers_own_page_and_api_answer_are_bounded(huge: TestClient) -> None:
    page = huge.get("/papers/2401.00003")
    assert page.status_code == 200 and len(page.content) < MEGABYTE
    authors = soup(page).select_one("article.paper .authors").get_text()
    assert authors.endswith(" more") and MARK in authors
    detail = huge.get("/api/v1/papers/2401.00003")
    assert detail.status_code == 200 and len(detail.content) < MEGABYTE
    paper = json.loads(detail.content)
    assert paper["author_count"] == 20_000
    assert paper["abstract"].endswith(MARK) and paper["title"].endswith(MARK)
