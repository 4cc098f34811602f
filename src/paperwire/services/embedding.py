"""Embedding what is missing: papers without a vector, and digest topics saved without
one (or under another model). The embedder is the process's search service's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from paperwire.digest.subscriptions import TopicVector
from paperwire.digest.topics import embed_topics
from paperwire.search.embedding import vector_space_name
from paperwire.services.app import AppServices
from paperwire.settings import Settings

if TYPE_CHECKING:
    from paperwire.search.embedding import Embedder

# Told what went wrong when a model cannot be used (the work goes on without it).
OnProblem = Callable[[Exception], None]


def papers_to_embed(app: AppServices, *, rebuild: bool = False) -> int:
    """How many papers :func:`embed_papers` would embed (known without the model)."""
    return app.store.papers.count() if rebuild else app.store.vectors.count_missing()


def embed_papers(
    app: AppServices,
    *,
    rebuild: bool = False,
    save_snapshot: bool = True,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Embed the papers without a vector (every paper again with ``rebuild``), in
    resumable batches of PAPERWIRE_EMBEDDING_BATCH_SIZE; how many were embedded.

    With ``save_snapshot`` the vector index is then written under the data directory,
    so the next process starts warm. Raises IncompatibleVectorsError when the store
    holds another model's vectors (and ``rebuild`` is not set).
    """
    if papers_to_embed(app, rebuild=rebuild) == 0:
        return 0
    from paperwire.search import indexing

    service = app.search()
    run = indexing.rebuild if rebuild else indexing.embed_missing
    done = run(
        app.store,
        service.embedder,
        batch_size=app.settings.embedding_batch_size,
        on_batch=on_batch,
    )
    if save_snapshot:
        service.save_snapshot()
    return done


def topic_space(settings: Settings) -> str:
    """The vector space topic vectors are saved under (known without loading the model)."""
    return vector_space_name(settings.embedding_model, settings.embedding_backend)


def topic_embedder(app: AppServices, on_problem: OnProblem) -> Embedder | None:
    """The embedder, or None when it cannot be loaded (search extras missing, model
    files unreadable): topics are then saved without vectors and matched by their
    words, and digests still go out."""
    try:
        return app.embedder()
    except Exception as error:
        on_problem(error)
        return None


def vectors_for_topics(
    embedder: Embedder | None, settings: Settings, topics: Sequence[str]
) -> list[TopicVector]:
    """One vector per topic, in one batch (None each without an embedder)."""
    if embedder is None:
        return [None] * len(topics)
    return list(embed_topics(embedder, topic_space(settings), topics))


def topic_vectors(
    app: AppServices, topics: Sequence[str], on_problem: OnProblem
) -> list[TopicVector]:
    """Vectors for topics being saved; words only (None each) when the model cannot be
    used: saving topics never depends on the model. The model loads only for topics."""
    if not topics:
        return []
    try:
        return vectors_for_topics(app.embedder(), app.settings, topics)
    except Exception as error:
        on_problem(error)
        return [None] * len(topics)


def refresh_topic_vectors(app: AppServices, on_problem: OnProblem) -> int:
    """Re-embed the topics saved under another model (or none); how many were embedded.

    The embedder is loaded only when some topic needs it.
    """
    model = topic_space(app.settings)
    stale = app.store.subscriptions.topics_needing_vectors(model)
    if not stale:
        return 0
    embedder = topic_embedder(app, on_problem)
    if embedder is None:
        return 0
    vectors = embed_topics(embedder, model, [text for _, text in stale])
    app.store.subscriptions.save_topic_vectors(
        [
            (topic_id, text, model, vector[1])
            for (topic_id, text), vector in zip(stale, vectors, strict=True)
        ],
    )
    return len(stale)
