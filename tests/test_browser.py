"""The built book in a real headless browser, with the network cut off.

Every page loads without a JavaScript error and without a request to any host
but 127.0.0.1; math is typeset by MathJax; widgets render, and moving a control
changes the picture without a kernel.
"""

import contextlib
import os
import shutil
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# Roughly, with the book build: the root conftest.py starts the longest files first.
EXPECTED_SECONDS = 80
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CHAPTER_1 = "notebooks/01-convolution-from-scratch.html"
# A harmless notice from the schema compiler inside the widget manager (it
# validates the saved widget state), not ours to fix.
KNOWN_WARNINGS = ("allowUnionTypes",)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed (make test installs it with apt)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


def pages(html_dir):
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).as_posix().startswith(("_static/", "_sources/"))
    )


class Visit:
    """Open one page, recording errors and any request that leaves the machine."""

    def __init__(self, browser, book_url, path):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.problems, self.external = [], []
        host = urlparse(book_url).netloc
        self.page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        self.page.on("console", self._console)
        self.page.on(
            "requestfailed", lambda r: self.problems.append(f"failed: {r.url}")
        )
        # A file the book does not ship (say, a vendored chunk left out) is a 404.
        self.page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"),
        )

        def route(route):
            url = urlparse(route.request.url)
            if url.scheme in ("data", "blob") or url.netloc == host:
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()

        self.page.route("**/*", route)
        # networkidle: index.html redirects, and MathJax loads its parts lazily.
        self.page.goto(f"{book_url}/{path}", wait_until="networkidle")
        self.page.evaluate("() => window.MathJax?.startup?.promise")

    def _console(self, message):
        if message.type == "error" or (
            message.type == "warning"
            and not any(k in message.text for k in KNOWN_WARNINGS)
        ):
            self.problems.append(f"console {message.type}: {message.text}")

    def rendered_widgets(self, expected):
        """How many widget outputs show a picture, once all have had time to render."""
        script = "n => document.querySelectorAll('.widget-subarea img').length >= n"
        # On a time-out, the count below tells how many are missing.
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_function(script, arg=expected, timeout=10_000)
        return self.page.locator(".widget-subarea:has(img)").count()

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def chapter_1(browser, book_url):
    visit = Visit(browser, book_url, CHAPTER_1)
    visit.page.wait_for_selector(".widget-subarea img")
    yield visit.page
    visit.close()


def test_every_page_loads_offline_without_errors(browser, book_url, html_dir):
    report = {}
    for path in pages(html_dir):
        visit = Visit(browser, book_url, path)
        math = visit.page.locator("span.math, div.math").count()
        untypeset = visit.page.locator(
            "span.math:not(:has(mjx-container)), div.math:not(:has(mjx-container))"
        ).count()
        if untypeset:
            visit.problems.append(
                f"{untypeset} of {math} formulas not typeset by MathJax"
            )
        if visit.page.locator("mjx-merror").count():
            visit.problems.append("MathJax reported a formula error")
        views = visit.page.locator(f'script[type="{WIDGET_VIEW}"]').count()
        if views:
            rendered = visit.rendered_widgets(views)
            if rendered != views:
                visit.problems.append(f"{rendered} of {views} widgets rendered")
        if visit.problems or visit.external:
            report[path] = visit.problems + [f"external: {u}" for u in visit.external]
        visit.close()
    assert len(pages(html_dir)) >= 5
    assert not report


def test_math_is_typeset_on_chapter_1(chapter_1):
    assert chapter_1.locator("mjx-container").count() >= 10


def shown_image(widget):
    return widget.locator("img.widget-image").first.get_attribute("src")


def test_slider_steps_through_frames_without_a_kernel(chapter_1):
    player = chapter_1.locator(".widget-subarea").nth(0)
    assert player.locator(".widget-play button").count() == 3
    before = shown_image(player)
    handle = player.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    chapter_1.wait_for_function(
        "([el, src]) => el.querySelector('img.widget-image').src !== src",
        arg=[player.element_handle(), before],
    )
    assert player.locator(".widget-readout").inner_text() == "2"
    assert shown_image(player) != before


def test_play_button_animates(chapter_1):
    player = chapter_1.locator(".widget-subarea").nth(0)
    start = player.locator(".widget-readout").inner_text()
    player.locator(".widget-play button").first.click()
    chapter_1.wait_for_function(
        "([el, start]) => el.querySelector('.widget-readout').textContent !== start",
        arg=[player.element_handle(), start],
        timeout=5000,
    )


def test_every_dropdown_switches_frames_without_a_kernel(browser, book_url, html_dir):
    switched = 0
    for path in pages(html_dir):
        visit = Visit(browser, book_url, path)
        players = visit.page.locator(".widget-subarea:has(select)")
        for index in range(players.count()):
            player = players.nth(index)
            before = shown_image(player)
            player.locator("select").select_option(index=1)
            visit.page.wait_for_function(
                "([el, src]) => el.querySelector('img.widget-image').src !== src",
                arg=[player.element_handle(), before],
            )
            switched += 1
        visit.close()
    assert switched >= 3
