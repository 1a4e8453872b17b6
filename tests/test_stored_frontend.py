"""The JavaScript and CSS that the book runs are the package's own.

A notebook stores each explorer's and self-check's front end (anywidget's `_esm`
and `_css`) in its widget state when it is recorded, and the static book runs that
copy. After an edit to onebyone/frontend/ the JavaScript tests pass on the new files
while the book would still ship the old ones, until the notebooks are re-recorded.
"""

import importlib
import json

import pytest

from conftest import NOTEBOOKS

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def stored_front_ends(notebook):
    """(widget class, _esm, _css) of every anywidget model a notebook stores."""
    nb = json.loads(notebook.read_text())
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return [
        (model["state"]["_anywidget_id"], model["state"]["_esm"],
         model["state"].get("_css", ""))
        for model in state.values()
        if "_esm" in model["state"]
    ]  # fmt: skip


def current(widget_id):
    """The front end a widget class of the package has now."""
    module, _, name = widget_id.rpartition(".")
    widget = getattr(importlib.import_module(module), name)
    return widget._esm, widget._css


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_front_end_is_the_packages(notebook):
    for widget_id, esm, css in stored_front_ends(notebook):
        assert (esm, css) == current(widget_id), (
            f"{widget_id}: its stored front end differs from onebyone/frontend/ "
            "(re-record the notebook: make record)"
        )


def test_a_changed_front_end_file_is_caught(monkeypatch):
    """Edit a frontend file (as the package would read it) and the check fails."""
    from onebyone import explorers, selfcheck

    stored = [
        (notebook, found)
        for notebook in NOTEBOOKS
        for found in stored_front_ends(notebook)
    ]
    assert {widget for _, (widget, _, _) in stored} >= {
        "onebyone.explorers.ConvArithmeticExplorer",
        "onebyone.selfcheck.SelfCheck",
    }
    edited = explorers.front_end_module("conv_arithmetic") + "\n// edited\n"
    monkeypatch.setattr(explorers.ConvArithmeticExplorer, "_esm", edited)
    monkeypatch.setattr(selfcheck.SelfCheck, "_css", "/* edited */")
    caught = [
        widget for _, (widget, esm, css) in stored if (esm, css) != current(widget)
    ]
    assert "onebyone.explorers.ConvArithmeticExplorer" in caught
    assert "onebyone.selfcheck.SelfCheck" in caught
