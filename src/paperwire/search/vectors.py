"""The in-process vector index: exact search while that is fast, HNSW past a size.

Vectors are unit-norm float32, so the inner product is the cosine. The full matrix is
kept (exact search over a filtered subset, "similar papers", re-scoring HNSW hits);
past ``hnsw_threshold`` vectors a usearch HNSW graph (half-precision) answers unfiltered
and broadly filtered queries. Keys are the store's paper row ids. Not thread-safe on
its own: :class:`~paperwire.search.service.SearchService` serialises writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from usearch.index import Index

DEFAULT_HNSW_THRESHOLD = 50_000
HNSW_CONNECTIVITY = 16
HNSW_EXPANSION_ADD = 128


def search_breadth(size: int) -> int:
    """HNSW ef_search for a graph of ``size`` vectors.

    Recall at a fixed breadth falls as a graph grows (measured on the latency benchmark:
    ef 96 gives recall@10 0.98 at 100k vectors but 0.74 at 1M, where 1024 gives 0.956),
    so the breadth grows with the graph: 128 up to 125k vectors, then 1024 per million.
    """
    return min(4096, max(128, size * 1024 // 1_000_000))


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest scores, best first."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, k)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def usearch_index_class() -> type[Index]:
    """usearch's ``Index``, imported safely.

    Importing onnxruntime after usearch crashes the process (a segmentation fault in
    onnxruntime's extension module, seen with usearch 2.26 and onnxruntime 1.32), while
    the other order works. The embedder may load onnxruntime at any time, so it is
    imported first, whenever it is installed.
    """
    with contextlib.suppress(ImportError):
        import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index


class VectorIndex:
    """Row-id keyed unit vectors with exact and (past a size) approximate search."""

    def __init__(self, dimension: int, *, hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD) -> None:
        self.dimension = dimension
        self.hnsw_threshold = hnsw_threshold
        self._matrix = np.zeros((0, dimension), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._size = 0
        self._position: dict[int, int] = {}
        self._hnsw: Index | None = None

    def __len__(self) -> int:
        return self._size

    @property
    def ids(self) -> np.ndarray:
        return self._ids[: self._size]

    @property
    def matrix(self) -> np.ndarray:
        return self._matrix[: self._size]

    @property
    def uses_hnsw(self) -> bool:
        return self._hnsw is not None

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Insert or replace vectors (rows of ``vectors``) under ``ids``."""
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(ids), self.dimension)
        fresh_ids: list[int] = []
        fresh_rows: list[int] = []
        replaced: list[int] = []
        for row, key in enumerate(ids.tolist()):
            position = self._position.get(key)
            if position is None:
                fresh_ids.append(key)
                fresh_rows.append(row)
            else:
                self._matrix[position] = vectors[row]
                replaced.append(row)
        if fresh_ids:
            self._grow(len(fresh_ids))
            start = self._size
            end = start + len(fresh_ids)
            self._matrix[start:end] = vectors[fresh_rows]
            self._ids[start:end] = fresh_ids
            for offset, key in enumerate(fresh_ids):
                self._position[key] = start + offset
            self._size = end
        if self._hnsw is not None:
            if replaced:
                self._hnsw.remove(ids[replaced])
                self._hnsw.add(ids[replaced], vectors[replaced])
            if fresh_ids:
                self._hnsw.add(ids[fresh_rows], vectors[fresh_rows])
                # usearch's setter is declared apart from its getter: mypy sees it read-only
                self._hnsw.expansion_search = search_breadth(self._size)  # type: ignore[misc]
        elif self._size >= self.hnsw_threshold:
            self.build_hnsw()

    def vector(self, key: int) -> np.ndarray | None:
        position = self._position.get(key)
        return None if position is None else self._matrix[position]

    def build_hnsw(self) -> None:
        """(Re)build the HNSW graph over every vector held."""
        index = usearch_index_class()(
            ndim=self.dimension,
            metric="ip",
            dtype="f16",
            connectivity=HNSW_CONNECTIVITY,
            expansion_add=HNSW_EXPANSION_ADD,
        )
        if self._size:
            index.add(self.ids, self.matrix)
        self.attach_hnsw(index)

    def attach_hnsw(self, index: Index) -> None:
        """Use an HNSW graph loaded from disk (it must hold exactly these ids).

        A saved graph does not keep its search breadth (usearch restores the default,
        64, which cost recall@10 0.98 -> 0.95 at 100k), so it is set again here.
        """
        # usearch's setter is declared apart from its getter: mypy sees it read-only
        index.expansion_search = search_breadth(len(index))  # type: ignore[misc]
        self._hnsw = index

    @property
    def hnsw(self) -> Index | None:
        return self._hnsw

    def search(
        self,
        query: np.ndarray,
        k: int,
        *,
        within: np.ndarray | None = None,
        exact: bool = False,
    ) -> list[tuple[int, float]]:
        """The ``k`` nearest (row id, cosine), best first; ``within`` restricts an exact
        search to those ids."""
        if self._size == 0 or k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32).reshape(self.dimension)
        if within is not None:
            return self._exact_subset(query, k, within)
        if self._hnsw is None or exact:
            scores = self.matrix @ query
            best = top_k(scores, k)
            return list(zip(self.ids[best].tolist(), scores[best].tolist(), strict=True))
        return self._approximate(self._hnsw, query, k)

    def _approximate(self, hnsw: Index, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        matches = hnsw.search(query, k)
        keys = np.asarray(matches.keys, dtype=np.int64)
        # Re-score with the float32 vectors: exact cosines, comparable with exact search.
        positions = np.fromiter((self._position[key] for key in keys.tolist()), dtype=np.int64)
        scores = self._matrix[positions] @ query
        order = np.argsort(-scores, kind="stable")
        return list(zip(keys[order].tolist(), scores[order].tolist(), strict=True))

    def _exact_subset(
        self, query: np.ndarray, k: int, within: np.ndarray
    ) -> list[tuple[int, float]]:
        positions = [
            self._position[key] for key in np.asarray(within).tolist() if key in self._position
        ]
        if not positions:
            return []
        index = np.asarray(positions, dtype=np.int64)
        scores = self._matrix[index] @ query
        best = top_k(scores, k)
        return list(zip(self._ids[index[best]].tolist(), scores[best].tolist(), strict=True))

    def _grow(self, extra: int) -> None:
        needed = self._size + extra
        if needed <= len(self._matrix):
            return
        capacity = max(needed, int(len(self._matrix) * 1.5), 1024)
        matrix = np.zeros((capacity, self.dimension), dtype=np.float32)
        matrix[: self._size] = self.matrix
        ids = np.zeros(capacity, dtype=np.int64)
        ids[: self._size] = self.ids
        self._matrix, self._ids = matrix, ids

    @classmethod
    def from_arrays(
        cls, ids: np.ndarray, matrix: np.ndarray, *, hnsw_threshold: int, hnsw: Index | None
    ) -> VectorIndex:
        """An index over arrays read from a snapshot (HNSW built if missing and needed)."""
        index = cls(matrix.shape[1], hnsw_threshold=hnsw_threshold)
        index._matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        index._ids = np.asarray(ids, dtype=np.int64)
        index._size = len(ids)
        index._position = {key: pos for pos, key in enumerate(index._ids.tolist())}
        if hnsw is not None:
            index.attach_hnsw(hnsw)
        elif index._size >= hnsw_threshold:
            index.build_hnsw()
        return index
