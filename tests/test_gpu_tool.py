"""tools/gpu.py: what it reports from an executed notebook."""

import sys

import nbformat

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import gpu  # noqa: E402


def cell(source, text, tags=()):
    new = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)})
    new.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return new


def test_reports_measured_cells_and_verdicts_only():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        cell("print(shape)", "shape: (2, 3)\n"),
        cell("train(...)", "FCN+2: 3 epochs in 2 s\n", ["nbval-ignore-output"]),
        cell("verdict(...)", "FCN+2 mean IoU ≥ 0.85: True\nnot a verdict\n"),
        cell("verdict(...)", "gain ≤ 0.03: False\n"),
    ]
    assert gpu.report(nb) == [
        "FCN+2: 3 epochs in 2 s",
        "FCN+2 mean IoU ≥ 0.85: True",
        "gain ≤ 0.03: False",
    ]
