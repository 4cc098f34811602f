"""The JSON API, the Atom feeds, and bad input everywhere: 4xx with a message, never 5xx."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from webtools import soup

ATOM = "{http://www.w3.org/2005/Atom}"
ITEM_KEYS = {"id", "source_id", "title", "authors", "categories", "published", "upvotes", "score"}


def test_papers_list_pages_with_limit_and_offset(client: TestClient) -> None:
    first = client.get("/api/v1/papers", params={"limit": 5}).json()
    assert first["limit"] == 5 and first["offset"] == 0 and len(first["items"]) == 5
    assert set(first["items"][0]) >= ITEM_KEYS
    second = client.get("/api/v1/papers", params={"limit": 5, "offset": 5}).json()
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    filtered = client.get("/api/v1/papers", params={"category": "astro-ph", "limit": 100}).json()
    assert filtered["items"] and all("astro-ph" in i["categories"] for i in filtered["items"])
    assert client.get("/api/v1/papers", params={"limit": 101}).status_code == 422


@pytest.mark.parametrize("ref", ["astro-ph/0601001", "astro-ph/0601001v2", "arXiv:2401.01234"])
def test_paper_by_any_id(client: TestClient, ref: str) -> None:
    paper = client.get(f"/api/v1/papers/{ref}").json()
    assert paper["source_id"] in ("astro-ph/0601001", "2401.01234")
    again = client.get(f"/api/v1/papers/{paper['id']}").json()
    assert again == paper
    assert paper["abstract"] and "abstract" in paper["links"]


def test_old_style_paper_details(client: TestClient) -> None:
    paper = client.get("/api/v1/papers/astro-ph/0601001").json()
    assert [v["version"] for v in paper["versions"]] == [1, 2]
    assert paper["authors"][0] == "Ada <b>Lovelace</b>"


def test_search_and_similar(client: TestClient) -> None:
    found = client.get("/api/v1/search", params={"q": "speculative decoding", "limit": 3}).json()
    assert found["limit"] == 3 and found["items"][0]["source_id"] == "2401.01234"
    assert found["items"][0]["score"] is not None
    similar = client.get("/api/v1/papers/astro-ph/0601001/similar", params={"limit": 3}).json()
    assert 1 <= len(similar["items"]) <= 3
    assert all(item["source_id"] != "astro-ph/0601001" for item in similar["items"])


def test_trending_is_empty_on_a_fresh_install(client: TestClient) -> None:
    for window in ("day", "week", "month"):
        body = client.get("/api/v1/trending", params={"window": window}).json()
        assert body == {"items": [], "limit": 20, "offset": 0}


def test_openapi_and_docs(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {
        "/api/v1/papers", "/api/v1/papers/{id}", "/api/v1/papers/{id}/similar",
        "/api/v1/search", "/api/v1/trending",
    }  # fmt: skip
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert soup(docs).select_one("#swagger-ui")["data-openapi"] == "/api/v1/openapi.json"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/papers/9999.99999", 404),
        ("/api/v1/papers/no/such/paper", 404),
        ("/api/v1/papers/" + "x" * 5000, 404),
        ("/api/v1/papers/nope/similar", 404),
        ("/api/v1/trending?window=year", 422),
        ("/api/v1/papers?limit=0", 422),
        ("/api/v1/papers?offset=-1", 422),
        ("/api/v1/papers?since=yesterday", 422),
        ("/api/v1/search", 422),
        ("/api/v1/search?q=" + "a" * 5000, 422),
        ("/api/v1/search?q=%20%20", 400),
        ("/api/v1/search?q=0%00", 400),
        ("/feeds/search.atom?q=a%01b", 400),
        ("/api/v1/nothing", 404),
        ("/feeds/trending.atom?window=year", 422),
        ("/feeds/search.atom", 422),
    ],
)
def test_api_errors_have_a_message(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["detail"]
    if status == 422:
        assert body["message"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/papers/9999.99999", 404),
        ("/papers/astro-ph/9999999", 404),
        ("/papers/" + "%3Cscript%3E" * 300, 404),
        ("/?window=year", 400),
        ("/?page=0", 400),
        ("/?page=abc", 400),
        ("/?page=99999999999999999999", 400),
        ("/search?q=" + "a" * 301, 400),
        ("/search?q=" + "a" * 50000, 400),
        ("/search?q=x&since=not-a-date", 400),
        ("/search?q=%22%22%22&category=%00", 400),
        ("/search?q=-", 400),
        ("/search?q=0%00", 400),
        ("/no/such/page", 404),
    ],
)
def test_pages_answer_bad_input_with_a_message(client: TestClient, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status, response.text[:300]
    page = soup(response)
    if status >= 400:
        assert page.select_one(".error").get_text().strip()


def test_methods_and_state_changes_need_post(client: TestClient) -> None:
    assert client.get("/logout").status_code in (404, 405)
    assert client.post("/").status_code == 405


def parse_atom(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{tag}") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "link", "author"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
        assert entry.find(f"{ATOM}author/{ATOM}name").text
        assert entry.find(f"{ATOM}updated").text.endswith("Z")
    return feed


def test_search_feed(client: TestClient) -> None:
    feed = parse_atom(client.get("/feeds/search.atom", params={"q": "dark matter halos"}))
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert any("<script>" in title for title in titles)  # text, escaped by the XML writer
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link.startswith("http://testserver/feeds/search.atom?q=dark")


def test_trending_feed(client: TestClient) -> None:
    for window in ("day", "week", "month"):
        feed = parse_atom(client.get("/feeds/trending.atom", params={"window": window}))
        assert feed.findall(f"{ATOM}entry") == []


def test_search_is_rate_limited_per_client(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(search_rate_per_minute=2)) as client:
        codes = [client.get("/api/v1/search", params={"q": "model"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = client.get("/search", params={"q": "model"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert soup(limited).select_one(".error").get_text()
        other = client.get(
            "/api/v1/search", params={"q": "model"}, headers={"x-forwarded-for": "198.51.100.1"}
        )
        assert other.status_code == 429  # forwarded headers from an untrusted peer are ignored


def test_trusted_proxy_forwards_the_client_address(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(search_rate_per_minute=1, trusted_proxies="127.0.0.1")
    with TestClient(app, client=("127.0.0.1", 5000)) as client:
        for address in ("198.51.100.1", "198.51.100.2"):
            response = client.get(
                "/api/v1/search", params={"q": "model"}, headers={"x-forwarded-for": address}
            )
            assert response.status_code == 200
