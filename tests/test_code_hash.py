"""tools/code_hash.py: a measurement goes stale when the code it ran changes, and
only then."""

import shutil
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import spread  # noqa: E402
from code_hash import code_hash, covered  # noqa: E402

from onebyone.experiments import modules  # noqa: E402


@pytest.fixture
def package(tmp_path):
    """A copy of the package to edit; returns (root, edit, hashes)."""
    shutil.copytree(ROOT / "onebyone", tmp_path / "onebyone")

    def edit(relative, old, new):
        path = tmp_path / relative
        text = path.read_text()
        assert old in text, f"{old!r} is not in {relative}"
        path.write_text(text.replace(old, new, 1))

    def hashes():
        return {module: code_hash(module, tmp_path) for module in modules()}

    return tmp_path, edit, hashes


def test_figures_colours_explorers_and_words_change_no_hash(package):
    root, edit, hashes = package
    before = hashes()
    assert before == {module: code_hash(module) for module in modules()}
    edit("onebyone/digit_scenes.py", '"#332288"', '"#112288"')  # a class colour
    edit("onebyone/digit_scenes.py", "ax.imshow(", "ax.matshow(")  # show_labels
    edit("onebyone/frames.py", "def ", "def _unused():\n    return 1\n\n\ndef ")
    edit(
        "onebyone/segmentation.py",
        "must have the same shape.",
        "must be shaped alike.",
    )  # an error message
    edit("onebyone/segmentation.py", "Returns the mean", "Gives the mean")  # docstring
    edit("onebyone/cell_scenes.py", "# distance of every pixel", "# every pixel's")
    assert hashes() == before


def test_a_change_to_a_training_loop_changes_the_hash_of_every_chapter_using_it(
    package,
):
    root, edit, hashes = package
    before = hashes()
    edit("onebyone/segmentation.py", "schedule.step()", "pass")
    after = hashes()
    changed = {module for module in modules() if after[module] != before[module]}
    # chapter 5's digit classifier, chapters 6 and 7 train with it; 2 and 4 do not
    assert changed == {"fully_convolutional", "fcn_segmentation", "u_net"}


def test_a_constant_an_experiment_reads_counts_and_one_it_does_not_read_does_not(
    package,
):
    root, edit, hashes = package
    before = hashes()
    edit("onebyone/experiments/u_net.py", "CELL_EPOCHS = 5", "CELL_EPOCHS = 6")
    assert hashes()["u_net"] != before["u_net"]
    edit("onebyone/experiments/u_net.py", "CELL_EPOCHS = 6", "CELL_EPOCHS = 5")
    edit("onebyone/measure.py", "MIN_RUN_TIME_S = 0.3", "MIN_RUN_TIME_S = 0.4")
    after = hashes()
    assert after["what_one_by_one_buys"] != before["what_one_by_one_buys"]
    assert after["u_net"] == before["u_net"]


def test_what_the_hash_covers_is_listed():
    names = {f"{module}.{name}" for module, name in covered("u_net")}
    assert "onebyone.segmentation.train" in names
    assert "onebyone.unet.UNet" in names
    assert "onebyone.digit_scenes.show_labels" not in names
    assert "onebyone.digit_scenes.CLASS_COLOURS" not in names
    assert not any(name.startswith("onebyone.frames") for name in names)


def test_the_spread_stays_current_after_a_figure_edit(tmp_path):
    """What `make check` runs: a colour and a drawing function edited, in the package
    and in a notebook, and the spread still describes the code."""
    for part in ("onebyone", "notebooks"):
        shutil.copytree(ROOT / part, tmp_path / part)
    (tmp_path / "book").mkdir()
    for page in (ROOT / "book").glob("*.md"):
        shutil.copy(page, tmp_path / "book" / page.name)
    shutil.copy(ROOT / spread.DATA_PATH, tmp_path / spread.DATA_PATH)
    path = tmp_path / "onebyone/digit_scenes.py"
    text = path.read_text().replace('"#332288"', '"#112288"')
    path.write_text(text.replace("ax.imshow(", "ax.matshow("))
    notebook = tmp_path / "notebooks/07-u-net.ipynb"
    notebook.write_text(notebook.read_text().replace("#e8eef7", "#f8eee7"))
    assert spread.problems(tmp_path) == spread.problems(ROOT) == []
