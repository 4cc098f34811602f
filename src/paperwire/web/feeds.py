"""Atom feeds (RFC 4287) of trending papers and of any search.

Every text and attribute goes through ``display.printable``, so stored text with
characters XML forbids still makes a well-formed feed, and each entry is capped
(``display``) so that one huge paper cannot make a huge feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from paperwire import display, trending
from paperwire.search.query import QueryError
from paperwire.store.clock import utcnow
from paperwire.store.models import Paper
from paperwire.urls import paper_path
from paperwire.web.pages import MAX_QUERY_LENGTH, check_query, rate_limit_search
from paperwire.web.services import services

if TYPE_CHECKING:
    from paperwire.search.service import SearchFilters

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 30

router = APIRouter(include_in_schema=False)


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    clean = {name: display.printable(value) for name, value in attributes.items()}
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", clean)
    if text is not None:
        element.text = display.printable(text)
    return element


def build_feed(
    *,
    base_url: str,
    title: str,
    self_path: str,
    html_path: str,
    entries: Iterable[tuple[Paper, str | None]],
    now: datetime,
) -> bytes:
    """A complete Atom document; every entry has id, title, updated, link and author."""
    base = base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", base + self_path)
    _sub(feed, "title", title)
    _sub(feed, "updated", _stamp(now))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=base + self_path)
    _sub(feed, "link", rel="alternate", type="text/html", href=base + html_path)
    _sub(_sub(feed, "author"), "name", "paperwire")
    _sub(feed, "generator", "paperwire")
    for paper, reason in entries:
        entry = _sub(feed, "entry")
        url = base + paper_path(paper.paper_id)
        _sub(entry, "id", url)
        _sub(entry, "title", display.clip(paper.title, display.TITLE_CHARS))
        _sub(entry, "updated", _stamp(paper.updated or paper.published or paper.last_updated))
        if paper.published:
            _sub(entry, "published", _stamp(paper.published))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        for author in display.clip_names(paper.authors, display.LIST_AUTHORS) or ["unknown"]:
            _sub(_sub(entry, "author"), "name", author)
        for category in paper.categories[: display.CATEGORIES]:
            _sub(entry, "category", term=display.clip(category, display.TEXT_CHARS))
        summary = display.clip(paper.abstract, display.LIST_ABSTRACT_CHARS)
        if reason:
            summary = f"{reason}. {summary}" if summary else reason
        _sub(entry, "summary", summary, type="text")
    ET.register_namespace("", ATOM)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@router.get("/feeds/trending.atom")
def trending_feed(request: Request, window: Literal["day", "week", "month"] = "day") -> Response:
    svc = services(request)
    now = utcnow()
    top = trending.top(svc.store, window, limit=FEED_SIZE, offset=0, now=now)
    body = build_feed(
        base_url=svc.settings.base_url,
        title=f"paperwire: trending ({window})",
        self_path=f"/feeds/trending.atom?window={window}",
        html_path=f"/?window={window}",
        entries=[(entry.paper, entry.reason) for entry in top],
        now=now,
    )
    return Response(body, media_type=MEDIA_TYPE)


@router.get("/feeds/search.atom")
def search_feed(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_LENGTH)],
    since: date | None = None,
    until: date | None = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    author: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    svc = services(request)
    for text in (q, category or "", author or ""):
        check_query(text)
    if not q.strip():
        raise HTTPException(400, "q must contain something to search for.")
    rate_limit_search(svc, request)
    filters: SearchFilters = {
        "since": since,
        "until": until,
        "category": category,
        "author": author,
    }
    try:
        hits = svc.search().search(q, **filters, limit=FEED_SIZE, offset=0)
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    params = urlencode({"q": q, **{key: str(value) for key, value in filters.items() if value}})
    body = build_feed(
        base_url=svc.settings.base_url,
        title=f"paperwire: search for {q}",
        self_path=f"/feeds/search.atom?{params}",
        html_path=f"/search?{params}",
        entries=[(hit.paper, None) for hit in hits],
        now=utcnow(),
    )
    return Response(body, media_type=MEDIA_TYPE)
