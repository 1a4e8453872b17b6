"""tools/code_hash.py: a measurement goes stale when code its experiments can run
changes, and not when only words, comments or unimported modules do."""

import shutil
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from code_hash import code_hash, covered  # noqa: E402

from onebyone.experiments import modules  # noqa: E402


@pytest.fixture
def package(tmp_path):
    """A copy of the package to edit; returns (edit, hashes)."""
    shutil.copytree(ROOT / "onebyone", tmp_path / "onebyone")

    def edit(relative, old, new):
        path = tmp_path / relative
        text = path.read_text()
        assert old in text, f"{old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1))

    def hashes():
        return {module: code_hash(module, tmp_path) for module in modules()}

    return edit, hashes


def test_words_comments_and_unimported_modules_change_no_hash(package):
    edit, hashes = package
    before = hashes()
    assert before == {module: code_hash(module) for module in modules()}
    edit("onebyone/frames.py", "def ", "def _unused():\n    return 1\n\n\ndef ")
    edit("onebyone/explorers.py", "def ", "def _unused():\n    return 1\n\n\ndef ")
    edit(
        "onebyone/segmentation.py",
        "must have the same shape.",
        "must be shaped alike.",
    )  # an error message
    edit("onebyone/segmentation.py", "Returns the mean", "Gives the mean")  # docstring
    edit("onebyone/cell_scenes.py", "# distance of every pixel", "# every pixel's")
    edit(
        "onebyone/experiments/__init__.py", "def ", "def _unused():\n    pass\n\n\ndef "
    )
    assert hashes() == before


def test_a_change_to_a_training_loop_changes_the_hash_of_every_chapter_using_it(
    package,
):
    edit, hashes = package
    before = hashes()
    reaching = {m for m in modules() if "onebyone.segmentation" in covered(m)}
    edit("onebyone/segmentation.py", ".step()", ".step() or None")  # in train
    after = hashes()
    changed = {module for module in modules() if after[module] != before[module]}
    assert changed == reaching and 0 < len(reaching) < len(modules())


def test_a_constant_counts_in_the_chapters_whose_experiments_import_it(package):
    edit, hashes = package
    before = hashes()
    edit("onebyone/experiments/u_net.py", "CELL_EPOCHS = 5", "CELL_EPOCHS = 6")
    assert hashes()["u_net"] != before["u_net"]
    edit("onebyone/experiments/u_net.py", "CELL_EPOCHS = 6", "CELL_EPOCHS = 5")
    edit("onebyone/measure.py", "MIN_RUN_TIME_S = 0.3", "MIN_RUN_TIME_S = 0.4")
    after = hashes()
    assert after["what_one_by_one_buys"] != before["what_one_by_one_buys"]
    assert after["u_net"] == before["u_net"]


def test_what_the_hash_covers_is_listed():
    names = set(covered("u_net"))
    assert {"onebyone.segmentation", "onebyone.unet", "onebyone.cell_scenes"} <= names
    assert not {"onebyone.frames", "onebyone.explorers", "onebyone.experiments"} & names
