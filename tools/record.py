"""Re-record notebook outputs: one clean top-to-bottom run in a fresh kernel.

    python tools/record.py                      # every notebook
    python tools/record.py notebooks/01-*.ipynb # some of them
    python tools/record.py --no-write ...       # only check that they run
    python tools/record.py --no-write --one-epoch ...  # the same, training 1 epoch

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

``--one-epoch`` sets every ``EPOCHS = <n>`` line (any name ending in EPOCHS) to 1:
every cell still runs, in a fraction of the time, but the measured results are
not the book's. The Colab-versions test uses it (the main test run trains the
full budgets); it cannot be combined with writing the outputs.
"""

import argparse
import json
import os
import re
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
EPOCHS_LINE = re.compile(r"^(\w*EPOCHS) = \d+$", re.MULTILINE)


def recording_env():
    """The processor's own kernels, on RECORDING_THREADS threads."""
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_OVERRIDES}
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


def train_one_epoch(nb):
    """Set the notebook's epoch counts to 1; return how many lines changed."""
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source, count = EPOCHS_LINE.subn(r"\1 = 1", cell.source)
            changed += count
    return changed


def record(path, write=True, one_epoch=False):
    if write and one_epoch:
        raise ValueError("one-epoch runs are for checking; they are never recorded")
    if write:
        sync(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    if one_epoch:
        train_one_epoch(nb)
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
    parser.add_argument(
        "--one-epoch", action="store_true", help="train 1 epoch (with --no-write)"
    )
    args = parser.parse_args()
    if args.one_epoch and not args.no_write:
        parser.error("--one-epoch runs are never recorded: add --no-write")
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        seconds = record(path, write=not args.no_write, one_epoch=args.one_epoch)
        verb = "ran" if args.no_write else "recorded"
        print(f"{verb} {path.name} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
