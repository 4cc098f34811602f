"""Paper vectors in engine-neutral SQL: :class:`~paperwire.store.interfaces.vectors.Vectors`.

``vector_space`` has one row (id 1) holding the model, the epoch and the newest ``seq``.
Writers lock that row (``SELECT ... FOR UPDATE``; SQLite's write transactions are
serialised anyway) before numbering vectors, so two writers never hand out one ``seq``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa

from paperwire.store.bulk import dialect_insert
from paperwire.store.interfaces.vectors import VectorSpace, VectorSpaceMismatch
from paperwire.store.schema import paper_vectors, papers, vector_space

_CHUNK = 10_000  # ids per IN list

if TYPE_CHECKING:
    from paperwire.store.sql import SQLStore


class SQLVectors:
    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self.engine = store.engine

    def space(self) -> VectorSpace | None:
        with self.engine.connect() as conn:
            return _space(conn)

    def reset(self, model: str, dimension: int) -> VectorSpace:
        with self.store.writing() as conn:
            old, created = _locked_space(conn, model, dimension)
            space = old if created else VectorSpace(model, dimension, old.epoch + 1, 0)
            conn.execute(paper_vectors.delete())
            conn.execute(
                vector_space.update().where(vector_space.c.id == 1).values(**_values(space))
            )
        return space

    def save(self, model: str, dimension: int, rows: Sequence[tuple[int, bytes]]) -> VectorSpace:
        with self.store.writing() as conn:
            space, _ = _locked_space(conn, model, dimension)
            if (space.model, space.dimension) != (model, dimension):
                raise VectorSpaceMismatch(
                    f"the store holds vectors of {space.model!r} (dim {space.dimension}), "
                    f"not {model!r} (dim {dimension}): rebuild with `paperwire index --rebuild`"
                )
            if not rows:
                return space
            ids = [row_id for row_id, _ in rows]
            conn.execute(paper_vectors.delete().where(paper_vectors.c.paper_id.in_(ids)))
            # Papers deleted since they were read are skipped, not an error.
            present = set(
                conn.execute(sa.select(papers.c.id).where(papers.c.id.in_(ids))).scalars()
            )
            kept = [(row_id, blob) for row_id, blob in rows if row_id in present]
            values = [
                {"paper_id": row_id, "seq": space.generation + n, "vector": blob}
                for n, (row_id, blob) in enumerate(kept, start=1)
            ]
            if values:
                conn.execute(paper_vectors.insert(), values)
                space = VectorSpace(model, dimension, space.epoch, space.generation + len(kept))
                conn.execute(
                    vector_space.update()
                    .where(vector_space.c.id == 1)
                    .values(generation=space.generation)
                )
        return space

    def since(self, seq: int, *, limit: int = 10_000) -> list[tuple[int, int, bytes]]:
        query = (
            sa.select(paper_vectors.c.paper_id, paper_vectors.c.seq, paper_vectors.c.vector)
            .where(paper_vectors.c.seq > seq)
            .order_by(paper_vectors.c.seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(row[0], row[1], row[2]) for row in conn.execute(query)]

    def of(self, row_ids: Sequence[int]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        ids = list(row_ids)
        with self.store.engine.connect() as conn:
            for start in range(0, len(ids), _CHUNK):
                query = sa.select(paper_vectors.c.paper_id, paper_vectors.c.vector).where(
                    paper_vectors.c.paper_id.in_(ids[start : start + _CHUNK])
                )
                for row_id, blob in conn.execute(query):
                    found[int(row_id)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def missing(self, *, after: int = 0, limit: int = 256) -> list[tuple[int, str, str]]:
        query = (
            sa.select(papers.c.id, papers.c.title, papers.c.abstract)
            .where(papers.c.id > after, ~_has_vector())
            .order_by(papers.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [(row[0], row[1], row[2]) for row in conn.execute(query)]

    def count_missing(self) -> int:
        query = sa.select(sa.func.count()).select_from(papers).where(~_has_vector())
        with self.engine.connect() as conn:
            count: int = conn.execute(query).scalar_one()
        return count


def _has_vector() -> sa.ColumnElement[bool]:
    return sa.exists().where(paper_vectors.c.paper_id == papers.c.id)


def _space(conn: sa.Connection) -> VectorSpace | None:
    row = conn.execute(sa.select(vector_space).where(vector_space.c.id == 1)).first()
    if row is None:
        return None
    return VectorSpace(row.model, row.dimension, row.epoch, row.generation)


def _locked_space(conn: sa.Connection, model: str, dimension: int) -> tuple[VectorSpace, bool]:
    """The space row, locked until the transaction ends, and whether it was just created
    (for this model, epoch 1)."""
    first = VectorSpace(model, dimension, 1, 0)
    created = conn.execute(
        dialect_insert(conn.dialect.name, vector_space)
        .values(id=1, **_values(first))
        .on_conflict_do_nothing()
    ).rowcount
    row = conn.execute(
        sa.select(vector_space).where(vector_space.c.id == 1).with_for_update()
    ).one()
    return VectorSpace(row.model, row.dimension, row.epoch, row.generation), created == 1


def _values(space: VectorSpace) -> dict[str, object]:
    return {
        "model": space.model,
        "dimension": space.dimension,
        "epoch": space.epoch,
        "generation": space.generation,
    }
