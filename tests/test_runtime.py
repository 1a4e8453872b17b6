"""onebyone/runtime.py: device choice, seeding and glue."""

import importlib
import sys

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
