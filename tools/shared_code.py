"""Keep the notebooks' cells that come from elsewhere in step with their source.

    python tools/shared_code.py          # rewrite the cells that have drifted
    python tools/shared_code.py --check  # exit 1 if any has drifted

The notebooks import their helpers from the course's package, ``onebyone``
(installed by requirements.txt). Two kinds of cell are not written in the notebook:

- **The install cell**, each notebook's first code cell. Where the package is
  missing (Colab, or a notebook downloaded from the book), it installs the package
  from the book's repository (``repository.url`` in _config.yml, the one place a
  fork changes), at the tag of the package's version (``v`` and the version in
  pyproject.toml), the code the pages were recorded with. In Colab it also turns on
  the support for third-party widgets that the explorers need. It is folded
  everywhere.
- **A taught helper**: where a chapter teaches a file of the package, visible cells
  show that file, without its imports (the notebook's imports cell holds them). A
  file split by lines ``# %%`` is shown in as many cells, in order, with prose
  between them; each starts with the line ``# onebyone/NAME.py, part I of N``
  (``# onebyone/NAME.py`` for a file in one piece). Later chapters import it.

Where the book hides a cell's code (tag ``hide-input``), Colab and JupyterLab fold it
too: Colab shows the ``@title`` line as a form (``cellView: "form"``), JupyterLab
collapses the source (``jupyter.source_hidden``).
"""

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PART = re.compile(r"^# (onebyone/[\w/]+\.py)(?:, part (\d+) of (\d+))?$")
SECTION = re.compile(r"^# %%$", re.MULTILINE)
INSTALL_TITLE = "# @title Install the course's package where it is missing (Colab)"
FOLDED = {"cellView": "form", "jupyter": {"source_hidden": True}}
PACKAGE_IMPORT = re.compile(r"^from (onebyone\.[\w.]+) import .*\n\n?", re.MULTILINE)


def package_version():
    """The package's version, written once: in pyproject.toml."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def package_source(config=None, version=None):
    """What pip installs the package from: the book's repository, at the tag of
    the version whose outputs the pages show (``v`` and pyproject.toml's version)."""
    if config is None:
        import yaml  # here: tools/record.py runs in the Colab-like environment too

        config = yaml.safe_load((ROOT / "_config.yml").read_text())
    return f"git+{config['repository']['url']}@v{version or package_version()}"


def install_source(config=None, version=None):
    """The text of every notebook's install cell."""
    return f"""{INSTALL_TITLE}
import importlib.util
import subprocess
import sys

PACKAGE = "{package_source(config, version)}"
if importlib.util.find_spec("onebyone") is None:  # Colab, or a downloaded notebook
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", PACKAGE], check=True)
    importlib.invalidate_caches()
if "google.colab" in sys.modules:  # Colab draws third-party widgets only this way
    from google.colab import output

    output.enable_custom_widget_manager()"""


def is_install_cell(cell):
    return cell.cell_type == "code" and cell.source.startswith(INSTALL_TITLE)


def part_of(cell):
    """(relative path, part, parts) for a taught-helper cell, else None."""
    if cell.cell_type != "code":
        return None
    match = PART.match(cell.source.split("\n", 1)[0])
    if match is None:
        return None
    path, part, parts = match.groups()
    return path, int(part or 1), int(parts or 1)


def shared_cells(nb):
    """Yield (cell, relative path) for every taught-helper cell of a notebook."""
    for cell in nb.cells:
        if part := part_of(cell):
            yield cell, part[0]


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


def module_file(module):
    """The file of a module of the package: onebyone/x.py, or a package's
    onebyone/x/__init__.py."""
    relative = module.replace(".", "/")
    if (ROOT / relative).is_dir():
        return f"{relative}/__init__.py"
    return f"{relative}.py"


def package_imports(relative_path):
    """The package's files that one of its files imports."""
    text = read_shared(relative_path)
    return [module_file(module) for module in PACKAGE_IMPORT.findall(text)]


def sections(relative_path):
    """The file without its imports (the notebook's imports cell holds them), in
    the pieces that its ``# %%`` lines separate."""
    text = read_shared(relative_path)
    lines = text.splitlines()
    for node in reversed(ast.parse(text).body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            del lines[node.lineno - 1 : node.end_lineno]
    pieces = SECTION.split("\n".join(lines))
    return [re.sub(r"\n{3,}", "\n\n\n", piece).strip() for piece in pieces]


def title(relative_path, part, parts):
    return f"# {relative_path}" + (f", part {part} of {parts}" if parts > 1 else "")


def expected_source(relative_path, part=1):
    pieces = sections(relative_path)
    return f"{title(relative_path, part, len(pieces))}\n{pieces[part - 1]}"


def is_current(cell):
    """The copy equals its part of the file, and is visible (a helper that the
    book would hide is imported instead)."""
    relative_path, part, parts = part_of(cell)
    pieces = sections(relative_path)
    return (
        parts == len(pieces)
        and cell.source == expected_source(relative_path, part)
        and not hidden_in_book(cell)
    )


def install_problems(nb):
    """What is wrong with a notebook's install cell, in words."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    installs = [cell for cell in code if is_install_cell(cell)]
    if len(installs) != 1 or code[0] is not installs[0]:
        return ["the install cell must be the first code cell, and the only one"]
    cell = installs[0]
    problems = []
    if cell.source != install_source():
        problems.append("the install cell differs from tools/shared_code.py's")
    if not (hidden_in_book(cell) and is_folded(cell)):
        problems.append("the install cell must be folded (hide-input, form)")
    return problems


def drifted(notebook_path):
    """What in this notebook is not current: the install cell, taught copies."""
    nb = nbformat.read(notebook_path, as_version=4)
    problems = install_problems(nb)
    shown = {}
    for cell in nb.cells:
        if part := part_of(cell):
            shown.setdefault(part[0], []).append(part[1])
            if hidden_in_book(cell):
                problems.append(f"{title(*part)} is hidden: import it")
            elif not is_current(cell):
                problems.append(f"{title(*part)} differs from the file")
    for relative_path, parts in shown.items():
        if parts != list(range(1, len(sections(relative_path)) + 1)):
            problems.append(f"{relative_path}: not every part, in order: {parts}")
    return problems


def _imported_modules(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {
        module_file(node.module)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("onebyone.")
    }


def imported_names(relative_path):
    """{name: file} for the names a file of the package imports from the package."""
    names = {}
    for node in ast.parse(read_shared(relative_path)).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "onebyone."
        ):
            for alias in node.names:
                names[alias.asname or alias.name] = module_file(node.module)
    return names


def missing_imports(notebook_path):
    """(file, import) pairs where a part of a taught file uses a name that the file
    imports from the package, and no earlier cell imports or shows that module."""
    nb = nbformat.read(notebook_path, as_version=4)
    seen, missing = set(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if part := part_of(cell):
            rel = part[0]
            imported = imported_names(rel)
            used = {
                n.id
                for n in ast.walk(ast.parse(cell.source))
                if isinstance(n, ast.Name)
            }
            missing += [
                (rel, imported[name])
                for name in used & set(imported)
                if imported[name] not in seen
            ]
            seen.add(rel)
        else:
            seen |= _imported_modules(cell.source)
    return sorted(set(missing))


def sync(notebook_path):
    """Rewrite the install cell and the taught copies; return True if it changed.

    A file that gained or lost a ``# %%`` line needs its cells added or removed
    by hand (with the prose between them); ``--check`` says which.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    changed = False
    for cell in nb.cells:
        if is_install_cell(cell) and cell.source != install_source():
            cell.source, changed = install_source(), True
        part = part_of(cell)
        if part and part[2] == len(sections(part[0])) and not is_current(cell):
            cell.source, changed = expected_source(part[0], part[1]), True
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
            f"{nb.name}: not current: {x}" for nb in notebooks for x in drifted(nb)
        ] + [
            f"{nb.name}: {rel} needs {dep} imported before it"
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
