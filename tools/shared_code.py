"""Keep each notebook's copy of the shared helpers identical to onebyone/.

    python tools/shared_code.py          # copy onebyone/*.py into the notebooks
    python tools/shared_code.py --check  # exit 1 if any copy has drifted

A notebook cell whose first line is ``# @title Shared code: onebyone/NAME.py``
holds the whole of that file after the marker line, except its imports from the
package itself (``from onebyone.OTHER import ...``): a notebook defines those
names in the cell of onebyone/OTHER.py, which must come earlier.

Where the book hides a shared cell's code (tag ``hide-input``), Colab and
JupyterLab fold it too: Colab shows the ``@title`` line as a form
(``cellView: "form"``), JupyterLab collapses the source (``jupyter.source_hidden``).
"""

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# @title Shared code: "
FOLDED = {"cellView": "form", "jupyter": {"source_hidden": True}}
PACKAGE_IMPORT = re.compile(r"^from onebyone\.(\w+) import .*\n\n?", re.MULTILINE)


def shared_cells(nb):
    """Yield (cell, relative path) for every shared-code cell of a notebook."""
    for cell in nb.cells:
        first_line = cell.source.split("\n", 1)[0]
        if cell.cell_type == "code" and first_line.startswith(MARKER):
            yield cell, first_line.removeprefix(MARKER).strip()


def hidden_in_book(cell):
    return "hide-input" in cell.metadata.get("tags", [])


def is_folded(cell):
    return all(cell.metadata.get(key) == value for key, value in FOLDED.items())


def read_shared(relative_path):
    path = ROOT / relative_path
    if not path.is_file():
        raise FileNotFoundError(
            f"a notebook cell names {relative_path}, which does not exist"
        )
    return path.read_text()


def package_imports(relative_path):
    """The shared files that a shared file imports from the package."""
    text = read_shared(relative_path)
    return [f"onebyone/{name}.py" for name in PACKAGE_IMPORT.findall(text)]


def expected_source(relative_path):
    text = PACKAGE_IMPORT.sub("", read_shared(relative_path))
    return f"{MARKER}{relative_path}\n{text.rstrip()}"


def is_current(cell, relative_path):
    """The copy equals its file, and is folded exactly where the book hides it."""
    return cell.source == expected_source(relative_path) and (
        is_folded(cell) == hidden_in_book(cell)
    )


def drifted(notebook_path):
    """Paths of the shared files whose copy in this notebook is not current."""
    nb = nbformat.read(notebook_path, as_version=4)
    return [rel for cell, rel in shared_cells(nb) if not is_current(cell, rel)]


def missing_imports(notebook_path):
    """(file, import) pairs where a shared file's import has no earlier cell."""
    nb = nbformat.read(notebook_path, as_version=4)
    seen, missing = set(), []
    for _, rel in shared_cells(nb):
        missing += [(rel, dep) for dep in package_imports(rel) if dep not in seen]
        seen.add(rel)
    return missing


def sync(notebook_path):
    """Rewrite the shared cells of one notebook; return True if it changed."""
    nb = nbformat.read(notebook_path, as_version=4)
    changed = False
    for cell, rel in shared_cells(nb):
        if is_current(cell, rel):
            continue
        cell.source, changed = expected_source(rel), True
        for key, value in FOLDED.items():
            if hidden_in_book(cell):
                cell.metadata[key] = value
            else:
                cell.metadata.pop(key, None)
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
        problems = [
            f"drifted from its source: {nb.name}: {rel}"
            for nb in notebooks
            for rel in drifted(nb)
        ] + [
            f"{nb.name}: {rel} needs the cell of {dep} before it"
            for nb in notebooks
            for rel, dep in missing_imports(nb)
        ]
        for problem in problems:
            print(problem)
        sys.exit(1 if problems else 0)
    for nb in notebooks:
        if sync(nb):
            print(
                f"updated {nb.relative_to(ROOT)} (re-record its outputs: make record)"
            )


if __name__ == "__main__":
    main()
