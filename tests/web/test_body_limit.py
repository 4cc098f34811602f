"""Request bodies have a size limit that holds before any form is parsed."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from webtools import csrf_of, soup

from paperwire.web.body_limit import MAX_BODY_BYTES


def _form_with(client: TestClient, size: int) -> dict[str, str]:
    page = soup(client.get("/login"))
    return {"email": "a" * size + "@example.org", "csrf_token": csrf_of(page)}


def test_an_oversized_form_is_refused_with_413(fresh: TestClient) -> None:
    response = fresh.post("/login", data=_form_with(fresh, MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert "too large" in response.text


def test_an_oversized_body_without_a_length_is_refused(fresh: TestClient) -> None:
    token = csrf_of(soup(fresh.get("/login")))

    def chunks() -> Iterator[bytes]:
        yield f"csrf_token={token}&email=".encode()
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"a" * 65536

    response = fresh.post(
        "/login",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413, response.text[:200]


def test_a_form_under_the_limit_is_still_read(fresh: TestClient) -> None:
    response = fresh.post("/login", data=_form_with(fresh, 600))
    assert response.status_code == 400  # the form was parsed: the field is too long
