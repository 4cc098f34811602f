"""What every engine's ``store.workers`` promises: one row per worker, newest beat first."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta

from paperwire.store.base import Store
from paperwire.store.interfaces.workers import WorkerInfo

NOW = datetime(2025, 3, 1, 12, 0)
MINUTE = timedelta(minutes=1)


def worker(name: str, at: datetime = NOW, activity: str | None = "starting") -> WorkerInfo:
    return WorkerInfo(name, "host-a", 101, started_at=NOW, heartbeat_at=at, activity=activity)


def test_two_heartbeats_of_one_worker_are_one_row(contract_store: Store) -> None:
    workers = contract_store.workers
    workers.beat(worker("w1"))
    later = replace(worker("w1", NOW + MINUTE, "harvesting"), host="other", pid=7)
    workers.beat(later)
    assert workers.list_all() == [worker("w1", NOW + MINUTE, "harvesting")], (
        "host, pid and start stay as first recorded"
    )


def test_concurrent_heartbeats_never_fail(contract_store: Store) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def beat(minute: int) -> None:
        barrier.wait()
        try:
            contract_store.workers.beat(worker("w1", NOW + minute * MINUTE))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=beat, args=(minute,)) for minute in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    [only] = contract_store.workers.list_all()
    assert only.name == "w1"


def test_workers_are_listed_most_recent_heartbeat_first(contract_store: Store) -> None:
    workers = contract_store.workers
    workers.beat(worker("old", NOW - 30 * MINUTE))
    workers.beat(worker("new", NOW))
    workers.beat(worker("mid", NOW - MINUTE, activity=None))
    assert [info.name for info in workers.list_all()] == ["new", "mid", "old"]
    assert workers.list_all()[1].activity is None


def test_forgetting_one_and_the_silent(contract_store: Store) -> None:
    workers = contract_store.workers
    for name, at in [("gone", NOW), ("silent", NOW - 8 * 24 * 60 * MINUTE), ("alive", NOW)]:
        workers.beat(worker(name, at))
    workers.forget("gone")
    workers.forget("gone")  # again: nothing happens
    assert workers.forget_silent(before=NOW - 7 * 24 * 60 * MINUTE) == 1
    assert workers.forget_silent(before=NOW) == 0, "a beat at the moment itself stays"
    assert [info.name for info in workers.list_all()] == ["alive"]
