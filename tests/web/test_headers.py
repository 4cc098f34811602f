"""Security headers on every response (500s from unhandled errors too) and
Cache-Control on personal ones."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from webtools import SECRET, sign_in

from paperwire import accounts
from paperwire.digest import subscriptions
from paperwire.digest.links import LinkSigner
from paperwire.digest.preferences import Preferences
from paperwire.store.clock import utcnow
from paperwire.web.security import CONTENT_SECURITY_POLICY, SECURITY_HEADERS


def failing_app(app: FastAPI) -> FastAPI:
    """The app with two routes that raise, one for people and one for machines."""

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/v1/boom", boom)
    return app


def assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS:
        assert response.headers.get(name.decode()) == value.decode(), name
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_500_carries_the_security_headers(make_app) -> None:  # type: ignore[no-untyped-def]
    app = failing_app(make_app(env="production"))
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        assert_security_headers(client.get("/healthz"))
        page = client.get("/boom")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert_security_headers(page)
        assert page.headers["strict-transport-security"].startswith("max-age=")
        machine = client.get("/api/v1/boom")
        assert machine.status_code == 500
        assert machine.json() == {"detail": "Something went wrong on our side. Please try again."}
        assert_security_headers(machine)


def no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return response.headers.get("cache-control") == "private, no-store"


def test_pages_for_a_signed_in_reader_are_not_stored(fresh: TestClient, tmp_path: Path) -> None:
    sign_in(fresh, tmp_path / "mail")
    for path in ("/account", "/account/digest", "/", "/papers/2401.01234", "/search?q=decoding"):
        response = fresh.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path
    missing = fresh.get("/papers/0000.00000")
    assert missing.status_code == 404 and no_store(missing)
    assert not no_store(fresh.get("/static/paperwire.css")), "assets stay cacheable"
    assert not no_store(fresh.get("/feeds/trending.atom"))


def test_pages_reached_by_a_personal_link_are_not_stored(fresh: TestClient) -> None:
    store = fresh.app.state.services.store  # type: ignore[attr-defined]
    now = utcnow()
    login = accounts.request_login(store, "ann@example.org", now=now)
    pending = subscriptions.request_subscription(
        store, "bob@example.org", Preferences(), [], now=now
    )
    assert pending.nonce is not None
    active = subscriptions.add_subscriber(
        store, "cy@example.org", Preferences(), [], confirmed=True, now=now
    ).subscriber_id
    signer = LinkSigner(SECRET, confirm_max_age_seconds=3600)
    assert "pw_session" in fresh.get("/login").cookies  # a visitor with a session
    assert not no_store(fresh.get("/")), "a page shared by every visitor"
    for path in (
        f"/login/{login.token}",
        f"/subscribe/confirm/{signer.confirm_token(pending.subscriber_id, pending.nonce)}",
        f"/u/{signer.unsubscribe_token(active)}",
        f"/digests/{signer.archive_token(active)}",
    ):
        response = fresh.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path
