"""Fusing ranked lists: pure functions over (id, score) lists, best first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Ranked = Sequence[tuple[int, float]]

RRF_K = 60


def reciprocal_rank_fusion(
    lists: Sequence[Ranked], *, k: int = RRF_K, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Sum of ``weight / (k + rank)`` over the lists an id appears in (rank from 1)."""
    weights = weights or [1.0] * len(lists)
    scores: dict[int, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for rank, (item, _score) in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return _best_first(scores)


def min_max(ranked: Ranked) -> dict[int, float]:
    """Scores scaled to [0, 1] within their list (all 1.0 when they are all equal)."""
    if not ranked:
        return {}
    values = [score for _, score in ranked]
    low, high = min(values), max(values)
    if high == low:
        return {item: 1.0 for item, _ in ranked}
    return {item: (score - low) / (high - low) for item, score in ranked}


def convex_combination(
    keyword: Ranked, vector: Ranked, *, vector_weight: float
) -> list[tuple[int, float]]:
    """``w * vector + (1 - w) * keyword`` of min-max normalised scores; absent counts 0.

    Unlike RRF it keeps how far apart the scores are, which is what makes it better when
    the weight is tuned (Bruch et al., "An Analysis of Fusion Functions for Hybrid
    Retrieval", 2023); ``benchmarks/search_quality.py`` measures both.
    """
    if not keyword:
        return list(vector)
    if not vector:
        return list(keyword)
    keyword_scores = min_max(keyword)
    vector_scores = min_max(vector)
    scores = {
        item: vector_weight * vector_scores.get(item, 0.0)
        + (1.0 - vector_weight) * keyword_scores.get(item, 0.0)
        for item in keyword_scores.keys() | vector_scores.keys()
    }
    return _best_first(scores)


def promote(ranked: Ranked, first: Iterable[int]) -> list[tuple[int, float]]:
    """Move the ids in ``first`` to the top, keeping each group's order.

    Promoted scores are raised by one common amount, so scores still fall down the list.
    """
    chosen = set(first)
    top = [pair for pair in ranked if pair[0] in chosen]
    rest = [pair for pair in ranked if pair[0] not in chosen]
    if not top or not rest:
        return top + rest
    lift = max(0.0, rest[0][1] - top[-1][1]) + 1e-6
    return [(item, score + lift) for item, score in top] + rest


def _best_first(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
