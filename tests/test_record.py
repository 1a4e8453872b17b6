"""Re-recording an unchanged notebook gives the same file; quick runs train one
epoch a phase everywhere."""

import importlib
import inspect
import sys
import uuid

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
from record import WIDGET_STATE, merge_streams, stable_widget_ids  # noqa: E402

from onebyone.experiments import EPOCHS_VARIABLE, modules  # noqa: E402
from onebyone.experiments.__main__ import functions  # noqa: E402


def recorded_with_random_ids():
    """A notebook as a run stores it: a view of a box that holds a slider."""
    box, slider = uuid.uuid4().hex, uuid.uuid4().hex
    cell = nbformat.v4.new_code_cell("box", id="show-box")
    view = {"version_major": 2, "version_minor": 0, "model_id": box}
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", {"application/vnd.jupyter.widget-view+json": view}
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[cell])
    state = {
        box: {"state": {"children": [f"IPY_MODEL_{slider}"]}},
        slider: {"state": {"value": 3}},
    }
    nb.metadata["widgets"] = {WIDGET_STATE: {"state": state, "version_major": 2}}
    return nb


def test_widget_ids_are_the_same_on_every_run():
    first = stable_widget_ids(recorded_with_random_ids(), "chapter")
    second = stable_widget_ids(recorded_with_random_ids(), "chapter")
    assert first == second


def test_renamed_widgets_still_refer_to_each_other():
    nb = stable_widget_ids(recorded_with_random_ids(), "chapter")
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    view = nb.cells[0].outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]
    box = state[view["model_id"]]
    (child,) = box["state"]["children"]
    assert child.removeprefix("IPY_MODEL_") in state
    assert state[child.removeprefix("IPY_MODEL_")]["state"]["value"] == 3


def recording_epochs(function, calls):
    """``function``, which takes ``epochs``, noting the epochs of every call."""
    signature = inspect.signature(function)

    def recorded(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append((function.__name__, bound.arguments["epochs"]))
        return function(*args, **kwargs)

    return recorded


def few_scenes(make):
    """A scene generator that makes at most 8 scenes: what is checked here is the
    epochs each training gets, not what it learns."""

    def made(num_scenes, *args, **kwargs):
        return make(min(num_scenes, 8), *args, **kwargs)

    return made


@pytest.mark.slow  # it trains or starts Python
@pytest.mark.parametrize("module", modules())
def test_a_quick_run_trains_one_epoch_a_phase_in_every_training(module, monkeypatch):
    """What the Colab-versions test relies on: ONEBYONE_EPOCHS=1 reaches every
    function of the experiments' module that takes ``epochs``, so each trains one
    epoch a phase (a network trained through two phases at once, two)."""
    code = importlib.import_module(f"onebyone.experiments.{module}")
    calls = []
    for name, value in vars(code).items():
        trains = inspect.isfunction(value) and not hasattr(value, "experiment")
        if trains and "epochs" in inspect.signature(value).parameters:
            monkeypatch.setattr(code, name, recording_epochs(value, calls))
    for name in ("make_digit_scenes", "make_cell_scenes"):
        if hasattr(code, name):
            monkeypatch.setattr(code, name, few_scenes(getattr(code, name)))
    if hasattr(code, "median_time"):  # timings: no training to count
        monkeypatch.setattr(code, "median_time", lambda *args, **kwargs: 1e-3)
    monkeypatch.setenv(EPOCHS_VARIABLE, "1")
    for run in functions(module).values():
        run(0, "cpu")
    assert {epochs for _, epochs in calls} <= {1, 2}, calls
    assert 1 in {epochs for _, epochs in calls} or not calls, calls


def test_prints_split_by_the_kernel_are_joined_per_stream():
    out = nbformat.v4.new_output
    cell = nbformat.v4.new_code_cell("print('a:', 1)")
    cell.outputs = [
        out("stream", name="stdout", text="a:"),
        out("stream", name="stdout", text=" 1\n"),
        out("stream", name="stderr", text="warning\n"),
        out("stream", name="stdout", text="b\n"),
    ]
    nb = merge_streams(nbformat.v4.new_notebook(cells=[cell]))
    texts = [(o.name, o.text) for o in nb.cells[0].outputs]
    assert texts == [("stdout", "a: 1\n"), ("stderr", "warning\n"), ("stdout", "b\n")]
