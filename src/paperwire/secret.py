"""The installation's secret key: signs sessions, CSRF tokens and the links in mail.

Outside development it must be set (PAPERWIRE_SECRET_KEY): a default secret would let
anyone forge sessions and unsubscribe links.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from paperwire.files import private_directory
from paperwire.settings import Settings

SECRET_FILE = "secret_key"
MIN_SECRET_LENGTH = 32


class MissingSecretKey(RuntimeError):
    """Outside development the web server needs PAPERWIRE_SECRET_KEY."""


def resolve_secret_key(settings: Settings) -> str:
    """PAPERWIRE_SECRET_KEY; in development a generated key kept in the data folder."""
    if settings.secret_key:
        if len(settings.secret_key) < MIN_SECRET_LENGTH:
            raise MissingSecretKey(
                f"PAPERWIRE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters "
                '(generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return settings.secret_key
    if settings.env != "development":
        raise MissingSecretKey(
            "PAPERWIRE_SECRET_KEY is not set. Set it to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(48))"), '
            "or set PAPERWIRE_ENV=development for a local install."
        )
    return _development_key(Path(settings.data_dir) / SECRET_FILE)


def _development_key(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    private_directory(path.parent)
    key = secrets.token_urlsafe(48)
    partial = path.with_name(path.name + f".{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    try:
        os.link(partial, path)  # first writer wins when two processes start together
    except FileExistsError:
        pass
    finally:
        partial.unlink()
    return path.read_text(encoding="utf-8").strip()
