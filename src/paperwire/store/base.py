"""The store interface the rest of the program talks to.

Callers depend on :class:`Store` only. :mod:`paperwire.store.sql` implements it with
SQLAlchemy Core; engine-specific parts (SQLite's FTS5 and online backup) live in
:mod:`paperwire.store.sqlite`, so that a PostgreSQL implementation can be added beside it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path

from paperwire.records import PaperRecord
from paperwire.store.models import Paper, PaperFilter, UpsertResult


class PaperNotFound(LookupError):
    """No paper has the paperwire id or arXiv id asked for."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no paper with id {ref!r} (give a paperwire id or an arXiv id)")
        self.ref = ref


class Store(ABC):
    """Papers and everything derived from them, on one database."""

    url: str

    @abstractmethod
    def upsert(self, records: Sequence[PaperRecord]) -> UpsertResult:
        """Fold records into the store in one transaction (all or nothing)."""

    @abstractmethod
    def get_paper(self, ref: str) -> Paper:
        """A paper by paperwire id or arXiv id (with or without version); PaperNotFound else."""

    @abstractmethod
    def list_papers(
        self, selection: PaperFilter = PaperFilter(), *, limit: int = 50, offset: int = 0
    ) -> list[Paper]:
        """Papers newest first (by published date, else by when first seen)."""

    @abstractmethod
    def iter_papers(self, selection: PaperFilter = PaperFilter()) -> Iterator[Paper]:
        """Every selected paper, oldest first, streamed in chunks (for export)."""

    @abstractmethod
    def count_papers(self) -> int: ...

    @abstractmethod
    def stats(self) -> dict[str, object]:
        """Counts of papers in total, by source, by primary category and by month."""

    @abstractmethod
    def backup(self, destination: Path) -> None:
        """A consistent copy of the store, taken while it is in use."""

    @abstractmethod
    def close(self) -> None: ...
