"""The page cache: fresh copies served, stale ones renewed by a single request."""

from __future__ import annotations

import threading
import time

import pytest

from paperwire.web.services import TTLCache


def test_fresh_values_are_served_without_rendering() -> None:
    cache = TTLCache(ttl=60)
    calls: list[int] = []
    assert cache.get_or_render("k", lambda: calls.append(1) or "one") == "one"
    assert cache.get_or_render("k", lambda: calls.append(1) or "two") == "one"
    assert cache.get("k") == "one"
    assert calls == [1]


def test_a_stale_value_is_served_while_one_caller_renders() -> None:
    cache = TTLCache(ttl=0.01)
    cache.put("k", "old")
    time.sleep(0.02)
    assert cache.get("k") is None  # stale
    started, release = threading.Event(), threading.Event()
    renders: list[str] = []

    def slow() -> str:
        renders.append("new")
        started.set()
        release.wait(5)
        return "new"

    renderer = threading.Thread(target=lambda: cache.get_or_render("k", slow))
    renderer.start()
    assert started.wait(5)
    # While the one render runs, everyone else gets the stale page at once.
    others = [cache.get_or_render("k", slow) for _ in range(5)]
    release.set()
    renderer.join(5)
    assert others == ["old"] * 5
    assert renders == ["new"]
    assert cache.get("k") == "new"


def test_a_missing_value_is_rendered_once_for_concurrent_callers() -> None:
    cache = TTLCache(ttl=60)
    renders: list[int] = []
    gate = threading.Barrier(8)

    def render() -> int:
        renders.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []

    def call() -> None:
        gate.wait(5)
        results.append(cache.get_or_render("k", render))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert results == [42] * 8
    assert renders == [1]


def test_a_failed_render_caches_nothing() -> None:
    cache = TTLCache(ttl=60)

    def fail() -> str:
        raise RuntimeError("boom")

    for _ in range(2):
        with pytest.raises(RuntimeError):
            cache.get_or_render("k", fail)
    assert cache.get("k") is None
    assert cache.get_or_render("k", lambda: "ok") == "ok"
