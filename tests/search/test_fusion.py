"""Fusion and ranking rules: pure functions on (id, score) lists."""

from __future__ import annotations

import pytest

from paperwire.search.fusion import convex_combination, min_max, promote, reciprocal_rank_fusion
from paperwire.search.ranking import matched_terms, title_names


def test_rrf_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([[(1, 9.0), (2, 8.0)], [(2, 0.9), (3, 0.8)]], k=60)
    assert [item for item, _ in fused] == [2, 1, 3]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_min_max() -> None:
    assert min_max([(1, 10.0), (2, 5.0), (3, 0.0)]) == {1: 1.0, 2: 0.5, 3: 0.0}
    assert min_max([(1, 3.0), (2, 3.0)]) == {1: 1.0, 2: 1.0}
    assert min_max([]) == {}


def test_convex_combination_weighs_normalised_scores() -> None:
    keyword = [(1, 20.0), (2, 10.0), (3, 0.0)]
    vector = [(3, 0.9), (2, 0.8), (4, 0.5)]
    fused = dict(convex_combination(keyword, vector, vector_weight=0.5))
    assert fused[1] == pytest.approx(0.5)
    assert fused[2] == pytest.approx(0.5 * 0.5 + 0.5 * 0.75)
    assert fused[3] == pytest.approx(0.5)
    assert fused[4] == pytest.approx(0.0)
    only_keyword = convex_combination(keyword, vector, vector_weight=0.0)
    assert [item for item, _ in only_keyword][:3] == [1, 2, 3]


def test_convex_combination_with_one_side_empty_keeps_the_other() -> None:
    assert convex_combination([], [(1, 0.5)], vector_weight=0.3) == [(1, 0.5)]
    assert convex_combination([(2, 3.0)], [], vector_weight=0.3) == [(2, 3.0)]


def test_promote_moves_to_top_and_keeps_scores_descending() -> None:
    ranked = [(1, 0.9), (2, 0.8), (3, 0.5), (4, 0.4)]
    promoted = promote(ranked, [4, 3])
    assert [item for item, _ in promoted] == [3, 4, 1, 2]
    scores = [score for _, score in promoted]
    assert scores == sorted(scores, reverse=True)
    assert promote(ranked, []) == ranked


def test_title_names_match_whole_words() -> None:
    assert title_names("AMC: AutoML for Model Compression", ["amc"])
    assert not title_names("Camcorder datasets", ["amc"])
    assert title_names("GPT-4 Technical Report", ["gpt-4"])
    assert not title_names("Anything", [])


def test_matched_terms_for_highlighting() -> None:
    text = "Speculative decoding makes large language models faster"
    assert matched_terms(text, ["large language", "decoding", "mamba"]) == (
        "large language",
        "decoding",
    )
