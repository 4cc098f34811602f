"""Paper vectors: one embedding per paper, all of one model and dimension."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True, slots=True)
class VectorSpace:
    """The model and dimension of every stored vector, and how far writes have gone.

    ``epoch`` changes when all vectors are discarded (a rebuild); ``generation`` is the
    ``seq`` of the newest vector, so an in-memory index can tell what it is missing.
    """

    model: str
    dimension: int
    epoch: int = 0
    generation: int = 0


class VectorSpaceMismatch(ValueError):
    """Vectors of another model or dimension were offered to a store that holds others."""


class Vectors(Protocol):
    """The stored vectors (float32 bytes) of one store.

    Every engine guarantees:

    - At most one vector per paper; saving a paper's vector again replaces it.
    - Each saved vector gets a ``seq`` above every earlier one (also across concurrent
      writers), so ``since(generation)`` misses nothing that was committed.
    - A paper whose title or abstract changes loses its vector in the same transaction,
      and is listed by ``missing`` again; a deleted paper's vector goes with it.
    """

    def space(self) -> VectorSpace | None:
        """The stored vectors' space, or None before anything was embedded."""
        ...

    def reset(self, model: str, dimension: int) -> VectorSpace:
        """Discard every vector and start a new epoch for this model (a rebuild)."""
        ...

    def save(self, model: str, dimension: int, rows: Sequence[tuple[int, bytes]]) -> VectorSpace:
        """Store (row id, vector) in one transaction; :class:`VectorSpaceMismatch` on
        mixing spaces. Row ids of papers no longer stored are skipped."""
        ...

    def since(self, seq: int, *, limit: int = 10_000) -> list[tuple[int, int, bytes]]:
        """(row id, seq, vector) written after ``seq``, in ``seq`` order."""
        ...

    def of(self, row_ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors (float32, one dimension) of these papers; those without one
        are left out."""
        ...

    def missing(self, *, after: int = 0, limit: int = 256) -> list[tuple[int, str, str]]:
        """(row id, title, abstract) of papers without a vector, by row id after ``after``."""
        ...

    def count_missing(self) -> int:
        """How many papers have no vector."""
        ...
