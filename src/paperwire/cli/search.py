"""``paperwire search``, ``similar`` and ``index``: thin commands over SearchService."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from paperwire.cli import state
from paperwire.cli.papers import AuthorOption, CategoryOption, JsonOption, SinceOption, UntilOption
from paperwire.cli.render import iso_date, paper_summary, short_authors, to_json
from paperwire.search.embedding import IncompatibleVectorsError
from paperwire.services.search import offline_models
from paperwire.store.base import PaperNotFound

if TYPE_CHECKING:
    from paperwire.search.service import SearchFilters, SearchService

LimitOption = Annotated[
    int, typer.Option("--limit", "-n", min=1, max=1000, help="How many results (at most 1000).")
]


def _service() -> SearchService:
    offline_models()
    return state.services().search()


def hit_json(hit: Any) -> dict[str, Any]:
    return {**paper_summary(hit.paper), "score": hit.score}


def _hits_table(hits: list[Any]) -> Table:
    table = Table(header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title", ratio=3)
    table.add_column("authors", ratio=2)
    for rank, hit in enumerate(hits, start=1):
        paper = hit.paper
        table.add_row(
            str(rank),
            f"{hit.score:.3f}",
            paper.arxiv_id or paper.paper_id,
            iso_date(paper.published) or "",
            paper.title,
            short_authors(paper.authors),
        )
    return table


def search(
    query: Annotated[
        str | None,
        typer.Argument(help='Words, "quoted phrases", -excluded, author:Name, category:cs.LG.'),
    ] = None,
    queries: Annotated[
        Path | None,
        typer.Option("--queries", help="File with one query per line (blank lines skipped)."),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    category: CategoryOption = None,
    author: AuthorOption = None,
    limit: LimitOption = 10,
    as_json: JsonOption = False,
) -> None:
    """Find papers by meaning and keywords, best first."""
    from paperwire.search.query import QueryError

    if (query is None) == (queries is None):
        raise state.fail("give a QUERY or --queries FILE (not both)", code=2)
    service = _service()
    filters: SearchFilters = {
        "since": since.date() if since else None,
        "until": until.date() if until else None,
        "category": category,
        "author": author,
    }
    if queries is not None:
        lines = [line.strip() for line in queries.read_text(encoding="utf-8").splitlines()]
        results = []
        for line in filter(None, lines):
            try:
                found = [hit_json(hit) for hit in service.search(line, **filters, limit=limit)]
                results.append({"query": line, "results": found})
            except QueryError as error:
                results.append({"query": line, "results": [], "error": str(error)})
        if as_json:
            for item in results:
                state.output.print(json.dumps(item, ensure_ascii=False))
        else:
            for item in results:
                state.output.print(f"[bold]{item['query']}[/bold]: {len(item['results'])} results")
        return
    assert query is not None
    try:
        hits = service.search(query, **filters, limit=limit)
    except QueryError as error:
        raise state.fail(str(error)) from error
    _warn(service)
    if as_json:
        state.output.print(to_json([hit_json(hit) for hit in hits]))
    elif not hits:
        state.console.print("No papers match.")
    else:
        state.output.print(_hits_table(hits))


def _warn(service: SearchService) -> None:
    if service.vector_problem:
        state.console.print(f"[yellow]keyword results only:[/] {service.vector_problem}")


def similar(
    paper_id: Annotated[str, typer.Argument(help="A paperwire id or an arXiv id.")],
    limit: LimitOption = 10,
    as_json: JsonOption = False,
) -> None:
    """Papers closest in meaning to one paper."""
    service = _service()
    try:
        hits = service.similar(paper_id, limit=limit)
    except PaperNotFound as error:
        raise state.fail(str(error)) from error
    _warn(service)
    if as_json:
        state.output.print(to_json([hit_json(hit) for hit in hits]))
    elif not hits:
        state.console.print("No similar papers (is the store embedded? run `paperwire index`).")
    else:
        state.output.print(_hits_table(hits))


def embed_papers(*, rebuild: bool = False, quiet: bool = False) -> int:
    """Embed the papers that have no vector (all of them with ``rebuild``), with progress."""
    offline_models()
    from paperwire.services import embedding

    app = state.services()
    total = embedding.papers_to_embed(app, rebuild=rebuild)
    if total == 0:
        return 0
    with Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=state.console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("embedding", total=total)
        return embedding.embed_papers(
            app, rebuild=rebuild, on_batch=lambda n: progress.advance(task, n)
        )


def index(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Discard all vectors and embed every paper again.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Embed the papers that are not embedded yet (resumable), and save the vector index."""
    started = datetime.now()
    try:
        done = embed_papers(rebuild=rebuild, quiet=quiet)
    except IncompatibleVectorsError as error:
        raise state.fail(f"{error} (run `paperwire index --rebuild`)") from error
    seconds = (datetime.now() - started).total_seconds()
    state.console.print(f"embedded {done} papers in {seconds:.1f} s; all papers are searchable")
