"""What every command shares: the settings and the store they open."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

from paperwire.settings import Settings

if TYPE_CHECKING:
    from paperwire.services.app import AppServices
    from paperwire.store.base import Store

console = Console(stderr=True, soft_wrap=True)  # log lines are not wrapped mid-path
output = Console(highlight=False, soft_wrap=True)

_overrides: dict[str, Any] = {}  # validated by Settings


def set_overrides(**values: object) -> None:
    """Options given on the command line win over the environment."""
    _overrides.update({key: value for key, value in values.items() if value is not None})
    settings.cache_clear()
    services.cache_clear()


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(**_overrides)


def store() -> Store:
    """The configured store, migrated; a clear message and exit 2 when it cannot open.

    The store's modules (SQLAlchemy) load here rather than with the CLI, so that a
    command can start other work first (``ingest`` starts its reader process).
    """
    from paperwire.store.open import UnsupportedDatabase, open_store

    try:
        return open_store(settings().database_url)
    except UnsupportedDatabase as error:
        console.print(f"[red]error:[/] {error}")
        raise typer.Exit(2) from error


@lru_cache(maxsize=1)
def services() -> AppServices:
    """The services of this process, over the configured store (opened as by
    :func:`store`); built once."""
    from paperwire.services.app import AppServices

    return AppServices(settings(), store())


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error and return the Exit to raise."""
    console.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code)
