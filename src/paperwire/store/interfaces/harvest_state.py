"""Harvest state shared by every worker: checkpoints and the pacing of remote hosts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol


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


class HarvestState(Protocol):
    """Checkpoints (one per source) and request slots (one per host).

    Every engine guarantees that each method is atomic against every other process:
    saving a checkpoint replaces the source's one (never two, also when two workers
    save at once), and the pacing rule is applied to a host's slot under a lock, so two
    workers are never granted the same host at once. Times are UTC.
    """

    def reserve_request_slot(
        self,
        host: str,
        holder: str,
        now: datetime,
        lease: timedelta,
        dead_holder: str | None = None,
    ) -> SlotGrant:
        """Atomically apply :func:`paperwire.store.base.grant_request_slot` to the host."""
        ...

    def release_request_slot(self, host: str, holder: str, free_at: datetime) -> None:
        """Atomically apply :func:`paperwire.store.base.release_request_slot` to the host."""
        ...

    def get_checkpoint(self, source: str) -> HarvestCheckpoint | None: ...

    def save_checkpoint(self, checkpoint: HarvestCheckpoint) -> None:
        """Insert or replace the source's checkpoint."""
        ...

    def list_checkpoints(self) -> list[HarvestCheckpoint]:
        """Every checkpoint, by source."""
        ...
