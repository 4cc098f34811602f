"""Pure presentation helpers: author lists, snippets, highlighting, paging, dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from paperwire.display import AUTHOR_CHARS, clip
from paperwire.urls import arxiv_url

_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_URL_CHARS = 2_000
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "without",
    ]
)


def shorten_authors(authors: list[str], *, keep: int = 3) -> str:
    """ "A, B and C"; past ``keep`` names, the first ones and "et al. (+N)"."""
    names = [name for name in authors if name and not name.isspace()]
    shown = [clip(name.strip(), AUTHOR_CHARS) for name in names[:keep]]
    if not shown:
        return ""
    if len(names) == 1:
        return shown[0]
    if len(names) <= keep:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return ", ".join(shown) + f" et al. (+{len(names) - keep})"


def query_terms(query: str) -> list[str]:
    """The words of a query worth highlighting: lowercased, no stopwords, longest first."""
    words = {word.casefold() for word in _WORD_RE.findall(query or "")}
    terms = [word for word in words if word not in _STOPWORDS and len(word) > 1]
    return sorted(terms, key=lambda word: (-len(word), word))


def snippet(text: str, *, length: int = 280, terms: list[str] | None = None) -> str:
    """At most ``length`` characters of ``text``, cut at a word boundary, with ellipses.

    With ``terms``, the window starts a little before the first term found.
    """
    clean = " ".join((text or "").split())
    if len(clean) <= length:
        return clean
    start = 0
    if terms:
        folded = clean.casefold()
        hits = [folded.find(term) for term in terms if folded.find(term) >= 0]
        if hits:
            start = max(0, min(hits) - length // 4)
            start = min(start, len(clean) - length)
            if start > 0:
                space = clean.find(" ", start)
                start = space + 1 if 0 <= space < start + 40 else start
    end = start + length
    if end < len(clean):
        space = clean.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    body = clean[start:end].rstrip(" ,;:.")
    return ("… " if start > 0 else "") + body + ("…" if end < len(clean) else "")


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` escaped, with whole-word-prefix matches of ``terms`` wrapped in <mark>."""
    if not terms:
        return Markup(escape(text))
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(term) for term in terms) + r")", re.IGNORECASE | re.UNICODE
    )
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


@dataclass(frozen=True, slots=True)
class Page:
    """Where a page of results sits: 1-based number, size, and whether more follow."""

    number: int
    size: int
    has_next: bool

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(number: int, size: int, fetched: int) -> Page:
    """The page, given how many rows came back when asking for ``size + 1``."""
    return Page(number=number, size=size, has_next=fetched > size)


def format_date(value: datetime | None) -> str:
    """ "3 Jan 2024", or "" for no date."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def has_control_characters(text: str) -> bool:
    """True for NUL and other control characters (tabs and newlines are allowed)."""
    return any((ord(char) < 32 and char not in "\t\n\r") or ord(char) == 127 for char in text)


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to redirect to; anything that could leave the site becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 32 for char in target):
        return default
    return target


def paper_links(
    arxiv_id: str | None, abs_url: str | None, pdf_url: str | None, code_url: str | None
) -> list[tuple[str, str]]:
    """(label, url) for the abstract page, the PDF and the code, when known or derivable.

    Only http(s) links no longer than ``MAX_URL_CHARS``: a cut link would be a wrong one.
    """
    links: list[tuple[str, str]] = []
    abstract = abs_url or arxiv_url("abs", arxiv_id)
    pdf = pdf_url or arxiv_url("pdf", arxiv_id)
    for label, url in (("Abstract", abstract), ("PDF", pdf), ("Code", code_url)):
        if url and len(url) <= MAX_URL_CHARS and url.startswith(("https://", "http://")):
            links.append((label, url))
    return links
