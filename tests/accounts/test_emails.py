"""normalise_email: one canonical spelling per address, nothing that could inject headers."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from paperwire.accounts import InvalidEmail, normalise_email
from paperwire.digest.render import confirmation_message
from paperwire.mail import login_message
from paperwire.settings import Settings

ENCODED_WORDS = [
    "=?utf-8?q?evil=0D=0ABcc=3A_victim=40example.org?=@example.org",
    "=?utf-8?q?evil?=@example.org",  # a header parser reads it as evil@example.org
    "=?utf-8?b?ZXZpbA==?=@example.org",
    "ann=?x@example.org",
    "ann?=x@example.org",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ann@example.org", "ann@example.org"),
        ("  Ann.Lee+papers@Example.ORG ", "ann.lee+papers@example.org"),
        ("x@sub.example.co.uk.", "x@sub.example.co.uk"),
        ("bob@bücher.de", "bob@xn--bcher-kva.de"),
        ("Bob@BÜCHER.de", "bob@xn--bcher-kva.de"),
        ("bob@xn--bcher-kva.de", "bob@xn--bcher-kva.de"),
        ("o'neil+a=b?c@example.org", "o'neil+a=b?c@example.org"),
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
        '"ann lee"@example.org',
        "ann@[192.0.2.1]",
        "ann@exa_mple.org",
        "ann@example.invalid",
        *ENCODED_WORDS,
    ],
)
def test_refuses(text: str) -> None:
    with pytest.raises(InvalidEmail) as error:
        normalise_email(text)
    assert error.value.message


@pytest.mark.parametrize("text", ENCODED_WORDS)
def test_encoded_words_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(InvalidEmail, match=re.escape("=?")):
        normalise_email(text)


@pytest.mark.parametrize(
    "text",
    [
        "ann@example.org",
        "o'neil+a=b?c@example.org",
        "x{y}|z~w@sub.example.co.uk",
        "bob@bücher.de",
        "#!$%&*/^`@example.org",
        *ENCODED_WORDS,
    ],
)
def test_an_accepted_address_makes_mail_that_reaches_it(text: str) -> None:
    """Whatever passes makes both mails, addressed to exactly it (and to no one else)."""
    try:
        address = normalise_email(text)
    except InvalidEmail:
        assert text in ENCODED_WORDS
        return
    settings = Settings(env="test", base_url="https://papers.example.org")
    link = "https://papers.example.org/login/token"
    for make in (login_message, confirmation_message):
        message = make(address, link, settings)
        wire = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        parsed = message_from_bytes(wire, policy=policy.default)
        assert [a.addr_spec for a in parsed["To"].addresses] == [address]  # type: ignore[union-attr]
        assert parsed["Bcc"] is None and parsed["Cc"] is None
