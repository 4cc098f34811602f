"""Browsers ask for /favicon.ico on every page: it must answer, and the page's icon link resolve."""

from __future__ import annotations

from fastapi.testclient import TestClient
from webtools import soup


def test_favicon_ico_answers_with_a_long_lived_icon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "max-age=2592000" in response.headers["cache-control"]
    assert response.content.lstrip().startswith(b"<svg")


def test_pages_link_an_icon_that_resolves(client: TestClient) -> None:
    for url in ("/", "/search", "/login"):
        icon = soup(client.get(url)).find("link", rel="icon")
        assert icon is not None, url
        response = client.get(icon["href"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
