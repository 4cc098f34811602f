"""An address that would break or redirect its mail is refused at the form, with a
message, before anything is stored or the visitor is told a link is on its way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from webtools import csrf_of, soup

from paperwire.accounts.tokens import hash_token, new_token
from paperwire.store.clock import utcnow
from paperwire.store.interfaces.accounts import LoginToken
from paperwire.store.schema import subscribers

INJECTED = "=?utf-8?q?evil=0D=0ABcc=3A_victim=40example.org?=@example.org"
REDIRECTED = "=?utf-8?q?evil?=@example.org"  # its mail would go to evil@example.org


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


def _rows(client: TestClient, table: sa.Table) -> list[sa.Row]:  # type: ignore[type-arg]
    store = client.app.state.services.store  # type: ignore[attr-defined]
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(table)).all())


def _login_requests(client: TestClient, address: str) -> list[datetime]:
    """When sign-in tokens were stored for the address, in any case (seen by a rate-limit
    check that then stores nothing)."""
    store = client.app.state.services.store  # type: ignore[attr-defined]
    seen: list[datetime] = []

    def refuse(times: Sequence[datetime]) -> int:
        seen.extend(times)
        return 1

    since = utcnow() - timedelta(days=1)
    for spelling in {address, address.lower()}:
        probe = LoginToken("probe", spelling, created_at=since, expires_at=since)
        store.accounts.issue_login_token(probe, requests_since=since, refusal=refuse)
    return seen


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
    assert _login_requests(fresh, address) == []
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
    store = fresh.app.state.services.store  # type: ignore[attr-defined]
    token, now = new_token(), utcnow()
    legacy = LoginToken(hash_token(token), REDIRECTED, now, expires_at=now + timedelta(hours=1))
    store.accounts.issue_login_token(legacy, requests_since=now, refusal=lambda _: None)

    link = f"/login/{token}"
    confirm = fresh.get(link)
    fresh.post(link, data={"csrf_token": csrf_of(soup(confirm))})
    assert store.accounts.user_by_email(REDIRECTED) is not None

    page = fresh.get("/account/digest")
    assert page.status_code == 200
    assert "=?" in soup(page).select_one("#email-error").get_text()
    data = {"topics": "graph networks", "hour": "7", "timezone": "UTC"}
    data["csrf_token"] = csrf_of(soup(page))
    refused = fresh.post("/account/digest/subscribe", data=data)
    assert refused.status_code == 400
    assert "=?" in soup(refused).select_one("#email-error").get_text()
    assert _rows(fresh, subscribers) == []
