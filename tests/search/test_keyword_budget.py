"""The keyword budget: which query words the keyword index ranks by."""

from __future__ import annotations

from pathlib import Path

from paperwire.records import PaperRecord
from paperwire.search.keyword_budget import affordable_terms
from paperwire.search.query import keyword_query, parse_query
from paperwire.store.interfaces.keyword import KeywordQuery
from paperwire.store.open import open_store

COUNTS = {"speculative": 40, "decoding": 300, "models": 9_000, "cells": 12_000}


def test_rarest_words_are_kept_while_their_counts_fit_the_budget() -> None:
    terms = ("models", "speculative", "decoding", "cells")
    assert affordable_terms(terms, COUNTS, 10_000, keep_rarest=False) == (
        "models",
        "speculative",
        "decoding",
    )  # query order kept; 40 + 300 + 9,000 fit, adding 12,000 would not
    assert affordable_terms(terms, COUNTS, 1_000, keep_rarest=False) == (
        "speculative",
        "decoding",
    )
    assert affordable_terms(terms, COUNTS, 100_000, keep_rarest=False) == terms


def test_a_query_of_only_common_words_is_left_to_meaning_unless_words_are_all_there_is() -> None:
    assert affordable_terms(("models", "cells"), COUNTS, 1_000, keep_rarest=False) == ()
    assert affordable_terms(("models", "cells"), COUNTS, 1_000, keep_rarest=True) == ("models",)
    assert affordable_terms((), COUNTS, 1_000, keep_rarest=True) == ()


def test_the_keyword_query_uses_the_affordable_words_and_keeps_phrases() -> None:
    parsed = parse_query('speculative models "stem cells" -mouse')
    assert keyword_query(parsed, ("speculative",)) == KeywordQuery(
        any_of=("speculative",), all_of=("stem cells",), none_of=("mouse",)
    )
    assert keyword_query(parsed, ()) == KeywordQuery(all_of=("stem cells",), none_of=("mouse",))
    assert keyword_query(parse_query("models"), ()) is None


def test_the_store_counts_matches_up_to_a_cap(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/p.db")
    assert store.keyword.count_matches(["cell"], 100) == [0]
    store.papers.upsert(
        [
            PaperRecord(
                source="test",
                source_id=str(n),
                title=f"Models of paper {n}",
                abstract="Cells divide in covid-19." if n % 4 == 0 else "Nothing else.",
            )
            for n in range(20)
        ]
    )
    # Stemmed as the index is: "cell" matches "Cells"; "covid-19" is a phrase.
    assert store.keyword.count_matches(["cell", "covid-19", "model", "absent"], 100) == [
        5,
        5,
        20,
        0,
    ]
    assert store.keyword.count_matches(["model"], 7) == [7]
    assert store.keyword.count_matches([], 7) == []
    assert store.keyword.count_matches(["model"] * 501, 7) == [7] * 501  # past one compound SELECT
    store.close()
