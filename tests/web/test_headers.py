"""Security headers on every response (500s from unhandled errors too) and
Cache-Control on personal ones."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

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
