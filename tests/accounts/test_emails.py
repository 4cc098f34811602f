"""normalise_email: one canonical spelling per address, nothing that could inject headers."""

from __future__ import annotations

import pytest

from paperwire.accounts import InvalidEmail, normalise_email


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ann@example.org", "ann@example.org"),
        ("  Ann.Lee+papers@Example.ORG ", "ann.lee+papers@example.org"),
        ("x@sub.example.co.uk.", "x@sub.example.co.uk"),
        ("bob@bücher.de", "bob@xn--bcher-kva.de"),
    ],
)
def test_accepts_and_canonicalises(text: str, expected: str) -> None:
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ann@example.org\r\nBcc: victim@example.org",
        "ann@example.org\nX: y",
        "ann@exam\x00ple.org",
        "",
        "   ",
        "ann",
        "@example.org",
        "ann@",
        "ann@localhost",
        "ann@@example.org",
        "a b@example.org",
        "ann@example.org, bob@example.org",
        "ann@example.org;bob@example.org",
        "<ann@example.org>",
        "ann..lee@example.org",
        ".ann@example.org",
        "ann@-example.org",
        "ann@example.123",
        "x" * 65 + "@example.org",
        "a@" + "b" * 250 + ".org",
        "josé@example.org",
    ],
)
def test_refuses(text: str) -> None:
    with pytest.raises(InvalidEmail) as error:
        normalise_email(text)
    assert error.value.message
