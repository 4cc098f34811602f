"""How papers look on the terminal and in ``--json`` output."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from rich.table import Table

from paperwire.store.models import Paper


def iso_date(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def paper_summary(paper: Paper) -> dict[str, Any]:
    """The fields every paper listing carries (the search API's result fields)."""
    return {
        "id": paper.paper_id,
        "source_id": paper.source_id,
        "title": paper.title,
        "authors": paper.authors,
        "categories": paper.categories,
        "published": iso_date(paper.published),
    }


def paper_detail(paper: Paper) -> dict[str, Any]:
    """Everything stored about one paper."""
    return {
        **paper_summary(paper),
        "arxiv_id": paper.arxiv_id,
        "abstract": paper.abstract,
        "updated": iso_date(paper.updated),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "comments": paper.comments,
        "license": paper.license,
        "links": {"abstract": paper.abs_url, "pdf": paper.pdf_url, "code": paper.code_url},
        "versions": [
            {"version": v.number, "created": v.created.isoformat() if v.created else None}
            for v in paper.versions
        ],
        "sources": [{"source": s, "source_id": i} for s, i in paper.sources],
        "metrics": [
            {"source": s, "name": n, "value": v} for (s, n), v in sorted(paper.metrics.items())
        ],
        "source": paper.source,
        "withdrawn": paper.withdrawn,
        "first_seen": paper.first_seen.isoformat(),
        "last_updated": paper.last_updated.isoformat(),
    }


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def short_authors(authors: list[str], limit: int = 3) -> str:
    if not authors:
        return "(no authors listed)"
    if len(authors) <= limit:
        return ", ".join(authors)
    return f"{', '.join(authors[:limit])} et al. ({len(authors)})"


def papers_table(papers: list[Paper]) -> Table:
    table = Table(show_lines=False, header_style="bold")
    table.add_column("id", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title", ratio=3)
    table.add_column("authors", ratio=2)
    table.add_column("categories")
    for paper in papers:
        table.add_row(
            paper.arxiv_id or paper.paper_id,
            iso_date(paper.published) or f"seen {iso_date(paper.first_seen)}",
            paper.title,
            short_authors(paper.authors),
            " ".join(paper.categories[:3]),
        )
    return table
