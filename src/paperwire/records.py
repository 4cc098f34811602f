"""The one record type every source yields.

Shared vocabulary of the whole program (it sits at the bottom of the stack).
Parsers turn a file or a response into ``PaperRecord`` values (or ``RecordError``
values for input they could not read); the pipeline upserts records into the store.
Records are plain data: no I/O, no store access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a paper as a source reported it (arXiv's v1, v2, ...)."""

    number: int
    created: datetime | None = None
    size: str | None = None


@dataclass(frozen=True, slots=True)
class Metric:
    """A running total a source reports for a paper, kept as its latest value.

    ``name`` is for example ``upvotes`` or ``github_stars``. ``source`` is the source
    that reported it when that differs from the record's own (paperwire's export
    carries the metrics of every source).
    """

    name: str
    value: int
    source: str | None = None


@dataclass(slots=True)
class PaperRecord:
    """A paper as one source describes it.

    ``source`` names where it came from (``arxiv``, ``beir``, ``hf-daily``, ``listing``,
    ``paperwire``); ``source_id`` is the id within that source. ``arxiv_id`` is the
    arXiv identifier without version (``2401.01234`` or ``astro-ph/0601001``), set
    whenever the source knows it, whatever the source.

    Datetimes are timezone-aware UTC. Text fields are already normalised
    (see :mod:`paperwire.text`).
    """

    source: str
    title: str
    abstract: str = ""
    source_id: str | None = None
    arxiv_id: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comments: str | None = None
    license: str | None = None
    abs_url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    versions: list[Version] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    withdrawn: bool = False
    # Set only by paperwire's own export format, to round-trip losslessly.
    paper_id: str | None = None
    first_seen: datetime | None = None
    last_updated: datetime | None = None
    extra_sources: list[tuple[str, str]] = field(default_factory=list)

    @property
    def latest_version(self) -> int | None:
        return max((v.number for v in self.versions), default=None)


@dataclass(frozen=True, slots=True)
class RecordError:
    """Input that could not become a record: where it is and why.

    ``unreadable`` marks input that could not even be read as records (a line that is
    not UTF-8, malformed XML), so that what it held is not known, as opposed to a
    record read and refused.
    """

    path: str
    line: int | None
    reason: str
    unreadable: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


class UnreadableInput(Exception):
    """A whole file could not be read (missing, binary, unknown format)."""
