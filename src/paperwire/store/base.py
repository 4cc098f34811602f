"""The store interface the rest of the program talks to.

Callers depend on :class:`Store` only. :mod:`paperwire.store.sql` implements it with
SQLAlchemy Core; engine-specific parts (SQLite's FTS5 and online backup) live in
:mod:`paperwire.store.sqlite`, so that a PostgreSQL implementation can be added beside it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from paperwire.records import PaperRecord
from paperwire.store.interfaces.attention import Attention
from paperwire.store.interfaces.trending import TrendingScores
from paperwire.store.models import Paper, PaperFilter, UpsertResult


class PaperNotFound(LookupError):
    """No paper has the paperwire id or arXiv id asked for."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no paper with id {ref!r} (give a paperwire id or an arXiv id)")
        self.ref = ref


@dataclass(frozen=True, slots=True)
class VectorSpace:
    """The model and dimension of every stored vector, and how far writes have gone.

    ``epoch`` changes when all vectors are discarded (a rebuild); ``generation`` is the
    ``seq`` of the newest vector, so an in-memory index can tell what it is missing.
    """

    model: str
    dimension: int
    epoch: int = 0
    generation: int = 0


class VectorSpaceMismatch(ValueError):
    """Vectors of another model or dimension were offered to a store that holds others."""


@dataclass(frozen=True, slots=True)
class HarvestCheckpoint:
    """Where a followed source's harvest stands (see :mod:`paperwire.harvest.state`).

    ``harvested_until`` is the server-reported date of the last complete harvest;
    ``resumption_token`` is set while a run is under way, with the run's ``from`` date
    and the server date of its first response, so an interrupted run can continue.
    """

    source: str
    harvested_until: date | None = None
    last_success: datetime | None = None
    run_from: date | None = None
    run_server_date: date | None = None
    resumption_token: str | None = None
    run_records: int = 0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class RequestSlot:
    """A remote host's pacing state: next start allowed, and who holds the connection."""

    next_at: datetime
    holder: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class SlotGrant:
    """The answer to "may I send a request?": yes at ``at``, or ask again at ``at``."""

    granted: bool
    at: datetime
    holder: str | None = None  # who holds the slot, when refused


def grant_request_slot(
    slot: RequestSlot | None,
    holder: str,
    now: datetime,
    lease: timedelta,
    dead_holder: str | None = None,
) -> tuple[RequestSlot, SlotGrant]:
    """The pacing rule, without I/O: one holder at a time, starting no earlier than next_at.

    A holder that died keeps the slot until its lease runs out, or until a caller that
    knows it is dead (``dead_holder``) takes it over.
    """
    if (
        slot is not None
        and slot.holder not in (None, holder, dead_holder)
        and slot.lease_until is not None
        and slot.lease_until > now
    ):
        return slot, SlotGrant(False, slot.lease_until, slot.holder)
    start = max(now, slot.next_at) if slot is not None else now
    return RequestSlot(start, holder, start + lease), SlotGrant(True, start)


def release_request_slot(slot: RequestSlot | None, holder: str, free_at: datetime) -> RequestSlot:
    """After a request: the next may start at ``free_at`` (never earlier than promised)."""
    if slot is None:
        return RequestSlot(free_at)
    next_at = max(free_at, slot.next_at)
    if slot.holder == holder:
        return RequestSlot(next_at)
    return RequestSlot(next_at, slot.holder, slot.lease_until)


class Store(ABC):
    """Papers and everything derived from them, on one database.

    Packages with tables of their own (accounts, trending) query them with SQLAlchemy
    Core through ``engine`` for reads and ``writing()`` for writes, in portable SQL.
    """

    url: str
    engine: sa.Engine
    attention: Attention
    trending: TrendingScores

    @abstractmethod
    def writing(self) -> AbstractContextManager[sa.Connection]:
        """A connection in a write transaction, committed when the block ends without error."""

    @abstractmethod
    def upsert(self, records: Sequence[PaperRecord | Any]) -> UpsertResult:
        """Fold records into the store in one transaction (all or nothing).

        Each item is a record, or what ``row_preparer()`` made of one.
        """

    def row_preparer(self) -> Callable[[PaperRecord], Any] | None:
        """A pure function (importable by name) that readies a record for ``upsert``
        ahead of the write, in a reader process; None when the store has none."""
        return None

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

    # Search --------------------------------------------------------------------------

    @abstractmethod
    def get_papers(self, row_ids: Sequence[int]) -> dict[int, Paper]:
        """Papers by internal row id (missing ids are left out)."""

    @abstractmethod
    def filter_row_ids(
        self, selection: PaperFilter, *, within: Sequence[int] | None = None
    ) -> list[int]:
        """Row ids of the papers the filter selects, among ``within`` if given (used to
        restrict vector search)."""

    @abstractmethod
    def keyword_search(
        self,
        match: str,
        selection: PaperFilter = PaperFilter(),
        *,
        limit: int = 100,
        within: Sequence[int] | None = None,
    ) -> list[tuple[int, float]]:
        """(row id, score) best first for an engine full-text query; higher is better.

        ``within`` restricts the answer to those papers (to check vector hits against
        phrases and exclusions with the same tokenizer as the keyword side).
        """

    @abstractmethod
    def count_matches(self, matches: Sequence[str], cap: int) -> list[int]:
        """How many papers each engine full-text query matches, counting at most ``cap``."""

    @abstractmethod
    def vector_space(self) -> VectorSpace | None:
        """The stored vectors' space, or None before anything was embedded."""

    @abstractmethod
    def reset_vectors(self, model: str, dimension: int) -> VectorSpace:
        """Discard every vector and start a new epoch for this model (a rebuild)."""

    @abstractmethod
    def save_vectors(
        self, model: str, dimension: int, rows: Sequence[tuple[int, bytes]]
    ) -> VectorSpace:
        """Store (row id, float32 bytes) in one transaction; VectorSpaceMismatch on mixing."""

    @abstractmethod
    def vectors_since(self, seq: int, *, limit: int = 10_000) -> list[tuple[int, int, bytes]]:
        """(row id, seq, vector) written after ``seq``, in write order."""

    @abstractmethod
    def papers_without_vectors(
        self, *, after: int = 0, limit: int = 256
    ) -> list[tuple[int, str, str]]:
        """(row id, title, abstract) of papers not embedded yet, by row id after ``after``."""

    @abstractmethod
    def count_without_vectors(self) -> int: ...

    @abstractmethod
    def backup(self, destination: Path) -> int:
        """A consistent copy of the store, taken while it is in use; the number of
        papers in the copy (others may have added papers since)."""

    @abstractmethod
    def close(self) -> None: ...

    # Harvesting (not abstract, so that stores without harvesting need not implement it).

    def reserve_request_slot(
        self,
        host: str,
        holder: str,
        now: datetime,
        lease: timedelta,
        dead_holder: str | None = None,
    ) -> SlotGrant:
        """Atomically apply :func:`grant_request_slot` to the host's row (all processes)."""
        raise NotImplementedError

    def release_request_slot(self, host: str, holder: str, free_at: datetime) -> None:
        """Atomically apply :func:`release_request_slot` to the host's row."""
        raise NotImplementedError

    def get_harvest_checkpoint(self, source: str) -> HarvestCheckpoint | None:
        raise NotImplementedError

    def save_harvest_checkpoint(self, checkpoint: HarvestCheckpoint) -> None:
        raise NotImplementedError

    def list_harvest_checkpoints(self) -> list[HarvestCheckpoint]:
        raise NotImplementedError
