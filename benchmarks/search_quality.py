"""Benchmark 1: hybrid search quality on BEIR SciFact (nDCG@10, recall@100).

Run from the repository root::

    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python benchmarks/search_quality.py

Reads ``../shared/data/beir_scifact`` (``--data`` to override; exit status 2 when it is
missing). Document and query vectors come from the embedding benchmark's cache
(``--vectors st-defaults`` reads ``data/bench-cache/embedding/st-defaults``; run
``benchmarks/embedding.py`` first) or, without ``--vectors``, are computed once with
the shipped embedder and cached under ``data/bench-cache/search``. The SciFact store
is built once there too, one per vector setting.

Rows: keyword only (FTS5 bm25 through the store), vector only (exact cosine), reciprocal
rank fusion, and convex combinations of min-max normalised scores for vector weights
0.0-1.0. The weight is chosen on the *train* queries (qrels/train.tsv) and reported on
the test queries, so the shipped default is not tuned on the test set. The last row runs
the shipped ``SearchService`` end to end (query parsing, stop words, promotions).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "beir_scifact"
EMBEDDING_CACHE = REPO_ROOT / "data" / "bench-cache" / "embedding"
CACHE = REPO_ROOT / "data" / "bench-cache" / "search"
DEPTH = 100


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if i == 0 or len(parts) < 3:
            continue
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    gains = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return gains / best if best else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    wanted = {d for d, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def build_store(data: Path, url: str):  # type: ignore[no-untyped-def]
    from paperwire.ingest.pipeline import ingest_records
    from paperwire.ingest.reader import read_records
    from paperwire.store.open import open_store

    store = open_store(url)
    if store.papers.count() == 0:
        report = ingest_records(store, read_records(str(data / "corpus.jsonl"), "beir"))
        print(f"built the SciFact store: {report.summary()}", file=sys.stderr)
    return store


def cached_vectors(
    setting: str, corpus_ids: list[str], texts: dict[str, str], query_ids: list[str]
):  # type: ignore[no-untyped-def]
    """Corpus and query vectors saved by benchmarks/embedding.py for one setting.

    That cache holds the test queries only; the train queries (short, so the same under
    any token limit) are embedded here with the fp32 model and cached beside it.
    """
    folder = EMBEDDING_CACHE / setting
    if json.loads((folder / "corpus_ids.json").read_text()) != corpus_ids:
        raise SystemExit(f"{folder}: corpus ids differ from the SciFact corpus")
    ids = json.loads((folder / "query_ids.json").read_text())
    queries = dict(zip(ids, np.load(folder / "queries.npy"), strict=True))
    extra_file = CACHE / "extra-queries.json"
    extra = json.loads(extra_file.read_text()) if extra_file.exists() else {}
    missing = [q for q in query_ids if q not in queries and q not in extra]
    if missing:
        from paperwire.search.embedding import load_embedder

        embedder = load_embedder()
        extra.update({q: embedder.encode_query(texts[q]).tolist() for q in missing})
        extra_file.write_text(json.dumps(extra))
    print(f"vectors from {folder}", file=sys.stderr)
    return np.load(folder / "corpus.npy"), {
        q: queries[q] if q in queries else np.asarray(extra[q], dtype=np.float32) for q in query_ids
    }


def vectors(data: Path, corpus_ids: list[str], texts: dict[str, str], query_ids: list[str]):  # type: ignore[no-untyped-def]
    """Corpus vectors (in ``corpus_ids`` order) and a dict of query vectors."""
    from paperwire.search.embedding import document_text, load_embedder

    own = CACHE / "scifact-shipped"
    own.mkdir(parents=True, exist_ok=True)
    embedder = None
    if (own / "corpus.npy").exists():
        corpus = np.load(own / "corpus.npy")
    else:
        embedder = load_embedder()
        docs = [json.loads(line) for line in (data / "corpus.jsonl").open(encoding="utf-8")]
        started = time.perf_counter()
        corpus = embedder.encode_documents(
            [document_text(d.get("title", ""), d.get("text", "")) for d in docs]
        )
        print(
            f"embedded {len(docs)} documents in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        np.save(own / "corpus.npy", corpus)
    query_file = own / "queries.json"
    cached = json.loads(query_file.read_text()) if query_file.exists() else {}
    missing = [q for q in query_ids if q not in cached]
    if missing:
        embedder = embedder or load_embedder()
        for q in missing:
            cached[q] = embedder.encode_query(texts[q]).tolist()
        query_file.write_text(json.dumps(cached))
    return corpus, {q: np.asarray(cached[q], dtype=np.float32) for q in query_ids}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--vectors", metavar="SETTING", help="an embedding-benchmark cache, e.g. st-defaults"
    )
    args = parser.parse_args(argv)
    if not (args.data / "corpus.jsonl").exists():
        print(f"BEIR SciFact is missing: no {args.data}/corpus.jsonl (see --data)", file=sys.stderr)
        return 2

    from paperwire.search.fusion import convex_combination, reciprocal_rank_fusion
    from paperwire.search.query import QueryError, keyword_query, parse_query
    from paperwire.search.service import SearchService
    from paperwire.settings import Settings

    CACHE.mkdir(parents=True, exist_ok=True)
    setting = args.vectors or "shipped"
    url = f"sqlite:///{CACHE / f'scifact-{setting}.db'}"
    store = build_store(args.data, url)
    texts = {}
    for line in (args.data / "queries.jsonl").open(encoding="utf-8"):
        query = json.loads(line)
        texts[query["_id"]] = query["text"]
    splits = {name: read_qrels(args.data / "qrels" / f"{name}.tsv") for name in ("train", "test")}
    papers = list(store.papers.iterate())
    source_of = {p.row_id: p.source_id for p in papers}
    corpus_ids = [json.loads(line)["_id"] for line in (args.data / "corpus.jsonl").open()]
    row_of = {p.source_id: p.row_id for p in papers}
    all_queries = [q for split in splits.values() for q in split if q in texts]
    if args.vectors:
        corpus, query_vectors = cached_vectors(args.vectors, corpus_ids, texts, all_queries)
    else:
        corpus, query_vectors = vectors(args.data, corpus_ids, texts, all_queries)
    rows = np.asarray([row_of[c] for c in corpus_ids], dtype=np.int64)

    keyword_lists: dict[str, list[tuple[int, float]]] = {}
    vector_lists: dict[str, list[tuple[int, float]]] = {}
    for q in all_queries:
        try:
            match = keyword_query(parse_query(texts[q]))
        except QueryError:
            match = None
        keyword_lists[q] = store.keyword.search(match, limit=DEPTH) if match else []
        scores = corpus @ query_vectors[q]
        best = np.argsort(-scores)[:DEPTH]
        vector_lists[q] = list(zip(rows[best].tolist(), scores[best].tolist(), strict=True))

    def score(split: str, ranker) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        qrels = splits[split]
        ndcg, recall = [], []
        for q, relevant in qrels.items():
            ranked = [source_of[item] for item, _ in ranker(q)]
            ndcg.append(ndcg_at(ranked, relevant))
            recall.append(recall_at(ranked, relevant))
        return float(np.mean(ndcg)), float(np.mean(recall))

    methods = {
        "keyword (FTS5 bm25)": lambda q: keyword_lists[q],
        "vector (exact cosine)": lambda q: vector_lists[q],
        "RRF k=60": lambda q: reciprocal_rank_fusion([keyword_lists[q], vector_lists[q]])[:DEPTH],
    }
    for weight in np.round(np.arange(0.0, 1.01, 0.1), 1):
        methods[f"convex w={weight:.1f}"] = lambda q, w=float(weight): convex_combination(
            keyword_lists[q], vector_lists[q], vector_weight=w
        )[:DEPTH]
    results = {name: {s: score(s, ranker) for s in splits} for name, ranker in methods.items()}
    convex = [n for n in results if n.startswith("convex")]
    chosen = max(convex, key=lambda n: results[n]["train"][0])

    # The shipped path: vectors into the store, SearchService with the chosen weight.
    from paperwire.search.embedding import DEFAULT_MODEL

    if store.vectors.space() is None:
        store.vectors.save(
            DEFAULT_MODEL,
            corpus.shape[1],
            [(int(r), v.tobytes()) for r, v in zip(rows, corpus, strict=True)],
        )

    by_text = {}
    for q in all_queries:  # keyed as the service will ask: by the parsed query's text
        try:
            by_text[parse_query(texts[q]).text] = query_vectors[q]
        except QueryError:
            continue

    class Cached:
        """The shipped embedder's query vectors, from the cache."""

        model_name = DEFAULT_MODEL
        dimension = corpus.shape[1]

        def encode_query(self, text: str) -> np.ndarray:
            return by_text[text]

        def encode_documents(self, batch: list[str]) -> np.ndarray:
            raise NotImplementedError

    settings = Settings(
        database_url=url,
        data_dir=CACHE / f"data-{setting}",
        search_vector_weight=float(chosen.split("=")[1]),
    )
    service = SearchService(settings, store, embedder=Cached())  # type: ignore[arg-type]

    def shipped(q: str) -> list[tuple[int, float]]:
        try:
            return [(h.paper.row_id, h.score) for h in service.search(texts[q], limit=DEPTH)]
        except QueryError:
            return []

    results[f"SearchService (w={settings.search_vector_weight})"] = {
        s: score(s, shipped) for s in splits
    }

    print(
        f"BEIR SciFact: {len(corpus_ids)} documents; train {len(splits['train'])} queries, "
        f"test {len(splits['test'])} queries; weight chosen on train: {chosen}"
    )
    print(f"{'method':34} {'test nDCG@10':>12} {'test R@100':>10} {'train nDCG@10':>13}")
    for name, by_split in results.items():
        mark = "  <- chosen" if name == chosen else ""
        print(
            f"{name:34} {by_split['test'][0]:12.4f} {by_split['test'][1]:10.4f} "
            f"{by_split['train'][0]:13.4f}{mark}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
