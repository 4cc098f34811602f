"""The SQLite engine's FTS5 expressions, built from engine-neutral keyword queries."""

from __future__ import annotations

from paperwire.search.query import excluded_query, keyword_query, parse_query, required_query
from paperwire.store.interfaces.keyword import KeywordQuery
from paperwire.store.sqlite.fts import fts_string, match_expression


def test_words_phrases_and_exclusions_become_one_expression() -> None:
    parsed = parse_query(
        '"large language" models -diffusion -"image generation" author:Hinton cat:cs.LG'
    )
    assert match_expression(keyword_query(parsed) or KeywordQuery()) == (
        '(("models") AND "large language") NOT ("diffusion" OR "image generation")'
    )
    assert match_expression(required_query(parsed) or KeywordQuery()) == '"large language"'
    assert match_expression(excluded_query(parsed) or KeywordQuery()) == (
        '("diffusion" OR "image generation")'
    )


def test_operators_and_stray_quotes_are_plain_words() -> None:
    parsed = parse_query('mamba OR NEAR( "unclosed')
    assert match_expression(keyword_query(parsed) or KeywordQuery()) == (
        '("mamba" OR "near") AND "unclosed"'
    )
    assert fts_string('say "hi"') == '"say ""hi"""'


def test_only_exclusions_match_nothing() -> None:
    assert match_expression(KeywordQuery(none_of=("mouse",))) is None
