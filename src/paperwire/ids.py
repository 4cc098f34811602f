"""Paper identity rules: arXiv ids, paperwire ids, title keys. Pure functions."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# New-style (0704.0001, 2401.01234) and old-style (astro-ph/0601001, math.GT/0309136)
# arXiv identifiers, with an optional version suffix. ASCII digits only, and anchored
# with \Z: ``$`` would also match before a trailing newline.
_NEW_STYLE = r"[0-9]{4}\.[0-9]{4,5}"
_OLD_STYLE = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/[0-9]{7}"
ARXIV_ID_RE = re.compile(rf"^(?P<id>{_NEW_STYLE}|{_OLD_STYLE})(?:v(?P<version>[0-9]+))?\Z")
_CANONICAL_ARXIV_RE = re.compile(rf"{_NEW_STYLE}|{_OLD_STYLE}")
_ARXIV_PREFIXES = ("arxiv:", "oai:arxiv.org:")
_ARXIV_URL_RE = re.compile(
    r"^https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/(?P<rest>.+?)(?:\.pdf)?$"
)

PAPER_ID_LENGTH = 10
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lowercased
PAPER_ID_RE = re.compile(rf"^[a-z2-7]{{{PAPER_ID_LENGTH}}}\Z")


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Split an arXiv identifier, URL or OAI identifier into (id without version, version).

    Returns None when ``text`` is not an arXiv identifier.
    """
    value = text.strip()
    url = _ARXIV_URL_RE.match(value)
    if url:
        value = url.group("rest")
    lowered = value.lower()
    for prefix in _ARXIV_PREFIXES:
        if lowered.startswith(prefix):
            value = value[len(prefix) :]
            break
    match = ARXIV_ID_RE.match(value)
    if not match:
        return None
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def is_paper_id(text: str) -> bool:
    """True when ``text`` has the shape of a paperwire id."""
    return bool(PAPER_ID_RE.match(text))


def is_arxiv_id(text: str) -> bool:
    """True when ``text`` is an arXiv id as the store keeps it: without version, prefix or
    URL (``2401.01234``, ``astro-ph/0601001``)."""
    return _CANONICAL_ARXIV_RE.fullmatch(text) is not None


def make_paper_id(identity: str) -> str:
    """A short, URL-safe id derived from a paper's identity key.

    Derived rather than random so that two stores fed the same input agree on ids.
    Ten base32 characters hold 50 bits.
    """
    bits = int.from_bytes(hashlib.sha256(identity.encode("utf-8")).digest()[:8], "big") >> 14
    return "".join(_BASE32[(bits >> shift) & 31] for shift in range(45, -5, -5))


_WORD = re.compile(r"[^\W_]+")


def title_key(title: str) -> str:
    """A title reduced to lowercase letters and digits, for matching id-less records."""
    if title.isascii():
        folded = title.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", title).casefold()
        folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_WORD.findall(folded))


_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:")


def normalise_doi(doi: str | None) -> str | None:
    """DOIs are case-insensitive; store them lowercased without a resolver prefix."""
    if not doi:
        return None
    value = doi.strip().lower()
    while prefix := next((p for p in _DOI_PREFIXES if value.startswith(p)), None):
        value = value[len(prefix) :].strip()
    return value or None
