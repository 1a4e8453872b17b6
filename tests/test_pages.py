"""The code that the book's pages (not its chapters) show runs, and checks itself."""

import re

import pytest
import torch

from conftest import ROOT

PAGES = sorted((ROOT / "book").glob("*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize(
    "page", [p for p in PAGES if BLOCK.search(p.read_text())], ids=lambda p: p.stem
)
def test_a_page_s_python_runs_and_asserts_what_it_shows(page):
    blocks = BLOCK.findall(page.read_text())
    assert any("assert " in block for block in blocks)
    namespace = {"torch": torch}
    for block in blocks:
        exec(block, namespace)  # an AssertionError is the page being wrong
