"""Every notebook's copy of a shared helper equals its file in onebyone/."""

import ast
import shutil
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from shared_code import (  # noqa: E402
    FOLDED,
    MARKER,
    drifted,
    expected_source,
    hidden_in_book,
    is_folded,
    missing_imports,
    package_imports,
    shared_cells,
    sync,
)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_shared_cells_match_their_source(notebook):
    assert drifted(notebook) == [], "run `make sync`, then `make record`"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_do_not_import_the_package(notebook):
    """Colab opens the notebook alone: the package is not there to import."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "import onebyone" not in cell.source
            assert "from onebyone" not in cell.source


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_package_imports_come_from_earlier_cells(notebook):
    assert missing_imports(notebook) == []


def test_package_imports_are_left_out_of_the_copy():
    assert package_imports("onebyone/fcn.py") == ["onebyone/upsampling.py"]
    copy = expected_source("onebyone/fcn.py")
    assert "onebyone." not in copy
    assert "bilinear_upsampler(" in copy


def test_a_missing_dependency_is_detected(tmp_path):
    notebook = next(nb for nb in NOTEBOOKS if "fcn" in nb.name)
    nb = nbformat.read(notebook, as_version=4)
    upsampling_cell = f"{MARKER}onebyone/upsampling.py"
    nb.cells = [c for c in nb.cells if not c.source.startswith(upsampling_cell)]
    copy = tmp_path / notebook.name
    nbformat.write(nb, copy)
    assert missing_imports(copy) == [("onebyone/fcn.py", "onebyone/upsampling.py")]


def test_a_drifted_copy_is_detected(tmp_path):
    notebook = NOTEBOOKS[0]
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    nb = nbformat.read(copy, as_version=4)
    cell, relative_path = next(shared_cells(nb))
    cell.source += "\n# an edit made in the notebook instead of the file"
    nbformat.write(nb, copy)
    assert drifted(copy) == [relative_path]


def test_a_copy_left_unfolded_is_detected_and_folded_by_sync(tmp_path):
    """Colab and JupyterLab fold the helper cells that the book hides."""
    notebook = next(nb for nb in NOTEBOOKS if "u-net" in nb.name)
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    nb = nbformat.read(copy, as_version=4)
    cell, relative_path = next(c for c in shared_cells(nb) if hidden_in_book(c[0]))
    for key in FOLDED:
        del cell.metadata[key]
    nbformat.write(nb, copy)
    assert drifted(copy) == [relative_path]
    assert sync(copy)
    nb = nbformat.read(copy, as_version=4)
    cell = next(c for c, rel in shared_cells(nb) if rel == relative_path)
    assert is_folded(cell) and cell.source.startswith("# @title ")
    assert drifted(copy) == []


def test_every_shared_module_is_used():
    used = {
        rel
        for notebook in NOTEBOOKS
        for _, rel in shared_cells(nbformat.read(notebook, as_version=4))
    }
    modules = {
        f"onebyone/{path.name}"
        for path in (ROOT / "onebyone").glob("*.py")
        if path.name != "__init__.py"
    }
    assert modules <= used, f"not in any notebook: {sorted(modules - used)}"
    assert all(rel.startswith("onebyone/") for rel in used), MARKER


def defined_names(relative_path):
    """The names a shared file defines at its top level (imports left out)."""
    return defined_names_in((ROOT / relative_path).read_text())


def defined_names_in(source):
    """The names Python source defines at its top level (imports left out)."""
    tree = ast.parse(source)
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_shared_cells_do_not_redefine_each_others_names(notebook):
    """A notebook runs its shared cells in one namespace: a name that two files
    define would silently take the later file's value in the earlier one's code."""
    seen = {}
    for _, rel in shared_cells(nbformat.read(notebook, as_version=4)):
        for name in defined_names(rel):
            assert name not in seen, f"{name} is defined in {seen[name]} and {rel}"
            seen[name] = rel


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_lessons_do_not_redefine_shared_names(notebook):
    """A lesson cell that assigns a shared name changes what the helpers use."""
    nb = nbformat.read(notebook, as_version=4)
    shared = {id(cell): rel for cell, rel in shared_cells(nb)}
    names = set().union(*(defined_names(rel) for rel in shared.values()))
    for cell in nb.cells:
        if cell.cell_type == "code" and id(cell) not in shared:
            clash = defined_names_in(cell.source) & names
            assert not clash, f"a lesson cell redefines {sorted(clash)}: {cell.source}"
