"""Re-recording an unchanged notebook gives the same file; the one-epoch mode."""

import re
import sys
import uuid

import nbformat

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from record import (  # noqa: E402
    WIDGET_STATE,
    merge_streams,
    stable_widget_ids,
    train_one_epoch,
)


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


def test_the_one_epoch_mode_reaches_every_training_notebook():
    """The Colab-versions test trains 1 epoch: each training budget must be seen."""
    trains = {}
    for notebook in NOTEBOOKS:
        nb = nbformat.read(notebook, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        # It trains: an optimizer steps here, or the package's training loop runs.
        if re.search(r"\.step\((optimizer)?\)|\btrain(_digit_classifier)?\(", code):
            trains[notebook.name] = train_one_epoch(nb)
    assert len(trains) >= 4
    assert all(trains.values()), trains


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
