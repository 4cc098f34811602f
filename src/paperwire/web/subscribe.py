"""Subscribing to the daily digest (double opt-in), one-click unsubscribe and the archive.

Anyone can type anyone's address into the subscribe form, so the form says the same
thing whatever it did, and only the confirmation link (proof of the mailbox) starts a
subscription. GET never changes anything (mail scanners open links): every link in a
mail leads to a page with a button. The signed tokens of unsubscribe and archive links
are their own authorization, so those pages work without a session.
"""

from __future__ import annotations

import logging
from datetime import date

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from paperwire import accounts
from paperwire.accounts import InvalidEmail
from paperwire.digest import run, subscriptions
from paperwire.digest.links import InvalidLink
from paperwire.services.subscribers import request_one, send_confirmation_quietly
from paperwire.store.clock import utcnow
from paperwire.web.auth import Csrf, current_user, sign_in, too_many
from paperwire.web.digest_forms import (
    FLASH,
    ISO_DAY,
    RESUBMIT,
    SENT,
    Categories,
    CsrfField,
    Email,
    FormValues,
    Honeypot,
    Hour,
    Timezone,
    Topics,
    bad_link,
    check_form,
    csrf_ok,
    log_topic_problem,
    mail_page,
    signer_of,
)
from paperwire.web.services import services
from paperwire.web.templating import render, session_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


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
    if not csrf_ok(request, csrf_token):
        # Nothing happens; the form comes back filled in, with a token, for one more press.
        return _subscribe_page(request, values, notice=RESUBMIT, status=403)
    verdict = svc.limiter.hit(
        "subscribe", svc.rate_key(request), limit=svc.settings.subscribe_rate_per_hour, period=3600
    )
    if not verdict.allowed:
        return too_many(request, verdict.retry_after, "subscribe")
    if website.strip():  # only robots fill the hidden field: tell them it worked
        return _sent(request, _shown_address(email))
    address, preferences, errors = check_form(values, with_email=True)
    if errors:
        return _subscribe_page(request, values, errors, status=400)
    result = request_one(svc.app, address, preferences, now=utcnow(), on_problem=log_topic_problem)
    if result.nonce is not None:
        background.add_task(
            send_confirmation_quietly, svc.app, signer_of(request), result, _log_mail_problem
        )
    return _sent(request, result.email)


def _shown_address(email: str) -> str:
    try:
        return accounts.normalise_email(email)
    except InvalidEmail:
        return email.strip()[:254]


def _log_mail_problem(error: Exception) -> None:
    """The visitor already has their answer; the operator gets the log."""
    log.error("could not send the digest confirmation mail", exc_info=error)


@router.get("/subscribe/confirm/{token}")
def confirm_page(request: Request, token: str) -> Response:
    try:
        subscriber_id, _ = signer_of(request).read_confirm(token)
    except InvalidLink as error:
        return bad_link(request, error.message)
    subscriber = subscriptions.get_subscriber(services(request).store, subscriber_id)
    if subscriber is None:
        return bad_link(request, "This subscription no longer exists. Subscribe again.")
    return render(request, "subscribe_confirm.html", {"email": subscriber.email, "token": token})


@router.post("/subscribe/confirm/{token}", dependencies=[Csrf])
def confirm(request: Request, token: str) -> Response:
    """Start the subscription and sign its address in: the link proved the mailbox."""
    store = services(request).store
    try:
        subscriber_id, nonce = signer_of(request).read_confirm(token)
        email = subscriptions.confirm_subscription(store, subscriber_id, nonce, now=utcnow())
    except InvalidLink as error:
        return bad_link(request, error.message)
    if email is None:  # confirmed before: the link has done its one job, it signs no one in
        return RedirectResponse("/account/digest", status_code=303)
    sign_in(request, accounts.ensure_user(store, email, now=utcnow()))
    session_of(request).set(FLASH, "confirmed")
    return RedirectResponse("/account/digest", status_code=303)


# One-click unsubscribe (RFC 8058) --------------------------------------------------------


@router.get("/u/{token}")
def unsubscribe_page(request: Request, token: str) -> Response:
    try:
        subscriber_id = signer_of(request).read_unsubscribe(token)
    except InvalidLink as error:
        return bad_link(request, error.message)
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
        return bad_link(request, error.message)
    email = services(request).store.subscriptions.unsubscribe(subscriber_id, now=utcnow())
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
    rows = services(request).store.deliveries.history(subscriber_id)
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
    if not ISO_DAY.fullmatch(day):
        raise HTTPException(400, "A digest's date looks like 2025-01-31.")
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise HTTPException(400, "A digest's date looks like 2025-01-31.") from None
    svc = services(request)
    html = run.archived(svc.store, svc.settings, signer_of(request), subscriber_id, when)
    if html is None:
        raise HTTPException(404, "No digest was sent on that day.")
    return mail_page(html)
