"""``paperwire status``: which workers are alive, how today's digests stand, who subscribes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from paperwire.cli import state
from paperwire.cli.digest import delivery_counts
from paperwire.cli.render import to_json
from paperwire.store.base import Store
from paperwire.store.clock import utcnow
from paperwire.store.interfaces.workers import WorkerInfo

# A worker silent for longer than this has probably died (it beats at least every round).
STALE_AFTER = timedelta(minutes=5)


def subscriber_counts(store: Store) -> dict[str, int]:
    """Subscribers in each status (zeros included)."""
    return store.subscriptions.count_by_status()


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def worker_json(worker: WorkerInfo, now: datetime) -> dict[str, Any]:
    age = (now - worker.heartbeat_at).total_seconds()
    return {
        "name": worker.name,
        "host": worker.host,
        "pid": worker.pid,
        "started_at": worker.started_at.isoformat(),
        "heartbeat_at": worker.heartbeat_at.isoformat(),
        "seconds_ago": round(age, 1),
        "activity": worker.activity,
        "stale": age > STALE_AFTER.total_seconds(),
    }


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Workers and their last heartbeat (stale after 5 minutes of silence), today's
    digests by state (UTC date), and subscribers by status."""
    store = state.store()
    now = utcnow()
    workers = [worker_json(worker, now) for worker in store.workers.list_all()]
    today = now.date()
    deliveries = delivery_counts(store, today)
    people = subscriber_counts(store)
    if as_json:
        payload = {
            "now": now.isoformat(),
            "workers": workers,
            "deliveries": {"date": today.isoformat(), "counts": deliveries},
            "subscribers": people,
        }
        state.output.print(to_json(payload))
        return
    if workers:
        table = Table("worker", "last heartbeat (UTC)", "", "activity", title="Workers")
        for worker in workers:
            seen = datetime.fromisoformat(worker["heartbeat_at"])
            ago = _ago(worker["seconds_ago"])
            table.add_row(
                Text(worker["name"]),
                f"{seen:%Y-%m-%d %H:%M:%S}",
                f"[red]{ago}, stale[/]" if worker["stale"] else ago,
                Text(worker["activity"] or ""),
            )
        state.output.print(table)
    else:
        state.output.print("Workers: none running (start one with `paperwire worker`).")
    planned = sum(deliveries.values())
    shown = ", ".join(f"{count} {name}" for name, count in deliveries.items() if count)
    state.output.print(
        f"Digests of {today.isoformat()} (UTC): {planned} planned" + (f": {shown}" if shown else "")
    )
    state.output.print(
        "Subscribers: " + ", ".join(f"{count} {name}" for name, count in people.items())
    )
