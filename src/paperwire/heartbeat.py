"""Worker processes say they are alive (``store.workers``), and forget the long silent."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta

from paperwire.store.base import Store
from paperwire.store.clock import naive_utc
from paperwire.store.interfaces.workers import WorkerInfo

# Rows of workers silent for this long are removed by the next worker's heartbeat.
FORGET_AFTER = timedelta(days=7)
MAX_ACTIVITY = 500


def new_worker_name() -> str:
    """Unique per process, and readable: host, process id and a few random characters."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def beat(store: Store, name: str, *, started_at: datetime, now: datetime, activity: str) -> None:
    """Record that worker ``name`` (this process) is alive and what it is doing."""
    now = naive_utc(now)
    worker = WorkerInfo(
        name=name,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=naive_utc(started_at),
        heartbeat_at=now,
        activity=activity[:MAX_ACTIVITY],
    )
    store.workers.beat(worker)
    store.workers.forget_silent(before=now - FORGET_AFTER)
