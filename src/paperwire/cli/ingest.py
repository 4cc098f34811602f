"""``paperwire ingest`` and ``demo``.

Nothing here loads the store's modules at import: ``ingest`` starts the reader process
of its first file before it opens the store, so that the two start up side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from paperwire.cli import state
from paperwire.ingest.background import ReaderProcess, read_batches, start_reader
from paperwire.ingest.pipeline import IngestReport, ingest_batches
from paperwire.records import RecordError, UnreadableInput

if TYPE_CHECKING:
    from paperwire.store.base import Store


class Format(StrEnum):
    auto = "auto"
    listing = "listing"
    jsonl = "jsonl"
    arxiv_snapshot = "arxiv-snapshot"
    beir = "beir"
    hf_daily = "hf-daily"
    arxiv_atom = "arxiv-atom"
    oai_pmh = "oai-pmh"


def _ingest_files(
    store: Store,
    paths: list[Path],
    fmt: str,
    quiet: bool,
    first_reader: ReaderProcess | None = None,
) -> tuple[IngestReport, list[str]]:
    """Ingest each file; returns the report and the files that could not be read whole.

    ``first_reader``, if given, is the reader process already started for ``paths[0]``.
    """
    report = IngestReport()
    partly_read: list[str] = []
    settings = state.settings()

    def show_error(error: RecordError) -> None:
        label = "[red]not read[/]" if error.unreadable else "[yellow]skipped[/]"
        state.console.print(f"{label} {error}", highlight=False)

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} records"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=state.console,
        disable=quiet,
        transient=False,
    ) as progress:
        for number, path in enumerate(paths):
            task = progress.add_task(path.name, total=None, rate="")

            def advance(batch: Sequence[object], _result: object, task: TaskID = task) -> None:
                progress.advance(task, len(batch))
                done = progress.tasks[task]
                if done.elapsed:
                    progress.update(task, rate=f"{done.completed / done.elapsed:,.0f}/s")

            stored, errors = report.stored, len(report.errors)
            failed = False
            try:
                ingest_batches(
                    store,
                    read_batches(
                        str(path),
                        fmt,
                        batch_size=settings.ingest_batch_size,
                        max_record_bytes=settings.ingest_max_record_bytes,
                        prepare=store.papers.row_preparer(),
                        reader=first_reader if number == 0 else None,
                    ),
                    report=report,
                    on_error=show_error,
                    on_batch=advance,
                )
            except UnreadableInput as error:
                state.console.print(f"[red]error:[/] {error}", highlight=False)
                failed = True
            if failed or any(error.unreadable for error in report.errors[errors:]):
                partly_read.append(str(path))
                _say_what_was_stored(path, report.stored - stored)
    return report, partly_read


def _say_what_was_stored(path: Path, stored: int) -> None:
    what = f"{stored:,} record(s) from it were stored" if stored else "nothing from it was stored"
    state.console.print(
        f"[red]{path}[/]: part of the file could not be read (above); {what}", highlight=False
    )


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to read (.gz is read transparently).")],
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Input format; auto detects it from content.")
    ] = Format.auto,
    strict: Annotated[bool, typer.Option(help="Fail (exit 1) if any record is skipped.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    embed: Annotated[
        bool | None,
        typer.Option(
            "--embed/--no-embed",
            help=(
                "Embed new papers for search by meaning \\[default: PAPERWIRE_EMBED_ON_INGEST, on]."
            ),
        ),
    ] = None,
) -> None:
    """Import papers from files: arXiv snapshot, OAI-PMH, Atom, BEIR, HF daily, listings, exports.

    The same paper from any source is stored once (by arXiv id, then source id, then DOI;
    id-less records by title). A bad record is skipped and reported with its file and
    line (XML: and its number): one over the limits (PAPERWIRE_INGEST_MAX_RECORD_BYTES
    per record; title 1,000 characters, abstract 32,000, 10,000 authors of 300) or with
    an id that is not one. A line that is not UTF-8 is reported and reading goes on with
    the next line; malformed XML ends its file there.

    Exit code: 0 when every record was stored or skipped with its file and line; 1 with
    --strict and any skipped; 2 when part of a file could not be read as records
    (missing, binary, not UTF-8, malformed XML), saying from which line and how many of
    its records were stored.
    """
    settings = state.settings()
    first_reader = start_reader(
        str(paths[0]),
        fmt.value,
        batch_size=settings.ingest_batch_size,
        max_record_bytes=settings.ingest_max_record_bytes,
    )
    try:
        store = state.services().store
        report, partly_read = _ingest_files(store, paths, fmt.value, quiet, first_reader)
    finally:
        if first_reader:
            first_reader.close()  # already closed unless something failed before its turn
    state.console.print(report.summary())
    if embed if embed is not None else settings.embed_on_ingest:
        embed_new_papers(quiet)
    if partly_read:
        raise typer.Exit(2)
    if strict and report.skipped:
        raise state.fail(f"--strict: {report.skipped} record(s) skipped")


def embed_new_papers(quiet: bool) -> None:
    """Embed what is not embedded yet; keyword search works already, so failures only warn."""
    from paperwire.cli.search import embed_papers
    from paperwire.search.embedding import IncompatibleVectorsError

    try:
        embed_papers(quiet=quiet)
    except (ImportError, IncompatibleVectorsError) as error:
        state.console.print(f"[yellow]not embedded:[/] {error}; run `paperwire index` later")


def demo(
    embed: Annotated[
        bool | None,
        typer.Option(
            "--embed/--no-embed",
            help=(
                "Embed the papers for search by meaning \\[default: PAPERWIRE_EMBED_ON_INGEST, on]."
            ),
        ),
    ] = None,
) -> None:
    """Load the bundled demo: 119 machine-learning papers with titles, abstracts, authors,
    v1 dates, categories and arXiv ids (where public pages confirm them).

    The file is arXiv metadata (CC0) in the arXiv snapshot format; loading it again
    stores nothing new. Try `paperwire papers show 1802.03494` or
    `paperwire similar 1802.03494` afterwards.
    """
    from paperwire.demo import load_demo

    def show_error(error: RecordError) -> None:
        state.console.print(f"[yellow]skipped[/] {error}", highlight=False)

    store = state.services().store
    report = load_demo(store, batch_size=state.settings().ingest_batch_size, on_error=show_error)
    state.console.print(
        f"demo corpus: {report.summary()}; {store.papers.count()} papers in the store"
    )
    if embed if embed is not None else state.settings().embed_on_ingest:
        embed_new_papers(quiet=True)
