"""Too-common words leave the keyword side of a query (and only that side)."""

from __future__ import annotations

from pathlib import Path

from paperwire.records import PaperRecord
from paperwire.search.common_terms import drop_common, index_token
from paperwire.search.query import keyword_match, parse_query
from paperwire.store.open import open_store


def test_index_tokens_are_stemmed_like_fts5_porter() -> None:
    assert [index_token(w) for w in ("Decoding", "models", "Généralisation", "cells")] == [
        "decod",
        "model",
        "generalis",
        "cell",
    ]


def test_common_terms_are_dropped_unless_nothing_else_is_left() -> None:
    common = frozenset({"model", "cell"})
    assert drop_common(("speculative", "models", "cells"), common) == ("speculative",)
    assert drop_common(("models", "cells"), common) == ("models", "cells")
    assert drop_common(("covid-19", "cell"), common) == ("covid-19",)
    assert drop_common(("a", "b"), frozenset()) == ("a", "b")
    match = keyword_match(parse_query('speculative models "stem cells"'), common)
    assert match == '("speculative") AND "stem cells"'  # phrases are never dropped


def test_the_store_finds_its_frequent_terms(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/p.db")
    assert store.frequent_terms(0.5) == frozenset()
    store.upsert(
        [
            PaperRecord(
                source="test",
                source_id=str(n),
                title=f"Models of paper {n}",
                abstract="Cells divide." if n % 4 == 0 else "Nothing else.",
            )
            for n in range(20)
        ]
    )
    frequent = store.frequent_terms(0.5)
    assert {"model", "paper"} <= frequent
    assert "cell" not in frequent  # in a quarter of the papers
    assert "cell" in store.frequent_terms(0.2)
    store.close()
