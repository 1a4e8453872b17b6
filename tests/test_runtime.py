"""onebyone/runtime.py: device choice, seeding, glue, and measured results."""

import importlib
import sys

import pytest
import torch

from onebyone import runtime
from onebyone.runtime import (
    pick_device,
    seed_everything,
)


def test_device_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device().type == "cpu"


def test_seeding_repeats_draws():
    seed_everything(3)
    first = torch.randn(5)
    seed_everything(3)
    assert torch.equal(first, torch.randn(5))


def test_seeding_leaves_the_thread_count_to_the_machine():
    before = torch.get_num_threads()
    seed_everything(0)
    assert torch.get_num_threads() == before


def test_glue_falls_back_where_myst_nb_is_missing(monkeypatch):
    """In Colab there is no myst-nb: glue() must still run, and do nothing."""
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # makes the import fail
    fallback = importlib.reload(runtime)
    try:
        assert fallback.glue.__module__ == "onebyone.runtime"
        assert fallback.glue("name", 1.0, display=False) is None
    finally:
        monkeypatch.undo()
        importlib.reload(runtime)
    assert runtime.glue.__module__.startswith("myst_nb")


def test_measured_keeps_the_value_and_prints_nothing(capsys):
    # through the module: the glue test above reloads it, with fresh dictionaries
    runtime.measured("seconds", torch.tensor(2.5), "2.5")
    assert runtime.MEASURED["seconds"] == 2.5
    assert isinstance(runtime.MEASURED["seconds"], float)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("value", "bounds", "line"),
    [
        (0.86, {"at_least": 0.8}, "mean IoU ≥ 0.8: True"),
        (0.79, {"at_least": 0.8}, "mean IoU ≥ 0.8: False"),
        (0.8, {"at_least": 0.8}, "mean IoU ≥ 0.8: True"),
        (3.0, {"at_most": 2.5}, "mean IoU ≤ 2.5: False"),
        (0.97, {"at_least": 0.95, "percent": True}, "mean IoU ≥ 95%: True"),
    ],
)
def test_verdict_prints_the_bound_and_whether_it_holds(capsys, value, bounds, line):
    runtime.verdict("mean IoU", value, **bounds)
    assert capsys.readouterr().out == line + "\n"
    assert runtime.MEASURED["mean IoU"] == value


def test_verdict_needs_exactly_one_bound():
    with pytest.raises(ValueError, match="exactly one bound"):
        runtime.verdict("mean IoU", 0.9)
    with pytest.raises(ValueError, match="exactly one bound"):
        runtime.verdict("mean IoU", 0.9, at_least=0.5, at_most=1.0)
