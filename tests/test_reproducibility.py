"""Measured results: the spread table is current and every bound clears it."""

import io
import os
import sys
from contextlib import redirect_stdout

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import record  # noqa: E402
import shared_code  # noqa: E402
import spread  # noqa: E402

from onebyone import runtime  # noqa: E402


def test_the_table_matches_the_notebooks_and_every_bound_clears_its_spread():
    assert spread.problems() == []


def test_the_tests_split_the_arithmetic_otherwise_than_the_recording():
    """Outputs are recorded on two threads; make test's notebooks run on one.

    The notebooks' kernels inherit this process's environment (conftest.py).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("only make test (one pytest-xdist worker per core) fixes threads")
    assert os.environ["OMP_NUM_THREADS"] != str(record.RECORDING_THREADS)


def test_the_recording_runs_as_a_reader_would(monkeypatch):
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "default")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "SSE41")
    env = record.recording_env()
    assert not set(record.KERNEL_OVERRIDES) & set(env)
    assert env["OMP_NUM_THREADS"] == str(record.RECORDING_THREADS)


def test_the_tool_reads_verdict_lines_as_runtime_prints_them():
    for bound in ({"at_least": 0.8}, {"at_most": 2.5}, {"at_least": 0.95}):
        for percent in (False, True):
            out = io.StringIO()
            with redirect_stdout(out):
                runtime.verdict(
                    "claim",
                    1.0 if "at_most" not in bound else 0.0,
                    **bound,
                    percent=percent,
                )
            line = spread.verdict_line("claim", {**bound, "percent": percent})
            assert out.getvalue() == line + "\n"


def test_bounds_are_read_from_the_notebook_source(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('verdict("a", x, at_least=0.8)'),
        nbformat.v4.new_code_cell('verdict("b", y, at_most=-1e-3, percent=True)'),
    ]
    path = tmp_path / "99-example.ipynb"
    nbformat.write(nb, path)
    assert spread.notebook_verdicts(path) == {
        "a": {"at_least": 0.8, "percent": False},
        "b": {"at_most": -1e-3, "percent": True},
    }
    nb.cells.append(nbformat.v4.new_code_cell('verdict(f"{name}", z, at_least=1)'))
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="as literals"):
        spread.notebook_verdicts(path)


def test_a_bound_inside_its_spread_is_reported():
    vals = [0.84, 0.86, 0.87]
    assert spread.required_margin(vals) == pytest.approx(0.03)
    assert spread.margin(vals, {"at_least": 0.8}) == pytest.approx(0.04)
    assert spread.margin(vals, {"at_least": 0.85}) < 0
    assert spread.margin(vals, {"at_most": 0.9}) == pytest.approx(0.03)


def test_the_spread_within_a_seed_is_told_apart_from_the_spread_across_seeds():
    runs = [(0, 1.0), (0, 1.2), (1, 2.0), (1, 2.1), (2, 1.5), (2, 1.5)]
    entry = {"runs": [{"seed": seed, "measured": {"x": x}} for seed, x in runs]}
    within, across = spread.seed_spreads(entry, "x")
    assert within == pytest.approx(0.2)  # seed 0
    assert across == pytest.approx(2.05 - 1.1)  # medians 1.1, 2.05, 1.5


def test_a_held_out_value_outside_the_bound_fails_the_verdict():
    assert spread.holds(0.9, {"at_least": 0.83})
    assert not spread.holds(0.8, {"at_least": 0.83})
    assert spread.holds(0.05, {"at_most": 0.09})
    assert not spread.holds(0.1, {"at_most": 0.09})


def test_the_code_hash_changes_with_the_code_and_nothing_else(tmp_path, monkeypatch):
    """Lesson cells and the helper files they use count; prose, comments,
    docstrings, imports, cell boundaries, the install cell, self-check questions and
    bounds do not."""
    helpers = tmp_path / "onebyone"
    helpers.mkdir()
    (helpers / "train.py").write_text("from onebyone.data import load\n\nEPOCHS = 5\n")
    (helpers / "data.py").write_text("SIZE = 8\n")
    monkeypatch.setattr(spread, "ROOT", tmp_path)
    monkeypatch.setattr(shared_code, "ROOT", tmp_path)
    path = tmp_path / "99-example.ipynb"

    def hash_of(*sources):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("prose")]
        nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
        nbformat.write(nb, path)
        return spread.code_hash(path)

    lesson = ("from onebyone.train import EPOCHS", "x = fit(EPOCHS)")
    first = hash_of(*lesson, 'verdict("a", x, at_least=0.8)')
    assert first == hash_of(
        "import torch\nfrom onebyone.train import EPOCHS",
        "x = fit( EPOCHS )  # a comment",
        'verdict("a", x, at_most=0.9)',
    )
    assert first == hash_of(
        "from onebyone.train import EPOCHS\nx = fit(EPOCHS)",
        'verdict("a", x, at_least=0.8)',
    )
    assert first != hash_of(*lesson, 'verdict("a", x + 1, at_least=0.8)')
    assert first != hash_of(
        "EPOCHS = 5", "x = fit(EPOCHS)", 'verdict("a", x, at_least=0.8)'
    )
    (helpers / "data.py").write_text("SIZE = 16\n")  # imported by the helper it uses
    assert first != hash_of(*lesson, 'verdict("a", x, at_least=0.8)')
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://example.org/fork\n  branch: main\n"
    )
    second = hash_of(*lesson, 'verdict("a", x, at_least=0.8)')
    assert second == hash_of(
        shared_code.install_source(), *lesson, 'verdict("a", x, at_least=0.8)'
    )
    (helpers / "data.py").write_text('"""Sizes."""\n\nSIZE = 16\n')
    assert second == hash_of(*lesson, 'verdict("a", x, at_least=0.8)')
    assert second == hash_of(
        "from onebyone.selfcheck import self_check",
        *lesson,
        'self_check(9, "a-section")',
        'verdict("a", x, at_least=0.8)',
    )
