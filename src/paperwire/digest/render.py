"""Digest and confirmation mail: multipart text and HTML, from Jinja2 templates.

Everything a subscriber typed (topics) or a source sent (titles, authors) is escaped in
HTML by autoescaping, and nothing of it reaches a header: the subject and the headers
are made of dates, counts and URLs paperwire signs itself. Every printed value loses
the control characters stored text may hold, and each paper is capped (``display``).
"""

from __future__ import annotations

import binascii
import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from paperwire import display
from paperwire.digest.compose import DigestContent, Section
from paperwire.digest.links import LinkSigner
from paperwire.digest.rules import digest_message_id
from paperwire.settings import Settings
from paperwire.store.models import Paper
from paperwire.urls import paper_path

TEMPLATES = Path(__file__).parent / "templates"
ABSTRACT_CHARS = 300


def _printable(value: object) -> object:
    if isinstance(value, Markup):
        return Markup(display.printable(value))
    return display.printable(value) if isinstance(value, str) else value


environment = Environment(
    finalize=_printable,
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class DigestLinks:
    """The absolute links of one subscriber's digest."""

    base_url: str
    unsubscribe: str
    archive: str
    view: str
    manage: str

    @classmethod
    def make(
        cls, settings: Settings, signer: LinkSigner, subscriber_id: int, day: date
    ) -> DigestLinks:
        base = settings.base_url.rstrip("/")
        archive = f"{base}/digests/{signer.archive_token(subscriber_id)}"
        return cls(
            base_url=base,
            unsubscribe=f"{base}/u/{signer.unsubscribe_token(subscriber_id)}",
            archive=archive,
            view=f"{archive}/{day.isoformat()}",
            manage=f"{base}/account/digest",
        )

    def paper(self, paper: Paper) -> str:
        return self.base_url + paper_path(paper.paper_id)


@dataclass(frozen=True, slots=True)
class RenderedSection:
    kind: str
    title: str
    papers: list[Paper]


def render_sections(content: DigestContent, papers: Mapping[int, Paper]) -> list[RenderedSection]:
    """Sections with their papers (papers deleted since are left out), titles capped."""
    return [
        RenderedSection(
            section.kind,
            section.title,
            [_capped(papers[p]) for p in section.papers if p in papers],
        )
        for section in content.sections
    ]


def _capped(paper: Paper) -> Paper:
    if len(paper.title) <= display.TITLE_CHARS:
        return paper
    return dataclasses.replace(paper, title=display.clip(paper.title, display.TITLE_CHARS))


def subject_for(day: date, count: int) -> str:
    if not count:
        return f"paperwire digest, {day:%a %d %b %Y}: nothing new today"
    noun = "paper" if count == 1 else "papers"
    return f"paperwire digest, {day:%a %d %b %Y}: {count} {noun}"


def render_digest(
    day: date, content: DigestContent, papers: Mapping[int, Paper], links: DigestLinks
) -> tuple[str, str]:
    """(plain text, HTML) of one digest; also the page of the web archive."""
    context = {
        "day": day,
        "sections": render_sections(content, papers),
        "links": links,
        "count": len(content.paper_ids),
        "abstract_chars": ABSTRACT_CHARS,
        "shorten": _shorten,
        "authors": _authors,
    }
    text = environment.get_template("digest.txt").render(context)
    html = environment.get_template("digest.html").render(context)
    return text, html


def digest_message(
    *,
    to: str,
    subscriber_id: int,
    day: date,
    content: DigestContent,
    papers: Mapping[int, Paper],
    links: DigestLinks,
    settings: Settings,
) -> Message:
    """The digest mail with its list headers (RFC 2369, RFC 8058 one-click unsubscribe)."""
    text, html = render_digest(day, content, papers, links)
    domain = mail_domain(settings)
    unsubscribe = f"<{links.unsubscribe}>"
    if settings.unsubscribe_mailto:
        unsubscribe += f", <mailto:{settings.unsubscribe_mailto}?subject=unsubscribe>"
    return _multipart(
        text,
        html,
        {
            "Subject": subject_for(day, len(content.paper_ids)),
            "From": _sender(settings),
            "To": to,
            "Message-ID": digest_message_id(subscriber_id, day, domain),
            "List-Id": f"paperwire daily digest <digest.{domain}>",
            "List-Unsubscribe": unsubscribe,
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
        },
    )


def confirmation_message(to: str, link: str, settings: Settings) -> Message:
    """The double opt-in mail: nothing is sent until its link is followed and confirmed."""
    context = {"link": link, "hours": settings.confirm_hours}
    return _multipart(
        environment.get_template("confirm.txt").render(context),
        environment.get_template("confirm.html").render(context),
        {
            "Subject": "Confirm your paperwire daily digest",
            "From": _sender(settings),
            "To": to,
            "Auto-Submitted": "auto-generated",
        },
    )


def _multipart(text: str, html: str, headers: dict[str, str]) -> Message:
    """multipart/alternative of a text and an HTML part.

    Built with the classic ``email.mime`` classes and the C quoted-printable encoder:
    the modern ``EmailMessage`` API parses every header and encodes bodies in Python,
    which took most of the time of composing a digest. The boundary starts with "=_",
    which quoted-printable text cannot contain, so no search of the body is needed.
    """
    message = MIMEMultipart("alternative", boundary=f"=_paperwire_{secrets.token_hex(12)}")
    for name, value in headers.items():
        message[name] = value
    message.attach(_text_part(text, "plain"))
    message.attach(_text_part(html, "html"))
    return message


def _text_part(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    encoded = binascii.b2a_qp(body.replace("\r\n", "\n").encode("utf-8"), istext=True)
    part.set_payload(encoded.decode("ascii"))
    part["Content-Transfer-Encoding"] = "quoted-printable"
    return part


def _sender(settings: Settings) -> str:
    """PAPERWIRE_MAIL_FROM, with a non-ASCII display name encoded for the header."""
    name, address = parseaddr(settings.mail_from)
    return formataddr((name, address), charset="utf-8")


def mail_domain(settings: Settings) -> str:
    """The domain of Message-IDs and List-Id: the sender's, else the site's host."""
    sender = parseaddr(settings.mail_from)[1]
    return sender.rpartition("@")[2] or urlsplit(settings.base_url).hostname or "paperwire"


def _shorten(text: str, limit: int) -> str:
    head = " ".join(text[: limit * 4].split())  # a 20 MB abstract is not split whole
    if len(head) <= limit and len(text) <= limit * 4:
        return head
    cut = head[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(".,;:") + "…"


def _authors(names: list[str], keep: int = 3) -> str:
    shown = ", ".join(display.clip_names(names, keep))
    return shown if len(names) <= keep else shown + f" et al. (+{len(names) - keep})"


__all__ = ["DigestLinks", "Section", "confirmation_message", "digest_message", "render_digest"]
