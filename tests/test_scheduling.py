"""How `make test` shares the tests between its workers (the root conftest.py)."""

import importlib.util

from conftest import NOTEBOOKS, ROOT

_spec = importlib.util.spec_from_file_location("scheduling", ROOT / "conftest.py")
scheduling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scheduling)

COLAB_RUN = scheduling.COLAB_RUN


def test_a_notebooks_cells_are_one_unit():
    first = scheduling.unit_of("notebooks/07-u-net.ipynb::Cell 0")
    assert first == scheduling.unit_of("notebooks/07-u-net.ipynb::Cell 31")
    assert first == "notebooks/07-u-net.ipynb"


def test_a_test_modules_tests_are_one_unit():
    test = "tests/test_browser.py::test_math_is_typeset_on_chapter_1"
    assert scheduling.unit_of(test) == "tests/test_browser.py"


def test_each_colab_versions_run_is_a_unit_of_its_own():
    runs = [f"{COLAB_RUN}[{path.name}]" for path in NOTEBOOKS]
    assert [scheduling.unit_of(run) for run in runs] == runs


def test_every_longest_unit_names_a_file_and_notebook_that_exist():
    for unit in scheduling.LONGEST_UNITS:
        path, _, test = unit.partition("::")
        assert (ROOT / path).is_file(), unit
        if "[" in test:
            notebook = test[test.index("[") + 1 : -1]
            assert (ROOT / "notebooks" / notebook).is_file(), unit


def test_the_longest_units_come_first_and_keep_their_cells_in_order():
    class Item:
        def __init__(self, nodeid):
            self.nodeid = nodeid

    nodeids = [
        "tests/test_conv.py::test_a",
        "notebooks/07-u-net.ipynb::Cell 0",
        "tests/test_conv.py::test_b",
        "notebooks/07-u-net.ipynb::Cell 1",
        f"{COLAB_RUN}[07-u-net.ipynb]",
    ]
    items = [Item(nodeid) for nodeid in nodeids]
    scheduling.pytest_collection_modifyitems(items)
    assert [item.nodeid for item in items] == [
        "notebooks/07-u-net.ipynb::Cell 0",
        "notebooks/07-u-net.ipynb::Cell 1",
        f"{COLAB_RUN}[07-u-net.ipynb]",
        "tests/test_conv.py::test_a",
        "tests/test_conv.py::test_b",
    ]
