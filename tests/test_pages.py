"""The code that the book's pages (not its chapters) show runs, and checks itself."""

import pytest
import torch

from conftest import PAGE_PYTHON, ROOT

PAGES = sorted((ROOT / "book").glob("*.md"))


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if PAGE_PYTHON.search(p.read_text())],
    ids=lambda p: p.stem,
)
def test_a_page_s_python_runs_and_asserts_what_it_shows(page):
    blocks = PAGE_PYTHON.findall(page.read_text())
    assert any("assert " in block for block in blocks)
    namespace = {"torch": torch}
    for block in blocks:
        exec(block, namespace)  # an AssertionError is the page being wrong
