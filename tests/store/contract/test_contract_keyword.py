"""The keyword search contract: words, phrases, exclusions, filters, ranking, counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperwire.records import PaperRecord
from paperwire.store.base import Store
from paperwire.store.interfaces.keyword import KeywordQuery
from paperwire.store.models import PaperFilter

PAPERS = {
    1: ("Large language models for code", "We train large language models.", ["Ada Lovelace"]),
    2: ("Language of bees", "Bees dance; a large colony.", ["Charles Babbage"]),
    3: ("Image generation with diffusion", "Diffusion models make images.", ["Ada Lovelace"]),
    4: ("Models of large language change", "Historical linguistics.", ["Grace Hopper"]),
}


@pytest.fixture
def rows(contract_store: Store) -> dict[int, int]:
    contract_store.papers.upsert(
        [
            PaperRecord(
                source="arxiv",
                arxiv_id=f"2401.{n:05d}",
                title=title,
                abstract=abstract,
                authors=authors,
                categories=["cs.CL" if n != 3 else "cs.CV"],
                published=datetime(2024, 1, n, tzinfo=UTC),
            )
            for n, (title, abstract, authors) in PAPERS.items()
        ]
    )
    return {n: contract_store.papers.get(f"2401.{n:05d}").row_id for n in PAPERS}


def found(
    store: Store,
    query: KeywordQuery,
    selection: PaperFilter = PaperFilter(),
    within: list[int] | None = None,
) -> set[int]:
    return {item for item, _ in store.keyword.search(query, selection, within=within)}


def test_any_word_matches_and_word_endings_are_ignored(
    contract_store: Store, rows: dict[int, int]
) -> None:
    assert found(contract_store, KeywordQuery(any_of=("bees", "image"))) == {rows[2], rows[3]}
    assert found(contract_store, KeywordQuery(any_of=("LANGUAGES",))) == {rows[1], rows[2], rows[4]}


def test_phrases_must_all_match_in_order(contract_store: Store, rows: dict[int, int]) -> None:
    phrase = KeywordQuery(all_of=("large language",))
    assert found(contract_store, phrase) == {rows[1], rows[4]}
    both = KeywordQuery(any_of=("code", "linguistics"), all_of=("large language", "models"))
    assert found(contract_store, both) == {rows[1], rows[4]}
    assert found(contract_store, KeywordQuery(all_of=("language large",))) == set()


def test_exclusions_drop_papers(contract_store: Store, rows: dict[int, int]) -> None:
    query = KeywordQuery(any_of=("models",), none_of=("diffusion", "historical linguistics"))
    assert found(contract_store, query) == {rows[1]}
    assert found(contract_store, KeywordQuery(none_of=("bees",))) == set()


def test_author_category_and_date_filters(contract_store: Store, rows: dict[int, int]) -> None:
    models = KeywordQuery(any_of=("models",))
    assert found(contract_store, models, selection=PaperFilter(author="lovelace")) == {
        rows[1],
        rows[3],
    }
    assert found(contract_store, models, selection=PaperFilter(category="cs.CV")) == {rows[3]}
    late = PaperFilter(since=datetime(2024, 1, 3).date(), category="cs.CL")
    assert found(contract_store, models, selection=late) == {rows[4]}
    assert found(contract_store, models, within=[rows[3], rows[4]]) == {rows[3], rows[4]}


def test_best_first_each_paper_once_within_the_limit(
    contract_store: Store, rows: dict[int, int]
) -> None:
    hits = contract_store.keyword.search(KeywordQuery(any_of=("large", "language", "models")))
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({item for item, _ in hits}) == len(hits) == 4
    assert hits[0][0] in (rows[1], rows[4])  # all three words
    assert len(contract_store.keyword.search(KeywordQuery(any_of=("models",)), limit=2)) == 2


def test_counts_stop_at_the_cap(contract_store: Store, rows: dict[int, int]) -> None:
    counts = contract_store.keyword.count_matches(["language", "bees", "absent", "language"], 10)
    assert counts == [3, 1, 0, 3]
    assert contract_store.keyword.count_matches(["language"], 2) == [2]
    assert contract_store.keyword.count_matches(["large language"], 10) == [2]
    assert contract_store.keyword.count_matches([], 10) == []


def test_query_text_is_never_engine_syntax(contract_store: Store, rows: dict[int, int]) -> None:
    for text in ('"', "OR", "NEAR(", "a*", "title:bees", "-", "AND NOT"):
        contract_store.keyword.search(KeywordQuery(any_of=(text,)))
        contract_store.keyword.count_matches([text], 10)
