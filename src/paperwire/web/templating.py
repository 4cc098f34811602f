"""Jinja2 with autoescaping, the helpers templates use, and one way to render a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from paperwire import display
from paperwire.urls import paper_path
from paperwire.web import formatting
from paperwire.web.session import Session

TEMPLATES = Path(__file__).parent / "templates"


def printable(value: Any) -> Any:
    """Every value a template prints, without control characters (stored text may hold
    them). Removing characters from escaped markup leaves it escaped."""
    if isinstance(value, Markup):
        return Markup(display.printable(value))
    if isinstance(value, str):
        return display.printable(value)
    return value


def clip_abstract(text: str | None, page: bool = False) -> str:
    """An abstract as a list entry (or, with ``page``, a paper's own page) shows it."""
    return display.clip(text, display.PAGE_ABSTRACT_CHARS if page else display.LIST_ABSTRACT_CHARS)


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
    finalize=printable,
)
environment.filters.update(
    authors=formatting.shorten_authors,
    author_line=display.author_line,
    clip_title=lambda text: display.clip(text, display.TITLE_CHARS),
    clip_text=lambda text: display.clip(text, display.TEXT_CHARS),
    clip_abstract=clip_abstract,
    date=formatting.format_date,
    snippet=formatting.snippet,
    highlight=formatting.highlight,
)
environment.globals.update(paper_path=paper_path, max_categories=display.CATEGORIES)


def session_of(request: Request) -> Session:
    session = getattr(request.state, "session", None)
    if session is None:
        session = Session()
        request.state.session = session
    return session


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
