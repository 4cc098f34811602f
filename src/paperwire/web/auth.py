"""Sign-in by magic link, sign-out, the account page, and the CSRF check for every form."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from paperwire import accounts, trending
from paperwire.accounts import InvalidEmail, InvalidToken, RateLimited, User
from paperwire.store.clock import utcnow
from paperwire.web.formatting import safe_next
from paperwire.web.security import new_token, tokens_match
from paperwire.web.services import Services, services
from paperwire.web.session import MAX_AGE_SECONDS, Session
from paperwire.web.templating import render, session_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

# The session cookie's key for the session token. Cookies from before sessions were
# kept in the store named the user directly ("uid", "uck"): they sign no one in.
SESSION_KEY = "sid"
LEGACY_KEYS = ("uid", "uck")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MESSAGE = (
    "This form has expired or did not come from this site. Go back, reload the page and try again."
)
LOGIN_SENT = (
    "If {email} can receive mail, a sign-in link is on its way. It works once and expires soon."
)


def current_user(request: Request) -> User | None:
    """The signed-in user, looked up once per request; None for visitors.

    The cookie names a session by its token; the session must still be in the store,
    so signing out (here or everywhere) ends every copy of the cookie.
    """
    if hasattr(request.state, "user"):
        return request.state.user
    user: User | None = None
    session = session_of(request)
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        user = accounts.session_user(services(request).store, token, now=utcnow())
        if user is None:
            _forget_user(session)
    request.state.user = user
    return user


def claims_sign_in(request: Request) -> bool:
    """Whether the cookie names a session (not yet checked against the store)."""
    return SESSION_KEY in session_of(request)


def sign_in(request: Request, user: User) -> None:
    """Start a new session for the user, with a fresh CSRF token (ending any before it)."""
    store = services(request).store
    session = session_of(request)
    previous = session.get(SESSION_KEY)
    if isinstance(previous, str):
        accounts.end_session(store, previous)
    lifetime = timedelta(seconds=MAX_AGE_SECONDS)
    token = accounts.start_session(store, user.id, now=utcnow(), lifetime=lifetime)
    session.set(SESSION_KEY, token)
    session.set("csrf", new_token())
    request.state.user = user


def sign_out(request: Request) -> None:
    """End this session in the store and forget it in the cookie."""
    token = session_of(request).get(SESSION_KEY)
    if isinstance(token, str):
        accounts.end_session(services(request).store, token)
    _forget_user(session_of(request))
    request.state.user = None


def _forget_user(session: Session) -> None:
    session.drop(SESSION_KEY)
    for key in LEGACY_KEYS:
        session.drop(key)
    session.set("csrf", new_token())


async def verify_csrf(request: Request) -> None:
    """Every state-changing browser request carries the session's token (form or header)."""
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(session_of(request).get("csrf"), given):
        raise HTTPException(403, CSRF_MESSAGE)


Csrf = Depends(verify_csrf)


def login_url(next_path: str) -> str:
    return "/login?" + urlencode({"next": safe_next(next_path)})


@router.get("/login")
def login_form(request: Request, next: str = "/account") -> Response:
    if current_user(request):
        return RedirectResponse(safe_next(next, "/account"), status_code=303)
    return render(request, "login.html", {"next": safe_next(next, "/account"), "error": None})


@router.post("/login", dependencies=[Csrf])
def login_request(
    request: Request,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/account",
) -> Response:
    svc = services(request)
    target = safe_next(next, "/account")
    try:
        address = accounts.normalise_email(email)
    except InvalidEmail as error:
        context = {"next": target, "error": error.message, "email": email}
        return render(request, "login.html", context, status=400)
    verdict = svc.limiter.hit(
        "login", svc.rate_key(request), limit=svc.settings.login_rate_per_hour, period=3600
    )
    if not verdict.allowed:
        return too_many(request, verdict.retry_after)
    try:
        login = accounts.request_login(svc.store, address, now=utcnow())
    except RateLimited as limited:
        return too_many(request, limited.retry_after_seconds)
    link = (
        svc.settings.base_url.rstrip("/")
        + "/login/"
        + quote(login.token, safe="")
        + ("?" + urlencode({"next": target}) if target != "/account" else "")
    )
    background.add_task(_send_login_mail, svc, address, link)
    return render(request, "login_sent.html", {"message": LOGIN_SENT.format(email=address)})


def _send_login_mail(svc: Services, address: str, link: str) -> None:
    from paperwire.mail import login_message

    try:
        svc.app.mailer().send(login_message(address, link, svc.settings))
    except Exception:  # the visitor already has their answer; the operator gets the log
        log.exception("could not send the sign-in mail")


def too_many(request: Request, retry_after: int, what: str = "sign-in") -> Response:
    """The 429 page: too many ``what`` requests, with when to try again."""
    minutes = max(1, round(retry_after / 60))
    message = f"Too many {what} requests. Try again in about {minutes} minute(s)."
    response = render(request, "error.html", {"status": 429, "message": message}, status=429)
    response.headers["retry-after"] = str(retry_after)
    return response


@router.get("/login/{token}")
def login_confirm(request: Request, token: str, next: str = "/account") -> Response:
    try:
        email = accounts.peek_login_token(services(request).store, token, now=utcnow())
    except InvalidToken as error:
        return render(request, "error.html", {"status": 400, "message": error.message}, status=400)
    context = {"email": email, "token": token, "next": safe_next(next, "/account")}
    return render(request, "login_confirm.html", context)


@router.post("/login/{token}", dependencies=[Csrf])
def login_redeem(
    request: Request, token: str, next: Annotated[str, Form(max_length=2000)] = "/account"
) -> Response:
    try:
        user = accounts.redeem_login_token(services(request).store, token, now=utcnow())
    except InvalidToken as error:
        return render(request, "error.html", {"status": 400, "message": error.message}, status=400)
    sign_in(request, user)
    return RedirectResponse(safe_next(next, "/account"), status_code=303)


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request) -> Response:
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.post("/logout/everywhere", dependencies=[Csrf])
def logout_everywhere(request: Request) -> Response:
    """End every session of the signed-in user: other browsers and copied cookies too."""
    user = current_user(request)
    if user is not None:
        services(request).store.sessions.end_all(user.id)
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/account")
def account(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return RedirectResponse(login_url("/account"), status_code=303)
    store = services(request).store
    saved = trending.saved_papers(store, user.id)
    counts = trending.upvote_counts(store, [paper.paper_id for paper in saved])
    return render(request, "account.html", {"saved": saved, "upvotes": counts})
