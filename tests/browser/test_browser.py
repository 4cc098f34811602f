"""A reader's session in Debian's Chromium against a real `paperwire serve`.

Front page, search, a paper, sign-in through the magic link from the development mail
folder, upvote, the paper climbing trending, sign-out. Screenshots go to test-artifacts/.
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
    data = tmp_path_factory.mktemp("served")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PAPERWIRE_ENV": "development",
        "PAPERWIRE_DATA_DIR": str(data),
        "PAPERWIRE_DATABASE_URL": f"sqlite:///{data}/paperwire.db",
        "PAPERWIRE_BASE_URL": base,
        "PAPERWIRE_TRENDING_REFRESH_SECONDS": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    cli = [sys.executable, "-m", "paperwire.cli"]
    for command in (["init"], ["demo"]):
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


def newest_link(mail: Path, base: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(mail.glob("*.eml")) if mail.exists() else []
        if files:
            message = message_from_bytes(files[-1].read_bytes(), policy=policy.default)
            body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            found = re.search(re.escape(base) + r"/login/\S+", body)
            if found:
                return found.group(0)
        time.sleep(0.2)
    raise AssertionError("no sign-in mail arrived")


def test_reader_journey(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, data = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)

        page.goto(base + "/")
        expect(page.locator(".notice")).to_contain_text("Nothing is trending yet")
        expect(page.locator("article.entry")).to_have_count(20)
        page.screenshot(path=str(ARTIFACTS / "front.png"), full_page=True)

        page.fill("#site-q", "diffusion transformer acceleration")
        page.press("#site-q", "Enter")
        page.wait_for_url(re.compile(r"/search\?q=diffusion"))
        expect(page.locator("article.entry mark").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

        page.locator("article.entry h3 a").first.click()
        page.wait_for_url(re.compile(r"/papers/"))
        paper_url = page.url
        paper_id = paper_url.rsplit("/", 1)[1]
        title = page.locator("h1").inner_text()
        page.screenshot(path=str(ARTIFACTS / "paper.png"), full_page=True)

        page.click("form[data-kind=upvote] button")  # not signed in: off to sign in
        page.wait_for_url(re.compile(r"/login\?next="))
        page.fill("#email", "reader@example.org")
        page.screenshot(path=str(ARTIFACTS / "login.png"))
        page.click("main button[type=submit]")
        expect(page.locator("[role=status]")).to_contain_text("reader@example.org")

        page.goto(newest_link(data / "mail", base))
        expect(page.locator("main strong")).to_have_text("reader@example.org")
        page.click("main button[type=submit]")
        page.wait_for_url(paper_url)

        button = page.locator("form[data-kind=upvote] button")
        expect(button.locator(".count")).to_have_text("0")
        button.click()
        expect(button.locator(".count")).to_have_text("1")
        expect(button).to_have_attribute("aria-pressed", "true")
        page.reload()
        expect(page.locator("form[data-kind=upvote] button .count")).to_have_text("1")

        deadline = time.monotonic() + 20
        while True:  # the server recomputes trending every second in this test
            page.goto(base + "/?window=day")
            first = page.locator("article.entry").first
            if (
                first.count()
                and first.get_attribute("data-paper") == paper_id
                and "upvote" in first.locator(".reason").inner_text()
            ):
                break
            assert time.monotonic() < deadline, "the upvoted paper did not reach trending"
            time.sleep(0.5)
        expect(first.locator("h3")).to_have_text(title)
        expect(first.locator(".upvotes .count")).to_have_text("1")
        expect(first.locator(".reason")).to_contain_text("upvote")
        page.screenshot(path=str(ARTIFACTS / "trending.png"), full_page=True)

        page.goto(base + "/account")
        expect(page.locator(".email")).to_have_text("reader@example.org")
        page.screenshot(path=str(ARTIFACTS / "account.png"), full_page=True)
        page.click("main form[action='/logout'] button")
        page.wait_for_url(base + "/")
        expect(page.locator("header nav a[href='/login']")).to_be_visible()

        mobile = browser.new_page(viewport={"width": 390, "height": 844})
        mobile.goto(base + "/")
        mobile.screenshot(path=str(ARTIFACTS / "front-mobile.png"), full_page=True)
        browser.close()
