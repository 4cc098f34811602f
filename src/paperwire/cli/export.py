"""``paperwire export``: papers as paperwire JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, TextIO

import typer

from paperwire.cli import state
from paperwire.cli.papers import (
    AuthorOption,
    CategoryOption,
    SinceOption,
    UntilOption,
    paper_filter,
)
from paperwire.ingest.export import paper_to_record
from paperwire.ingest.formats.jsonl import record_to_json
from paperwire.store.models import Paper


def export(
    destination: Annotated[Path, typer.Argument(help="File to write; - for standard output.")],
    since: SinceOption = None,
    until: UntilOption = None,
    category: CategoryOption = None,
    author: AuthorOption = None,
) -> None:
    """Write papers as paperwire JSON lines, which `paperwire ingest` reads back losslessly."""
    papers = state.store().papers.iterate(paper_filter(since, until, category, author))
    if str(destination) == "-":
        count = _write_export(papers, sys.stdout)
    else:
        partial = destination.with_name(destination.name + ".partial")
        with partial.open("w", encoding="utf-8") as out:
            count = _write_export(papers, out)
        partial.replace(destination)  # a reader never sees a half-written export
    state.console.print(f"exported {count} papers")


def _write_export(papers: Iterable[Paper], out: TextIO) -> int:
    count = 0
    for paper in papers:
        out.write(json.dumps(record_to_json(paper_to_record(paper)), ensure_ascii=False) + "\n")
        count += 1
    return count
