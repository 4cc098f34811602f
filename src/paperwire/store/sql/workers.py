"""Worker heartbeats in SQLAlchemy Core: one row per worker name."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from paperwire.store.interfaces.workers import WorkerInfo
from paperwire.store.schema import workers
from paperwire.store.sql.dialect import upsert_row

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore


class SQLWorkers:
    """:class:`~paperwire.store.interfaces.workers.Workers` on a :class:`SQLStore`."""

    def __init__(self, store: SQLStore) -> None:
        self._store = store

    def beat(self, worker: WorkerInfo) -> None:
        values = {
            "name": worker.name,
            "host": worker.host,
            "pid": worker.pid,
            "started_at": worker.started_at,
            "heartbeat_at": worker.heartbeat_at,
            "activity": worker.activity,
        }
        with self._store.writing() as conn:
            upsert_row(conn, workers, values, update=("heartbeat_at", "activity"))

    def forget(self, name: str) -> None:
        with self._store.writing() as conn:
            conn.execute(sa.delete(workers).where(workers.c.name == name))

    def forget_silent(self, *, before: datetime) -> int:
        with self._store.writing() as conn:
            forgotten: int = conn.execute(
                sa.delete(workers).where(workers.c.heartbeat_at < before)
            ).rowcount
        return forgotten

    def list_all(self) -> list[WorkerInfo]:
        query = sa.select(workers).order_by(workers.c.heartbeat_at.desc(), workers.c.name)
        with self._store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            WorkerInfo(row.name, row.host, row.pid, row.started_at, row.heartbeat_at, row.activity)
            for row in rows
        ]
