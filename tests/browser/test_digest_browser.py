"""Subscribing to the digest in Debian's Chromium against a real `paperwire serve`.

The front page's box (time zone guessed by paperwire.js, CSRF token fetched on submit),
the confirmation link from the development mail folder, its button, and the account's
digest page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsertools import ARGS, ARTIFACTS, CHROMIUM, mailed_link, needs_chromium, served

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An empty installation (no papers needed to subscribe), served on a free port."""
    with served(tmp_path_factory.mktemp("served-digest"), [["init"]]) as running:
        yield running


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

        page.goto(mailed_link(data / "mail", base, r"/subscribe/confirm/\S+", timeout=30))
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
