"""``paperwire trending refresh|show``: recompute and read the trending scores."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from paperwire.cli import state
from paperwire.cli.render import paper_summary, to_json
from paperwire.store.clock import utcnow
from paperwire.trending import WINDOWS, top

app = typer.Typer(help="Trending papers: recompute and show the scores.", no_args_is_help=True)


@app.command("refresh")
def refresh() -> None:
    """Recompute every window's scores from events and imported totals (the web app and
    worker do this in the background; run it by hand after an import)."""
    from paperwire.services.worker import refresh_trending

    ranked = refresh_trending(state.services())
    state.console.print(f"trending refreshed: {ranked} papers ranked")


@app.command("show")
def show(
    window: Annotated[
        str, typer.Option("--window", help=f"One of {', '.join(WINDOWS)} (rolling).")
    ] = "day",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many papers.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The top papers of a window, as last computed by `paperwire trending refresh`."""
    if window not in WINDOWS:
        raise state.fail(f"unknown window {window!r}: use one of {', '.join(WINDOWS)}", 2)
    entries = top(state.store(), window, limit=limit, offset=offset, now=utcnow())
    if as_json:
        state.output.print(
            to_json(
                [
                    {
                        **paper_summary(e.paper),
                        "score": round(e.score, 4),
                        "upvotes": e.upvotes,
                        "reason": e.reason,
                    }
                    for e in entries
                ]
            )
        )
        return
    if not entries:
        state.console.print(
            f"Nothing is trending this {window} yet (no upvotes, saves, views or imported "
            "totals, or no `paperwire trending refresh` since they arrived)."
        )
        return
    table = Table("#", "id", "title", "score", "upvotes", "why")
    for rank, entry in enumerate(entries, start=offset + 1):
        table.add_row(
            str(rank),
            entry.paper.paper_id,
            entry.paper.title,
            f"{entry.score:.2f}",
            str(entry.upvotes),
            entry.reason,
        )
    state.output.print(table)
