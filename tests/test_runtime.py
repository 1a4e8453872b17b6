"""onebyone/runtime.py: device choice and reproducible seeding."""

import importlib
import sys

import torch

from onebyone import runtime
from onebyone.runtime import NUM_THREADS, pick_device, seed_everything


def test_device_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert pick_device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device().type == "cpu"


def test_seeding_repeats_draws_and_fixes_threads():
    seed_everything(3)
    first = torch.randn(5)
    seed_everything(3)
    assert torch.equal(first, torch.randn(5))
    assert torch.get_num_threads() == NUM_THREADS


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
