"""Garbage collection during bulk ingest: slowed for its length, then as it was."""

from __future__ import annotations

import gc

import pytest

from paperwire.ingest.collector import BULK_THRESHOLD, fewer_collections


def test_thresholds_and_frozen_objects_are_restored_after_the_block() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, *before[1:])
        assert gc.get_freeze_count() > 0  # what was alive on entry is left out
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_thresholds_are_restored_when_the_block_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("writer failed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_the_block_are_still_collected() -> None:
    with fewer_collections():
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1


def test_overlapping_blocks_restore_only_when_the_last_one_ends() -> None:
    before = gc.get_threshold()
    first, second = fewer_collections(), fewer_collections()  # say, two threads' ingests
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == BULK_THRESHOLD  # the second still runs
    assert gc.get_freeze_count() > 0
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
