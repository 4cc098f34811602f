"""The signed-in reader's digest: change topics, time and zone, pause, preview, leave."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from paperwire import accounts
from paperwire.accounts import User
from paperwire.digest import run, schedule, subscriptions
from paperwire.digest.preferences import Preferences
from paperwire.digest.subscriptions import ACTIVE, PAUSED, Subscriber, TopicVector
from paperwire.store.clock import utcnow
from paperwire.web.auth import Csrf, current_user, login_url, sign_out
from paperwire.web.digest_forms import (
    FLASH,
    NOTICES,
    Categories,
    FormValues,
    Hour,
    Timezone,
    Topics,
    check_form,
    mail_page,
    signer_of,
    topic_vectors,
)
from paperwire.web.services import services
from paperwire.web.templating import render, session_of

router = APIRouter(include_in_schema=False)


# The account's digest --------------------------------------------------------------------


def _account_page(
    request: Request,
    user: User,
    *,
    values: FormValues | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    subscriber = _own_subscriber(request, user)
    errors = {**(errors or {}), **_address_problem(user)}
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
        "errors": errors,
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
    """None also for an address stored before today's rules refused it."""
    try:
        return subscriptions.get_subscriber_by_email(services(request).store, user.email)
    except accounts.InvalidEmail:
        return None


def _address_problem(user: User) -> dict[str, str]:
    """The form error for an account whose stored address mail cannot be sent to."""
    try:
        accounts.normalise_email(user.email)
    except accounts.InvalidEmail as error:
        return {"email": f"Digests cannot be sent to this account's address: {error.message}"}
    return {}


def _checked_preferences(
    request: Request, user: User, topics: str, categories: str, hour: str, timezone: str
) -> tuple[Preferences, list[TopicVector]] | Response:
    """The submitted preferences with their topics embedded, or the page again saying
    what is wrong."""
    values = FormValues(user.email, topics, categories, hour, timezone, guess_timezone=False)
    _, preferences, errors = check_form(values, with_email=True)
    if errors:
        return _account_page(request, user, values=values, errors=errors, status=400)
    return preferences, topic_vectors(services(request), preferences.topics)


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
    checked = _checked_preferences(request, user, topics, categories, hour, timezone)
    if isinstance(checked, Response):
        return checked
    preferences, vectors = checked
    subscriptions.add_subscriber(
        services(request).store, user.email, preferences, vectors, confirmed=True, now=utcnow()
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
    checked = _checked_preferences(request, user, topics, categories, hour, timezone)
    if isinstance(checked, Response):
        return checked
    preferences, vectors = checked
    try:
        subscriptions.update_preferences(
            services(request).store, subscriber.id, preferences, vectors, now=utcnow()
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
    services(request).store.subscriptions.set_paused(subscriber.id, paused, now=utcnow())
    return _back(request, "paused" if paused else "resumed")


@router.post("/account/digest/unsubscribe", dependencies=[Csrf])
def account_unsubscribe(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login()
    subscriber = _own_subscriber(request, user)
    if subscriber is None:
        return _back(request)
    services(request).store.subscriptions.unsubscribe(subscriber.id, now=utcnow())
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
        store.subscriptions.delete(subscriber.id)
    store.accounts.delete_user(user.id)
    sign_out(request)
    session_of(request).drop(FLASH)
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
    return mail_page(html)
