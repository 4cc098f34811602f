"""The search box syntax: words, phrases, exclusions, filters, stop words, limits."""

from __future__ import annotations

import pytest

from paperwire.search.query import (
    MAX_QUERY_CHARS,
    QueryError,
    excluded_query,
    identifier_terms,
    keyword_query,
    parse_query,
    required_query,
)
from paperwire.store.interfaces.keyword import KeywordQuery


def test_free_words_drop_stop_words_but_keep_them_for_embedding() -> None:
    parsed = parse_query("speculative decoding for faster LLM inference")
    assert parsed.terms == ("speculative", "decoding", "faster", "llm", "inference")
    assert parsed.text == "speculative decoding for faster LLM inference"
    assert keyword_query(parsed) == KeywordQuery(
        any_of=("speculative", "decoding", "faster", "llm", "inference")
    )


def test_phrases_exclusions_and_filters() -> None:
    parsed = parse_query(
        '"large language" models -diffusion -"image generation" author:Hinton cat:cs.LG'
    )
    assert parsed.phrases == ("large language",)
    assert parsed.terms == ("models",)
    assert parsed.excluded == ("diffusion", "image generation")
    assert (parsed.author, parsed.category) == ("Hinton", "cs.LG")
    assert parsed.text == "large language models"
    assert keyword_query(parsed) == KeywordQuery(
        any_of=("models",),
        all_of=("large language",),
        none_of=("diffusion", "image generation"),
    )
    assert required_query(parsed) == KeywordQuery(all_of=("large language",))
    assert excluded_query(parsed) == KeywordQuery(any_of=("diffusion", "image generation"))


def test_operators_and_stray_quotes_are_plain_words() -> None:
    parsed = parse_query('mamba OR NEAR( "unclosed')
    assert keyword_query(parsed) == KeywordQuery(any_of=("mamba", "near"), all_of=("unclosed",))


def test_arxiv_ids_in_any_form() -> None:
    assert parse_query("2401.01234").arxiv_id == "2401.01234"
    assert parse_query("arXiv:2401.01234v2").arxiv_id == "2401.01234"
    assert parse_query("astro-ph/0601001").arxiv_id == "astro-ph/0601001"
    assert keyword_query(parse_query("2401.01234")) is None


def test_names_in_short_queries_only() -> None:
    assert identifier_terms(parse_query("AMC")) == ("amc",)
    assert identifier_terms(parse_query("Mamba")) == ("mamba",)
    assert identifier_terms(parse_query("GPT-4 evaluation")) == ("gpt-4",)
    assert identifier_terms(parse_query("speculative decoding for faster LLM inference")) == ()
    assert identifier_terms(parse_query("diffusion models")) == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("the of and for", "only common words"),
        ("-diffusion", "no words to search for"),
        ("author:Hinton", "no words to search for"),
        ("x " * 5000, "characters long"),
    ],
)
def test_unsearchable_queries_get_a_clear_message(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query)


def test_a_query_at_the_limit_is_accepted() -> None:
    text = " ".join(["transformer"] * (MAX_QUERY_CHARS // 12)).ljust(MAX_QUERY_CHARS)
    assert len(text) == MAX_QUERY_CHARS
    assert parse_query(text).terms == ("transformer",)


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\t\x00\n"])
def test_control_characters_are_stripped(control: str) -> None:
    parsed = parse_query(f'quan{control}tum "black{control}holes" -dark{control}matter')
    assert parsed.terms == ("quan", "tum", "matter")
    assert parsed.phrases == ("black holes",)
    assert parsed.excluded == ("dark",)
    for wanted in (keyword_query(parsed), required_query(parsed), excluded_query(parsed)):
        assert wanted is not None
        text = "".join(wanted.any_of + wanted.all_of + wanted.none_of)
        assert not any(ord(char) < 32 or 127 <= ord(char) < 160 for char in text)
    with pytest.raises(QueryError, match="empty"):
        parse_query(f"{control}\x00 \x00")
