"""Sign-in by magic link, CSRF, upvotes and saves, views, sign-out: state that changes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webtools import csrf_of, latest_link, sign_in, soup

from paperwire import trending
from paperwire.store.clock import utcnow


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


def paper_form(client: TestClient, ref: str = "2401.01234"):  # type: ignore[no-untyped-def]
    page = soup(client.get(f"/papers/{ref}"))
    return page, page.select_one("article.paper")["data-paper"]


def test_magic_link_signs_in_once(fresh: TestClient, mail_dir: Path) -> None:
    form = soup(fresh.get("/login?next=/papers/2401.01234"))
    assert form.select_one("input[name=next]")["value"] == "/papers/2401.01234"
    sent = fresh.post(
        "/login",
        data={"email": "Reader@Example.org", "csrf_token": csrf_of(form), "next": "/account"},
    )
    assert sent.status_code == 200
    assert "reader@example.org" in soup(sent).find(attrs={"role": "status"}).get_text()
    link = latest_link(mail_dir)
    confirm = fresh.get(link)
    page = soup(confirm)
    assert page.select_one("main strong").get_text() == "reader@example.org"
    assert page.select_one("main form")["action"] == link.split("?")[0]
    assert fresh.get("/account", follow_redirects=False).status_code == 303  # GET signs nobody in
    done = fresh.post(link, data={"csrf_token": csrf_of(page)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/account"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    account = soup(fresh.get("/account"))
    assert account.select_one(".email").get_text() == "reader@example.org"

    again = fresh.post(link, data={"csrf_token": csrf_of(account)})
    assert again.status_code == 400
    assert soup(again).select_one(".error").get_text().strip()
    assert fresh.get(link).status_code == 400


def test_unknown_and_known_addresses_get_the_same_answer(fresh: TestClient, mail_dir: Path) -> None:
    sign_in(fresh, mail_dir, "known@example.org")
    fresh.post("/logout", data={"csrf_token": csrf_of(soup(fresh.get("/account")))})
    answers = []
    for email in ("known@example.org", "nobody@example.org"):
        form = soup(fresh.get("/login"))
        response = fresh.post("/login", data={"email": email, "csrf_token": csrf_of(form)})
        text = soup(response).find(attrs={"role": "status"}).get_text()
        answers.append((response.status_code, text.replace(email, "EMAIL")))
    assert answers[0] == answers[1]


def test_bad_tokens_and_addresses(fresh: TestClient) -> None:
    for token in ("nope", "x" * 300, "%00"):
        response = fresh.get(f"/login/{token}")
        assert response.status_code in (400, 404), token
        assert soup(response).select_one(".error").get_text().strip()
    form = soup(fresh.get("/login"))
    bad = fresh.post("/login", data={"email": "not an address", "csrf_token": csrf_of(form)})
    assert bad.status_code == 400
    assert soup(bad).select_one("#email-error").get_text().strip()


def test_expired_link_is_refused(fresh: TestClient, mail_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    form = soup(fresh.get("/login"))
    fresh.post("/login", data={"email": "late@example.org", "csrf_token": csrf_of(form)})
    link = latest_link(mail_dir)
    later = utcnow() + timedelta(days=2)
    for module in ("paperwire.web.auth", "paperwire.web.pages"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    response = fresh.get(link)
    assert response.status_code == 400
    assert "expired" in soup(response).select_one(".error").get_text().lower()


def test_forged_or_missing_csrf_is_refused(fresh: TestClient) -> None:
    soup(fresh.get("/login"))  # the session now has a token
    for data in ({"email": "a@example.org"}, {"email": "a@example.org", "csrf_token": "forged"}):
        response = fresh.post("/login", data=data)
        assert response.status_code == 403
        assert "did not come from this site" in soup(response).select_one(".error").get_text()
    other = TestClient(fresh.app)
    token = csrf_of(soup(other.get("/login")))
    stolen = fresh.post("/login", data={"email": "a@example.org", "csrf_token": token})
    assert stolen.status_code == 403
    _, paper_id = paper_form(fresh)
    assert fresh.post(f"/papers/{paper_id}/view", headers={"x-csrf-token": "x"}).status_code == 403
    assert fresh.post("/logout").status_code == 403


def test_upvote_needs_sign_in_then_counts(fresh: TestClient, mail_dir: Path) -> None:
    page, paper_id = paper_form(fresh)
    anonymous = fresh.post(
        f"/papers/{paper_id}/upvote", data={"csrf_token": csrf_of(page)}, follow_redirects=False
    )
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert fresh.post(
        f"/papers/{paper_id}/upvote", data={"csrf_token": csrf_of(page)},
        headers={"accept": "application/json"},
    ).status_code == 401  # fmt: skip

    sign_in(fresh, mail_dir)
    page, _ = paper_form(fresh)
    voted = fresh.post(
        f"/papers/{paper_id}/upvote", data={"csrf_token": csrf_of(page), "on": "1"},
        follow_redirects=False,
    )  # fmt: skip
    assert voted.status_code == 303 and voted.headers["location"] == f"/papers/{paper_id}"
    page, _ = paper_form(fresh)
    button = page.select_one("form[data-kind=upvote] button")
    assert button["aria-pressed"] == "true"
    assert button.select_one(".count").get_text() == "1"
    as_json = fresh.post(
        f"/papers/{paper_id}/upvote", data={"csrf_token": csrf_of(page), "on": "0"},
        headers={"accept": "application/json"},
    )  # fmt: skip
    assert as_json.json() == {"upvotes": 0, "upvote": False}


def test_upvoted_paper_climbs_trending(fresh: TestClient, mail_dir: Path) -> None:
    sign_in(fresh, mail_dir)
    page, paper_id = paper_form(fresh, "astro-ph/0601001")
    fresh.post(f"/papers/{paper_id}/upvote", data={"csrf_token": csrf_of(page)})
    store = fresh.app.state.services.store
    trending.refresh_scores(store, now=utcnow())
    front = soup(fresh.get("/?window=day"))
    assert front.find(class_="notice") is None
    first = front.select_one("article.entry")
    assert first["data-paper"] == paper_id
    assert first.select_one(".upvotes .count").get_text() == "1"
    assert "upvote" in first.select_one(".reason").get_text()
    api = fresh.get("/api/v1/trending", params={"window": "day"}).json()
    assert api["items"][0]["id"] == paper_id and api["items"][0]["reason"]


def test_save_shows_on_account_page(fresh: TestClient, mail_dir: Path) -> None:
    sign_in(fresh, mail_dir)
    page, paper_id = paper_form(fresh)
    fresh.post(f"/papers/{paper_id}/save", data={"csrf_token": csrf_of(page)})
    account = soup(fresh.get("/account"))
    assert [e["data-paper"] for e in account.select("article.entry")] == [paper_id]


def test_view_is_counted_by_post_not_by_get(fresh: TestClient) -> None:
    store = fresh.app.state.services.store
    page, paper_id = paper_form(fresh)
    paper_form(fresh)
    trending.refresh_scores(store, now=utcnow())
    assert trending.top(store, "day", limit=5, now=utcnow()) == []
    token = page.select_one('meta[name="csrf-token"]')["content"]
    response = fresh.post(f"/papers/{paper_id}/view", headers={"x-csrf-token": token})
    assert response.status_code == 204
    trending.refresh_scores(store, now=utcnow())
    assert [e.paper.paper_id for e in trending.top(store, "day", limit=5, now=utcnow())] == [
        paper_id
    ]


def test_sign_out(fresh: TestClient, mail_dir: Path) -> None:
    sign_in(fresh, mail_dir)
    account = soup(fresh.get("/account"))
    out = fresh.post("/logout", data={"csrf_token": csrf_of(account)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert fresh.get("/account", follow_redirects=False).status_code == 303
    assert soup(fresh.get("/")).select_one("nav a[href='/login']") is not None


def test_login_is_rate_limited_per_client(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(login_rate_per_hour=2)) as client:
        statuses = []
        for number in range(3):
            form = soup(client.get("/login"))
            email = f"user{number}@example.org"
            statuses.append(
                client.post(
                    "/login", data={"email": email, "csrf_token": csrf_of(form)}
                ).status_code
            )
        assert statuses == [200, 200, 429]


def test_production_cookies_are_secure(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(env="production"), base_url="https://testserver") as client:
        response = client.get("/login")
        cookie = response.headers["set-cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "max-age" in response.headers["strict-transport-security"]
