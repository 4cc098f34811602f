"""Signed tokens in the links of digest mail, one purpose each (itsdangerous).

Nothing is stored for them: the signature (with the installation's secret key and a
salt per purpose) is the proof. A confirmation token also names the subscribe request
it answers (a nonce changed by every request), so an old link cannot re-subscribe an
address that has since unsubscribed; it expires. Unsubscribe and archive tokens never
expire: a digest read months later must still unsubscribe.
"""

from __future__ import annotations

from typing import Any

from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from paperwire.secret import resolve_secret_key
from paperwire.settings import Settings

MAX_TOKEN_LENGTH = 300


class InvalidLink(ValueError):
    """A token that is forged, damaged, for another purpose, or expired; ``message`` is
    for the person who followed the link."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


BROKEN = "This link is not valid. Check that you copied all of it."
EXPIRED = "This confirmation link has expired. Subscribe again to get a new one."


class LinkSigner:
    """Makes and reads the tokens of confirm, unsubscribe and archive links."""

    def __init__(self, secret_key: str, *, confirm_max_age_seconds: int) -> None:
        self._confirm = URLSafeTimedSerializer(secret_key, salt="paperwire.digest.confirm")
        self._unsubscribe = URLSafeSerializer(secret_key, salt="paperwire.digest.unsubscribe")
        self._archive = URLSafeSerializer(secret_key, salt="paperwire.digest.archive")
        self.confirm_max_age = confirm_max_age_seconds

    def confirm_token(self, subscriber_id: int, nonce: str) -> str:
        return self._confirm.dumps([subscriber_id, nonce])

    def read_confirm(self, token: str) -> tuple[int, str]:
        """(subscriber id, nonce); InvalidLink when forged or older than the maximum age."""
        _check_shape(token)
        try:
            value = self._confirm.loads(token, max_age=self.confirm_max_age)
        except SignatureExpired:
            raise InvalidLink(EXPIRED) from None
        except BadData:
            raise InvalidLink(BROKEN) from None
        if not (_is_pair(value) and isinstance(value[1], str)):
            raise InvalidLink(BROKEN)
        return int(value[0]), value[1]

    def unsubscribe_token(self, subscriber_id: int) -> str:
        return self._unsubscribe.dumps(subscriber_id)

    def read_unsubscribe(self, token: str) -> int:
        return _read_id(self._unsubscribe, token)

    def archive_token(self, subscriber_id: int) -> str:
        return self._archive.dumps(subscriber_id)

    def read_archive(self, token: str) -> int:
        return _read_id(self._archive, token)


def _check_shape(token: str) -> None:
    if not 0 < len(token) <= MAX_TOKEN_LENGTH or not token.isascii():
        raise InvalidLink(BROKEN)


def _read_id(serializer: URLSafeSerializer, token: str) -> int:
    _check_shape(token)
    try:
        value = serializer.loads(token)
    except BadData:
        raise InvalidLink(BROKEN) from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidLink(BROKEN)
    return value


def _is_pair(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and not isinstance(value[0], bool)
    )


def link_signer(settings: Settings) -> LinkSigner:
    """The signer of this installation (MissingSecretKey outside development without one)."""
    return LinkSigner(
        resolve_secret_key(settings), confirm_max_age_seconds=settings.confirm_hours * 3600
    )
