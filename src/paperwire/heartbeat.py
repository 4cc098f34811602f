"""Worker processes say they are alive: one row each, updated as they work."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from paperwire.store.base import Store
from paperwire.store.bulk import dialect_insert
from paperwire.store.clock import naive_utc
from paperwire.store.schema import workers

# Rows of workers silent for this long are removed by the next worker's heartbeat.
FORGET_AFTER = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    name: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime
    activity: str | None


def new_worker_name() -> str:
    """Unique per process, and readable: host, process id and a few random characters."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def beat(store: Store, name: str, *, started_at: datetime, now: datetime, activity: str) -> None:
    """Record that worker ``name`` is alive and what it is doing."""
    now = naive_utc(now)
    values = {
        "name": name,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": naive_utc(started_at),
        "heartbeat_at": now,
        "activity": activity[:500],
    }
    with store.writing() as conn:
        insert = dialect_insert(conn.dialect.name, workers).values(values)
        conn.execute(
            insert.on_conflict_do_update(
                index_elements=[workers.c.name],
                set_={"heartbeat_at": now, "activity": values["activity"]},
            )
        )
        conn.execute(sa.delete(workers).where(workers.c.heartbeat_at < now - FORGET_AFTER))


def forget(store: Store, name: str) -> None:
    """A worker that stops cleanly removes its row."""
    with store.writing() as conn:
        conn.execute(sa.delete(workers).where(workers.c.name == name))


def list_workers(store: Store) -> list[WorkerInfo]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(workers).order_by(workers.c.heartbeat_at.desc())).all()
    return [
        WorkerInfo(row.name, row.host, row.pid, row.started_at, row.heartbeat_at, row.activity)
        for row in rows
    ]
