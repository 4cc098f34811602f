"""Topic matching for digests: how well the relevance threshold picks relevant papers.

A digest lists a new paper under a topic when ``w * cosine + (1 - w) * coverage`` reaches
a threshold (``paperwire.digest.topics``). This checks that rule on BEIR SciFact
(../shared/data/beir_scifact): each query is a topic, the whole corpus the new papers,
and the qrels say which papers belong under it. The weight and threshold are chosen on
the train queries and reported on the test queries as precision, recall and F1 of the
papers put under each topic, beside meaning only (w = 1) and words only (w = 0).

    .venv/bin/python benchmarks/digest_topics.py

Corpus vectors come from the default model, cached by benchmarks/search_quality.py
under data/bench-cache/search/scifact-shipped (made here when missing, a few minutes).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from paperwire.digest.topics import Candidates, relevance, topic_terms
from paperwire.search.embedding import document_text
from search_quality import DEFAULT_DATA, read_qrels, vectors

WEIGHTS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
THRESHOLDS = tuple(round(0.2 + 0.025 * step, 3) for step in range(29))


def scores_for(
    candidates: Candidates, topics: dict[str, str], vecs: dict[str, np.ndarray], weight: float
) -> dict[str, np.ndarray]:
    return {
        q: relevance(candidates, topic_terms(text), vecs[q], vector_weight=weight)
        for q, text in topics.items()
    }


def evaluate(
    scores: dict[str, np.ndarray], relevant: dict[str, set[int]], threshold: float
) -> tuple[float, float, float]:
    """Micro-averaged (precision, recall, F1) of the papers at or above the threshold."""
    tp = fp = fn = 0
    for q, wanted in relevant.items():
        chosen = set(np.flatnonzero(scores[q] >= threshold).tolist())
        tp += len(chosen & wanted)
        fp += len(chosen - wanted)
        fn += len(wanted - chosen)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> int:
    data = DEFAULT_DATA
    if not (data / "corpus.jsonl").exists():
        print(f"BEIR SciFact is missing: no {data}/corpus.jsonl", file=sys.stderr)
        return 2
    docs = [json.loads(line) for line in (data / "corpus.jsonl").open(encoding="utf-8")]
    texts = {}
    for line in (data / "queries.jsonl").open(encoding="utf-8"):
        query = json.loads(line)
        texts[query["_id"]] = query["text"]
    position = {doc["_id"]: n for n, doc in enumerate(docs)}
    splits = {}
    for name in ("train", "test"):
        qrels = read_qrels(data / "qrels" / f"{name}.tsv")
        splits[name] = {
            q: {position[d] for d, grade in judged.items() if grade > 0 and d in position}
            for q, judged in qrels.items()
            if q in texts
        }
    queries = [q for split in splits.values() for q in split]
    corpus, query_vectors = vectors(data, [doc["_id"] for doc in docs], texts, queries)
    candidates = Candidates.build(
        list(range(len(docs))),
        [0.0] * len(docs),
        [document_text(doc.get("title", ""), doc.get("text", "")) for doc in docs],
        corpus,
        [True] * len(docs),
    )
    print(f"{len(docs):,} papers; {len(splits['train'])} train and "
          f"{len(splits['test'])} test topics")  # fmt: skip
    results = []
    for weight in WEIGHTS:
        train = scores_for(
            candidates, {q: texts[q] for q in splits["train"]}, query_vectors, weight
        )
        best = max(THRESHOLDS, key=lambda t: evaluate(train, splits["train"], t)[2])
        test = scores_for(candidates, {q: texts[q] for q in splits["test"]}, query_vectors, weight)
        precision, recall, f1 = evaluate(test, splits["test"], best)
        results.append((f1, weight, best))
        label = {0.0: " (words only)", 1.0: " (meaning only)"}.get(weight, "")
        print(
            f"w={weight:.1f}{label}: threshold {best:.3f} (chosen on train) -> test "
            f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"
        )
    f1, weight, threshold = max(results)
    print(f"best on test: w={weight:.1f}, threshold {threshold:.3f}, F1 {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    raise SystemExit(main())
