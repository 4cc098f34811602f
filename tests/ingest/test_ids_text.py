import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperwire.ids import normalise_doi, parse_arxiv_id, title_key
from paperwire.text import collapse_whitespace, normalise, strip_controls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0704.0001", ("0704.0001", None)),
        ("2401.01234v3", ("2401.01234", 3)),
        ("astro-ph/0601001", ("astro-ph/0601001", None)),
        ("math.GT/0309136v2", ("math.GT/0309136", 2)),
        ("http://arxiv.org/abs/astro-ph/0601001v1", ("astro-ph/0601001", 1)),
        ("https://arxiv.org/pdf/2104.12255v1", ("2104.12255", 1)),
        ("oai:arXiv.org:0704.0471", ("0704.0471", None)),
        ("arXiv:1605.08386", ("1605.08386", None)),
        ("https://arxiv.org/api/errors#incorrect_id_format_for_abc", None),
        ("abc", None),
        ("4983", None),
    ],
)
def test_parse_arxiv_id(text: str, expected: tuple[str, int | None] | None) -> None:
    assert parse_arxiv_id(text) == expected


def test_normalise_doi() -> None:
    assert normalise_doi("10.1103/PhysRevD.76.013009") == "10.1103/physrevd.76.013009"
    assert (
        normalise_doi("http://dx.doi.org/10.1103/PhysRevB.85.115117")
        == "10.1103/physrevb.85.115117"
    )
    assert normalise_doi("") is None and normalise_doi(None) is None


def test_title_key_ignores_case_and_punctuation() -> None:
    assert title_key("Heat-Bath  Random Walks!") == title_key("heat bath random walks")


def test_title_key_ignores_accents() -> None:
    assert title_key("Kollár's  Injectivity—Theorem!") == title_key("kollar s injectivity theorem")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Calculation of prompt diphoton\n  production",
            "Calculation of prompt diphoton production",
        ),
        ("C. Bal\\'azs", "C. Balázs"),
        ("Rastislav \\v{S}r\\'amek", "Rastislav Šrámek"),
        ("Mikkel {\\O}bro", "Mikkel Øbro"),
        ("plain text, no TeX", "plain text, no TeX"),
        (None, ""),
    ],
)
def test_normalise(raw: str | None, expected: str) -> None:
    assert normalise(raw) == expected


@given(
    st.lists(
        st.sampled_from(["word", "é", " ", "  ", "\n", "\t", "\r", "\x0b", "\x1f", "\xa0"]),
        max_size=60,
    )
)
def test_collapse_whitespace_equals_splitting_and_joining(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert collapse_whitespace(text) == " ".join(text.split())
    long_text = text + " filler" * 20  # long ASCII texts take the fast path when they can
    assert collapse_whitespace(long_text) == " ".join(long_text.split())


_NOT_SPACE_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")


@given(
    st.lists(
        st.sampled_from(
            [
                "word",
                "é",
                " ",
                "\n",
                "\t",
                "\x00",
                "\x01",
                "\x08",
                "\x1b",
                "\x1f",
                "\x7f",
                "\x85",
                "\x9b",
            ]
        ),
        max_size=60,
    )
)
def test_control_characters_are_dropped(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = " ".join(_NOT_SPACE_CONTROLS.sub("", text).split())
    assert collapse_whitespace(text) == expected == normalise(text)
    long_text = text + " filler" * 20
    assert collapse_whitespace(long_text) == " ".join(
        _NOT_SPACE_CONTROLS.sub("", long_text).split()
    )


def test_control_characters_in_a_title() -> None:
    assert normalise("A\x01 title\x08 with\x1b[31m escapes\x7f and \x9bC1") == (
        "A title with[31m escapes and C1"
    )
    assert normalise("Soft\u00adhyphen and zero\u200bwidth stay") == (
        "Soft\u00adhyphen and zero\u200bwidth stay"
    )
    assert strip_controls("id\x00 with\ttab\nand\x1b") == "id with\ttab\nand"
