"""Run the training chapters on a CUDA GPU and report what they measure.

    python tools/gpu.py                           # every notebook that trains
    python tools/gpu.py notebooks/07-u-net.ipynb  # some of them
    python tools/gpu.py --cpu                     # try the tool where no GPU is

Each notebook runs top to bottom in a fresh kernel in an empty folder, as the
tests run it. Its setup cell picks the GPU, and its training cells train the same
budget as on a CPU, with mixed precision there. The tool prints what each
notebook's measured cells printed (epochs, seconds, images per second, mean IoU
per network) and its verdicts, with the time the whole notebook took, and exits 1
when no CUDA device is found (unless ``--cpu``) or when a verdict fails. Nothing is
written back: the stored outputs come from a CPU (tools/record.py), and the bounds
of the verdicts from the measured spread (tools/spread.py).
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import execute  # noqa: E402
from shared_code import ROOT  # noqa: E402
from spread import has_measured_results, lesson_cells  # noqa: E402

MEASURED_TAG = "nbval-ignore-output"
VERDICT_LINE = re.compile(r"^.* [≥≤] \S+: (True|False)$")


def printed(cell):
    return "".join(out.get("text", "") for out in cell.get("outputs", []))


def report(nb):
    """The lines a notebook's measured cells and verdicts printed."""
    lines = []
    for cell in lesson_cells(nb):
        text = printed(cell)
        if MEASURED_TAG in cell.metadata.get("tags", []):
            lines += text.splitlines()
        else:
            lines += [line for line in text.splitlines() if VERDICT_LINE.match(line)]
    return lines


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument(
        "--cpu", action="store_true", help="run even where no CUDA device is found"
    )
    args = parser.parse_args()
    if torch.cuda.is_available():
        print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    elif args.cpu:
        print(f"no CUDA device: running on the CPU, torch {torch.__version__}")
    else:
        sys.exit(
            "no CUDA device found (torch.cuda.is_available() is False). This "
            "command is for a machine with an NVIDIA GPU and a CUDA build of torch; "
            "add --cpu to try it here anyway."
        )
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    paths = args.notebooks or [p for p in notebooks if has_measured_results(p)]
    failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as workdir:
            execute(nb, workdir)
        print(f"\n{path.name}: {time.perf_counter() - start:.0f} s in all")
        for line in report(nb):
            print(f"  {line}")
            failed += line.endswith(": False")
    print(f"\n{failed} verdicts failed" if failed else "\nevery verdict holds")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
