"""Sessions end on the server: a copy of the cookie is signed out with the original."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from webtools import SECRET, csrf_of, sign_in, soup

from paperwire.accounts import get_user_by_email
from paperwire.accounts.tokens import hash_token
from paperwire.web.session import COOKIE_NAME


def copy_of(client: TestClient) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    return TestClient(client.app, cookies={COOKIE_NAME: client.cookies[COOKIE_NAME]})


def signed_in(client: TestClient) -> bool:
    response = client.get("/account", follow_redirects=False)
    return response.status_code == 200


def test_a_copied_cookie_is_signed_out_by_logout(fresh: TestClient, tmp_path: Path) -> None:
    sign_in(fresh, tmp_path / "mail")
    with copy_of(fresh) as copy:
        assert signed_in(copy)
        account = soup(fresh.get("/account"))
        out = fresh.post("/logout", data={"csrf_token": csrf_of(account)}, follow_redirects=False)
        assert out.status_code == 303
        assert not signed_in(fresh)
        assert not signed_in(copy)
        front = soup(copy.get("/"))
        assert front.select_one("nav a[href='/login']") is not None


def test_sign_out_everywhere_ends_every_session(fresh: TestClient, tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    sign_in(fresh, mail)
    with TestClient(fresh.app) as laptop, copy_of(fresh) as stolen:
        sign_in(laptop, mail)
        assert signed_in(laptop) and signed_in(stolen)
        account = soup(laptop.get("/account"))
        form = account.find("form", attrs={"action": "/logout/everywhere"})
        assert form is not None and form["method"] == "post"
        assert form.find("button").get_text(strip=True) == "Sign out everywhere"
        forged = laptop.post("/logout/everywhere", data={"csrf_token": "forged"})
        assert forged.status_code == 403 and signed_in(stolen)
        done = laptop.post(
            "/logout/everywhere", data={"csrf_token": csrf_of(form)}, follow_redirects=False
        )
        assert done.status_code == 303
        assert not signed_in(laptop)
        assert not signed_in(fresh)
        assert not signed_in(stolen)


def test_the_store_keeps_only_a_hash_of_the_session_token(
    fresh: TestClient, tmp_path: Path
) -> None:
    sign_in(fresh, tmp_path / "mail")
    cookie = URLSafeTimedSerializer(SECRET, salt="paperwire.session").loads(
        fresh.cookies[COOKIE_NAME]
    )
    token = cookie["sid"]
    store = fresh.app.state.services.store  # type: ignore[attr-defined]
    user = get_user_by_email(store, "reader@example.org")
    assert user is not None
    [stored] = store.sessions.of_user(user.id)
    assert stored.token_hash == hash_token(token)
    assert token not in repr(stored)
