"""``paperwire init``, ``backup`` and ``restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paperwire.cli import state


def init() -> None:
    """Create the store (or bring it to the current schema). Loads no papers."""
    store = state.store()
    revision = ", ".join(sorted(store.schema_revisions()))
    state.console.print(
        f"store ready at {store.url} (schema {revision}, {store.papers.count()} papers)"
    )


def backup(
    destination: Annotated[Path, typer.Argument(help="New file to write the copy to.")],
) -> None:
    """Copy the store consistently while it is in use (SQLite online backup)."""
    store = state.store()
    try:
        papers = store.backup(destination)
    except FileExistsError as error:
        raise state.fail(str(error)) from error
    state.console.print(f"backed up {papers} papers to {destination}")


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by `paperwire backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the current store without asking.")
    ] = False,
) -> None:
    """Replace the store with a backup (checked for integrity first). Stop the app first."""
    store = state.store()
    if not yes and not typer.confirm(f"Replace the store at {store.url} with {source}?"):
        raise typer.Exit(1)
    try:
        store.restore(source)
    except (FileNotFoundError, ValueError) as error:
        raise state.fail(str(error)) from error
    state.console.print(f"restored {source}; {store.papers.count()} papers in the store")
