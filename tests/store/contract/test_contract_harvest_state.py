"""The harvest state contract: one checkpoint per source, one holder per host."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from paperwire.store.base import HarvestCheckpoint, Store

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def test_checkpoints_are_saved_replaced_and_listed(contract_store: Store) -> None:
    state = contract_store.harvest_state
    assert state.get_checkpoint("oai") is None and state.list_checkpoints() == []
    first = HarvestCheckpoint("oai", run_from=date(2026, 1, 1), resumption_token="t1")
    state.save_checkpoint(first)
    assert state.get_checkpoint("oai") == first
    done = HarvestCheckpoint("oai", harvested_until=date(2026, 1, 4), last_success=NOW)
    state.save_checkpoint(done)
    state.save_checkpoint(HarvestCheckpoint("atom", last_error="timeout", run_records=7))
    assert state.get_checkpoint("oai") == done
    assert [c.source for c in state.list_checkpoints()] == ["atom", "oai"]
    assert state.list_checkpoints()[0].run_records == 7


def test_concurrent_first_saves_leave_one_checkpoint(contract_store: Store) -> None:
    state = contract_store.harvest_state

    def save(n: int) -> None:
        state.save_checkpoint(HarvestCheckpoint("hf", run_records=n))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [c.source for c in state.list_checkpoints()] == ["hf"]


def test_one_holder_per_host_until_release_or_lease_end(contract_store: Store) -> None:
    state = contract_store.harvest_state
    grant = state.reserve_request_slot("export.arxiv.org", "a", NOW, LEASE)
    assert grant.granted and grant.at == NOW
    refused = state.reserve_request_slot("export.arxiv.org", "b", NOW, LEASE)
    assert not refused.granted and refused.holder == "a" and refused.at == NOW + LEASE
    assert state.reserve_request_slot("other.org", "b", NOW, LEASE).granted
    state.release_request_slot("export.arxiv.org", "a", NOW + timedelta(seconds=3))
    later = state.reserve_request_slot("export.arxiv.org", "b", NOW, LEASE)
    assert later.granted and later.at == NOW + timedelta(seconds=3)
    after_lease = state.reserve_request_slot("export.arxiv.org", "c", NOW + 2 * LEASE, LEASE)
    assert after_lease.granted


def test_a_dead_holder_is_taken_over(contract_store: Store) -> None:
    state = contract_store.harvest_state
    assert state.reserve_request_slot("h", "dead", NOW, LEASE).granted
    assert state.reserve_request_slot("h", "b", NOW, LEASE, dead_holder="dead").granted


def test_racing_workers_get_one_grant(contract_store: Store) -> None:
    state = contract_store.harvest_state
    grants: list[bool] = []

    def reserve(holder: str) -> None:
        grants.append(state.reserve_request_slot("new.host", holder, NOW, LEASE).granted)

    threads = [threading.Thread(target=reserve, args=(f"w{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert grants.count(True) == 1
