"""Keep each notebook's copy of the shared helpers identical to onebyone/.

    python tools/shared_code.py          # copy onebyone/*.py into the notebooks
    python tools/shared_code.py --check  # exit 1 if any copy has drifted

A notebook cell whose first line is ``# Shared code: onebyone/NAME.py`` holds
the whole of that file after the marker line.
"""

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# Shared code: "


def shared_cells(nb):
    """Yield (cell, relative path) for every shared-code cell of a notebook."""
    for cell in nb.cells:
        first_line = cell.source.split("\n", 1)[0]
        if cell.cell_type == "code" and first_line.startswith(MARKER):
            yield cell, first_line.removeprefix(MARKER).strip()


def expected_source(relative_path):
    path = ROOT / relative_path
    if not path.is_file():
        raise FileNotFoundError(
            f"a notebook cell names {relative_path}, which does not exist"
        )
    return f"{MARKER}{relative_path}\n{path.read_text().rstrip()}"


def drifted(notebook_path):
    """Paths of the shared files whose copy in this notebook differs."""
    nb = nbformat.read(notebook_path, as_version=4)
    return [
        rel for cell, rel in shared_cells(nb) if cell.source != expected_source(rel)
    ]


def sync(notebook_path):
    """Rewrite the shared cells of one notebook; return True if it changed."""
    nb = nbformat.read(notebook_path, as_version=4)
    changed = False
    for cell, rel in shared_cells(nb):
        source = expected_source(rel)
        if cell.source != source:
            cell.source, changed = source, True
    if changed:
        nbformat.write(nb, notebook_path)
    return changed


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="report drift instead of fixing it"
    )
    args = parser.parse_args()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.check:
        problems = [f"{nb.name}: {rel}" for nb in notebooks for rel in drifted(nb)]
        for problem in problems:
            print(f"drifted from its source: {problem}")
        sys.exit(1 if problems else 0)
    for nb in notebooks:
        if sync(nb):
            print(
                f"updated {nb.relative_to(ROOT)} (re-record its outputs: make record)"
            )


if __name__ == "__main__":
    main()
