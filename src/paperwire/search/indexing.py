"""Embedding papers into the store: what is missing, in batches, resumable.

Each batch is embedded and then saved in one transaction, so an interrupted run keeps
every finished batch and the next run carries on from the papers still missing.
"""

from __future__ import annotations

from collections.abc import Callable

from paperwire.search.embedding import Embedder, check_compatible, document_text
from paperwire.store.base import Store

DEFAULT_BATCH_SIZE = 256


def embed_missing(
    store: Store,
    embedder: Embedder,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Embed every paper without a vector.

    Raises IncompatibleVectorsError when the store holds another model's vectors.
    """
    space = store.vectors.space()
    if space is not None:
        check_compatible(space.model, space.dimension, embedder.model_name, embedder.dimension)
    done = 0
    after = 0
    while rows := store.vectors.missing(after=after, limit=batch_size):
        vectors = embedder.encode_documents(
            [document_text(title, abstract) for _, title, abstract in rows]
        )
        store.vectors.save(
            embedder.model_name,
            embedder.dimension,
            [
                (row_id, vector.tobytes())
                for (row_id, _, _), vector in zip(rows, vectors, strict=True)
            ],
        )
        after = rows[-1][0]
        done += len(rows)
        if on_batch:
            on_batch(len(rows))
    return done


def rebuild(
    store: Store,
    embedder: Embedder,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Discard every stored vector (any model) and embed all papers again with ``embedder``."""
    store.vectors.reset(embedder.model_name, embedder.dimension)
    return embed_missing(store, embedder, batch_size=batch_size, on_batch=on_batch)
