"""The messages paperwire sends, each as multipart text and HTML."""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from paperwire.accounts.emails import normalise_email
from paperwire.settings import Settings


def absolute_url(settings: Settings, path: str) -> str:
    """A link for mail: always under PAPERWIRE_BASE_URL, never a request's Host header."""
    return settings.base_url.rstrip("/") + "/" + path.lstrip("/")


def login_message(to: str, link: str, settings: Settings) -> EmailMessage:
    """The sign-in mail. ``link`` must lie under PAPERWIRE_BASE_URL (ValueError else)."""
    base = settings.base_url.rstrip("/") + "/"
    if not link.startswith(base):
        raise ValueError(f"sign-in links must start with PAPERWIRE_BASE_URL ({base})")
    minutes = settings.login_token_minutes
    message = EmailMessage()
    message["Subject"] = "Your paperwire sign-in link"
    message["From"] = settings.mail_from
    message["To"] = normalise_email(to)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(
        "Someone (we hope you) asked to sign in to paperwire with this address.\n\n"
        f"Open this link to sign in. It works once, for {minutes} minutes:\n\n"
        f"{link}\n\n"
        "If you did not ask for it, ignore this message: nothing happens without the link.\n"
    )
    safe = escape(link, quote=True)
    message.add_alternative(
        '<!doctype html><html><body style="font-family: sans-serif">'
        "<p>Someone (we hope you) asked to sign in to paperwire with this address.</p>"
        f'<p><a href="{safe}">Sign in to paperwire</a></p>'
        f"<p>The link works once, for {minutes} minutes. If the button does not work, "
        f"copy this address into your browser:<br>{safe}</p>"
        "<p>If you did not ask for it, ignore this message: nothing happens without "
        "the link.</p></body></html>",
        subtype="html",
    )
    return message
