"""How the tests share the processor, whichever files pytest is given.

`make test` runs the suite on one pytest-xdist worker per core, each notebook's
cells together on one worker (``--dist loadscope``). A worker's notebooks then
compute on one thread (``OMP_NUM_THREADS=1``), so that two trainings never fight
over the same cores: the measured results are checked at one and at two threads
alike (book/reproducibility.md). The parts that take longest start first.

tools/record.py records the outputs on two threads, so the tests' one thread adds
the numbers in another order than the recording did.
"""

import os

import nbformat

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def expected_seconds(item):
    """A notebook's time budget, or a test module's ``EXPECTED_SECONDS``."""
    if item.path.suffix == ".ipynb":
        nb = nbformat.read(item.path, as_version=4)
        return nb.metadata.get("onebyone", {}).get("budget_s", 0)
    return getattr(getattr(item, "module", None), "EXPECTED_SECONDS", 0)


def pytest_collection_modifyitems(items):
    """The longest files first; the order inside each file stays as written."""
    seconds = {}
    for item in items:
        if item.path not in seconds:
            seconds[item.path] = expected_seconds(item)
    items.sort(key=lambda item: -seconds[item.path])  # a stable sort
