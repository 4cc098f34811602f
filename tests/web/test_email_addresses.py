"""An address that would break or redirect its mail is refused at the form, with a
message, before anything is stored or the visitor is told a link is on its way."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from webtools import csrf_of, latest_link, soup

from paperwire.store.schema import login_tokens, subscribers, users

INJECTED = "=?utf-8?q?evil=0D=0ABcc=3A_victim=40example.org?=@example.org"
REDIRECTED = "=?utf-8?q?evil?=@example.org"  # its mail would go to evil@example.org


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


def _rows(client: TestClient, table: sa.Table) -> list[sa.Row]:  # type: ignore[type-arg]
    store = client.app.state.services.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(table)).all())


def _refused_beside_the_field(response: object) -> None:
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = soup(response)
    error = page.select_one("#email-error")
    assert error is not None and "=?" in error.get_text()
    assert page.select_one("input[name=email]")["aria-invalid"] == "true"
    assert page.find(attrs={"role": "status"}) is None, "no 'on its way' answer"


@pytest.mark.parametrize("address", [INJECTED, REDIRECTED])
def test_sign_in_refuses_an_encoded_word_address(
    fresh: TestClient, mail_dir: Path, address: str
) -> None:
    form = soup(fresh.get("/login"))
    response = fresh.post("/login", data={"email": address, "csrf_token": csrf_of(form)})
    _refused_beside_the_field(response)
    assert _rows(fresh, login_tokens) == []
    assert not mail_dir.exists() or not list(mail_dir.glob("*.eml"))


@pytest.mark.parametrize("address", [INJECTED, REDIRECTED])
def test_subscribe_refuses_an_encoded_word_address(
    fresh: TestClient, mail_dir: Path, address: str
) -> None:
    form = soup(fresh.get("/subscribe"))
    data = {"email": address, "topics": "graph networks", "csrf_token": csrf_of(form)}
    _refused_beside_the_field(fresh.post("/subscribe", data=data))
    assert _rows(fresh, subscribers) == []
    assert not mail_dir.exists() or not list(mail_dir.glob("*.eml"))


def test_an_account_stored_under_such_an_address_is_told_at_the_digest_form(
    fresh: TestClient, mail_dir: Path
) -> None:
    """An account created before the rule: its digest forms say why, and store nothing."""
    form = soup(fresh.get("/login"))
    fresh.post("/login", data={"email": "legacy@example.org", "csrf_token": csrf_of(form)})
    store = fresh.app.state.services.store  # type: ignore[attr-defined]
    with store.writing() as conn:
        conn.execute(sa.update(login_tokens).values(email=REDIRECTED))

    link = latest_link(mail_dir)
    confirm = fresh.get(link)
    fresh.post(link.split("?")[0], data={"csrf_token": csrf_of(soup(confirm))})
    assert [row.email for row in _rows(fresh, users)] == [REDIRECTED]

    page = fresh.get("/account/digest")
    assert page.status_code == 200
    assert "=?" in soup(page).select_one("#email-error").get_text()
    data = {"topics": "graph networks", "hour": "7", "timezone": "UTC"}
    data["csrf_token"] = csrf_of(soup(page))
    refused = fresh.post("/account/digest/subscribe", data=data)
    assert refused.status_code == 400
    assert "=?" in soup(refused).select_one("#email-error").get_text()
    assert _rows(fresh, subscribers) == []
