"""The root ``paperwire`` command: global options and the list of subcommands."""

from __future__ import annotations

from typing import Annotated

import typer

from paperwire.cli import admin, digest, harvest, ingest, papers, search, state, subscribers
from paperwire.cli.serve import serve
from paperwire.cli.status import status
from paperwire.cli.trending import app as trending_app
from paperwire.cli.worker import worker

app = typer.Typer(
    name="paperwire",
    help="paperwire: collect research papers, search them, follow what is trending.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def configure(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="PAPERWIRE_DATABASE_URL",
            show_envvar=True,
            help="Store URL [default: sqlite:///data/paperwire.db].",
        ),
    ] = None,
) -> None:
    """Options here apply to every command; each also reads its PAPERWIRE_* variable."""
    state.set_overrides(database_url=database_url)


app.command()(admin.init)
app.command()(ingest.ingest)
app.command()(ingest.export)
app.command()(ingest.demo)
app.command()(admin.backup)
app.command()(admin.restore)
app.command()(papers.stats)
app.command()(serve)
app.command()(worker)
app.command()(status)
app.add_typer(papers.app, name="papers")
app.add_typer(trending_app, name="trending")
app.add_typer(harvest.app, name="harvest")
app.add_typer(digest.app, name="digest")
app.add_typer(subscribers.app, name="subscribers")
app.command()(search.search)
app.command()(search.similar)
app.command()(search.index)


def main() -> None:
    app()
