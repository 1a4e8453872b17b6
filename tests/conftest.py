"""Shared by the tests: the notebooks, the built book, and a server for it.

The CPU kernels the tests run on are chosen in the conftest.py at the root.
"""

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The Python a page of the book shows (tests/test_pages.py runs it).
PAGE_PYTHON = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
# Tests that use these build the book, open a browser or run notebooks: `make
# check` leaves them out (``-m "not slow"``).
SLOW_FIXTURES = {"book_build", "html_dir", "book_url", "colab_python", "lab_url"}
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


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def book_build(tmp_path_factory):
    """Build the book once per test session as `make book` builds it (and the
    Pages workflow), warnings as errors, into a folder of its own."""
    out = tmp_path_factory.mktemp("book")
    command = ["make", "--no-print-directory", "book", f"BOOK_OUT={out}"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    return result, out / "_build" / "html"


@pytest.fixture(scope="session")
def html_dir(book_build):
    result, html = book_build
    if result.returncode != 0:
        pytest.fail(
            f"the book did not build:\n{result.stdout[-4000:]}\n{result.stderr}"
        )
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def book_url(html_dir):
    """Serve the built book on 127.0.0.1 (a free port) for the browser."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), driven by Playwright."""
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
