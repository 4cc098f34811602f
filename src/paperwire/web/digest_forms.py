"""What the digest pages share: the preference form, signed links, topic vectors, and
how a digest is shown as a page of its own."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from paperwire import accounts
from paperwire.accounts import InvalidEmail
from paperwire.digest.links import LinkSigner
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
from paperwire.digest.subscriptions import TopicVector
from paperwire.web.auth import CSRF_HEADER
from paperwire.web.security import tokens_match
from paperwire.web.services import Services, services
from paperwire.web.templating import render, session_of

log = logging.getLogger(__name__)


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
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

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
    checks: tuple[tuple[str, Callable[[], object]], ...] = (
        ("topics", lambda: parse_topics(values.topics.splitlines())),
        ("categories", lambda: parse_categories([values.categories])),
        ("hour", lambda: parse_hour(values.hour)),
        ("timezone", lambda: parse_timezone(values.timezone)),
    )
    for name, parse in checks:
        try:
            parsed[name] = parse()
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
    from paperwire.services.embedding import topic_vectors as vectors_of

    return vectors_of(svc.app, topics, log_topic_problem)


def log_topic_problem(error: Exception) -> None:
    """Subscribing must not depend on the model being loadable: the operator gets the log."""
    log.error("could not embed digest topics; saving them without vectors", exc_info=error)


def csrf_ok(request: Request, given: str) -> bool:
    token = request.headers.get(CSRF_HEADER) or given
    return tokens_match(session_of(request).get("csrf"), token)


def bad_link(request: Request, message: str) -> Response:
    return render(request, "error.html", {"status": 400, "message": message}, status=400)


def mail_page(html: str) -> HTMLResponse:
    """A digest as its own document, under a policy that allows its inline styles only."""
    response = HTMLResponse(html)
    response.headers["content-security-policy"] = MAIL_PAGE_CSP
    response.headers["cache-control"] = "private, no-store"
    response.headers["x-robots-tag"] = "noindex"
    return response
