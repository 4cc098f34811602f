"""Digest and confirmation mail: multipart text and HTML, from Jinja2 templates.

Everything a subscriber typed (topics) or a source sent (titles, authors) is escaped in
HTML by autoescaping, and nothing of it reaches a header: the subject and the headers
are made of dates, counts and URLs paperwire signs itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from paperwire.digest.compose import DigestContent, Section
from paperwire.digest.links import LinkSigner
from paperwire.digest.rules import digest_message_id
from paperwire.settings import Settings
from paperwire.store.models import Paper

TEMPLATES = Path(__file__).parent / "templates"
ABSTRACT_CHARS = 300

environment = Environment(
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
        return f"{self.base_url}/papers/{paper.paper_id}"


@dataclass(frozen=True, slots=True)
class RenderedSection:
    kind: str
    title: str
    papers: list[Paper]


def render_sections(content: DigestContent, papers: Mapping[int, Paper]) -> list[RenderedSection]:
    """Sections with their papers (papers deleted since are left out)."""
    return [
        RenderedSection(
            section.kind, section.title, [papers[p] for p in section.papers if p in papers]
        )
        for section in content.sections
    ]


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
) -> EmailMessage:
    """The digest mail with its list headers (RFC 2369, RFC 8058 one-click unsubscribe)."""
    text, html = render_digest(day, content, papers, links)
    domain = mail_domain(settings)
    message = EmailMessage()
    message["Subject"] = subject_for(day, len(content.paper_ids))
    message["From"] = settings.mail_from
    message["To"] = to
    message["Message-ID"] = digest_message_id(subscriber_id, day, domain)
    message["List-Id"] = f"paperwire daily digest <digest.{domain}>"
    unsubscribe = f"<{links.unsubscribe}>"
    if settings.unsubscribe_mailto:
        unsubscribe += f", <mailto:{settings.unsubscribe_mailto}?subject=unsubscribe>"
    message["List-Unsubscribe"] = unsubscribe
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Precedence"] = "bulk"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def confirmation_message(to: str, link: str, settings: Settings) -> EmailMessage:
    """The double opt-in mail: nothing is sent until its link is followed and confirmed."""
    context = {"link": link, "hours": settings.confirm_hours}
    message = EmailMessage()
    message["Subject"] = "Confirm your paperwire daily digest"
    message["From"] = settings.mail_from
    message["To"] = to
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(environment.get_template("confirm.txt").render(context))
    message.add_alternative(environment.get_template("confirm.html").render(context), "html")
    return message


def mail_domain(settings: Settings) -> str:
    """The domain of Message-IDs and List-Id: the sender's, else the site's host."""
    sender = parseaddr(settings.mail_from)[1]
    return sender.rpartition("@")[2] or urlsplit(settings.base_url).hostname or "paperwire"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(".,;:") + "…"


def _authors(names: list[str], keep: int = 3) -> str:
    if len(names) <= keep:
        return ", ".join(names)
    return ", ".join(names[:keep]) + f" et al. (+{len(names) - keep})"


__all__ = ["DigestLinks", "Section", "confirmation_message", "digest_message", "render_digest"]
