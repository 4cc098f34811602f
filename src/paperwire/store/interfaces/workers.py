"""Worker processes say they are alive: one row per worker name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """A worker's last heartbeat. ``started_at`` is kept from its first heartbeat."""

    name: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    activity: str | None


class Workers(Protocol):
    """Heartbeats of worker processes. Times are naive UTC."""

    def beat(self, worker: WorkerInfo) -> None:
        """Record a heartbeat: insert the worker, or update its ``heartbeat_at`` and
        ``activity`` (host, pid and ``started_at`` stay as first recorded). Idempotent and
        safe when several processes beat at once: one row per name, never an error."""

    def forget(self, name: str) -> None:
        """Remove one worker's row (it stopped cleanly); nothing happens if there is none."""

    def forget_silent(self, *, before: datetime) -> int:
        """Remove the workers whose last heartbeat is older than ``before``; how many."""

    def list_all(self) -> list[WorkerInfo]:
        """Every recorded worker, most recent heartbeat first. Whether one is stale is the
        caller's rule."""
