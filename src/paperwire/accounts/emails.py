"""What counts as an email address, and its one canonical spelling.

The canonical form is the identity of an account, so it is strict: one address, ASCII
local part, lower case throughout (so that ``Ann@X.org`` and ``ann@x.org`` are one
account), the domain in its ASCII (IDNA) form, and nothing a mail header would read
differently: no characters that could end or add a header, no encoded words (``=?``),
and only addresses that come back unchanged from the standard library's header parser.
Syntax is checked by ``email-validator``, without DNS (no network here).
"""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address, AddressHeader, HeaderRegistry

MAX_LENGTH = 254
_NOT_IN_HEADERS = "That email address cannot be used in a mail header."


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
    if "=?" in local or "?=" in local:
        # An encoded word: a mail client would decode it into another address.
        raise InvalidEmail("The part before @ cannot contain =? or ?=.")
    canonical = f"{local}@{_ascii_domain(local, domain)}"
    if not _round_trips(canonical):
        raise InvalidEmail(_NOT_IN_HEADERS)
    return canonical


def _ascii_domain(local: str, domain: str) -> str:
    """The domain in ASCII (IDNA), once ``email-validator`` accepts the whole address
    (``strict``: also the 64-character limit of the local part)."""
    from email_validator import EmailNotValidError, validate_email  # 70 ms: only when used

    try:
        valid = validate_email(
            f"{local}@{domain.lower().rstrip('.')}",
            check_deliverability=False,
            allow_smtputf8=False,
            strict=True,
        )
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    return valid.ascii_domain


def _round_trips(address: str) -> bool:
    """Does the address read back unchanged as an addr-spec and as a ``To:`` header?"""
    try:
        if Address(addr_spec=address).addr_spec != address:
            return False
        header = HeaderRegistry()("To", address)
    except (ValueError, IndexError, HeaderParseError):
        return False
    if not isinstance(header, AddressHeader):
        return False
    addresses = header.addresses
    return not header.defects and len(addresses) == 1 and addresses[0].addr_spec == address
