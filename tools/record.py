"""Re-record notebook outputs: one clean top-to-bottom run in a fresh kernel.

    python tools/record.py                      # every notebook
    python tools/record.py notebooks/01-*.ipynb # some of them
    python tools/record.py --no-write ...       # only check that they run

Each notebook runs in an empty temporary folder (so it cannot lean on sibling
files, just as in Colab), with widget state stored for the static book. Shared
helper cells are synced from onebyone/ first.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared_code import ROOT, sync  # noqa: E402

CELL_TIMEOUT_S = 600


def execute(nb, workdir, env=None):
    """Run a notebook in place, in a fresh kernel started in ``workdir``.

    ``env``: the kernel's environment variables (default: this process's).
    """
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
        store_widget_state=True,
        record_timing=False,
    )
    client.execute(**({} if env is None else {"env": env}))


def record(path, write=True):
    if write:
        sync(path)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        execute(nb, workdir)
    seconds = time.perf_counter() - start
    if write:
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nbformat.write(nb, path)
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
