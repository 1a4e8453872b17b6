"""Every notebook runs under Colab's versions (ipywidgets 7, IPython 7, ...).

The environment is .venv-colab, made by `make test` from requirements-colab.txt.
Outputs are not compared: Colab's versions may print different last digits.
Every cell runs, but every experiment trains 1 epoch in each of its trainings
(ONEBYONE_EPOCHS=1): the main test run already trains the full budgets and compares
what they must show.
"""

import os
import subprocess

import pytest

from conftest import NOTEBOOKS, ROOT

COLAB_PYTHON = ROOT / ".venv-colab" / "bin" / "python"
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


def test_environment_has_the_course_package_and_anywidget(colab_python):
    """Installed as the notebooks' install cell installs it in Colab: the package
    with the one dependency Colab lacks."""
    script = "import anywidget, onebyone; print(onebyone.__file__)"
    where = subprocess.run(
        [colab_python, "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert where == str(ROOT / "onebyone" / "__init__.py")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_with_colab_versions(colab_python, notebook):
    result = subprocess.run(
        [colab_python, RECORD, "--no-write", notebook],
        env={**os.environ, "ONEBYONE_EPOCHS": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
