"""The vector index on disk, under ``PAPERWIRE_DATA_DIR``, so a process starts warm.

A snapshot is a directory (``ids.npy``, ``vectors.npy`` and, past the HNSW threshold,
``hnsw.usearch``) named in ``current.json`` together with the vector space it was taken
from (model, dimension, epoch, generation). Several processes may save: each writes a
new directory and then replaces ``current.json`` atomically, so a reader never sees a
half-written snapshot. A snapshot of another model, dimension or epoch, or one ahead of
the store (a restored backup), is stale and ignored; the caller rebuilds from the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from paperwire.search.vectors import VectorIndex, usearch_index_class
from paperwire.store.base import VectorSpace

CURRENT = "current.json"


def snapshot_root(data_dir: Path, database_url: str) -> Path:
    """One folder per store, so two stores never share index files."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return data_dir / "search" / f"vectors-{digest}"


def save_snapshot(root: Path, index: VectorIndex, space: VectorSpace) -> Path:
    """Write the index as of ``space.generation``; returns the snapshot directory."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"snap-{space.epoch}-{space.generation}-{uuid.uuid4().hex[:8]}"
    directory = root / name
    directory.mkdir()
    np.save(directory / "ids.npy", index.ids)
    np.save(directory / "vectors.npy", index.matrix)
    if index.hnsw is not None:
        index.hnsw.save(str(directory / "hnsw.usearch"))
    state = {
        "directory": name,
        "model": space.model,
        "dimension": space.dimension,
        "epoch": space.epoch,
        "generation": space.generation,
        "count": len(index),
        "hnsw": index.hnsw is not None,
    }
    temporary = root / f"{CURRENT}.{uuid.uuid4().hex[:8]}.tmp"
    temporary.write_text(json.dumps(state))
    os.replace(temporary, root / CURRENT)
    _remove_old(root, keep={name})
    return directory


def load_snapshot(
    root: Path, space: VectorSpace, *, hnsw_threshold: int
) -> tuple[VectorIndex, int] | None:
    """(index, generation it holds) if a usable snapshot of this space exists, else None."""
    try:
        state = json.loads((root / CURRENT).read_text())
        fits = (
            state["model"] == space.model
            and state["dimension"] == space.dimension
            and state["epoch"] == space.epoch
            and state["generation"] <= space.generation
        )
        if not fits:
            return None
        directory = root / state["directory"]
        ids = np.load(directory / "ids.npy")
        matrix = np.load(directory / "vectors.npy")
        if len(ids) != state["count"] or matrix.shape != (len(ids), space.dimension):
            return None
        hnsw = None
        if state["hnsw"] and len(ids) >= hnsw_threshold:
            hnsw = usearch_index_class().restore(str(directory / "hnsw.usearch"))
            if hnsw is None or len(hnsw) != len(ids):
                hnsw = None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    index = VectorIndex.from_arrays(ids, matrix, hnsw_threshold=hnsw_threshold, hnsw=hnsw)
    return index, int(state["generation"])


def _remove_old(root: Path, keep: set[str]) -> None:
    """Delete older snapshots, but keep the newest one before this (a reader may be on it)."""
    older = sorted(
        (p for p in root.glob("snap-*") if p.name not in keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in older[1:]:
        shutil.rmtree(path, ignore_errors=True)
