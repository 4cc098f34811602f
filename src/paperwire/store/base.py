"""The store interface the rest of the program talks to.

Callers depend on :class:`Store` and the Protocols of :mod:`paperwire.store.interfaces`
only. :mod:`paperwire.store.sql` implements them with SQLAlchemy Core; engine-specific
parts (SQLite's FTS5, fast ingest and online backup) live in :mod:`paperwire.store.sqlite`,
so that a PostgreSQL implementation can be added beside it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from paperwire.store.interfaces.accounts import Accounts
from paperwire.store.interfaces.attention import Attention
from paperwire.store.interfaces.deliveries import Deliveries
from paperwire.store.interfaces.digest_sources import DigestSources
from paperwire.store.interfaces.harvest_state import (
    HarvestCheckpoint,
    HarvestState,
    RequestSlot,
    SlotGrant,
)
from paperwire.store.interfaces.keyword import KeywordSearch
from paperwire.store.interfaces.papers import PaperNotFound, Papers
from paperwire.store.interfaces.sessions import Sessions
from paperwire.store.interfaces.subscriptions import Subscriptions
from paperwire.store.interfaces.trending import TrendingScores
from paperwire.store.interfaces.vectors import Vectors, VectorSpace, VectorSpaceMismatch
from paperwire.store.interfaces.workers import Workers

__all__ = [
    "HarvestCheckpoint",
    "PaperNotFound",
    "RequestSlot",
    "SlotGrant",
    "Store",
    "VectorSpace",
    "VectorSpaceMismatch",
    "grant_request_slot",
    "release_request_slot",
]


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
    """One database, reached through typed interfaces (one attribute per concept).

    Nothing outside ``store/`` uses ``engine`` or ``writing()``: they are here for the
    interfaces' implementations and the engine's own tools (migrations, backups).
    """

    url: str
    engine: sa.Engine
    papers: Papers
    keyword: KeywordSearch
    vectors: Vectors
    harvest_state: HarvestState
    accounts: Accounts
    sessions: Sessions
    workers: Workers
    attention: Attention
    trending: TrendingScores
    subscriptions: Subscriptions
    deliveries: Deliveries
    digest_sources: DigestSources

    @abstractmethod
    def writing(self) -> AbstractContextManager[sa.Connection]:
        """A connection in a write transaction, committed when the block ends without error."""

    @abstractmethod
    def backup(self, destination: Path) -> int:
        """A consistent copy of the store, taken while it is in use; the number of
        papers in the copy (others may have added papers since)."""

    def restore(self, source: Path) -> None:
        """Replace the store's contents with a backup made by :meth:`backup`, checked
        first (ValueError when it is not a usable backup, FileNotFoundError), then
        migrated. Other processes must have stopped."""
        raise ValueError("restore works on SQLite stores; use your database's own tools")

    @abstractmethod
    def schema_revisions(self) -> set[str]:
        """The schema revisions the database is at (for ``paperwire init``)."""

    @abstractmethod
    def close(self) -> None: ...
