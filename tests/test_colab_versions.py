"""Every notebook runs under Colab's versions (ipywidgets 7, IPython 7, ...).

The environment is .venv-colab, made by `make test` from requirements-colab.txt;
as in Colab, it lacks the course's package: the notebooks' runs import it from this
repository, and one test installs it as the install cell does.
Outputs are not compared: Colab's versions may print different last digits.
Every cell runs, but every experiment trains 1 epoch in each of its trainings
(ONEBYONE_EPOCHS=1): the main test run already trains the full budgets and compares
what they must show.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from shared_code import release_tag  # noqa: E402

COLAB_PYTHON = ROOT / ".venv-colab" / "bin" / "python"
BUILD_BACKEND = ROOT / ".venv-colab" / "build-backend"  # hatchling's wheels (Makefile)
RECORD = ROOT / "tools" / "record.py"


@pytest.fixture(scope="module")
def colab_python():
    if not COLAB_PYTHON.exists():
        message = "no .venv-colab: `make test` creates it from requirements-colab.txt"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return COLAB_PYTHON


def test_environment_has_colab_widgets(colab_python):
    version = subprocess.run(
        [colab_python, "-c", "import ipywidgets; print(ipywidgets.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "7.7.1"


def test_environment_has_anywidget_and_not_the_course_package(colab_python, tmp_path):
    """As in Colab, the course's package is missing until the install cell runs."""
    script = (
        "import anywidget, importlib.util; print(importlib.util.find_spec('onebyone'))"
    )
    found = subprocess.run(
        [colab_python, "-c", script],
        cwd=tmp_path,  # not this folder, which holds the package
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found == "None", "an old .venv-colab holds onebyone: remove it, make test"


def test_the_install_cell_installs_the_release_as_in_colab(colab_python, tmp_path):
    """A reader's first cells in Colab, offline: a fresh environment with Colab's
    packages, the install cell with its repository pointed at a local one that
    holds the tag it names (the package as it is here), then the imports and the
    setup of chapter 1, from the package that pip installed."""
    repository = tmp_path / "repository"
    files = subprocess.run(
        ["git", "ls-files", "pyproject.toml", "onebyone"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for name in files:
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, repository / name)
    for command in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=r", "-c", "user.email=r@r", "commit", "-qm", "release"],
        ["tag", release_tag()],
    ):
        subprocess.run(["git", *command], cwd=repository, check=True)
    colab = tmp_path / "colab"
    # Its pip and setuptools are Colab's, from the packages below, as in Colab.
    subprocess.run([colab_python, "-m", "venv", "--without-pip", colab], check=True)
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    preinstalled, site = (
        subprocess.run(
            [python, "-c", where], capture_output=True, text=True
        ).stdout.strip()
        for python in (colab_python, colab / "bin" / "python")
    )
    Path(site, "colab-preinstalled.pth").write_text(preinstalled + "\n")
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    code = [
        c.source for c in nbformat.read(NOTEBOOKS[0], 4).cells if c.cell_type == "code"
    ]
    install, *first = code[:3]
    assert f'"git+{url}@{release_tag()}"' in install
    script = "\n".join([install.replace(url, repository.as_uri()), *first])
    script += "\nimport onebyone\nprint(onebyone.__file__)"
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(BUILD_BACKEND)}
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [colab / "bin" / "python", "-c", script],
        cwd=tmp_path, env=env | offline, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1].startswith(site)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_with_colab_versions(colab_python, notebook):
    result = subprocess.run(
        [colab_python, RECORD, "--no-write", notebook],
        env={**os.environ, "ONEBYONE_EPOCHS": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
