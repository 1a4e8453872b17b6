"""Measured results: the spread is current, every claim holds on it, and the check
fails when the book or the data says otherwise (on copies, nothing stubbed)."""

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import record  # noqa: E402
import spread  # noqa: E402

from onebyone.experiments import Claim, chapter_claims  # noqa: E402


def test_the_spread_is_current_and_every_claim_holds_on_it():
    assert spread.problems() == []


def test_the_tests_split_the_arithmetic_otherwise_than_the_recording():
    """Outputs are recorded on two threads; make test's notebooks run on one."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("only make test (one pytest-xdist worker per core) fixes threads")
    assert os.environ["OMP_NUM_THREADS"] != str(record.RECORDING_THREADS)


def test_the_recording_and_a_spread_run_set_their_kernels_and_threads(monkeypatch):
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "avx2")
    monkeypatch.setenv("ONEBYONE_EPOCHS", "1")
    env = record.recording_env()
    assert not set(record.DROPPED) & set(env)
    assert env["OMP_NUM_THREADS"] == str(record.RECORDING_THREADS)
    native, baseline = spread.kernel_env("native", 1), spread.kernel_env("baseline", 2)
    assert "ONEBYONE_EPOCHS" not in native and "ATEN_CPU_CAPABILITY" not in native
    assert native["OMP_NUM_THREADS"] == "1" and baseline["OMP_NUM_THREADS"] == "2"
    assert baseline["ATEN_CPU_CAPABILITY"] == "default"


def test_a_bound_must_clear_its_spread_by_the_spreads_width():
    values = [0.84, 0.86, 0.87]
    at_least = Claim("a", "x", "x ≥ {bound}", at_least=0.8)
    assert spread.required_margin(values) == pytest.approx(0.03)
    assert at_least.margin(values) == pytest.approx(0.04)
    assert spread.tightest(at_least, values) == pytest.approx(0.81)
    assert Claim("b", "x", "x ≥ {bound}", at_least=0.85).margin(values) < 0
    at_most = Claim("c", "x", "x ≤ {bound}", at_most=0.9)
    assert spread.tightest(at_most, values) == pytest.approx(0.90)


def test_the_spread_within_a_seed_is_told_apart_from_the_spread_across_seeds():
    runs = [(0, 1.0), (0, 1.2), (1, 2.0), (1, 2.1), (2, 1.5), (2, 1.5)]
    within, across = spread.seed_spreads(runs)
    assert within == pytest.approx(0.2)  # seed 0
    assert across == pytest.approx(2.05 - 1.1)  # medians 1.1, 2.05, 1.5


@pytest.fixture
def copy(tmp_path):
    """A copy of what the check reads: the package, the notebooks, the pages."""
    for part in ("onebyone", "notebooks", "book"):
        shutil.copytree(
            ROOT / part,
            tmp_path / part,
            ignore=shutil.ignore_patterns("_ext", "__pycache__"),
        )
    return tmp_path


def a_verdict():
    """(module, claim) for the first verdict of the book that has sentences."""
    for module in spread.modules():
        for claim in chapter_claims(module):
            if claim.is_verdict and claim.sentences:
                return module, claim
    raise AssertionError("no verdict with sentences")


def chapter_sentence(module, claim):
    entry = spread.load()[module]
    values = spread.claim_values(claim, entry["runs"] + entry["held_out"]["runs"])
    return claim.sentence_texts(values, spread.seed_count(claim, entry))[0]


def edit_notebook(path, change):
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def test_deleting_a_claims_sentence_from_its_chapter_fails_the_check(copy):
    """The sentence is still on the reproducibility page, which lists it: only the
    chapter counts."""
    module, claim = a_verdict()
    sentence = chapter_sentence(module, claim)
    assert spread._normal(sentence) in spread._normal(
        (copy / spread.PAGE_PATH).read_text()
    )

    def delete(nb):
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = spread._normal(cell.source).replace(sentence, "")

    assert spread.problems(copy) == []
    edit_notebook(spread.notebook_of(module, copy), delete)
    assert [p for p in spread.problems(copy) if "should say" in p] == [
        f"{module}: {claim.name}: {spread.notebook_of(module).name} should say "
        f"{sentence!r} (its numbers come from the spread)"
    ]


def test_a_verdict_line_missing_from_its_recorded_chapter_fails_the_check(copy):
    module, claim = a_verdict()
    line = f"{claim.statement()}: True"

    def drop(nb):
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if "text" in output:
                    output.text = output.text.replace(line, "")

    edit_notebook(spread.notebook_of(module, copy), drop)
    assert any("re-record" in problem for problem in spread.problems(copy))


def test_a_verdict_failing_on_a_held_out_seed_or_too_close_fails_the_check(copy):
    module, claim = a_verdict()
    data = spread.load(copy)
    [name] = {n for n in data[module]["runs"][0]["measured"] if n in claim.value}
    far = 0 if claim.at_least is not None else 1e9  # far outside the bound
    data[module]["held_out"]["runs"][0]["measured"][name] = far
    data[module]["runs"][0]["measured"][name] = far
    (copy / spread.DATA_PATH).write_text(json.dumps(data))
    found = spread.problems(copy)
    assert any(f"{claim.name}: fails on a held-out seed" in p for p in found)
    assert any(f"{claim.name}: the bound is" in p for p in found)


def test_words_and_unimported_code_leave_the_spread_current(copy):
    """A docstring, the frame player and a notebook's colour edited."""
    path = copy / "onebyone/segmentation.py"
    path.write_text(path.read_text().replace("Returns the mean", "Gives the mean"))
    path = copy / "onebyone/frames.py"
    path.write_text(
        path.read_text().replace("def ", "def _unused():\n    pass\n\n\ndef ", 1)
    )
    notebook = copy / "notebooks/07-u-net.ipynb"
    notebook.write_text(notebook.read_text().replace("#e8eef7", "#f8eee7"))
    assert spread.problems(copy) == []


@pytest.mark.slow
def test_a_refactor_is_accepted_after_one_run_and_a_change_of_results_is_not(copy):
    """`make verify` on a repository of its own: renaming a local variable of an
    experiment keeps its numbers, so the spread stands; a new learning rate does not."""
    module = "channels_and_filters"  # seconds a run
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)
    subprocess.run(["git", "add", "."], cwd=copy, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"],
        cwd=copy,
        check=True,
    )
    code = copy / "onebyone/experiments" / f"{module}.py"
    text = code.read_text().replace("    accuracy = ", "    share_right = ")
    code.write_text(
        text.replace('"test_accuracy": accuracy', '"test_accuracy": share_right')
    )
    assert "code changed" in " ".join(spread.problems(copy))
    assert spread.verify(module, root=copy)
    [same] = spread.load(copy)[module]["same_results"]
    assert same["compared"] == 1 and same["code"] == spread.code_hash(module, copy)
    # chapter 5 imports this module: its experiments must show the same in turn
    assert not [p for p in spread.problems(copy) if p.startswith(module)]
    code.write_text(
        code.read_text().replace("LEARNING_RATE = 0.01", "LEARNING_RATE = 0.02")
    )
    assert not spread.verify(module, root=copy)
    assert "code changed" in " ".join(spread.problems(copy))
