"""What counts as an email address, and its one canonical spelling.

The canonical form is the identity of an account, so it is strict: one address, ASCII
local part, lower case throughout (so that ``Ann@X.org`` and ``ann@x.org`` are one
account), no characters that could end or add a mail header.
"""

from __future__ import annotations

import re

MAX_LENGTH = 254
MAX_LOCAL = 64

_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class InvalidEmail(ValueError):
    """Text that is not one usable email address; ``message`` says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def normalise_email(text: str) -> str:
    """The canonical form of one address, or InvalidEmail.

    Control characters (CR and LF above all) are refused before anything else: an
    address ends up in a ``To:`` header, where a line break would inject headers.
    """
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        raise InvalidEmail("An email address cannot contain line breaks or control characters.")
    address = text.strip()
    if not address:
        raise InvalidEmail("Enter an email address.")
    if len(address) > MAX_LENGTH:
        raise InvalidEmail("That email address is too long.")
    if any(char.isspace() for char in address) or "," in address or ";" in address:
        raise InvalidEmail("Enter one email address, without spaces.")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidEmail("An email address looks like name@example.org.")
    local = local.lower()
    if len(local) > MAX_LOCAL or not _LOCAL.match(local):
        raise InvalidEmail("The part before @ has characters an email address cannot have.")
    return f"{local}@{_normalise_domain(domain)}"


def _normalise_domain(domain: str) -> str:
    domain = domain.lower().rstrip(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidEmail("The part after @ is not a valid domain name.") from error
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidEmail("The part after @ is not a valid domain name.")
    if labels[-1].isdigit():
        raise InvalidEmail("The part after @ is not a valid domain name.")
    return ascii_domain
