"""How `make test` shares the tests between its workers (the root conftest.py)."""

import importlib.util
import json
import subprocess
import sys

import pytest

from conftest import NOTEBOOKS, ROOT

_spec = importlib.util.spec_from_file_location("scheduling", ROOT / "conftest.py")
scheduling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scheduling)

COLAB_RUN = "tests/test_colab_versions.py::test_notebook_runs_with_colab_versions"


def test_a_notebooks_cells_are_one_unit_and_so_are_a_modules_tests():
    first = scheduling.unit_of("notebooks/07-u-net.ipynb::Cell 0")
    assert first == scheduling.unit_of("notebooks/07-u-net.ipynb::Cell 31")
    assert first == "notebooks/07-u-net.ipynb"
    test = "tests/test_browser.py::test_math_is_typeset_on_chapter_1"
    assert scheduling.unit_of(test) == "tests/test_browser.py"


def test_each_colab_versions_run_is_a_unit_of_its_own():
    runs = [f"{COLAB_RUN}[{path.name}]" for path in NOTEBOOKS]
    assert [scheduling.unit_of(run) for run in runs] == runs


def test_the_longest_units_come_first_and_keep_their_cells_in_order():
    class Item:
        def __init__(self, nodeid):
            self.nodeid = nodeid

    seconds = json.loads(scheduling.DURATIONS.read_text())
    longest = max(seconds, key=seconds.get)
    nodeids = ["tests/test_conv.py::test_a", f"{longest}::a", f"{longest}::b"]
    items = [Item(nodeid) for nodeid in nodeids]
    scheduling.pytest_collection_modifyitems(items)
    assert [item.nodeid for item in items] == nodeids[1:] + nodeids[:1]


@pytest.mark.slow  # it trains or starts Python
def test_the_durations_are_written_by_a_run(tmp_path):
    """`make durations` is a whole run with --store-durations; here, a small one
    that writes its durations where the root conftest.py is."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "conftest.py").write_text((ROOT / "conftest.py").read_text())
    (tmp_path / "tests" / "test_slow.py").write_text(
        "import time\n\ndef test_one():\n    time.sleep(1.1)\n\n"
        "def test_two():\n    time.sleep(0.5)\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["--store-durations", "-c", "/dev/null", "--rootdir", str(tmp_path)]
    subprocess.run([*command, "tests"], cwd=tmp_path, check=True, capture_output=True)
    written = json.loads((tmp_path / "tests" / "durations.json").read_text())
    assert written == {"tests/test_slow.py": 2}
