"""Helpers for reading pages as HTML documents (parsed, never grepped)."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def csrf_of(page: BeautifulSoup) -> str:
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, "form without a CSRF field"
    return str(field["value"])


def sign_in(client: TestClient, mail_dir, email: str = "reader@example.org") -> None:  # type: ignore[no-untyped-def]
    """Ask for a link, follow it from the development mail folder, press Sign in."""
    before = set(mail_dir.glob("*.eml")) if mail_dir.exists() else set()
    form = soup(client.get("/login"))
    sent = client.post("/login", data={"email": email, "csrf_token": csrf_of(form)})
    assert sent.status_code == 200, sent.text
    link = latest_link(mail_dir, before)
    confirm = client.get(link)
    assert confirm.status_code == 200
    done = client.post(
        link.split("?")[0], data={"csrf_token": csrf_of(soup(confirm))}, follow_redirects=False
    )
    assert done.status_code == 303


def latest_link(mail_dir, before: set | None = None) -> str:  # type: ignore[no-untyped-def]
    """The sign-in path from the newest .eml in the folder (not counting ``before``)."""
    from email import message_from_bytes, policy

    new = sorted(set(mail_dir.glob("*.eml")) - (before or set()))
    assert new, "no sign-in mail was written"
    message = message_from_bytes(new[-1].read_bytes(), policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"https?://[^/\s]+(/login/[^\s]+)", body)
    assert match, body
    return match.group(1)


# A title that must come out escaped everywhere it is shown.
HOSTILE_TITLE = '<script>alert("x")</script> Dark matter halos & "quotes"'
