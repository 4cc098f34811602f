"""The JSON API under /api/v1, described by the OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from paperwire import display, trending
from paperwire.search.query import QueryError
from paperwire.store.clock import utcnow
from paperwire.store.models import Paper, PaperFilter
from paperwire.urls import paper_path
from paperwire.web.formatting import paper_links
from paperwire.web.pages import MAX_QUERY_LENGTH, check_query, find_paper, rate_limit_search
from paperwire.web.services import Services, services

MAX_LIMIT = 100
MAX_OFFSET = 100_000


class Problem(BaseModel):
    detail: str = Field(description="What was wrong, for a person to read.")


CUT = f'A text cut short ends with "{display.MARK}".'


class PaperItem(BaseModel):
    id: str = Field(description="The paperwire id.")
    source_id: str | None = Field(description="arXiv id without version, else a source's id.")
    title: str = Field(description=f"At most {display.TITLE_CHARS:,} characters. {CUT}")
    authors: list[str] = Field(
        description=f"The first {display.LIST_AUTHORS} names in a list; for one paper, "
        f"as many as fit in {display.PAGE_AUTHOR_CHARS:,} characters. See author_count."
    )
    author_count: int = Field(0, description="How many authors the paper has.")
    categories: list[str]
    published: datetime | None
    upvotes: int = 0
    score: float | None = Field(None, description="Relevance (search) or trending score.")
    reason: str | None = Field(None, description="Why a paper is trending.")
    url: str = Field(description="The paper's page on this site.")


class VersionItem(BaseModel):
    version: int
    created: datetime | None


class PaperDetail(PaperItem):
    abstract: str = Field(description=f"At most {display.PAGE_ABSTRACT_CHARS:,} characters. {CUT}")
    updated: datetime | None
    doi: str | None
    journal_ref: str | None
    comments: str | None
    links: dict[str, str]
    versions: list[VersionItem]
    withdrawn: bool


class PaperList(BaseModel):
    items: list[PaperItem]
    limit: int
    offset: int


def _validation_responses() -> dict[int | str, dict[str, object]]:
    return {400: {"model": Problem}, 429: {"model": Problem}}


async def rate_limit_api(request: Request) -> Services:
    """Count the request (in memory, no I/O: run on the event loop, not in a thread)."""
    svc = services(request)
    verdict = svc.limiter.hit(
        "api", svc.rate_key(request), limit=svc.settings.api_rate_per_minute, period=60
    )
    if not verdict.allowed:
        raise HTTPException(
            429,
            f"Too many requests. Try again in {verdict.retry_after} s.",
            headers={"retry-after": str(verdict.retry_after)},
        )
    return svc


router = APIRouter(prefix="/api/v1", tags=["papers"], responses=_validation_responses())
Api = Annotated[Services, Depends(rate_limit_api)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Since = Annotated[date | None, Query(description="Published on or after (YYYY-MM-DD).")]
Until = Annotated[date | None, Query(description="Published on or before (YYYY-MM-DD).")]
Category = Annotated[str | None, Query(max_length=100, description="e.g. cs.LG")]
Author = Annotated[str | None, Query(max_length=200, description="Part of an author's name.")]


def utc(moment: datetime | None) -> datetime | None:
    """Stored times are naive UTC; the API says so (RFC 3339 needs an offset)."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def shown(value: str | None, limit: int = display.TEXT_CHARS) -> str:
    return display.printable(display.clip(value, limit))


def shown_or_none(value: str | None) -> str | None:
    return None if value is None else shown(value)


def item(
    paper: Paper, upvotes: int = 0, score: float | None = None, reason: str | None = None
) -> PaperItem:
    """One paper in a list, capped (display.py) so that no paper makes a list huge."""
    return PaperItem(
        id=paper.paper_id,
        source_id=shown_or_none(paper.source_id),
        title=shown(paper.title, display.TITLE_CHARS),
        authors=[shown(name) for name in display.clip_names(paper.authors, display.LIST_AUTHORS)],
        author_count=len(paper.authors),
        categories=[shown(c) for c in paper.categories[: display.CATEGORIES]],
        published=utc(paper.published),
        upvotes=upvotes,
        score=score,
        reason=reason,
        url=paper_path(paper.paper_id),
    )


def _counts(svc: Services, papers: list[Paper]) -> dict[str, int]:
    return trending.upvote_counts(svc.store, [paper.paper_id for paper in papers])


@router.get("/papers", response_model=PaperList, summary="Papers, newest first")
def list_papers(
    svc: Api,
    limit: Limit = 20,
    offset: Offset = 0,
    since: Since = None,
    until: Until = None,
    category: Category = None,
    author: Author = None,
) -> PaperList:
    selection = PaperFilter(since=since, until=until, category=category, author=author)
    papers = svc.store.papers.newest(selection, limit=limit, offset=offset)
    counts = _counts(svc, papers)
    items = [item(paper, counts.get(paper.paper_id, 0)) for paper in papers]
    return PaperList(items=items, limit=limit, offset=offset)


@router.get(
    "/papers/{id:path}/similar",
    response_model=PaperList,
    summary="Papers similar to one paper",
    responses={404: {"model": Problem}},
)
def similar(
    svc: Api,
    id: Annotated[str, Path(description="paperwire id or arXiv id")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> PaperList:
    paper = find_paper(svc, id)
    hits = svc.search().similar_to(paper, limit=limit)
    counts = _counts(svc, [hit.paper for hit in hits])
    items = [item(hit.paper, counts.get(hit.paper.paper_id, 0), hit.score) for hit in hits]
    return PaperList(items=items, limit=limit, offset=0)


@router.get(
    "/papers/{id:path}",
    response_model=PaperDetail,
    summary="One paper, by paperwire id or arXiv id (old-style ids with a slash too)",
    responses={404: {"model": Problem}},
)
def get_paper(
    svc: Api, id: Annotated[str, Path(description="paperwire id or arXiv id")]
) -> PaperDetail:
    paper = find_paper(svc, id)
    upvotes = _counts(svc, [paper]).get(paper.paper_id, 0)
    links = paper_links(paper.arxiv_id, paper.abs_url, paper.pdf_url, paper.code_url)
    return PaperDetail(
        **item(paper, upvotes).model_dump(exclude={"authors"}),
        authors=[display.printable(name) for name in display.page_names(paper.authors)],
        abstract=shown(paper.abstract, display.PAGE_ABSTRACT_CHARS),
        updated=utc(paper.updated),
        doi=shown_or_none(paper.doi),
        journal_ref=shown_or_none(paper.journal_ref),
        comments=shown_or_none(paper.comments),
        links={label.lower(): url for label, url in links},
        versions=[VersionItem(version=v.number, created=utc(v.created)) for v in paper.versions],
        withdrawn=paper.withdrawn,
    )


@router.get("/search", response_model=PaperList, summary="Hybrid (keyword + meaning) search")
def search(
    request: Request,
    svc: Api,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_LENGTH)],
    limit: Limit = 20,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    since: Since = None,
    until: Until = None,
    category: Category = None,
    author: Author = None,
) -> PaperList:
    for text in (q, category or "", author or ""):
        check_query(text)
    rate_limit_search(svc, request)
    if not q.strip():
        raise HTTPException(400, "q must contain something to search for.")
    try:
        hits = svc.search().search(
            q, since=since, until=until, category=category, author=author,
            limit=limit, offset=offset,
        )  # fmt: skip
    except QueryError as error:
        raise HTTPException(400, str(error)) from None
    counts = _counts(svc, [hit.paper for hit in hits])
    items = [item(hit.paper, counts.get(hit.paper.paper_id, 0), hit.score) for hit in hits]
    return PaperList(items=items, limit=limit, offset=offset)


@router.get("/trending", response_model=PaperList, summary="Trending papers in a time window")
async def trending_papers(
    svc: Api,
    window: Literal["day", "week", "month"] = "day",
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    def build() -> bytes:
        top = trending.top(svc.store, window, limit=limit, offset=offset, now=utcnow())
        items = [item(e.paper, e.upvotes, e.score, e.reason) for e in top]
        return PaperList(items=items, limit=limit, offset=offset).model_dump_json().encode()

    # The same for every client, so serialised once. A fresh copy is answered on the event
    # loop; otherwise a thread serves the stale copy while one request renews it.
    key = ("api-trending", window, limit, offset)
    body = svc.page_cache.get(key)
    if body is None:
        body = await run_in_threadpool(svc.page_cache.get_or_render, key, build)
    return Response(body, media_type="application/json")
