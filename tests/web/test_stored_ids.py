"""A paper stored with a malformed id (as main stored a JSON-lines record's paper_id):
no page, script or handler may turn it into a request elsewhere, or into a 500."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, quote, urljoin, urlsplit
from xml.etree import ElementTree as ET

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from webtools import csrf_of, sign_in, soup

from paperwire.digest.render import DigestLinks
from paperwire.ids import is_paper_id
from paperwire.records import PaperRecord
from paperwire.store.models import Paper
from paperwire.store.open import open_store
from paperwire.store.schema import papers
from paperwire.web.feeds import build_feed
from paperwire.web.formatting import paper_links

ODD_ID = "../account/digest/unsubscribe?x="
SOURCE_ID = "odd-1"  # how the odd paper is reached (any lookup by source id works)
NODE = shutil.which("node")


def store_odd_paper(folder: Path, *, before_migration: bool) -> None:
    """Store a paper and give it ``ODD_ID``, as main stored it; with ``before_migration``
    the store looks as it did before migration 0007."""
    url = f"sqlite:///{folder}/paperwire.db"
    store = open_store(url)
    record = PaperRecord(
        source="paperwire", source_id=SOURCE_ID, title="Zebra odd", abstract="Stripes."
    )
    store.papers.upsert([record])
    row_id = store.papers.get(SOURCE_ID).row_id
    with store.writing() as conn:
        conn.execute(sa.update(papers).where(papers.c.id == row_id).values(paper_id=ODD_ID))
        if before_migration:
            conn.execute(sa.text("DELETE FROM alembic_version WHERE version_num = '0007'"))
    store.close()


@pytest.fixture
def odd(make_app, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An app over a store that holds a paper with ``ODD_ID`` (stored after migration
    0007 ran, so only the pages, scripts and handlers stand between it and a reader)."""
    store_odd_paper(tmp_path, before_migration=False)
    with TestClient(make_app(), raise_server_exceptions=False) as client:
        yield client


def paper_urls(page: BeautifulSoup, scope: str) -> list[str]:
    """Every URL in the elements that show papers: links, form targets, data-*-url."""
    urls = []
    for element in page.select(f"{scope}, {scope} *"):
        for name, value in element.attrs.items():
            if name in ("href", "action", "src") or (name.startswith("data-") and "url" in name):
                urls.append(str(value))
    return urls


def resolve(page_url: str, url: str) -> SplitResult:
    """``url`` as a browser on ``page_url`` requests it: dot segments removed, also from
    an absolute URL (which ``urljoin`` alone leaves as it is)."""
    target = urlsplit(urljoin(page_url, url))
    path = urlsplit(urljoin("http://host/", target.path)).path
    return target._replace(path=path)


def assert_stays_in_papers(page_url: str, urls: list[str]) -> None:
    """Same-site URLs built from a paper lead to /papers/..., or to a search or sign-in
    that comes back to /papers/..."""
    assert urls
    for url in urls:
        target = resolve(page_url, url)
        if target.netloc != "testserver":
            continue
        if target.path == "/login":
            target = resolve(page_url, parse_qs(target.query)["next"][0])
        assert target.path.startswith("/papers/") or target.path == "/search", url


def test_after_migration_the_paper_has_a_canonical_id_and_links(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store_odd_paper(tmp_path, before_migration=True)
    with TestClient(make_app()) as client:
        response = client.get(f"/papers/{SOURCE_ID}")
        page = soup(response)
        paper_id = page.select_one("article.paper")["data-paper"]
        assert is_paper_id(paper_id)
        assert_stays_in_papers(str(response.url), paper_urls(page, "article.paper"))
        assert soup(client.get(f"/papers/{paper_id}")).find("h1").get_text() == "Zebra odd"
        assert client.get(f"/papers/{quote(ODD_ID, safe='')}").status_code == 404


def test_pages_never_link_an_odd_id_out_of_papers(odd: TestClient) -> None:
    response = odd.get(f"/papers/{SOURCE_ID}")
    assert response.status_code == 200
    assert_stays_in_papers(str(response.url), paper_urls(soup(response), "article.paper"))
    listing = odd.get("/?window=new")
    entries = soup(listing).select("article.entry")
    assert any(entry.h3.get_text() == "Zebra odd" for entry in entries)
    for entry in entries:
        assert_stays_in_papers(str(listing.url), paper_urls(entry, "h3"))


def odd_paper() -> Paper:
    now = datetime(2026, 1, 1)
    return Paper(ODD_ID, "Zebra odd", "", [], [], "paperwire", now, now, arxiv_id="../../x")


def test_feeds_and_mail_never_link_an_odd_id_out_of_papers() -> None:
    feed = build_feed(
        base_url="http://testserver",
        title="t",
        self_path="/feeds/t.atom",
        html_path="/",
        entries=[(odd_paper(), None)],
        now=datetime(2026, 1, 1),
    )
    entry = ET.fromstring(feed).find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    urls = [entry.findtext("{http://www.w3.org/2005/Atom}id") or ""]
    urls += [link.get("href", "") for link in entry.iter("{http://www.w3.org/2005/Atom}link")]
    assert_stays_in_papers("http://testserver/feeds/t.atom", urls)
    links = DigestLinks("http://testserver", "u", "a", "v", "m")
    assert_stays_in_papers("http://testserver/", [links.paper(odd_paper())])


def test_no_arxiv_link_is_made_of_an_id_that_is_not_one() -> None:
    assert paper_links("../../x", None, None, None) == []
    assert paper_links("math.GT/0309136", None, None, None)[0] == (
        "Abstract",
        "https://arxiv.org/abs/math.GT/0309136",
    )


def test_the_api_gives_an_odd_paper_a_quoted_url(odd: TestClient) -> None:
    listed = odd.get("/api/v1/papers", params={"limit": 100}).json()["items"]
    (item,) = [item for item in listed if item["title"] == "Zebra odd"]
    assert_stays_in_papers("http://testserver/api/v1/papers", [item["url"]])
    assert odd.get(item["url"]).status_code == 200


def requests_of_the_page_script(page: BeautifulSoup) -> list[dict[str, str]]:
    """What paperwire.js requests on its own when ``page`` loads (run in Node)."""
    elements = [
        {
            "tag": element.name,
            "attrs": {
                name: " ".join(value) if isinstance(value, list) else value
                for name, value in element.attrs.items()
            },
        }
        for element in page.find_all(True)
    ]
    script = files("paperwire.web") / "static" / "paperwire.js"
    harness = Path(__file__).with_name("run_page_script.js")
    done = subprocess.run(
        [str(NODE), str(harness), str(script), json.dumps(elements)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.skipif(NODE is None, reason="needs node to run the page script")
def test_the_page_script_posts_views_only_inside_papers(odd: TestClient) -> None:
    normal = odd.get("/papers/2401.01234")
    paper_id = soup(normal).select_one("article.paper")["data-paper"]
    assert requests_of_the_page_script(soup(normal)) == [
        {"url": f"/papers/{paper_id}/view", "method": "POST"}
    ]
    response = odd.get(f"/papers/{SOURCE_ID}")
    for call in requests_of_the_page_script(soup(response)):
        assert resolve(str(response.url), call["url"]).path.startswith("/papers/")


ODD_REFS = [
    quote(ODD_ID, safe=""),
    "..%2F..%2Faccount",
    "%2E%2E",
    "abcdefghij%0A",
    "%00",
    "%F0%9F%A6%93",
    "x" * 300,
    "2401.01234v99999999999999999999",
    "astro-ph%2F0601001%2F..",
    SOURCE_ID,
]


def test_no_lookup_by_an_odd_id_answers_500(odd: TestClient) -> None:
    csrf = csrf_of(soup(odd.get("/login")))
    for ref in ODD_REFS:
        for path in (f"/papers/{ref}", f"/api/v1/papers/{ref}", f"/api/v1/papers/{ref}/similar"):
            assert odd.get(path).status_code in (200, 404), path
        for action in ("view", "upvote", "save"):
            response = odd.post(
                f"/papers/{ref}/{action}",
                data={"csrf_token": csrf},
                headers={"x-csrf-token": csrf},
                follow_redirects=False,
            )
            assert response.status_code < 500, (ref, action, response.status_code)


def test_similar_and_marks_for_an_odd_paper_answer(odd: TestClient, tmp_path: Path) -> None:
    similar = odd.get(f"/api/v1/papers/{SOURCE_ID}/similar")
    assert similar.status_code == 200, similar.text
    assert all(item["title"] != "Zebra odd" for item in similar.json()["items"])
    sign_in(odd, tmp_path / "mail")
    csrf = csrf_of(soup(odd.get(f"/papers/{SOURCE_ID}")))
    upvote = odd.post(
        f"/papers/{SOURCE_ID}/upvote",
        data={"csrf_token": csrf},
        headers={"accept": "application/json"},
    )
    assert upvote.status_code == 200, upvote.text
    assert upvote.json() == {"upvotes": 1, "upvote": True}
