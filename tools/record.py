"""Re-record notebook outputs: one clean top-to-bottom run in a fresh kernel.

    python tools/record.py                      # every notebook
    python tools/record.py notebooks/01-*.ipynb # some of them
    python tools/record.py --no-write ...       # only check that they run
    ONEBYONE_EPOCHS=1 python tools/record.py --no-write ...  # training 1 epoch

Each notebook runs in an empty temporary folder (so it cannot lean on sibling
files, just as in Colab), with widget state stored for the static book. Its install
cell and the cells of the helpers it teaches are synced first
(tools/shared_code.py). Cell ids are kept, and widget models are renamed in the
order they appear, so that re-recording an unchanged notebook changes nothing but
its measured outputs.

Outputs are recorded as a reader's machine computes them: on the processor's own
CPU kernels, with two threads (``RECORDING_THREADS``; any kernel override in the
environment is dropped). ``make test`` runs every notebook on one thread
(conftest.py), which splits the arithmetic differently, so a compared output that
depends on how the machine adds numbers fails there (book/reproducibility.md).

Where the environment sets ONEBYONE_EPOCHS, every experiment trains that many
epochs in each of its trainings (onebyone/experiments/): every cell still runs, in a
fraction of the time, but the measured results are not the book's. The
Colab-versions test sets 1 (the main test run trains the full budgets); such runs
are never recorded.
"""

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared_code import ROOT, sync  # noqa: E402

CELL_TIMEOUT_S = 600
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
RECORDING_THREADS = 2  # the tests' workers run one thread each
KERNEL_OVERRIDES = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")


def recording_env():
    """The processor's own kernels, on RECORDING_THREADS threads, full budgets."""
    # Imported here: a run that only checks (--no-write) need not load torch.
    from onebyone.experiments import EPOCHS_VARIABLE

    dropped = (*KERNEL_OVERRIDES, EPOCHS_VARIABLE)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "OMP_NUM_THREADS": str(RECORDING_THREADS)}


def execute(nb, workdir, env=None, cell_timeout_s=CELL_TIMEOUT_S):
    """Run a notebook in place, in a fresh kernel started in ``workdir``.

    ``env``: the kernel's environment variables (default: this process's).
    """
    client = NotebookClient(
        nb,
        timeout=cell_timeout_s,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        store_widget_state=True,
        record_timing=False,
    )
    client.execute(**({} if env is None else {"env": env}))


def stable_widget_ids(nb, name):
    """The notebook with its widget models renamed name/0, name/1, ... (as UUIDs).

    Jupyter gives every widget model a random id; the outputs and the stored
    widget state refer to models by it. Numbering them in order of first
    appearance gives the same ids on every run.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    text = json.dumps(nb)  # in the order the models were created, not sorted
    for number, old in enumerate(sorted(state, key=text.index)):
        text = text.replace(old, uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{number}").hex)
    return nbformat.from_dict(json.loads(text))


def merge_streams(nb):
    """Join each cell's consecutive prints to one stream into one output.

    How a cell's printed text is split into outputs depends on when the kernel
    flushed it, which changes from run to run; nbval joins them before comparing.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.outputs:
            previous = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and previous is not None
                and previous.output_type == "stream"
                and previous.name == output.name
            ):
                previous.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged
    return nb


def record(path, write=True):
    if write:
        sync(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    env = recording_env() if write else None
    with tempfile.TemporaryDirectory() as workdir:
        execute(nb, workdir, env=env)
    seconds = time.perf_counter() - start
    if write:
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(stable_widget_ids(merge_streams(nb), path.stem), path)
    return seconds


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--no-write", action="store_true", help="run the notebooks but keep the files"
    )
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        seconds = record(path, write=not args.no_write)
        verb = "ran" if args.no_write else "recorded"
        print(f"{verb} {path.name} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
