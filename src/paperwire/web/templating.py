"""Jinja2 with autoescaping, the helpers templates use, and one way to render a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from paperwire.urls import paper_path
from paperwire.web import formatting
from paperwire.web.session import Session

TEMPLATES = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
environment.filters.update(
    authors=formatting.shorten_authors,
    date=formatting.format_date,
    snippet=formatting.snippet,
    highlight=formatting.highlight,
)
environment.globals.update(paper_path=paper_path)


def session_of(request: Request) -> Session:
    session = getattr(request.state, "session", None)
    if session is None:
        session = Session()
        request.state.session = session
    return session  # type: ignore[no-any-return]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    """Render a page with the request, the signed-in user and a CSRF token at hand."""
    from paperwire.web.auth import current_user

    session = session_of(request)
    values = {
        "request": request,
        "user": current_user(request),
        "csrf_token": session.csrf_token,
        "path": request.url.path,
        **(context or {}),
    }
    html = environment.get_template(name).render(values)
    return HTMLResponse(html, status_code=status)
