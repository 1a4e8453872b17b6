"""How the tests share the processor, whichever files pytest is given.

`make test` runs the suite on one pytest-xdist worker per core (``--dist
loadscope``). A worker takes one unit at a time: a notebook's cells, which run in
order on one kernel, a test module, or one Colab-versions run, which executes a
whole notebook by itself and so can go to whichever worker is free. The units that
take longest start first, so that no long one is left for the end.

A worker's notebooks compute on one thread (``OMP_NUM_THREADS=1``), so that two
trainings never fight over the same cores: the measured results are checked at one
and at two threads alike (book/reproducibility.md). tools/record.py records the
outputs on two threads, so the tests' one thread adds the numbers in another order
than the recording did.
"""

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

# Each test here is a unit of its own.
RUN_APART = ("tests/test_colab_versions.py::",)
# The units that take longest, in seconds on one core of a 2-core machine (from
# `pytest -n 2 --dist loadscope --durations=0`, cells and tests of a unit added
# up). Only their order matters: the longest start first, and the units of a few
# seconds that are not listed fill the workers' last minutes evenly.
COLAB_RUN = "tests/test_colab_versions.py::test_notebook_runs_with_colab_versions"
LONGEST_UNITS = {
    "notebooks/07-u-net.ipynb": 148,
    "notebooks/06-fcn-semantic-segmentation.ipynb": 67,
    f"{COLAB_RUN}[07-u-net.ipynb]": 61,
    "tests/test_browser.py": 59,
    "notebooks/04-what-one-by-one-buys.ipynb": 41,
    f"{COLAB_RUN}[06-fcn-semantic-segmentation.ipynb]": 31,
    "tests/test_jupyterlab.py": 20,
    f"{COLAB_RUN}[04-what-one-by-one-buys.ipynb]": 20,
    "notebooks/05-fully-connected-to-fully-convolutional.ipynb": 15,
    f"{COLAB_RUN}[05-fully-connected-to-fully-convolutional.ipynb]": 14,
    f"{COLAB_RUN}[02-channels-and-filters.ipynb]": 11,
    "notebooks/02-channels-and-filters.ipynb": 11,
    f"{COLAB_RUN}[01-convolution-from-scratch.ipynb]": 9,
    f"{COLAB_RUN}[03-one-by-one-convolution.ipynb]": 7,
    "notebooks/01-convolution-from-scratch.ipynb": 6,
}


def unit_of(nodeid):
    """The unit a test belongs to: its module, class or notebook, or itself."""
    if nodeid.startswith(RUN_APART):
        return nodeid
    return nodeid.rsplit("::", 1)[0]


def pytest_collection_modifyitems(items):
    """The longest units first; the order inside each unit stays as written."""
    items.sort(key=lambda item: -LONGEST_UNITS.get(unit_of(item.nodeid), 0))


def pytest_xdist_make_scheduler(config, log):
    """xdist's loadscope, with our units, handed out in the order collected."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return unit_of(nodeid)

    config.option.loadscopereorder = False  # else xdist sorts by number of tests
    return UnitScheduling(config, log)
