"""The interactive API docs page: Swagger UI served by the app itself.

The Swagger UI files come from the installed ``fastapi-offline`` package, so the page
works without internet access and under the site's one Content-Security-Policy (no
CDN, no inline script: ``static/api-docs.js`` starts Swagger UI).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from markupsafe import escape

DOCS_PATH = "/api/v1/docs"
ASSETS_PATH = DOCS_PATH + "/assets"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{assets}/favicon.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def add_api_docs(app: FastAPI) -> None:
    """Serve the docs page and its assets (the app is built with ``docs_url=None``)."""
    app.mount(
        ASSETS_PATH,
        StaticFiles(packages=[("fastapi_offline", "static")]),
        name="api-docs-assets",
    )
    page = PAGE.format(
        title=escape(f"{app.title} · docs"),
        assets=ASSETS_PATH,
        openapi=escape(app.openapi_url or ""),
    )

    def api_docs() -> HTMLResponse:
        return HTMLResponse(page)

    app.add_api_route(DOCS_PATH, api_docs, methods=["GET"], include_in_schema=False)
