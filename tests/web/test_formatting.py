"""The pure presentation helpers."""

from __future__ import annotations

from datetime import datetime

from paperwire.web.formatting import (
    format_date,
    highlight,
    page_of,
    paper_links,
    query_terms,
    safe_next,
    shorten_authors,
    snippet,
)


def test_shorten_authors() -> None:
    assert shorten_authors([]) == ""
    assert shorten_authors(["Ada"]) == "Ada"
    assert shorten_authors(["Ada", "Alan"]) == "Ada and Alan"
    assert shorten_authors(["A", "B", "C"]) == "A, B and C"
    assert shorten_authors(["A", "B", "C", "D", "E"]) == "A, B, C et al. (+2)"
    assert shorten_authors([" ", "A"]) == "A"


def test_snippet_cuts_at_a_word_and_marks_the_cut() -> None:
    text = "word " * 100
    short = snippet(text, length=50)
    assert short.endswith("…") and len(short) <= 51
    assert not short[:-1].endswith(" ")
    assert snippet("short text") == "short text"


def test_snippet_centres_on_the_first_term() -> None:
    text = "filler " * 80 + "speculative decoding is here " + "tail " * 80
    short = snippet(text, length=100, terms=["speculative"])
    assert "speculative" in short and short.startswith("… ")


def test_highlight_escapes_and_marks() -> None:
    out = highlight("<b>Speculative</b> decoding & more", ["speculative", "decod"])
    assert (
        str(out) == "&lt;b&gt;<mark>Speculative</mark>&lt;/b&gt; <mark>decod</mark>ing &amp; more"
    )
    assert str(highlight("<i>", [])) == "&lt;i&gt;"


def test_query_terms_drop_stopwords_and_syntax() -> None:
    assert query_terms('the "speculative decoding" of LLMs') == ["speculative", "decoding", "llms"]


def test_pages() -> None:
    first = page_of(1, 20, 21)
    assert first.has_next and not first.has_previous and first.offset == 0
    last = page_of(3, 20, 5)
    assert last.has_previous and not last.has_next and last.offset == 40


def test_format_date() -> None:
    assert format_date(datetime(2024, 1, 3)) == "3 Jan 2024"
    assert format_date(None) == ""


def test_safe_next_stays_on_site() -> None:
    assert safe_next("/papers/x") == "/papers/x"
    for bad in ("https://evil.example", "//evil.example", "/\\evil", "", None, "javascript:x"):
        assert safe_next(bad) == "/"


def test_paper_links() -> None:
    assert paper_links("2401.01234", None, None, "https://github.com/x/y") == [
        ("Abstract", "https://arxiv.org/abs/2401.01234"),
        ("PDF", "https://arxiv.org/pdf/2401.01234"),
        ("Code", "https://github.com/x/y"),
    ]
    assert paper_links(None, "javascript:alert(1)", None, None) == []
