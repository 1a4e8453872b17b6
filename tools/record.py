"""Re-record notebook outputs: one clean top-to-bottom run in a fresh kernel.

    python tools/record.py                      # every notebook (make record)
    python tools/record.py notebooks/01-*.ipynb # some of them
    python tools/record.py --no-write ...       # only run them (make bench)

Each notebook runs in an empty folder (as in Colab), after its install cell and
taught helpers are synced, with widget state stored for the static book; cell ids
are kept and widget models numbered in order, so an unchanged notebook changes only
in its measured outputs. Recording uses the processor's own kernels, two threads,
full budgets and this repository's package; ``--no-write`` this environment.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared_code import ROOT, sync  # noqa: E402

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
RECORDING_THREADS = 2  # the tests' workers run one thread each
# Kernel overrides and quick budgets (EPOCHS_VARIABLE, spelled out here: importing
# onebyone.experiments would load torch into a run that only checks notebooks).
DROPPED = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA", "ONEBYONE_EPOCHS")


def recording_env():
    """The processor's own kernels, on RECORDING_THREADS threads, full budgets,
    and this repository's package."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    return env | {"OMP_NUM_THREADS": str(RECORDING_THREADS), "PYTHONPATH": str(ROOT)}


def execute(nb, workdir, env=None):
    """Run a notebook in place, in a fresh kernel started in ``workdir``."""
    client = NotebookClient(
        nb,
        timeout=600,  # seconds a cell may take
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        store_widget_state=True,
        record_timing=False,
    )
    client.execute(**({} if env is None else {"env": env}))


def stable_widget_ids(nb, name):
    """The notebook with its widget models renamed name/0, name/1, ... (as UUIDs):
    Jupyter gives each a random id, which its outputs and state refer to."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    text = json.dumps(nb)  # in the order the models were created, not sorted
    for number, old in enumerate(sorted(state, key=text.index)):
        text = text.replace(old, uuid.uuid5(uuid.NAMESPACE_URL, f"{name}/{number}").hex)
    return nbformat.from_dict(json.loads(text))


def merge_streams(nb):
    """Join each cell's consecutive prints to one stream into one output: where
    the kernel split them changes from run to run (nbval joins them too)."""
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                last is not None
                and output.output_type == last.output_type == "stream"
                and output.name == last.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged
    return nb


def record(path, write=True):
    """Run one notebook; with ``write``, store its outputs. Returns its seconds."""
    if write:
        sync(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        execute(nb, workdir, env=recording_env() if write else None)
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
    parser.add_argument("--no-write", action="store_true", help="only run them")
    args = parser.parse_args()
    for path in args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")):
        seconds = record(path, write=not args.no_write)
        budget = nbformat.read(path, as_version=4).metadata["onebyone"]["budget_s"]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        verb = "ran" if args.no_write else "recorded"
        print(f"{verb} {path.name} in {seconds:.1f} s (budget {budget} s), ", end="")
        print(f"the kernels' peak memory so far {peak:.0f} MiB")


if __name__ == "__main__":
    main()
