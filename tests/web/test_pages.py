"""Every page, requested in-process and read as a parsed HTML document."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from webtools import HOSTILE_TITLE, soup


def test_front_page_on_a_fresh_install_shows_newest_and_says_so(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    assert "Nothing is trending yet" in page.find(class_="notice").get_text()
    entries = page.select("article.entry")
    assert len(entries) == 20
    first = entries[0]
    assert first.select_one("h3.title a")["href"].startswith("/papers/")
    assert first.select_one(".upvotes .count").get_text() == "0"
    tabs = {a.get_text(): a["href"] for a in page.select("nav.tabs a")}
    assert tabs == {
        "Today": "/?window=day",
        "This week": "/?window=week",
        "This month": "/?window=month",
        "New": "/?window=new",
    }
    assert page.select_one("nav.tabs a[aria-current=page]").get_text() == "Today"
    banner = page.select_one("section.banner")
    assert banner.select_one("a.button")["href"] == "/subscribe"
    assert "pw_session" not in response.headers.get("set-cookie", "")


def test_new_view_pages_through_everything(client: TestClient) -> None:
    seen: list[str] = []
    url = "/?window=new"
    while url:
        page = soup(client.get(url))
        seen += [a["href"] for a in page.select("article.entry h3.title a")]
        following = page.select_one("nav.pager a[rel=next]")
        url = following["href"] if following else ""
    assert len(seen) == len(set(seen)) == 119 + 44 + 2
    assert parse_qs(urlparse("/?window=new&page=2").query)["page"] == ["2"]


def entry_titled(client: TestClient, words: str):  # type: ignore[no-untyped-def]
    """The first entry in the "new" view whose title contains ``words``."""
    for number in range(1, 20):
        page = soup(client.get(f"/?window=new&page={number}"))
        for entry in page.select("article.entry"):
            if words in entry.h3.get_text():
                return entry
    raise AssertionError(f"no entry titled {words!r}")


def test_entries_show_authors_dates_categories_and_links(client: TestClient) -> None:
    entry = entry_titled(client, "Speculative decoding")
    assert entry.select_one(".authors").get_text() == "Yaniv Leviathan and Matan Kalman"
    assert entry.time["datetime"] == "2024-01-03"
    assert [tag.get_text() for tag in entry.select(".tag")] == ["cs.LG", "cs.CL"]
    links = {a.get_text(): a["href"] for a in entry.select("a.ext")}
    assert links["PDF"] == "https://arxiv.org/pdf/2401.01234"
    assert links["Code"] == "https://github.com/example/spec"


def test_everything_is_escaped(client: TestClient) -> None:
    entry = entry_titled(client, "Dark matter")
    assert entry.h3.get_text() == HOSTILE_TITLE
    assert entry.find("script") is None and entry.find("img") is None and entry.find("b") is None
    assert (
        entry.select_one(".authors").get_text()
    ) == "Ada <b>Lovelace</b>, Grace Hopper, Alan Turing et al. (+1)"
    assert entry.select_one("details.abstract summary").get_text() == "Full abstract"
    assert entry.select_one(".snippet").get_text().endswith("…")


def test_paper_page_by_arxiv_and_old_style_and_paperwire_id(client: TestClient) -> None:
    page = soup(client.get("/papers/astro-ph/0601001"))
    paper_id = page.select_one("article.paper")["data-paper"]
    assert soup(client.get(f"/papers/{paper_id}")).find("h1").get_text() == HOSTILE_TITLE
    terms = [dt.get_text() for dt in page.select("dl dt")]
    values = [dd.get_text(" ", strip=True) for dd in page.select("dl dd")]
    facts = dict(zip(terms, values, strict=True))
    assert facts["Id"] == "astro-ph/0601001"
    assert [li.get_text() for li in page.select("ol.versions li")] == [
        "v1 · 1 Jan 2006", "v2 · 1 Mar 2006",
    ]  # fmt: skip
    forms = {form["action"]: form for form in page.select("form.mark")}
    assert set(forms) == {f"/papers/{paper_id}/upvote", f"/papers/{paper_id}/save"}
    assert all(form["method"] == "post" for form in forms.values())
    assert page.select_one('meta[name="csrf-token"]')["content"]
    assert page.select_one(".hint a")["href"].startswith("/login?next=")


def test_paper_page_lists_similar_papers(client: TestClient) -> None:
    page = soup(client.get("/papers/2401.01234"))
    similar = page.select("section.similar article.entry")
    assert 1 <= len(similar) <= 6
    assert all("Speculative decoding" not in e.h3.get_text() for e in similar)


def test_search_page_has_filters_highlights_paging_and_a_feed(client: TestClient) -> None:
    page = soup(client.get("/search"))
    labels = {label["for"]: label.get_text() for label in page.select("form.search label")}
    assert set(labels) == {"q", "since", "until", "category", "author"}
    assert page.select("article.entry") == []

    response = client.get("/search", params={"q": "speculative decoding"})
    assert response.status_code == 200
    page = soup(response)
    entries = page.select("article.entry")
    assert "Speculative decoding" in entries[0].h3.get_text()
    assert [m.get_text().lower() for m in entries[0].h3.find_all("mark")] == [
        "speculative", "decoding",
    ]  # fmt: skip
    feed = page.select_one("a.feed")["href"]
    assert feed.startswith("/feeds/search.atom?") and "speculative" in feed
    assert page.select_one("#q")["value"] == "speculative decoding"

    more = soup(client.get("/search", params={"q": "neural network model", "page": 1}))
    next_link = more.select_one("nav.pager a[rel=next]")
    assert next_link is not None and "page=2" in next_link["href"]


def test_search_filters_apply(client: TestClient) -> None:
    page = soup(client.get("/search", params={"q": "dark matter", "category": "astro-ph"}))
    titles = [e.h3.get_text() for e in page.select("article.entry")]
    assert titles and all("astro-ph" in e.get_text() for e in page.select("article.entry"))
    page = soup(client.get("/search", params={"q": "decoding", "since": "2024-01-01"}))
    assert all(e.time and e.time["datetime"] >= "2024-01-01" for e in page.select("article.entry"))


def test_login_and_account_pages(client: TestClient) -> None:
    page = soup(client.get("/login"))
    form = page.select_one("form[action='/login']")
    assert form["method"] == "post"
    assert page.find("label", attrs={"for": "email"}) is not None
    account = client.get("/account", follow_redirects=False)
    assert account.status_code == 303 and account.headers["location"].startswith("/login?next=")
    subscribe = soup(client.get("/subscribe"))
    assert subscribe.select_one("form[action='/subscribe'] input[name='email']") is not None


def test_static_assets_and_health(client: TestClient) -> None:
    assert client.get("/static/paperwire.css").status_code == 200
    assert client.get("/static/paperwire.js").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}


def test_security_headers_on_every_page(client: TestClient) -> None:
    for url in ("/", "/search", "/login", "/papers/2401.01234", "/api/v1/papers", "/nope"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["content-security-policy"], url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


def test_every_page_has_one_h1_and_labelled_inputs(client: TestClient) -> None:
    for url in ("/", "/?window=new", "/search?q=transformer", "/login", "/papers/2401.01234"):
        page = soup(client.get(url))
        assert len(page.find_all("h1")) == 1, url
        assert page.html["lang"] == "en"
        for field in page.find_all("input"):
            if field.get("type") in ("hidden", "submit"):
                continue
            assert page.find("label", attrs={"for": field.get("id")}), (url, field)
