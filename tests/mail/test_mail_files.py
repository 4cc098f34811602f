"""Development mail holds addresses: the .eml files are the owner's alone."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperwire.mail import Mailer, login_message
from paperwire.settings import Settings


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
def test_development_mail_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "mail"
    settings = Settings(base_url="http://testserver", data_dir=tmp_path / "data")
    mailer = Mailer(sender="paperwire <papers@example.org>", folder=folder)
    written = Path(
        mailer.send(login_message("ann@example.org", "http://testserver/login/t", settings))
    )
    assert written.parent == folder and written.suffix == ".eml"
    assert "ann@example.org" in written.read_text()
    assert mode(written) == 0o600
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    assert list(folder.iterdir()) == [written]
