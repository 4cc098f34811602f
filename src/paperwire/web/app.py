"""The web application: pages, JSON API, feeds, static files, and how errors are answered."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp

from paperwire.secret import resolve_secret_key
from paperwire.services.app import AppServices
from paperwire.settings import Settings, get_settings
from paperwire.store.base import Store
from paperwire.store.open import open_store
from paperwire.web import api, auth, digest_account, feeds, pages, subscribe
from paperwire.web.api_docs import add_api_docs
from paperwire.web.body_limit import BodyLimitMiddleware
from paperwire.web.headers import SecurityHeadersMiddleware
from paperwire.web.services import Services
from paperwire.web.session import SessionMiddleware
from paperwire.web.templating import render

if TYPE_CHECKING:
    from paperwire.search.service import SearchService

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
FAVICON = STATIC / "favicon.svg"
FAVICON_CACHE = "public, max-age=2592000"  # 30 days
MACHINE_PREFIXES = ("/api/", "/feeds/", "/healthz")

DESCRIPTION = """Papers, search, trending and similar papers as JSON.

Paper ids are paperwire ids or arXiv ids (old-style ids with a slash work too).
Lists are `{"items": [...], "limit": L, "offset": O}`; `limit` is at most 100.
Requests are rate-limited per client; a 429 answer says when to try again."""


class PaperwireApp(FastAPI):
    """FastAPI with the security headers outside its whole middleware stack.

    Middleware added with ``add_middleware`` runs inside Starlette's
    ``ServerErrorMiddleware``, so the 500 answer to an unhandled error would bypass it.
    """

    def __init__(self, *, secure: bool, **options: Any) -> None:
        super().__init__(**options)
        self.secure = secure

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack(), secure=self.secure)


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    search: SearchService | None = None,
) -> FastAPI:
    """Build the app. Raises MissingSecretKey outside development without a secret key."""
    settings = settings or get_settings()
    secret_key = resolve_secret_key(settings)
    store = store or open_store(settings.database_url)
    secure = settings.env != "development"
    app = PaperwireApp(
        secure=secure,
        title="paperwire API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # add_api_docs serves it without a CDN
        redoc_url=None,
    )
    app.state.services = Services(
        app=AppServices(settings, store, search=search), secret_key=secret_key
    )
    app.add_middleware(SessionMiddleware, secret_key=secret_key, secure=secure)
    app.add_middleware(BodyLimitMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    add_api_docs(app)
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(auth.router)
    app.include_router(subscribe.router)
    app.include_router(digest_account.router)
    app.include_router(pages.router)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        # Browsers ask for /favicon.ico whatever the page links; answer with the SVG.
        return FileResponse(
            FAVICON, media_type="image/svg+xml", headers={"cache-control": FAVICON_CACHE}
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # Starlette types a handler as taking any Exception, though it is called only with
    # the class it is registered for; so a handler of one class does not type-check.
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error)
    return app


def _machine(request: Request) -> bool:
    return request.url.path.startswith(MACHINE_PREFIXES)


def http_error(request: Request, error: StarletteHTTPException) -> Response:
    message = str(error.detail) if error.detail else "Something went wrong."
    if error.status_code == 404 and message == "Not Found":
        message = "There is no page at this address."
    elif error.status_code == 405:
        message = "This address does not accept that method."
    if _machine(request):
        response: Response = JSONResponse({"detail": message}, status_code=error.status_code)
    else:
        context = {"status": error.status_code, "message": message}
        response = render(request, "error.html", context, status=error.status_code)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


def _describe(errors: Sequence[dict[str, Any]]) -> str:
    parts = []
    for problem in errors[:5]:
        where = ".".join(str(part) for part in problem.get("loc", ())[1:])
        parts.append(f"{where or 'request'}: {problem.get('msg', 'invalid')}")
    return "; ".join(parts)


def validation_error(request: Request, error: RequestValidationError) -> Response:
    errors = list(error.errors())
    if _machine(request):
        detail = [
            {key: value for key, value in problem.items() if key in ("loc", "msg", "type")}
            for problem in errors
        ]
        return JSONResponse({"detail": detail, "message": _describe(errors)}, status_code=422)
    context = {"status": 400, "message": "Bad request: " + _describe(errors)}
    return render(request, "error.html", context, status=400)


def server_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=error)
    message = "Something went wrong on our side. Please try again."
    if _machine(request):
        return JSONResponse({"detail": message}, status_code=500)
    return Response(
        f"<!doctype html><title>Error</title><p>{message}</p>", 500, media_type="text/html"
    )
