"""The README must keep up with the settings and the commands."""

from __future__ import annotations

from pathlib import Path

from paperwire.cli.app import COMMANDS
from paperwire.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [f"PAPERWIRE_{name.upper()}" for name in Settings.model_fields]
    missing = [variable for variable in missing if f"`{variable}`" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    missing = [name for name in COMMANDS if f"paperwire {name}" not in README]
    assert missing == []
