"""``paperwire papers list|show`` and ``paperwire stats``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.panel import Panel

from paperwire.cli import state
from paperwire.cli.render import paper_detail, paper_summary, papers_table, short_authors, to_json
from paperwire.store.base import PaperNotFound
from paperwire.store.models import PaperFilter

app = typer.Typer(help="Browse stored papers.", no_args_is_help=True)

SinceOption = Annotated[
    datetime | None,
    typer.Option("--since", formats=["%Y-%m-%d"], help="Published on or after this date."),
]
UntilOption = Annotated[
    datetime | None,
    typer.Option("--until", formats=["%Y-%m-%d"], help="Published on or before this date."),
]
CategoryOption = Annotated[
    str | None, typer.Option("--category", help="Only papers in this category, e.g. cs.LG.")
]
AuthorOption = Annotated[
    str | None, typer.Option("--author", help="Only papers with an author name containing this.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def paper_filter(
    since: datetime | None, until: datetime | None, category: str | None, author: str | None
) -> PaperFilter:
    return PaperFilter(
        since=since.date() if since else None,
        until=until.date() if until else None,
        category=category,
        author=author,
    )


@app.command("list")
def list_papers(
    since: SinceOption = None,
    until: UntilOption = None,
    category: CategoryOption = None,
    author: AuthorOption = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many papers.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    as_json: JsonOption = False,
) -> None:
    """List papers, newest first (papers without a date by when they were first seen)."""
    selection = paper_filter(since, until, category, author)
    found = state.store().papers.newest(selection, limit=limit, offset=offset)
    if as_json:
        state.output.print(to_json([paper_summary(p) for p in found]))
    elif not found:
        state.console.print(
            "No papers match. Load some with `paperwire ingest` or `paperwire demo`."
        )
    else:
        state.output.print(papers_table(found))


@app.command("show")
def show_paper(
    paper_id: Annotated[str, typer.Argument(help="A paperwire id or an arXiv id (any version).")],
    as_json: JsonOption = False,
) -> None:
    """Show everything stored about one paper."""
    try:
        paper = state.store().papers.get(paper_id)
    except PaperNotFound as error:
        raise state.fail(str(error)) from error
    if as_json:
        state.output.print(to_json(paper_detail(paper)))
        return
    lines = [
        f"[bold]{paper.title}[/bold]",
        short_authors(paper.authors, limit=10),
        f"id {paper.paper_id}" + (f" · arXiv {paper.arxiv_id}" if paper.arxiv_id else ""),
    ]
    if paper.published:
        lines.append(f"published {paper.published.date()}")
    if paper.categories:
        lines.append("categories " + " ".join(paper.categories))
    if paper.versions:
        lines.append("versions " + ", ".join(f"v{v.number}" for v in paper.versions))
    for label, url in (
        ("abstract", paper.abs_url),
        ("pdf", paper.pdf_url),
        ("code", paper.code_url),
    ):
        if url:
            lines.append(f"{label} {url}")
    state.output.print(Panel("\n".join(lines)))
    state.output.print(paper.abstract)


def stats(as_json: JsonOption = False) -> None:
    """Counts of papers by source, primary category and month."""
    figures = state.store().papers.stats()
    if as_json:
        state.output.print(to_json(figures))
        return
    state.output.print(f"[bold]{figures['papers']}[/bold] papers")
    for heading in ("by_source", "by_category", "by_month"):
        counts = figures[heading]
        assert isinstance(counts, dict)
        shown = ", ".join(f"{key} {value}" for key, value in list(counts.items())[:15])
        state.output.print(f"{heading.replace('_', ' ')}: {shown or '-'}")
