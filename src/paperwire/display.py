"""What one paper may put into a page, a feed, an API list or a mail. Pure functions.

Ingest caps what it stores (title, abstract, authors), but a store may hold papers from
before those caps, so every writer caps again when it renders: one oversized paper must
not make a list of twenty answer megabytes. A cut text ends with ``MARK``.

Writers also drop the characters XML 1.0 forbids or discourages (C0 controls other than
tab, newline and carriage return, DEL, C1 controls, lone surrogates, U+FFFE and U+FFFF):
one such character in a stored title made a whole Atom feed unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MARK = "…"

TITLE_CHARS = 1_000  # as ingest stores at most
AUTHOR_CHARS = 300  # one name
TEXT_CHARS = 1_000  # a journal reference, comments, a DOI, a source id
PAGE_ABSTRACT_CHARS = 32_000  # a paper's own page and the API's one-paper answer
LIST_ABSTRACT_CHARS = 5_000  # an entry in a list or a feed (mail shows 300)
PAGE_AUTHOR_CHARS = 100_000  # names on a paper's page and in the API's one-paper answer
LIST_AUTHORS = 50  # names in an API list item or a feed entry
CATEGORIES = 50  # category tags of one paper

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids or discourages (see above)."""
    return _NOT_XML.sub("", text)


def clip(text: str | None, limit: int) -> str:
    """At most ``limit`` characters of ``text`` (cut at a space when one is near), then
    ``MARK`` when anything was cut."""
    if not text:
        return ""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ", limit - 40)
    return (cut[:space] if space > 0 else cut).rstrip() + MARK


def clip_names(names: Sequence[str], keep: int, budget: int | None = None) -> list[str]:
    """The first ``keep`` names, each clipped to ``AUTHOR_CHARS``, and with ``budget``
    only as many as fit in that many characters."""
    shown: list[str] = []
    used = 0
    for name in names[:keep]:
        name = clip(name, AUTHOR_CHARS)
        used += len(name) + 2
        if budget is not None and used > budget:
            break
        shown.append(name)
    return shown


def page_names(names: Sequence[str]) -> list[str]:
    """The names a paper's own page (or the API's answer for one paper) lists: all of
    them for any real paper (3,303 authors take 66,000 characters), within a budget."""
    return clip_names(names, len(names), PAGE_AUTHOR_CHARS)


def author_line(names: Sequence[str]) -> str:
    """The page's names, comma-separated, then how many more there are."""
    shown = page_names(names)
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" {MARK} and {more:,} more" if more > 0 else "")
