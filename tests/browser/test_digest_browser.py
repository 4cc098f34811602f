"""Subscribing to the digest in Debian's Chromium against a real `paperwire serve`.

The front page's box (time zone guessed by paperwire.js, CSRF token fetched on submit),
the confirmation link from the development mail folder, its button, and the account's
digest page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
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

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An empty installation (no papers needed to subscribe), served on a free port."""
    data = tmp_path_factory.mktemp("served-digest")
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
    }
    cli = [sys.executable, "-m", "paperwire.cli"]
    subprocess.run([*cli, "init"], env=env, check=True, capture_output=True, timeout=600)
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


def confirm_link(mail: Path, base: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for file in sorted(mail.glob("*.eml")) if mail.exists() else []:
            message = message_from_bytes(file.read_bytes(), policy=policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(re.escape(base) + r"/subscribe/confirm/\S+", body)
            if found:
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError("no confirmation mail arrived")


def test_subscribe_from_the_front_page(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, data = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1200, "height": 900}, timezone_id="Europe/Berlin"
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        blocked: list[str] = []
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

        page.goto(base + "/")
        box = page.locator("section.banner form")
        expect(box.locator("input[name=timezone]")).to_have_value("Europe/Berlin")
        page.fill("#box-email", "Browser@Example.org")
        box.locator("summary").click()
        page.fill("#box-topics", "diffusion transformers")
        page.select_option("#box-hour", "7")
        page.screenshot(path=str(ARTIFACTS / "digest-front.png"), full_page=True)
        box.locator("button[type=submit]").click()
        expect(page.locator("[role=status]")).to_contain_text(
            "If browser@example.org can receive mail, a confirmation link is on its way"
        )

        page.goto(confirm_link(data / "mail", base))
        expect(page.locator("main .email")).to_have_text("browser@example.org")
        page.screenshot(path=str(ARTIFACTS / "digest-confirm.png"))
        page.get_by_role("button", name="Confirm my subscription").click()
        page.wait_for_url(base + "/account/digest")
        expect(page.locator(".status")).to_have_attribute("data-status", "active")
        expect(page.locator("#timezone")).to_have_value("Europe/Berlin")
        expect(page.locator("#hour")).to_have_value("7")
        expect(page.locator("#topics")).to_have_value("diffusion transformers")
        expect(page.locator("header nav a[href='/account/digest']")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "digest-account.png"), full_page=True)

        assert blocked == []
        browser.close()
