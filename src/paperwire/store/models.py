"""What the store hands back: stored papers and the filters that select them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from paperwire.records import Version


@dataclass(slots=True)
class Paper:
    """A paper as stored, with its versions, source ids and metric snapshots."""

    paper_id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]
    source: str
    first_seen: datetime
    last_updated: datetime
    arxiv_id: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    doi: str | None = None
    journal_ref: str | None = None
    comments: str | None = None
    license: str | None = None
    abs_url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    withdrawn: bool = False
    versions: list[Version] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    metrics: dict[tuple[str, str], int] = field(default_factory=dict)
    row_id: int = 0

    @property
    def source_id(self) -> str | None:
        """The arXiv id without version, else the first id a source gave, else None."""
        if self.arxiv_id:
            return self.arxiv_id
        return self.sources[0][1] if self.sources else None

    def metric(self, name: str) -> int | None:
        """The largest latest value any source reports for a metric (e.g. upvotes)."""
        values = [value for (_, metric), value in self.metrics.items() if metric == name]
        return max(values, default=None)


@dataclass(frozen=True, slots=True)
class PaperFilter:
    """Selection shared by listing, export and (later) search."""

    since: date | None = None
    until: date | None = None
    category: str | None = None
    author: str | None = None


@dataclass(slots=True)
class UpsertResult:
    """How a batch of records changed the store."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
