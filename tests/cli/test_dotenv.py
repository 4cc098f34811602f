"""A ``.env`` in the working directory (``make run`` writes one) configures CLI commands.

The environment wins over the file, and production never falls back to the development
secret.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from paperwire.settings import DOTENV_VARIABLE


def _paperwire(cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAPERWIRE_EMBED_ON_INGEST": "0", **extra}
    for name in (DOTENV_VARIABLE, "PAPERWIRE_ENV", "PAPERWIRE_SECRET_KEY", "PAPERWIRE_DATA_DIR"):
        if name not in extra:
            env.pop(name, None)
    env.pop("PAPERWIRE_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "paperwire.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dotenv_development_lets_commands_use_the_local_secret(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PAPERWIRE_ENV=development\n", encoding="utf-8")
    assert _paperwire(tmp_path, "init").returncode == 0
    done = _paperwire(tmp_path, "digest", "run")
    assert done.returncode == 0, done.stderr
    assert "PAPERWIRE_SECRET_KEY" not in done.stderr
    assert (tmp_path / "data" / "secret_key").exists()


def test_environment_production_wins_over_dotenv_and_still_needs_a_secret(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("PAPERWIRE_ENV=development\n", encoding="utf-8")
    assert _paperwire(tmp_path, "init").returncode == 0
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "secret_key").write_text("x" * 64 + "\n", encoding="utf-8")
    done = _paperwire(tmp_path, "digest", "run", PAPERWIRE_ENV="production")
    assert done.returncode == 2
    assert "PAPERWIRE_SECRET_KEY" in done.stderr


def test_without_dotenv_the_cli_is_production(tmp_path: Path) -> None:
    assert _paperwire(tmp_path, "init").returncode == 0
    done = _paperwire(tmp_path, "digest", "run")
    assert done.returncode == 2
    assert "PAPERWIRE_SECRET_KEY" in done.stderr


def test_the_suite_ignores_a_stray_dotenv(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from paperwire.settings import Settings

    (tmp_path / ".env").write_text("PAPERWIRE_ENV=development\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PAPERWIRE_ENV", raising=False)
    assert Settings().env == "production"
