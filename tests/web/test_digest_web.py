"""The digest on the web: subscribe with double opt-in, the account's digest page,
one-click unsubscribe and the archive, driven through the app as a browser would."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from webtools import SECRET, csrf_of, sign_in, soup

from paperwire import accounts
from paperwire.digest import subscriptions
from paperwire.digest.links import LinkSigner
from paperwire.digest.preferences import Preferences
from paperwire.digest.run import DigestRunner
from paperwire.digest.schedule import local_today
from paperwire.mail import Mailer
from paperwire.store.clock import utcnow
from paperwire.store.schema import deliveries, subscriber_topics, subscribers, users
from paperwire.web.digest_forms import MAIL_PAGE_CSP

SIGNER = LinkSigner(SECRET, confirm_max_age_seconds=3600)


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


def mails(mail_dir: Path) -> list[EmailMessage]:
    files = sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else []
    return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]  # type: ignore[misc]


def plain(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def confirm_path(message: EmailMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/subscribe/confirm/\S+)", plain(message))
    assert found, plain(message)
    return found.group(1)


def subscribe(client: TestClient, email: str, **fields: str) -> Any:
    form = soup(client.get("/subscribe"))
    data = {"email": email, "csrf_token": csrf_of(form), **fields}
    return client.post("/subscribe", data=data)


def store_of(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.services.store  # type: ignore[attr-defined]


def subscriber_rows(client: TestClient) -> list[Any]:
    with store_of(client).engine.connect() as conn:
        return list(conn.execute(sa.select(subscribers)).all())


def status_text(response: Any) -> str:
    return soup(response).find(attrs={"role": "status"}).get_text(" ", strip=True)


def active_subscriber(client: TestClient, email: str, **prefs: Any) -> int:
    preferences = Preferences(**prefs)
    result = subscriptions.add_subscriber(
        store_of(client), email, preferences, [None] * len(preferences.topics),
        confirmed=True, now=utcnow() - timedelta(days=2),
    )  # fmt: skip
    return result.subscriber_id


def test_subscribe_form_fields(fresh: TestClient) -> None:
    page = soup(fresh.get("/subscribe"))
    form = page.select_one("main form[action='/subscribe']")
    assert form["method"] == "post"
    assert form.select_one("input[type=email][name=email]")
    assert form.select_one("textarea[name=topics]") is not None
    assert form.select_one("input[name=categories]") is not None
    hours = form.select("select[name=hour] option")
    assert [o["value"] for o in hours] == [str(h) for h in range(24)]
    assert form.select_one("select[name=hour] option[selected]")["value"] == "8"
    zone = form.select_one("input[name=timezone]")
    assert zone["value"] == "UTC" and zone.has_attr("data-guess-timezone")
    trap = form.select_one("input[name=website]")
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert "hp" in trap.find_parent("div")["class"]
    for field in form.select("input:not([type=hidden]), textarea, select"):
        assert page.find("label", attrs={"for": field["id"]}) is not None, field["name"]


def test_subscribe_then_confirm_signs_in(fresh: TestClient, mail_dir: Path) -> None:
    sent = subscribe(
        fresh, "Reader@Example.org", topics="speculative decoding\n\nprotein folding\n",
        categories="cs.CL, cs.LG", hour="7", timezone="Europe/Berlin",
    )  # fmt: skip
    assert sent.status_code == 200
    assert "If reader@example.org can receive mail" in status_text(sent)
    subscriber = subscriptions.get_subscriber_by_email(store_of(fresh), "reader@example.org")
    assert subscriber is not None and subscriber.status == subscriptions.PENDING
    assert subscriber.preferences == Preferences(
        ("speculative decoding", "protein folding"), ("cs.CL", "cs.LG"), 7, "Europe/Berlin"
    )
    with store_of(fresh).engine.connect() as conn:
        vectors = conn.execute(sa.select(subscriber_topics.c.model, subscriber_topics.c.vector))
        assert all(model and vector for model, vector in vectors)

    [message] = mails(mail_dir)
    assert message["To"] == "reader@example.org"
    link = confirm_path(message)
    page = fresh.get(link)  # what a mail scanner does: nothing may change
    assert page.status_code == 200
    form = soup(page).select_one("main form")
    assert form["action"] == link and form["method"] == "post"
    assert form.select_one("button").get_text(strip=True) == "Confirm my subscription"
    assert subscriptions.get_subscriber(store_of(fresh), subscriber.id).status == "pending"  # type: ignore[union-attr]
    assert fresh.get("/account/digest", follow_redirects=False).status_code == 303

    done = fresh.post(link, data={"csrf_token": csrf_of(soup(page))}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/account/digest"
    assert subscriptions.get_subscriber(store_of(fresh), subscriber.id).status == "active"  # type: ignore[union-attr]
    assert accounts.get_user_by_email(store_of(fresh), "reader@example.org") is not None
    account = soup(fresh.get("/account/digest"))
    assert account.select_one(".status")["data-status"] == "active"
    assert "confirmed" in account.select_one(".notice").get_text()
    assert account.select_one("textarea[name=topics]").get_text() == (
        "speculative decoding\nprotein folding"
    )
    assert soup(fresh.get("/account/digest")).select_one(".notice") is None  # shown once
    assert soup(fresh.get("/account")).select_one("a[href='/account/digest']") is not None

    # The link has done its job: followed again (by anyone), it signs no one in.
    fresh.cookies.clear()
    again = fresh.post(link, data={"csrf_token": csrf_of(soup(fresh.get(link)))})
    assert again.url.path == "/login"
    assert fresh.get("/account/digest", follow_redirects=False).status_code == 303


def test_a_session_of_a_deleted_account_is_not_another_account(
    fresh: TestClient, mail_dir: Path
) -> None:
    store = store_of(fresh)
    first = accounts.ensure_user(store, "first@example.org", now=utcnow())
    # Sign in as the first user, delete them, then create a user with the same id.
    page = fresh.get("/login")
    fresh.post("/login", data={"email": "first@example.org", "csrf_token": csrf_of(soup(page))})
    [message] = [m for m in mails(mail_dir) if m["To"] == "first@example.org"]
    login = re.search(r"https?://[^/\s]+(/login/\S+)", plain(message)).group(1)  # type: ignore[union-attr]
    confirm_page = fresh.get(login)
    fresh.post(login, data={"csrf_token": csrf_of(soup(confirm_page))})
    assert fresh.get("/account/digest", follow_redirects=False).status_code == 200
    store.accounts.delete_user(first.id)
    with store.writing() as conn:  # a new account that reuses the id
        conn.execute(
            sa.insert(users).values(id=first.id, email="second@example.org", created_at=utcnow())
        )
    assert fresh.get("/account/digest", follow_redirects=False).status_code == 303


def test_confirm_post_needs_csrf(fresh: TestClient, mail_dir: Path) -> None:
    subscribe(fresh, "csrf@example.org")
    link = confirm_path(mails(mail_dir)[0])
    assert fresh.post(link, data={"csrf_token": "forged"}).status_code == 403
    assert subscriber_rows(fresh)[0].status == "pending"


def test_honeypot_answers_as_success_and_does_nothing(fresh: TestClient, mail_dir: Path) -> None:
    real = subscribe(fresh, "human@example.org")
    robot = subscribe(fresh, "robot@example.org", website="http://spam.example")
    assert robot.status_code == real.status_code == 200
    assert status_text(robot).replace("robot", "X") == status_text(real).replace("human", "X")
    assert [row.email for row in subscriber_rows(fresh)] == ["human@example.org"]
    assert len(mails(mail_dir)) == 1


def test_already_subscribed_gets_same_answer_and_no_mail(fresh: TestClient, mail_dir: Path) -> None:
    active_subscriber(fresh, "known@example.org", topics=("graphs",))
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        response = subscribe(fresh, email, topics="something else")
        answers.append((response.status_code, status_text(response).replace(email, "EMAIL")))
    assert answers[0] == answers[1]
    assert [m["To"] for m in mails(mail_dir)] == ["unknown@example.org"]
    known = subscriptions.get_subscriber_by_email(store_of(fresh), "known@example.org")
    assert known.status == "active" and known.preferences.topics == ("graphs",)  # type: ignore[union-attr]


def test_subscribe_is_rate_limited_per_client(make_app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(make_app(subscribe_rate_per_hour=2)) as client:
        statuses = [subscribe(client, f"user{n}@example.org") for n in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert int(statuses[2].headers["retry-after"]) > 0
        assert len(subscriber_rows(client)) == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": "a@b.org\r\nBcc: x@y.org"}, "email"),
        ({"email": "ok@example.org", "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"email": "ok@example.org", "hour": "25"}, "hour"),
        ({"email": "ok@example.org", "hour": "eight"}, "hour"),
        ({"email": "ok@example.org", "categories": "cs.CL <script>"}, "categories"),
        ({"email": "ok@example.org", "topics": "x" * 10_000}, "topics"),
    ],
)
def test_invalid_input_is_refused_beside_its_field(
    fresh: TestClient, mail_dir: Path, fields: dict[str, str], field: str
) -> None:
    response = subscribe(fresh, **fields)  # type: ignore[arg-type]
    assert response.status_code == 400
    page = soup(response)
    error = page.select_one(f"#{field}-error")
    assert error is not None and error.get_text(strip=True)
    assert page.select_one(f"[name={field}]")["aria-invalid"] == "true"
    if field != "email":
        assert page.select_one("input[name=email]")["value"] == "ok@example.org"
    if field == "topics":
        assert page.select_one("textarea[name=topics]").get_text() == fields["topics"]
        assert "200 characters" in error.get_text()
    assert "<script>" not in response.text
    assert subscriber_rows(fresh) == []
    assert mails(mail_dir) == []


def test_subscribe_without_csrf_asks_again_and_changes_nothing(
    fresh: TestClient, mail_dir: Path
) -> None:
    data = {"email": "late@example.org", "topics": "graph <neural> networks", "hour": "6"}
    again = fresh.post("/subscribe", data=data)
    assert again.status_code == 403
    page = soup(again)
    assert "press Subscribe again" in page.select_one(".notice").get_text()
    assert page.select_one("input[name=email]")["value"] == "late@example.org"
    assert page.select_one("textarea[name=topics]").get_text() == "graph <neural> networks"
    assert page.select_one("select[name=hour] option[selected]")["value"] == "6"
    assert subscriber_rows(fresh) == [] and mails(mail_dir) == []
    done = fresh.post("/subscribe", data={**data, "csrf_token": csrf_of(page)})
    assert done.status_code == 200 and len(mails(mail_dir)) == 1


def test_front_page_box(fresh: TestClient, mail_dir: Path) -> None:
    response = fresh.get("/")
    assert "pw_session" not in response.headers.get("set-cookie", "")  # page is shared
    form = soup(response).select_one("section.banner form[action='/subscribe']")
    assert form["method"] == "post" and form.has_attr("data-fetch-csrf")
    assert form.select_one("input[name=csrf_token]")["value"] == ""
    assert form.select_one("input[name=timezone]").has_attr("data-guess-timezone")
    assert form.select_one(".hp input[name=website]")["tabindex"] == "-1"
    token = fresh.get("/subscribe/token")
    assert token.headers["cache-control"] == "private, no-store"
    data = {"email": "box@example.org", "timezone": "Asia/Tokyo", "hour": "8"}
    sent = fresh.post("/subscribe", data={**data, "csrf_token": token.json()["csrf_token"]})
    assert sent.status_code == 200 and len(mails(mail_dir)) == 1


@pytest.mark.parametrize("token", ["nope", "x" * 301, "eyJ.forged.sig"])
def test_forged_confirm_links_are_refused(fresh: TestClient, token: str) -> None:
    page = fresh.get(f"/subscribe/confirm/{token}")
    assert page.status_code == 400
    assert "not valid" in soup(page).select_one(".error").get_text()
    soup(fresh.get("/subscribe"))
    csrf = csrf_of(soup(fresh.get("/subscribe")))
    assert fresh.post(f"/subscribe/confirm/{token}", data={"csrf_token": csrf}).status_code == 400


def test_expired_and_superseded_confirm_links(fresh: TestClient, mail_dir: Path) -> None:
    subscribe(fresh, "slow@example.org")
    first = confirm_path(mails(mail_dir)[0])
    subscriber_id, nonce = SIGNER.read_confirm(first.rsplit("/", 1)[1])

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return super().get_timestamp() - 100 * 3600

    old = URLSafeTimedSerializer(SECRET, salt="paperwire.digest.confirm", signer=LongAgo)
    expired = fresh.get(f"/subscribe/confirm/{old.dumps([subscriber_id, nonce])}")
    assert expired.status_code == 400
    assert "expired" in soup(expired).select_one(".error").get_text()

    with store_of(fresh).writing() as conn:  # let the next request send a mail at once
        conn.execute(sa.update(subscribers).values(confirm_sent_at=utcnow() - timedelta(hours=1)))
    subscribe(fresh, "slow@example.org")
    assert len(mails(mail_dir)) == 2
    page = soup(fresh.get(first))
    stale = fresh.post(first, data={"csrf_token": csrf_of(page)})
    assert stale.status_code == 400
    assert "newer confirmation link" in soup(stale).select_one(".error").get_text()
    assert subscriber_rows(fresh)[0].status == "pending"


def test_account_digest_needs_sign_in(fresh: TestClient) -> None:
    for path in ("/account/digest", "/account/digest/preview"):
        response = fresh.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def account_post(client: TestClient, path: str, **data: str) -> Any:
    page = soup(client.get("/account/digest"))
    return client.post(path, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


def test_account_page_manages_the_digest(fresh: TestClient, mail_dir: Path) -> None:
    sign_in(fresh, mail_dir, "member@example.org")
    store = store_of(fresh)
    start = soup(fresh.get("/account/digest"))
    assert start.select_one("form[action='/account/digest/subscribe']") is not None
    assert start.select_one("input[name=email]") is None  # the signed-in address is used

    created = account_post(
        fresh, "/account/digest/subscribe", topics="diffusion models", hour="9", timezone="UTC"
    )
    assert created.status_code == 303 and created.headers["location"] == "/account/digest"
    member = subscriptions.get_subscriber_by_email(store, "member@example.org")
    assert member is not None and member.status == "active"  # no confirmation mail needed
    assert len(mails(mail_dir)) == 1  # the sign-in mail only

    saved = account_post(
        fresh, "/account/digest/preferences", topics="<b>graph</b> networks\nlanguage models",
        categories="cs.LG", hour="18", timezone="America/New_York",
    )  # fmt: skip
    assert saved.status_code == 303
    page = fresh.get("/account/digest")
    assert "saved" in soup(page).select_one(".notice").get_text()
    assert "<b>graph</b>" not in page.text and "&lt;b&gt;graph&lt;/b&gt;" in page.text
    member = subscriptions.get_subscriber(store, member.id)
    assert member.preferences == Preferences(  # type: ignore[union-attr]
        ("<b>graph</b> networks", "language models"), ("cs.LG",), 18, "America/New_York"
    )
    with store.engine.connect() as conn:
        models = conn.execute(sa.select(subscriber_topics.c.model)).scalars().all()
    assert len(models) == 2 and all(models)

    bad = account_post(fresh, "/account/digest/preferences", timezone="Nowhere/Land")
    assert bad.status_code == 400
    assert soup(bad).select_one("#timezone-error").get_text(strip=True)
    assert soup(bad).select_one("input[name=timezone]")["value"] == "Nowhere/Land"
    assert subscriptions.get_subscriber(store, member.id).preferences.hour == 18  # type: ignore[union-attr]

    assert account_post(fresh, "/account/digest/pause").status_code == 303
    assert subscriptions.get_subscriber(store, member.id).status == "paused"  # type: ignore[union-attr]
    assert soup(fresh.get("/account/digest")).select_one(".status")["data-status"] == "paused"
    assert account_post(fresh, "/account/digest/resume").status_code == 303
    assert subscriptions.get_subscriber(store, member.id).status == "active"  # type: ignore[union-attr]

    preview = fresh.get("/account/digest/preview")
    assert preview.status_code == 200
    assert preview.headers["content-security-policy"] == MAIL_PAGE_CSP
    tomorrow = local_today(utcnow(), "America/New_York") + timedelta(days=1)
    assert f"paperwire digest, {tomorrow.isoformat()}" in preview.text
    assert subscriptions.get_subscriber(store, member.id).last_digest_at is None  # type: ignore[union-attr]

    assert account_post(fresh, "/account/digest/unsubscribe").status_code == 303
    assert subscriptions.get_subscriber(store, member.id).status == "unsubscribed"  # type: ignore[union-attr]
    again = soup(fresh.get("/account/digest"))
    assert again.select_one("form[action='/account/digest/subscribe']") is not None
    assert again.select_one("input[name=categories]")["value"] == "cs.LG"  # prefilled


def test_delete_all_my_data(fresh: TestClient, mail_dir: Path) -> None:
    sign_in(fresh, mail_dir, "leaving@example.org")
    store = store_of(fresh)
    account_post(fresh, "/account/digest/subscribe", topics="graphs")
    paper = soup(fresh.get("/papers/2401.01234"))
    paper_id = paper.select_one("article.paper")["data-paper"]
    fresh.post(f"/papers/{paper_id}/save", data={"csrf_token": csrf_of(paper)})
    user = accounts.get_user_by_email(store, "leaving@example.org")
    assert user is not None

    unconfirmed = account_post(fresh, "/account/digest/delete")
    assert unconfirmed.status_code == 400
    assert soup(unconfirmed).select_one("#delete-error").get_text(strip=True)
    assert store.accounts.user_by_id(user.id) is not None

    gone = account_post(fresh, "/account/digest/delete", confirm="yes")
    assert gone.status_code == 303 and gone.headers["location"] == "/"
    assert store.accounts.user_by_id(user.id) is None
    assert subscriptions.get_subscriber_by_email(store, "leaving@example.org") is None
    assert not store.attention.marks_since(utcnow() - timedelta(days=36500)).kinds
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(subscriber_topics)).scalar() == 0
    assert fresh.get("/account/digest", follow_redirects=False).status_code == 303


def add_pending_delivery(client: TestClient, subscriber_id: int) -> None:
    now = utcnow()
    with store_of(client).writing() as conn:
        conn.execute(
            sa.insert(deliveries).values(
                subscriber_id=subscriber_id, local_date=now.date() + timedelta(days=1),
                state="pending", due_at=now, next_attempt_at=now,
            )
        )  # fmt: skip


def delivery_states(client: TestClient, subscriber_id: int) -> list[str]:
    with store_of(client).engine.connect() as conn:
        query = sa.select(deliveries.c.state).where(deliveries.c.subscriber_id == subscriber_id)
        return list(conn.execute(query).scalars())


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart", "empty"])
def test_one_click_unsubscribe_without_cookies(fresh: TestClient, encoding: str) -> None:
    subscriber_id = active_subscriber(fresh, "oneclick@example.org")
    add_pending_delivery(fresh, subscriber_id)
    url = f"/u/{SIGNER.unsubscribe_token(subscriber_id)}"
    with TestClient(fresh.app) as mail_client:  # no cookies, no CSRF token
        page = mail_client.get(url)  # GET changes nothing
        assert page.status_code == 200
        form = soup(page).select_one("main form")
        assert form["action"] == url and form["method"] == "post"
        assert subscriptions.get_subscriber(store_of(fresh), subscriber_id).status == "active"  # type: ignore[union-attr]
        assert delivery_states(fresh, subscriber_id) == ["pending"]

        body: dict[str, Any] = {
            "urlencoded": {"data": {"List-Unsubscribe": "One-Click"}},
            "multipart": {"files": {"List-Unsubscribe": (None, "One-Click")}},
            "empty": {},
        }[encoding]
        for _ in range(2):  # idempotent
            done = mail_client.post(url, follow_redirects=False, **body)
            assert done.status_code == 200 and "location" not in done.headers
            assert "set-cookie" not in done.headers
            assert "oneclick@example.org" in status_text(done)
    subscriber = subscriptions.get_subscriber(store_of(fresh), subscriber_id)
    assert subscriber.status == "unsubscribed"  # type: ignore[union-attr]
    assert delivery_states(fresh, subscriber_id) == ["cancelled"]
    assert "already unsubscribed" in status_text(fresh.get(url))


@pytest.mark.parametrize("token", ["nope", SIGNER.archive_token(1), "1.abc"])
def test_forged_unsubscribe_tokens(fresh: TestClient, token: str) -> None:
    active_subscriber(fresh, "safe@example.org")
    assert fresh.get(f"/u/{token}").status_code == 400
    response = fresh.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert subscriber_rows(fresh)[0].status == "active"


def send_digests(client: TestClient) -> None:
    svc = client.app.state.services  # type: ignore[attr-defined]
    settings = svc.settings.model_copy(update={"send_rate": 10_000.0, "digest_skip_empty": False})
    runner = DigestRunner(
        svc.store, settings, signer=SIGNER, mailer=Mailer.from_settings(settings), worker="test"
    )
    assert runner.run().counts == {"sent": 1}


def test_archive_lists_and_shows_sent_digests(fresh: TestClient, mail_dir: Path) -> None:
    subscriber_id = active_subscriber(fresh, "reader@example.org", hour=0)
    send_digests(fresh)
    [digest] = mails(mail_dir)
    day = local_today(utcnow(), "UTC")
    token = SIGNER.archive_token(subscriber_id)

    listing = fresh.get(f"/digests/{token}")
    assert listing.status_code == 200
    assert listing.headers["x-robots-tag"] == "noindex"
    rows = soup(listing).select("table.archive tbody tr")
    assert len(rows) == 1
    link = rows[0].select_one("a")["href"]
    assert link == f"/digests/{token}/{day.isoformat()}"
    assert rows[0].select_one("time")["datetime"] == day.isoformat()

    shown = fresh.get(link)
    assert shown.status_code == 200
    assert shown.headers["content-security-policy"] == MAIL_PAGE_CSP
    assert shown.headers["content-type"].startswith("text/html")
    assert f"paperwire digest, {day.isoformat()}" in shown.text
    assert fresh.get(f"/digests/{token}/{(day - timedelta(days=1)).isoformat()}").status_code == 404
    for bad in ("2024-13-01", "20240101", "yesterday", "2024-01-01%0A"):
        assert fresh.get(f"/digests/{token}/{bad}").status_code == 400, bad
    for forged in ("nope", SIGNER.unsubscribe_token(subscriber_id)):
        assert fresh.get(f"/digests/{forged}").status_code == 400
        assert fresh.get(f"/digests/{forged}/{day.isoformat()}").status_code == 400
    assert fresh.get("/digests/" + SIGNER.archive_token(9999)).status_code == 404
    assert (
        "'unsafe-inline'" not in fresh.get(f"/digests/{token}").headers["content-security-policy"]
    )

    # The digest's own List-Unsubscribe header works as a one-click POST.
    header = digest["List-Unsubscribe"]
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.search(r"<https?://[^/>]+(/u/[^>]+)>", header).group(1)  # type: ignore[union-attr]
    with TestClient(fresh.app) as mail_client:
        done = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert subscriptions.get_subscriber(store_of(fresh), subscriber_id).status == "unsubscribed"  # type: ignore[union-attr]
    assert fresh.get(link).status_code == 200  # the archive outlives the subscription
