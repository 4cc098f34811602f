"""The in-process vector index: exact search, HNSW recall, updates, snapshots."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paperwire.search.snapshot import load_snapshot, save_snapshot
from paperwire.search.vectors import VectorIndex, search_breadth, top_k
from paperwire.store.base import VectorSpace


def unit(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_top_k() -> None:
    assert top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2).tolist() == [1, 3]
    assert top_k(np.array([0.1, 0.9]), 5).tolist() == [1, 0]


def test_exact_search_add_replace_and_subset() -> None:
    vectors = unit(100)
    index = VectorIndex(32, hnsw_threshold=10_000)
    index.add(range(1000, 1100), vectors)
    assert len(index) == 100 and not index.uses_hnsw
    assert index.search(vectors[7], 1)[0][0] == 1007
    index.add([1007], -vectors[7:8])
    assert len(index) == 100
    assert index.search(vectors[7], 1)[0][0] != 1007
    within = np.array([1003, 1004, 1050])
    assert {item for item, _ in index.search(vectors[50], 3, within=within)} == {1003, 1004, 1050}
    assert index.search(vectors[50], 1, within=within)[0][0] == 1050


def test_hnsw_past_the_threshold_agrees_with_exact_search() -> None:
    vectors = unit(3000, seed=1)
    index = VectorIndex(32, hnsw_threshold=2000)
    index.add(range(3000), vectors)
    assert index.uses_hnsw
    queries = unit(50, seed=2)
    recall = np.mean(
        [
            len(
                {i for i, _ in index.search(q, 10)}
                & {i for i, _ in index.search(q, 10, exact=True)}
            )
            / 10
            for q in queries
        ]
    )
    assert recall >= 0.95
    index.add([5], -vectors[5:6])  # replacing a vector updates the graph too
    assert 5 not in {i for i, _ in index.search(vectors[5], 5)}


def test_search_breadth_grows_with_the_graph() -> None:
    assert search_breadth(300) == search_breadth(100_000) == 128
    assert search_breadth(500_000) == 512 and search_breadth(1_000_000) == 1024
    assert search_breadth(10**9) == 4096
    index = VectorIndex(32, hnsw_threshold=200)
    index.add(range(300), unit(300, seed=4))
    index.hnsw.expansion_search = 7  # type: ignore[union-attr]
    index.add([300], unit(1, seed=5))  # growing the graph sets the breadth again
    assert index.hnsw.expansion_search == search_breadth(301)  # type: ignore[union-attr]


def test_snapshot_round_trip_and_staleness(tmp_path: Path) -> None:
    vectors = unit(300, seed=3)
    index = VectorIndex(32, hnsw_threshold=200)
    index.add(range(300), vectors)
    space = VectorSpace("model-a", 32, epoch=1, generation=300)
    save_snapshot(tmp_path, index, space)
    loaded = load_snapshot(tmp_path, space, hnsw_threshold=200)
    assert loaded is not None
    again, generation = loaded
    assert generation == 300 and len(again) == 300 and again.uses_hnsw
    assert again.search(vectors[9], 1)[0][0] == 9
    # A restored graph searches as broadly as a built one (usearch does not save it).
    assert again.hnsw.expansion_search == index.hnsw.expansion_search == search_breadth(300)  # type: ignore[union-attr]
    later = VectorSpace("model-a", 32, epoch=1, generation=400)
    assert load_snapshot(tmp_path, later, hnsw_threshold=200) is not None
    for stale in (
        VectorSpace("model-b", 32, 1, 300),
        VectorSpace("model-a", 32, 2, 300),
        VectorSpace("model-a", 32, 1, 299),
    ):
        assert load_snapshot(tmp_path, stale, hnsw_threshold=200) is None
    for path in tmp_path.rglob("*.npy"):
        path.unlink()
    assert load_snapshot(tmp_path, space, hnsw_threshold=200) is None


def test_hnsw_and_the_onnx_runtime_load_together_in_either_order() -> None:
    """usearch first, then onnxruntime, once crashed the process; run it in a child."""
    import subprocess
    import sys

    script = (
        "from paperwire.search.vectors import usearch_index_class\n"
        "usearch_index_class()\n"
        "import onnxruntime\n"
        "print('both loaded')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "both loaded" in done.stdout
