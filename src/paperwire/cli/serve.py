"""``paperwire serve``: the web app under uvicorn, with trending refreshed in the background."""

from __future__ import annotations

from typing import Annotated

import typer

from paperwire.cli import state


def serve(
    host: Annotated[
        str, typer.Option(envvar="PAPERWIRE_HOST", show_envvar=True, help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option(envvar="PAPERWIRE_PORT", show_envvar=True, min=1, max=65535, help="Port."),
    ] = 8000,
) -> None:
    """Serve the web pages, JSON API and feeds (needs PAPERWIRE_SECRET_KEY outside development).

    Trending scores are recomputed every PAPERWIRE_TRENDING_REFRESH_SECONDS (60). Behind a
    reverse proxy, list it in PAPERWIRE_TRUSTED_PROXIES so client addresses are read from
    X-Forwarded-For.
    """
    import uvicorn

    from paperwire.secret import MissingSecretKey
    from paperwire.web.app import create_app
    from paperwire.web.background import TrendingRefresher, warm_search

    settings = state.settings()
    try:
        app = create_app(settings, store=state.store())
    except (MissingSecretKey, ValueError) as error:
        raise state.fail(str(error), 2) from error
    services = app.state.services
    refresher = TrendingRefresher(services, settings.trending_refresh_seconds)
    refresher.start()
    warm_search(services)
    state.console.print(f"paperwire serving on http://{host}:{port}/ ({settings.env})")
    try:
        uvicorn.run(
            app, host=host, port=port, proxy_headers=False, server_header=False,
            log_level="info", access_log=False,
        )  # fmt: skip
    finally:
        refresher.stop()
