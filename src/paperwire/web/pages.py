"""The server-rendered pages: trending and new, search, a paper, and the paper's buttons."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from paperwire import trending
from paperwire.search.query import QueryError
from paperwire.store.base import PaperNotFound
from paperwire.store.clock import utcnow
from paperwire.store.models import Paper
from paperwire.trending.events import MarkKind
from paperwire.urls import paper_path
from paperwire.web.auth import Csrf, claims_sign_in, current_user, login_url
from paperwire.web.formatting import (
    has_control_characters,
    page_of,
    paper_links,
    query_terms,
    safe_next,
)
from paperwire.web.networks import view_network
from paperwire.web.services import Services, services
from paperwire.web.templating import render, session_of

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
MAX_PAGE = 500
MAX_QUERY_LENGTH = 300
WINDOWS = {"day": "Today", "week": "This week", "month": "This month", "new": "New"}
SIMILAR_COUNT = 6

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]


@dataclass(slots=True)
class Entry:
    """One paper in a list, with what the list knows about it."""

    paper: Paper
    upvotes: int = 0
    reason: str | None = None
    score: float | None = None

    @property
    def links(self) -> list[tuple[str, str]]:
        paper = self.paper
        return paper_links(paper.arxiv_id, paper.abs_url, paper.pdf_url, paper.code_url)


def bad_request(message: str) -> HTTPException:
    return HTTPException(400, message)


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_request(f"{name} must be a date like 2024-01-31, not {value[:40]!r}") from None


def marks(svc: Services, request: Request, papers: list[Paper]) -> dict[str, set[str]]:
    user = current_user(request)
    if user is None or not papers:
        return {}
    return svc.store.attention.marks_on(user.id, [paper.paper_id for paper in papers])


def check_query(query: str) -> None:
    """Refuse what no search could use, before it costs an embedding."""
    if len(query) > MAX_QUERY_LENGTH:
        raise bad_request(f"The query is too long: at most {MAX_QUERY_LENGTH} characters.")
    if has_control_characters(query):
        raise bad_request("The query contains control characters; type words instead.")


def rate_limit_search(svc: Services, request: Request) -> None:
    verdict = svc.limiter.hit(
        "search", svc.rate_key(request), limit=svc.settings.search_rate_per_minute, period=60
    )
    if not verdict.allowed:
        raise HTTPException(
            429,
            f"Too many searches from your address. Try again in {verdict.retry_after} s.",
            headers={"retry-after": str(verdict.retry_after)},
        )


@router.get("/")
async def front(request: Request, window: str = "day", page: PageNumber = 1) -> Response:
    if window not in WINDOWS:
        raise bad_request("window must be one of: day, week, month, new")
    svc = services(request)
    if not claims_sign_in(request):
        # Anonymous pages are shared. A fresh copy is answered on the event loop; else a
        # thread serves the stale copy while one request (single flight) re-renders it.
        key = ("front", window, page)
        body = svc.page_cache.get(key)
        if body is None:
            body = await run_in_threadpool(
                svc.page_cache.get_or_render,
                key,
                lambda: render_front(svc, request, window, page).body,
            )
        return HTMLResponse(body)
    return await run_in_threadpool(render_front, svc, request, window, page)


def render_front(svc: Services, request: Request, window: str, page: int) -> HTMLResponse:
    offset = (page - 1) * PAGE_SIZE
    entries: list[Entry] = []
    fallback = False
    if window != "new":
        top = trending.top(svc.store, window, limit=PAGE_SIZE + 1, offset=offset, now=utcnow())
        entries = [Entry(e.paper, e.upvotes, e.reason, e.score) for e in top]
        fallback = not entries and page == 1
    if window == "new" or fallback:
        papers = svc.store.papers.newest(limit=PAGE_SIZE + 1, offset=offset)
        counts = trending.upvote_counts(svc.store, [paper.paper_id for paper in papers])
        entries = [Entry(paper, counts.get(paper.paper_id, 0)) for paper in papers]
    pager = page_of(page, PAGE_SIZE, len(entries))
    entries = entries[:PAGE_SIZE]
    context = {
        "window": window,
        "windows": WINDOWS,
        "entries": entries,
        "fallback": fallback,
        "pager": pager,
        "page_url": lambda number: "/?" + urlencode({"window": window, "page": number}),
        "marks": marks(svc, request, [entry.paper for entry in entries]),
        "feed_url": None if window == "new" else f"/feeds/trending.atom?window={window}",
    }
    return render(request, "index.html", context)


@router.get("/search")
async def search_page(
    request: Request,
    q: Annotated[str, Query(max_length=2000)] = "",
    since: str = "",
    until: str = "",
    category: Annotated[str, Query(max_length=100)] = "",
    author: Annotated[str, Query(max_length=200)] = "",
    page: PageNumber = 1,
) -> Response:
    svc = services(request)
    form = {"q": q, "since": since, "until": until, "category": category, "author": author}
    context: dict[str, Any] = {"form": form, "entries": [], "error": None, "pager": None}
    query = q.strip()
    if not query:
        return await run_in_threadpool(render, request, "search.html", context)
    try:
        for text in (query, category, author):
            check_query(text)
        filters = {
            "since": parse_day(since, "since"),
            "until": parse_day(until, "until"),
            "category": category.strip() or None,
            "author": author.strip() or None,
        }
    except HTTPException as error:
        context["error"] = error.detail
        return await run_in_threadpool(render, request, "search.html", context, status=400)
    rate_limit_search(svc, request)
    try:
        if not claims_sign_in(request):
            # The same query gives every anonymous reader the same page: render it once,
            # answer a fresh copy on the event loop, renew a stale one in one thread.
            key = ("search", query, since, until, category, author, page)
            body = svc.search_cache.get(key)
            if body is None:
                body = await run_in_threadpool(
                    svc.search_cache.get_or_render,
                    key,
                    lambda: render_search(svc, request, context, filters, page).body,
                )
            return HTMLResponse(body)
        return await run_in_threadpool(render_search, svc, request, context, filters, page)
    except QueryError as error:
        context["error"] = str(error)
        return await run_in_threadpool(render, request, "search.html", context, status=400)


def render_search(
    svc: Services,
    request: Request,
    context: dict[str, Any],
    filters: dict[str, Any],
    page: int,
) -> HTMLResponse:
    """The results page of a checked query; QueryError when the query is unusable."""
    form = context["form"]
    query = form["q"].strip()
    hits = svc.search().search(query, **filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    counts = trending.upvote_counts(svc.store, [hit.paper.paper_id for hit in hits])
    entries = [Entry(hit.paper, counts.get(hit.paper.paper_id, 0), None, hit.score) for hit in hits]
    params = {key: value for key, value in form.items() if value}
    context = {
        **context,
        "entries": entries[:PAGE_SIZE],
        "pager": page_of(page, PAGE_SIZE, len(entries)),
        "terms": query_terms(query),
        "page_url": lambda number: "/search?" + urlencode({**params, "page": number}),
        "feed_url": "/feeds/search.atom?" + urlencode(params),
        "marks": marks(svc, request, [entry.paper for entry in entries]),
    }
    return render(request, "search.html", context)


def find_paper(svc: Services, ref: str) -> Paper:
    if len(ref) > 200:
        raise HTTPException(404, "No paper has that id.")
    try:
        return svc.store.papers.get(ref)
    except PaperNotFound:
        raise HTTPException(
            404, f"No paper with id {ref!r}. Give a paperwire id or an arXiv id."
        ) from None


def similar_entries(svc: Services, paper: Paper) -> list[Entry]:
    """Similar papers, or none when the index cannot say (the page still renders)."""
    try:
        hits = svc.search().similar_to(paper, limit=SIMILAR_COUNT)
    except Exception:
        log.exception("similar papers unavailable for %s", paper.paper_id)
        return []
    return [Entry(hit.paper, 0, None, hit.score) for hit in hits]


@router.get("/papers/{ref:path}")
def paper_page(request: Request, ref: str) -> Response:
    svc = services(request)
    paper = find_paper(svc, ref)
    counts = trending.upvote_counts(svc.store, [paper.paper_id])
    context = {
        "entry": Entry(paper, counts.get(paper.paper_id, 0)),
        "similar": similar_entries(svc, paper),
        "marks": marks(svc, request, [paper]).get(paper.paper_id, set()),
    }
    return render(request, "paper.html", context)


@router.post("/papers/{ref:path}/view", dependencies=[Csrf], status_code=204)
def record_view(request: Request, ref: str) -> Response:
    """Sent by the paper page's script after it loads, so crawlers do not count.

    Anonymous views count once per visitor and a few per network per paper and day
    (docs/trending.md); the network is also rate-limited, before any lookup.
    """
    svc = services(request)
    network = view_network(svc.client(request))
    verdict = svc.limiter.hit("view", network, limit=svc.settings.view_rate_per_minute, period=60)
    if not verdict.allowed:
        raise HTTPException(
            429,
            f"Too many views from your network. Try again in {verdict.retry_after} s.",
            headers={"retry-after": str(verdict.retry_after)},
        )
    paper = find_paper(svc, ref)
    user = current_user(request)
    if user is not None:
        trending.record_reader_view(svc.store, paper.paper_id, user.id, now=utcnow())
        return Response(status_code=204)
    session = session_of(request)
    visitor = session.get("vid")
    if not isinstance(visitor, str):
        visitor = secrets.token_urlsafe(16)
        session.set("vid", visitor)
    trending.record_view(
        svc.store,
        paper.paper_id,
        visitor,
        network=network,
        secret_key=svc.secret_key,
        network_cap=svc.settings.view_network_cap,
        now=utcnow(),
    )
    return Response(status_code=204)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _mark(request: Request, ref: str, kind: MarkKind, on: str, next: str) -> Response:
    svc = services(request)
    paper = find_paper(svc, ref)
    back = safe_next(next, paper_path(paper.paper_id))
    user = current_user(request)
    if user is None:
        if wants_json(request):
            return JSONResponse({"detail": "Sign in to upvote or save papers."}, status_code=401)
        return RedirectResponse(login_url(back), status_code=303)
    turn_on = on not in ("0", "false", "off", "")
    trending.set_mark(svc.store, user.id, paper.paper_id, kind, turn_on, now=utcnow())
    if wants_json(request):
        count = trending.upvote_counts(svc.store, [paper.paper_id]).get(paper.paper_id, 0)
        return JSONResponse({"upvotes": count, kind: turn_on})
    return RedirectResponse(back, status_code=303)


@router.post("/papers/{ref:path}/upvote", dependencies=[Csrf])
def upvote(
    request: Request,
    ref: str,
    on: Annotated[str, Form(max_length=10)] = "1",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _mark(request, ref, "upvote", on, next)


@router.post("/papers/{ref:path}/save", dependencies=[Csrf])
def save(
    request: Request,
    ref: str,
    on: Annotated[str, Form(max_length=10)] = "1",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _mark(request, ref, "save", on, next)
