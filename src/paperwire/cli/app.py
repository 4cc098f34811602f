"""The root ``paperwire`` command: global options and the list of subcommands.

A command's module is imported only when that command runs (or help lists it), so
``paperwire ingest`` does not first load the web app, the mailer and the models.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from difflib import get_close_matches
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
import typer.main

if TYPE_CHECKING:
    # typer vendors click as typer._click; TyperGroup's methods take its Context, of
    # which typer.Context is a subclass.
    from typer._click import Context as ClickContext

from paperwire.cli import state

# Each command, and the module and attribute under paperwire.cli that define it.
COMMANDS = {
    "init": "admin:init",
    "ingest": "ingest:ingest",
    "export": "export:export",
    "demo": "ingest:demo",
    "backup": "admin:backup",
    "restore": "admin:restore",
    "stats": "papers:stats",
    "serve": "serve:serve",
    "worker": "worker:worker",
    "status": "status:status",
    "papers": "papers:app",
    "trending": "trending:app",
    "harvest": "harvest:app",
    "digest": "digest:app",
    "subscribers": "subscribers:app",
    "search": "search:search",
    "similar": "search:similar",
    "index": "search:index",
}


def _nothing() -> None:
    """A callback, so that a one-command holder stays a group."""


def _click_command(name: str, target: typer.Typer | Callable[..., Any]) -> Any:
    """``target`` as the command line parser sees it once registered under ``name``."""
    holder = typer.Typer(add_completion=False, callback=_nothing)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name=name)(target)
    return typer.main.get_group(holder).commands[name]


class _LazyGroup(typer.core.TyperGroup):
    def list_commands(self, ctx: ClickContext) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: ClickContext, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            module, attribute = COMMANDS[cmd_name].split(":")
            target = getattr(importlib.import_module(f"paperwire.cli.{module}"), attribute)
            self.commands[cmd_name] = _click_command(cmd_name, target)
        return self.commands[cmd_name]

    def resolve_command(self, ctx: ClickContext, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            matches = ", ".join(repr(match) for match in get_close_matches(name, COMMANDS))
            ctx.fail(
                f"No such command {name!r}." + (f" Did you mean {matches}?" if matches else "")
            )
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="paperwire",
    help="paperwire: collect research papers, search them, follow what is trending.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_LazyGroup,
)


@app.callback()
def configure(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="PAPERWIRE_DATABASE_URL",
            show_envvar=True,
            help="Store URL \\[default: sqlite:///data/paperwire.db].",
        ),
    ] = None,
) -> None:
    """Options here apply to every command; each also reads its PAPERWIRE_* variable."""
    state.set_overrides(database_url=database_url)


def main() -> None:
    app()
