"""Matching a subscriber's topics against newly arrived papers (no I/O).

A topic is matched two ways, as search does: by meaning (the cosine between the topic's
vector, embedded when it was saved, and each paper's) and by words (the share of the
topic's words, weighted by rarity, that the paper's title and abstract contain).
Relevance is the convex combination ``w * cosine + (1 - w) * coverage``; a paper is on
topic when it reaches the threshold. A topic or paper without a vector is judged by its
words alone. Both sides are computed for all candidate papers at once, so ten thousand
digests share the work.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from paperwire.search.embedding import Embedder
from paperwire.search.query import STOP_WORDS

_WORD = re.compile(r"[^\W_]+")


def _stem(word: str) -> str:
    """A light plural stem, the same on both sides: "models" and "model" match."""
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def text_terms(text: str) -> set[str]:
    """The distinct stemmed words of a text (stop words kept: they match nothing asked)."""
    return {_stem(word) for word in _WORD.findall(text.casefold())}


def topic_terms(topic: str) -> tuple[str, ...]:
    """A topic's words worth matching: casefolded, stemmed, no stop words, no repeats."""
    words = [word for word in _WORD.findall(topic.casefold()) if word not in STOP_WORDS]
    return tuple(dict.fromkeys(_stem(word) for word in words if len(word) > 1 or word.isdigit()))


@dataclass
class Candidates:
    """The papers a run may put in topic sections: ids, arrival times, vectors, words."""

    row_ids: np.ndarray  # int64, one per paper
    arrived: np.ndarray  # float64 POSIX seconds of first_seen
    vectors: np.ndarray  # float32 (n, dimension), unit rows; zero rows for papers without
    has_vector: np.ndarray  # bool
    postings: dict[str, np.ndarray] = field(default_factory=dict)  # term -> positions

    @classmethod
    def build(
        cls,
        row_ids: Sequence[int],
        arrived: Sequence[float],
        texts: Sequence[str],
        vectors: np.ndarray,
        has_vector: Sequence[bool] | np.ndarray,
    ) -> Candidates:
        postings: dict[str, list[int]] = {}
        for position, text in enumerate(texts):
            for term in text_terms(text):
                postings.setdefault(term, []).append(position)
        return cls(
            row_ids=np.asarray(row_ids, dtype=np.int64),
            arrived=np.asarray(arrived, dtype=np.float64),
            vectors=np.asarray(vectors, dtype=np.float32),
            has_vector=np.asarray(has_vector, dtype=bool),
            postings={term: np.asarray(found, dtype=np.int64) for term, found in postings.items()},
        )

    def __len__(self) -> int:
        return len(self.row_ids)


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Candidate positions on topic, best first, with their relevance."""

    positions: np.ndarray
    scores: np.ndarray


def relevance(
    candidates: Candidates,
    terms: Sequence[str],
    vector: np.ndarray | None,
    *,
    vector_weight: float,
) -> np.ndarray:
    """Each candidate's relevance to one topic, from 0 to 1.

    Coverage weighs each topic word by its rarity among the candidates (BM25's idf), so
    "graph" counts for more than "networks" in "graph neural networks".
    """
    n = len(candidates)
    coverage = np.zeros(n, dtype=np.float32)
    total = 0.0
    for term in terms:
        found = candidates.postings.get(term)
        df = 0 if found is None else len(found)
        weight = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        total += weight
        if found is not None:
            coverage[found] += weight
    if total:
        coverage /= total
    if vector is None or n == 0:
        return coverage
    cosine = np.clip(candidates.vectors @ vector.astype(np.float32), 0.0, 1.0)
    blended = vector_weight * cosine + (1.0 - vector_weight) * coverage
    return np.where(candidates.has_vector, blended, coverage)


def match_topic(
    candidates: Candidates,
    terms: Sequence[str],
    vector: np.ndarray | None,
    *,
    vector_weight: float,
    threshold: float,
) -> TopicMatch:
    """The candidates at or above ``threshold``, best first (ties: newest first)."""
    scores = relevance(candidates, terms, vector, vector_weight=vector_weight)
    positions = np.flatnonzero(scores >= threshold)
    order = np.lexsort((-candidates.arrived[positions], -scores[positions]))
    positions = positions[order]
    return TopicMatch(positions=positions, scores=scores[positions])


def embed_topics(embedder: Embedder, model: str, topics: Sequence[str]) -> list[tuple[str, bytes]]:
    """Each topic's vector, as stored beside it: (vector space name, float32 bytes).

    Topics are embedded when they are saved, never at send time: in one batch, each
    distinct text once (both embedders encode a query as a one-text document batch).
    """
    distinct = list(dict.fromkeys(topics))
    if not distinct:
        return []
    vectors = np.asarray(embedder.encode_documents(distinct), dtype=np.float32)
    by_text = {text: (model, vectors[i].tobytes()) for i, text in enumerate(distinct)}
    return [by_text[text] for text in topics]
