"""A reader's session in Debian's Chromium against a real `paperwire serve`.

Front page, search, a paper, sign-in through the magic link from the development mail
folder, upvote, the paper climbing trending, sign-out. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsertools import ARGS, ARTIFACTS, CHROMIUM, mailed_link, needs_chromium, served

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("served")
    extra = {"PAPERWIRE_TRENDING_REFRESH_SECONDS": "1"}
    with served(data, [["init"], ["demo"]], extra) as running:
        yield running


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

        page.goto(mailed_link(data / "mail", base, r"/login/\S+", timeout=15))
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


def test_api_docs_work_offline_under_the_sites_csp(server: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, _ = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.set_default_timeout(20_000)
        problems: list[str] = []
        outside: list[str] = []
        page.on("console", lambda message: problems.append(message.text))
        page.on("request", lambda request: outside.append(request.url))
        page.goto(base + "/api/v1/docs")
        expect(page.locator(".opblock")).to_have_count(5)
        page.locator(".opblock").first.click()
        page.locator("button.try-out__btn").first.click()
        page.locator("button.execute").first.click()
        expect(page.locator(".live-responses-table .response .response-col_status")).to_have_text(
            "200"
        )
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
        browser.close()
    assert problems == [], "no script, style or CSP errors"
    assert [url for url in outside if not url.startswith(base)] == []
