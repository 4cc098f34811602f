"""The shipped embedder: an int8 ONNX export of the packaged model, checked against it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from paperwire.search.embedding import IncompatibleVectorsError, check_compatible, load_embedder
from paperwire.search.onnx_export import int8_model_path

TEXTS = [
    "Speculative decoding accelerates large language model inference with a draft model.",
    "Continual learning without catastrophic forgetting in neural networks.",
    "The distribution of galaxies in the early universe.",
]


@pytest.fixture(scope="module")
def model_dir() -> str:
    return os.environ["PAPERWIRE_MODEL_DIR"]


def test_export_is_made_once_and_reused(model_dir: str) -> None:
    first = load_embedder(max_seq_length=128, backend="onnx-int8", model_dir=model_dir)
    path = int8_model_path("all-MiniLM-L6-v2", Path(model_dir))
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert first.model_name == "all-MiniLM-L6-v2 onnx-int8"
    assert first.dimension == 384


def test_int8_vectors_agree_with_the_reference_model(model_dir: str) -> None:
    int8 = load_embedder(max_seq_length=128, backend="onnx-int8", model_dir=model_dir)
    reference = load_embedder(max_seq_length=128, backend="torch")
    ours = int8.encode_documents(TEXTS)
    theirs = reference.encode_documents(TEXTS)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() > 0.97, cosines
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    query = int8.encode_query("faster LLM inference")
    assert int(np.argmax(ours @ query)) == 0


def test_vectors_of_the_two_backends_are_not_mixed(model_dir: str) -> None:
    int8 = load_embedder(max_seq_length=128, backend="onnx-int8", model_dir=model_dir)
    with pytest.raises(IncompatibleVectorsError):
        check_compatible("all-MiniLM-L6-v2", 384, int8.model_name, int8.dimension)


def test_other_models_are_refused_by_the_onnx_backend(model_dir: str) -> None:
    with pytest.raises(ValueError, match="only runs"):
        load_embedder("some/other-model", backend="onnx-int8", model_dir=model_dir)
