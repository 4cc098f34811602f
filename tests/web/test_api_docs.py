"""The API docs page: Swagger UI from the app itself, under the site's one CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from webtools import soup

from paperwire.web.security import CONTENT_SECURITY_POLICY


def test_the_docs_page_needs_nothing_from_outside(client: TestClient) -> None:
    docs = client.get("/api/v1/docs")
    page = soup(docs)
    assert all(not (script.string or "").strip() for script in page.find_all("script"))
    references = [
        tag.get("src") or tag.get("href") for tag in page.find_all(["script", "link", "img"])
    ]
    assert len(references) >= 3
    for reference in references:
        parts = urlsplit(reference)
        assert not parts.scheme and not parts.netloc and reference.startswith("/"), reference
        asset = client.get(reference)
        assert asset.status_code == 200, reference
        assert len(asset.content) > 100, reference
    bundle = client.get(page.find("script")["src"]).text
    assert "SwaggerUIBundle" in bundle
    assert docs.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "https:" not in CONTENT_SECURITY_POLICY and "http:" not in CONTENT_SECURITY_POLICY
