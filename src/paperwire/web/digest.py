"""The daily digest on the web: subscribe (double opt-in), manage, unsubscribe, archive.

Anyone can type anyone's address into the subscribe form, so the form says the same
thing whatever it did, and only the confirmation link (proof of the mailbox) starts a
subscription. GET never changes anything (mail scanners open links): every link in a
mail leads to a page with a button. The signed tokens of unsubscribe and archive links
are their own authorization, so those pages work without a session.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from paperwire import accounts
from paperwire.accounts import InvalidEmail, User
from paperwire.digest import deliveries, run, schedule, subscriptions
from paperwire.digest.links import InvalidLink, LinkSigner
from paperwire.digest.preferences import (
    DEFAULT_HOUR,
    DEFAULT_TIMEZONE,
    InvalidPreferences,
    Preferences,
    parse_categories,
    parse_hour,
    parse_timezone,
    parse_topics,
)
from paperwire.digest.subscriptions import ACTIVE, PAUSED, Subscriber, TopicVector
from paperwire.store.clock import utcnow
from paperwire.web.auth import CSRF_HEADER, Csrf, current_user, login_url
from paperwire.web.security import new_token, tokens_match
from paperwire.web.services import Services, services
from paperwire.web.templating import render, session_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

SENT = (
    "If {email} can receive mail, a confirmation link is on its way. "
    "Open it and press the button on the page to start your digest."
)
RESUBMIT = (
    "This form had expired or did not come from this site, so nothing was sent. "
    "Check your details and press Subscribe again."
)
# A digest (the mail's own HTML, inline styles and all) shown as a page of its own.
MAIL_PAGE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
NOTICES = {
    "confirmed": "Your subscription is confirmed: your first digest comes at your chosen hour.",
    "subscribed": "Your daily digest is on: the first one comes at your chosen hour.",
    "saved": "Your digest settings are saved.",
    "paused": "Your digest is paused: nothing is sent until you resume it.",
    "resumed": "Your digest is on again.",
    "unsubscribed": "You are unsubscribed: no more digests will be sent.",
}
FLASH = "flash"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Email = Annotated[str, Form(max_length=500)]
Topics = Annotated[str, Form(max_length=20_000)]
Categories = Annotated[str, Form(max_length=2_000)]
Hour = Annotated[str, Form(max_length=20)]
Timezone = Annotated[str, Form(max_length=200)]
Honeypot = Annotated[str, Form(max_length=2_000)]
CsrfField = Annotated[str, Form(max_length=200)]


@dataclass(frozen=True, slots=True)
class FormValues:
    """What the preference fields show: typed text kept as typed, for re-display."""

    email: str = ""
    topics: str = ""
    categories: str = ""
    hour: str = str(DEFAULT_HOUR)
    timezone: str = DEFAULT_TIMEZONE
    guess_timezone: bool = True  # paperwire.js may fill in the browser's zone

    @classmethod
    def of(cls, preferences: Preferences, email: str = "") -> FormValues:
        return cls(
            email=email,
            topics="\n".join(preferences.topics),
            categories=" ".join(preferences.categories),
            hour=str(preferences.hour),
            timezone=preferences.timezone,
            guess_timezone=False,
        )


def check_form(values: FormValues, *, with_email: bool) -> tuple[str, Preferences, dict[str, str]]:
    """(address, preferences, errors by field); every wrong field is named, not just one."""
    errors: dict[str, str] = {}
    address = ""
    if with_email:
        try:
            address = accounts.normalise_email(values.email)
        except InvalidEmail as error:
            errors["email"] = error.message
    parsed: dict[str, Any] = {}
    checks = (
        ("topics", parse_topics, values.topics.splitlines()),
        ("categories", parse_categories, [values.categories]),
        ("hour", parse_hour, values.hour),
        ("timezone", parse_timezone, values.timezone),
    )
    for name, parse, raw in checks:
        try:
            parsed[name] = parse(raw)  # type: ignore[operator]
        except InvalidPreferences as error:
            errors[error.field] = error.message
    if errors:
        return address, Preferences(), errors
    return address, Preferences(**parsed), {}


def signer_of(request: Request) -> LinkSigner:
    svc = services(request)
    return LinkSigner(svc.secret_key, confirm_max_age_seconds=svc.settings.confirm_hours * 3600)


def topic_vectors(svc: Services, topics: tuple[str, ...]) -> list[TopicVector]:
    """Vectors for topics being saved; words-only (None) when the model cannot be used.

    A topic without a vector still matches by its words, and is embedded later by the
    worker that re-embeds topics saved before a model change.
    """
    if not topics:
        return []
    from paperwire.digest.topics import embed_topics
    from paperwire.search.embedding import vector_space_name

    model = vector_space_name(svc.settings.embedding_model, svc.settings.embedding_backend)
    try:
        return list(embed_topics(svc.search().embedder, model, topics))
    except Exception:  # subscribing must not depend on the model being loadable
        log.exception("could not embed digest topics; saving them without vectors")
        return [None] * len(topics)


def _csrf_ok(request: Request, given: str) -> bool:
    token = request.headers.get(CSRF_HEADER) or given
    return tokens_match(session_of(request).get("csrf"), token)


def _bad_link(request: Request, message: str) -> Response:
    return render(request, "error.html", {"status": 400, "message": message}, status=400)


def _too_many(request: Request, retry_after: int) -> Response:
    minutes = max(1, round(retry_after / 60))
    message = f"Too many subscribe requests. Try again in about {minutes} minute(s)."
    response = render(request, "error.html", {"status": 429, "message": message}, status=429)
    response.headers["retry-after"] = str(retry_after)
    return response


def _mail_page(html: str) -> HTMLResponse:
    """A digest as its own document, under a policy that allows its inline styles only."""
    response = HTMLResponse(html)
    response.headers["content-security-policy"] = MAIL_PAGE_CSP
    response.headers["cache-control"] = "private, no-store"
    response.headers["x-robots-tag"] = "noindex"
    return response


# Subscribing -----------------------------------------------------------------------------


def _subscribe_page(
    request: Request,
    values: FormValues,
    errors: dict[str, str] | None = None,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    context = {"form": values, "errors": errors or {}, "notice": notice}
    return render(request, "subscribe.html", context, status=status)


def _sent(request: Request, email: str) -> Response:
    return render(request, "subscribe_sent.html", {"message": SENT.format(email=email)})


@router.get("/subscribe")
def subscribe_form(request: Request) -> Response:
    if current_user(request):  # a signed-in address is proven: no confirmation mail
        return RedirectResponse("/account/digest", status_code=303)
    return _subscribe_page(request, FormValues())


@router.get("/subscribe/token")
def subscribe_token(request: Request) -> Response:
    """The session's CSRF token, for the front page's form (that page is shared by all
    visitors, so it cannot carry one). Other sites cannot read the answer."""
    token = session_of(request).csrf_token()
    return JSONResponse({"csrf_token": token}, headers={"cache-control": "private, no-store"})


@router.post("/subscribe")
def subscribe(
    request: Request,
    background: BackgroundTasks,
    email: Email = "",
    topics: Topics = "",
    categories: Categories = "",
    hour: Hour = "",
    timezone: Timezone = "",
    website: Honeypot = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Double opt-in: the answer is the same whether a mail was sent or not."""
    svc = services(request)
    values = FormValues(email, topics, categories, hour, timezone, guess_timezone=False)
    if not _csrf_ok(request, csrf_token):
        # Nothing happens; the form comes back filled in, with a token, for one more press.
        return _subscribe_page(request, values, notice=RESUBMIT, status=403)
    verdict = svc.limiter.hit(
        "subscribe", svc.client(request), limit=svc.settings.subscribe_rate_per_hour, period=3600
    )
    if not verdict.allowed:
        return _too_many(request, verdict.retry_after)
    if website.strip():  # only robots fill the hidden field: tell them it worked
        return _sent(request, _shown_address(email))
    address, preferences, errors = check_form(values, with_email=True)
    if errors:
        return _subscribe_page(request, values, errors, status=400)
    vectors = topic_vectors(svc, preferences.topics)
    result = subscriptions.request_subscription(
        svc.store, address, preferences, vectors, now=utcnow()
    )
    if result.nonce is not None:
        token = signer_of(request).confirm_token(result.subscriber_id, result.nonce)
        link = f"{svc.settings.base_url.rstrip('/')}/subscribe/confirm/{quote(token, safe='')}"
        background.add_task(_send_confirmation, svc, result.email, link)
    return _sent(request, result.email)


def _shown_address(email: str) -> str:
    try:
        return accounts.normalise_email(email)
    except InvalidEmail:
        return email.strip()[:254]


def _send_confirmation(svc: Services, address: str, link: str) -> None:
    from paperwire.digest.render import confirmation_message
    from paperwire.mail import Mailer

    try:
        Mailer.from_settings(svc.settings).send(confirmation_message(address, link, svc.settings))
    except Exception:  # the visitor already has their answer; the operator gets the log
        log.exception("could not send the digest confirmation mail")


@router.get("/subscribe/confirm/{token}")
def confirm_page(request: Request, token: str) -> Response:
    try:
        subscriber_id, _ = signer_of(request).read_confirm(token)
    except InvalidLink as error:
        return _bad_link(request, error.message)
    subscriber = subscriptions.get_subscriber(services(request).store, subscriber_id)
    if subscriber is None:
        return _bad_link(request, "This subscription no longer exists. Subscribe again.")
    return render(request, "subscribe_confirm.html", {"email": subscriber.email, "token": token})


@router.post("/subscribe/confirm/{token}", dependencies=[Csrf])
def confirm(request: Request, token: str) -> Response:
    """Start the subscription and sign its address in: the link proved the mailbox."""
    store = services(request).store
    try:
        subscriber_id, nonce = signer_of(request).read_confirm(token)
        email = subscriptions.confirm_subscription(store, subscriber_id, nonce, now=utcnow())
    except InvalidLink as error:
        return _bad_link(request, error.message)
    user = accounts.ensure_user(store, email, now=utcnow())
    session = session_of(request)
    session.set("uid", user.id)
    session.set("csrf", new_token())  # a fresh token for the signed-in session
    session.set(FLASH, "confirmed")
    return RedirectResponse("/account/digest", status_code=303)


# The account's digest --------------------------------------------------------------------


def _account_page(
    request: Request,
    user: User,
    *,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    store = services(request).store
    subscriber = subscriptions.get_subscriber_by_email(store, user.email)
    if values is None:
        values = FormValues.of(subscriber.preferences) if subscriber else FormValues()
    notice = NOTICES.get(str(session_of(request).get(FLASH)))
    session_of(request).drop(FLASH)
    archive = None
    if subscriber is not None:
        archive = "/digests/" + signer_of(request).archive_token(subscriber.id)
    context = {
        "subscriber": subscriber,
        "managed": subscriber is not None and subscriber.status in (ACTIVE, PAUSED),
        "form": values,
        "errors": errors or {},
        "notice": notice,
        "archive_url": archive,
    }
    return render(request, "digest_account.html", context, status=status)


def _back(request: Request, notice: str | None = None) -> Response:
    if notice:
        session_of(request).set(FLASH, notice)
    return RedirectResponse("/account/digest", status_code=303)


def _to_login() -> Response:
    return RedirectResponse(login_url("/account/digest"), status_code=303)


def _own_subscriber(request: Request, user: User) -> Subscriber | None:
    return subscriptions.get_subscriber_by_email(services(request).store, user.email)


@router.get("/account/digest")
def account_digest(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login()
    return _account_page(request, user)


@router.post("/account/digest/subscribe", dependencies=[Csrf])
def account_subscribe(
    request: Request,
    topics: Topics = "",
    categories: Categories = "",
    hour: Hour = "",
    timezone: Timezone = "",
) -> Response:
    """Signing in proved the address, so the subscription is active at once."""
    user = current_user(request)
    if user is None:
        return _to_login()
    values = FormValues(user.email, topics, categories, hour, timezone, guess_timezone=False)
    _, preferences, errors = check_form(values, with_email=False)
    if errors:
        return _account_page(request, user, values=values, errors=errors, status=400)
    svc = services(request)
    vectors = topic_vectors(svc, preferences.topics)
    subscriptions.add_subscriber(
        svc.store, user.email, preferences, vectors, confirmed=True, now=utcnow()
    )
    return _back(request, "subscribed")


@router.post("/account/digest/preferences", dependencies=[Csrf])
def account_preferences(
    request: Request,
    topics: Topics = "",
    categories: Categories = "",
    hour: Hour = "",
    timezone: Timezone = "",
) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login()
    subscriber = _own_subscriber(request, user)
    if subscriber is None or subscriber.status not in (ACTIVE, PAUSED):
        return _back(request)
    values = FormValues(user.email, topics, categories, hour, timezone, guess_timezone=False)
    _, preferences, errors = check_form(values, with_email=False)
    if errors:
        return _account_page(request, user, values=values, errors=errors, status=400)
    svc = services(request)
    vectors = topic_vectors(svc, preferences.topics)
    try:
        subscriptions.update_preferences(
            svc.store, subscriber.id, preferences, vectors, now=utcnow()
        )
    except subscriptions.SubscriptionError:  # deleted meanwhile, from another tab
        return _back(request)
    return _back(request, "saved")


@router.post("/account/digest/pause", dependencies=[Csrf])
def account_pause(request: Request) -> Response:
    return _set_paused(request, True)


@router.post("/account/digest/resume", dependencies=[Csrf])
def account_resume(request: Request) -> Response:
    return _set_paused(request, False)


def _set_paused(request: Request, paused: bool) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login()
    subscriber = _own_subscriber(request, user)
    if subscriber is None:
        return _back(request)
    subscriptions.set_paused(services(request).store, subscriber.id, paused, now=utcnow())
    return _back(request, "paused" if paused else "resumed")


@router.post("/account/digest/unsubscribe", dependencies=[Csrf])
def account_unsubscribe(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login()
    subscriber = _own_subscriber(request, user)
    if subscriber is None:
        return _back(request)
    subscriptions.unsubscribe(services(request).store, subscriber.id, now=utcnow())
    return _back(request, "unsubscribed")


@router.post("/account/digest/delete", dependencies=[Csrf])
def account_delete(request: Request, confirm: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Forget the subscriber and the account (saves and upvotes too), then sign out."""
    user = current_user(request)
    if user is None:
        return _to_login()
    if confirm != "yes":
        errors = {"delete": "Tick the box to confirm that everything should be deleted."}
        return _account_page(request, user, errors=errors, status=400)
    store = services(request).store
    subscriber = _own_subscriber(request, user)
    if subscriber is not None:
        subscriptions.delete_subscriber(store, subscriber.id)
    accounts.delete_user(store, user)
    session = session_of(request)
    session.drop("uid")
    session.drop(FLASH)
    session.set("csrf", new_token())
    return RedirectResponse("/", status_code=303)


@router.get("/account/digest/preview")
def account_preview(request: Request) -> Response:
    """Tomorrow's digest as it would be composed now (read-only)."""
    user = current_user(request)
    if user is None:
        return _to_login()
    subscriber = _own_subscriber(request, user)
    if subscriber is None:
        return _back(request)
    svc = services(request)
    now = utcnow()
    day = schedule.local_today(now, subscriber.preferences.timezone) + timedelta(days=1)
    _, _, html = run.preview(svc.store, svc.settings, signer_of(request), subscriber, day, now=now)
    return _mail_page(html)


# One-click unsubscribe (RFC 8058) --------------------------------------------------------


@router.get("/u/{token}")
def unsubscribe_page(request: Request, token: str) -> Response:
    try:
        subscriber_id = signer_of(request).read_unsubscribe(token)
    except InvalidLink as error:
        return _bad_link(request, error.message)
    subscriber = subscriptions.get_subscriber(services(request).store, subscriber_id)
    response = render(request, "unsubscribe.html", {"subscriber": subscriber, "token": token})
    response.headers["x-robots-tag"] = "noindex"
    return response


@router.post("/u/{token}")
def unsubscribe_now(request: Request, token: str) -> Response:
    """Unsubscribe at once, whatever the body (``List-Unsubscribe=One-Click`` from a mail
    client, or the page's button). The signed token is the authorization: no session,
    no CSRF token, and no redirect (one-click clients do not follow them)."""
    try:
        subscriber_id = signer_of(request).read_unsubscribe(token)
    except InvalidLink as error:
        return _bad_link(request, error.message)
    email = subscriptions.unsubscribe(services(request).store, subscriber_id, now=utcnow())
    response = render(request, "unsubscribe_done.html", {"email": email})
    response.headers["x-robots-tag"] = "noindex"
    return response


# The web archive -------------------------------------------------------------------------


def _archive_subscriber(request: Request, token: str) -> int:
    try:
        subscriber_id = signer_of(request).read_archive(token)
    except InvalidLink as error:
        raise HTTPException(400, error.message) from None
    if subscriptions.get_subscriber(services(request).store, subscriber_id) is None:
        raise HTTPException(404, "There is no digest archive at this address.")
    return subscriber_id


@router.get("/digests/{token}")
def archive_list(request: Request, token: str) -> Response:
    subscriber_id = _archive_subscriber(request, token)
    rows = deliveries.delivery_rows(services(request).store, subscriber_id)
    sent = [
        {
            "day": row.local_date,
            "count": row.paper_count,
            "url": f"/digests/{token}/{row.local_date}",
        }
        for row in rows
    ]
    response = render(request, "archive.html", {"sent": sent})
    response.headers["x-robots-tag"] = "noindex"
    return response


@router.get("/digests/{token}/{day}")
def archive_day(request: Request, token: str, day: str) -> Response:
    subscriber_id = _archive_subscriber(request, token)
    if not _ISO_DAY.fullmatch(day):
        raise HTTPException(400, "A digest's date looks like 2025-01-31.")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise HTTPException(400, "A digest's date looks like 2025-01-31.") from None
    svc = services(request)
    html = run.archived(svc.store, svc.settings, signer_of(request), subscriber_id, when)
    if html is None:
        raise HTTPException(404, "No digest was sent on that day.")
    return _mail_page(html)
