"""Measured results: the spread is current, and every claim holds on it."""

import os
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import record  # noqa: E402
import spread  # noqa: E402

from onebyone.experiments import Claim  # noqa: E402


def test_the_spread_is_current_and_every_claim_holds_on_it():
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
    monkeypatch.setenv("ONEBYONE_EPOCHS", "1")
    env = record.recording_env()
    assert not {*record.KERNEL_OVERRIDES, "ONEBYONE_EPOCHS"} & set(env)
    assert env["OMP_NUM_THREADS"] == str(record.RECORDING_THREADS)


def test_a_spread_run_sets_its_kernels_and_threads_and_nothing_else(monkeypatch):
    monkeypatch.setenv("ONEBYONE_EPOCHS", "1")
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "avx2")
    native = spread.kernel_env("native", 1)
    baseline = spread.kernel_env("baseline", 2)
    assert "ONEBYONE_EPOCHS" not in native and "ATEN_CPU_CAPABILITY" not in native
    assert native["OMP_NUM_THREADS"] == "1" and baseline["OMP_NUM_THREADS"] == "2"
    assert baseline["ATEN_CPU_CAPABILITY"] == "default"


def test_a_bound_inside_its_spread_is_reported():
    values = [0.84, 0.86, 0.87]
    at_least = Claim("a", "x", "x ≥ {bound}", at_least=0.8)
    assert spread.required_margin(values) == pytest.approx(0.03)
    assert at_least.margin(values) == pytest.approx(0.04)
    assert spread.tightest(at_least, values) == pytest.approx(0.81)
    assert Claim("b", "x", "x ≥ {bound}", at_least=0.85).margin(values) < 0
    at_most = Claim("c", "x", "x ≤ {bound}", at_most=0.9)
    assert at_most.margin(values) == pytest.approx(0.03)
    assert spread.tightest(at_most, values) == pytest.approx(0.90)


def test_the_spread_within_a_seed_is_told_apart_from_the_spread_across_seeds():
    runs = [(0, 1.0), (0, 1.2), (1, 2.0), (1, 2.1), (2, 1.5), (2, 1.5)]
    within, across = spread.seed_spreads(runs)
    assert within == pytest.approx(0.2)  # seed 0
    assert across == pytest.approx(2.05 - 1.1)  # medians 1.1, 2.05, 1.5


def fake_entry(values, held_out):
    """An entry of book/reproducibility.json with one measured number."""
    grid = [(s, k, t) for s in spread.SEEDS for k in spread.KERNEL_SETS
            for t in spread.THREADS]  # fmt: skip
    runs = [
        {"seed": s, "kernel_set": k, "threads": t, "measured": {"x": v}}
        for (s, k, t), v in zip(grid, values * len(grid), strict=False)
    ]
    held = [
        {"seed": s, "measured": {"x": v}}
        for s, v in zip(spread.HELD_OUT_SEEDS, held_out, strict=True)
    ]
    return {"runs": runs, "held_out": {"runs": held}}


def test_a_claim_is_checked_against_its_sentence_its_margin_and_held_out_seeds(
    monkeypatch,
):
    claim = Claim(
        "gap", "100 * x", "gap ≤ {bound} points", at_most=4,
        sentences=("In all {runs} runs the gap stayed under {max:.1f} points",),
    )  # fmt: skip
    monkeypatch.setattr(spread, "chapter_claims", lambda module: [claim])
    monkeypatch.setattr(spread, "notebook_of", lambda module: "07-u-net")
    monkeypatch.setattr(spread, "recorded_text", lambda path: "gap ≤ 4 points: True")
    prose = "In all 25 runs the gap stayed under 2.0 points, as every run must."
    monkeypatch.setattr(spread, "book_text", lambda root=None: prose)
    good = fake_entry([0.01, 0.02], [0.015] * 5)
    assert spread.claim_problems("u_net", good) == []
    wide = fake_entry([0.01, 0.03], [0.015] * 5)  # bound 1 from the spread, needs 2
    found = spread.claim_problems("u_net", wide)
    assert any("needs 2" in problem for problem in found)
    assert any("the book should say" in problem for problem in found)  # now 3.0
    held = fake_entry([0.01, 0.02], [0.015] * 4 + [0.05])
    assert any("held-out" in p for p in spread.claim_problems("u_net", held))
    monkeypatch.setattr(spread, "recorded_text", lambda path: "gap ≤ 3 points: True")
    assert any("re-record" in p for p in spread.claim_problems("u_net", good))
