"""What the browser tests share: Debian's Chromium, a real `paperwire serve` on a free
port, and links read from the development mail folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(
    data: Path, setup: Sequence[Sequence[str]], extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """Run the ``setup`` commands, then `paperwire serve` on a free port until the block
    ends; yields (base URL, data folder)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PAPERWIRE_ENV": "development",
        "PAPERWIRE_DATA_DIR": str(data),
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{data}/paperwire.db",
        "PAPERWIRE_BASE_URL": base,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **(extra_env or {}),
    }
    cli = [sys.executable, "-m", "paperwire.cli"]
    for command in setup:
        subprocess.run([*cli, *command], env=env, check=True, capture_output=True, timeout=600)
    log = (data / "serve.log").open("w")
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError((data / "serve.log").read_text())
        yield base, data
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def mailed_link(mail: Path, base: str, path_pattern: str, timeout: float) -> str:
    """The newest link under ``base`` matching ``path_pattern`` in the dev mail folder."""
    pattern = re.compile(re.escape(base) + path_pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for file in sorted(mail.glob("*.eml"), reverse=True) if mail.exists() else []:
            message = message_from_bytes(file.read_bytes(), policy=policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            found = pattern.search(body)
            if found:
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no mail with a link like {path_pattern} arrived")
