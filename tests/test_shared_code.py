"""The notebooks import the course's package: one install cell each, from the
repository that _config.yml names, and visible copies only of the helpers a chapter
teaches, equal to their files (tools/shared_code.py)."""

import ast
import shutil
import subprocess
import sys
import tomllib
import types
import zipfile

import nbformat
import pytest
import yaml

from conftest import NOTEBOOKS, PAGE_PYTHON, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import shared_code  # noqa: E402
from shared_code import (  # noqa: E402
    expected_source,
    install_source,
    is_install_cell,
    package_source,
    part_of,
    sections,
    sync,
)

CONV_DIFFERS = "# onebyone/conv.py, part 1 of 2 differs from the file"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def shared_cells(nb):
    """(cell, relative path) for every taught-helper cell of a notebook."""
    return [(cell, part[0]) for cell in nb.cells if (part := part_of(cell))]


def package_imports_of(source):
    """{name: file} for what Python source imports from the package."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "onebyone."
        ):
            relative = node.module.replace(".", "/")
            path = (
                f"{relative}/__init__.py"
                if (ROOT / relative).is_dir()
                else f"{relative}.py"
            )
            found |= {alias.asname or alias.name: path for alias in node.names}
    return found


def load(notebook):
    return nbformat.read(notebook, as_version=4)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_install_cell_and_taught_helpers_match_their_sources(notebook):
    assert sync(notebook, write=False) == [], "run `make sync`, then `make record`"


def test_the_package_comes_from_the_repository_a_fork_names_at_a_version():
    """The install cell names the version the pages were recorded with, as a tag,
    never a branch, whose code may have moved on."""
    repository = CONFIG["repository"]
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert package_source() == f"git+{repository['url']}@v{version}"
    fork = {"repository": {"url": "https://github.com/someone/fork", "branch": "dev"}}
    assert '"git+https://github.com/someone/fork@v1.2.3"' in install_source(
        fork, "1.2.3"
    )


def test_the_colab_buttons_open_the_tag_the_install_cells_install(tmp_path):
    """The theme's Colab buttons and the Colab copies' links open the notebooks at
    repository.branch: the tag of the version, so that notebook and package agree
    in Colab; `make sync` writes it."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert CONFIG["repository"]["branch"] == f"v{version}", "run `make sync`"
    for name in ("_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text().replace(version, "9.9.9", 1)
    )
    assert shared_code.sync_config(tmp_path)
    assert (
        yaml.safe_load((tmp_path / "_config.yml").read_text())["repository"]["branch"]
        == "v9.9.9"
    )


def run_install_cell(found):
    """Run the install cell's code with pip replaced by a recorder."""
    calls = []
    fake_util = types.SimpleNamespace(find_spec=lambda name: found)
    fake_importlib = types.SimpleNamespace(util=fake_util, invalidate_caches=list)
    fake_subprocess = types.SimpleNamespace(run=lambda *a, **k: calls.append((a, k)))
    tree = ast.parse(install_source())
    tree.body = [n for n in tree.body if not isinstance(n, ast.Import)]
    namespace = {"importlib": fake_importlib, "subprocess": fake_subprocess}
    exec(compile(tree, "install cell", "exec"), {**namespace, "sys": sys})
    return calls


def test_the_install_cell_installs_only_where_the_package_is_missing():
    assert run_install_cell(found=object()) == []
    [(args, kwargs)] = run_install_cell(found=None)
    command = [sys.executable, "-m", "pip", "install", "-q", package_source()]
    assert args == (command,) and kwargs == {"check": True}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_first_code_cell_installs_and_the_helpers_are_imported(notebook):
    code = [cell for cell in load(notebook).cells if cell.cell_type == "code"]
    assert is_install_cell(code[0])
    assert "from onebyone." in code[1].source  # the one imports cell


def test_a_taught_file_is_shown_without_its_imports():
    imported = package_imports_of((ROOT / "onebyone/fcn.py").read_text())
    assert set(imported.values()) == {"onebyone/upsampling.py"}
    shown = "\n".join(sections("onebyone/fcn.py"))
    assert "import" not in shown
    assert "bilinear_upsampler(" in shown
    assert expected_source("onebyone/fcn.py", 2).startswith(
        "# onebyone/fcn.py, part 2 of 3\ndef encode("
    )


def test_a_drifted_copy_is_detected_and_synced(tmp_path):
    notebook = NOTEBOOKS[0]
    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    nb = load(copy)
    cell, _ = shared_cells(nb)[0]
    cell.source += "\n# an edit made in the notebook instead of the file"
    nbformat.write(nb, copy)
    assert sync(copy, write=False) == [CONV_DIFFERS]
    assert sync(copy) and sync(copy, write=False) == []


def test_parts_out_of_order_are_detected(tmp_path):
    notebook = next(nb for nb in NOTEBOOKS if "fcn" in nb.name)
    nb = load(notebook)
    first, second = [
        i for i, c in enumerate(nb.cells) if "onebyone/fcn.py, part" in c.source
    ][:2]
    nb.cells[first], nb.cells[second] = nb.cells[second], nb.cells[first]
    copy = tmp_path / notebook.name
    nbformat.write(nb, copy)
    problems = sync(copy, write=False)
    assert "onebyone/fcn.py: not every part, in order: [2, 1, 3]" in problems


def test_a_folded_copy_is_compared_too(tmp_path):
    notebook = NOTEBOOKS[0]
    nb = load(notebook)
    cell, _ = shared_cells(nb)[0]
    cell.metadata["tags"] = ["hide-input"]
    cell.source += "\n# an edit"
    copy = tmp_path / notebook.name
    nbformat.write(nb, copy)
    assert sync(copy, write=False) == [CONV_DIFFERS]


def test_editing_a_helper_that_no_chapter_shows_changes_no_notebook(
    tmp_path, monkeypatch
):
    """Only the taught files are copied: an edit to any other file of the package
    leaves every notebook as it is."""
    shutil.copytree(ROOT / "onebyone", tmp_path / "onebyone")
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    taught = {rel for nb in NOTEBOOKS for _, rel in shared_cells(load(nb))}
    for path in (tmp_path / "onebyone").glob("*.py"):
        if f"onebyone/{path.name}" not in taught:
            path.write_text(path.read_text() + "\n\ndef edited():\n    return 1\n")
    monkeypatch.setattr(shared_code, "ROOT", tmp_path)
    for notebook in NOTEBOOKS:
        copy = tmp_path / notebook.name
        shutil.copy(notebook, copy)
        assert not sync(copy), notebook.name


def test_every_file_of_the_package_is_used():
    """By a chapter, or by the Python of a page of the book."""
    used = set()
    for page in (ROOT / "book").glob("*.md"):
        used |= set(
            package_imports_of(
                "\n".join(PAGE_PYTHON.findall(page.read_text()))
            ).values()
        )
    for notebook in NOTEBOOKS:
        for cell in load(notebook).cells:
            if part := part_of(cell):
                used.add(part[0])
            elif cell.cell_type == "code":
                used |= set(package_imports_of(cell.source).values())
    modules = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "onebyone").rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }
    assert modules <= used, f"in no notebook: {sorted(modules - used)}"


def defined_names(source):
    """The names Python source defines at its top level (imports left out)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


PACKAGE_FUNCTIONS = {
    node.name
    for path in (ROOT / "onebyone").glob("*.py")
    for node in ast.parse(path.read_text()).body
    if isinstance(node, ast.FunctionDef | ast.ClassDef)
}


def imported_names(source):
    return {
        alias.asname or alias.name
        for node in ast.parse(source).body
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("onebyone")
        for alias in node.names
    }


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_no_lesson_cell_copies_or_shadows_a_helper(notebook):
    """A lesson cell that defines a function of the package is a hidden copy; one
    that assigns a name the notebook imports from it changes what the helpers mean."""
    cells = [c for c in load(notebook).cells if c.cell_type == "code"]
    imported = set().union(*(imported_names(c.source) for c in cells))
    for cell in cells:
        if not part_of(cell):
            defined = defined_names(cell.source)
            clash = defined & imported | {n for n in defined if n in PACKAGE_FUNCTIONS}
            assert not clash, f"a lesson cell defines {sorted(clash)}: {cell.source}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_taught_parts_are_short(notebook):
    """A shown helper reads as the algorithm, about 25 lines a cell; argument
    checks live in the package. A part that is one class or function, which a
    cell cannot split, may be longer."""
    for cell in load(notebook).cells:
        if part := part_of(cell):
            body = ast.parse(cell.source).body
            whole = len(body) == 1 and isinstance(
                body[0], ast.ClassDef | ast.FunctionDef
            )
            most = 55 if whole else 30
            assert len(cell.source.splitlines()) <= most, part


@pytest.mark.slow
def test_the_package_builds_a_wheel_with_its_javascript(tmp_path):
    """What pip installs in Colab: every module and the explorers' front end.
    (pip fetches the build backend that pyproject.toml pins.)"""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
    command += ["--wheel-dir", str(tmp_path), str(ROOT)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "onebyone").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".js", ".css"):
            assert path.relative_to(ROOT).as_posix() in names
