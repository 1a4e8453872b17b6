"""How the tests share the processor, whichever files pytest is given.

`make test` runs the suite on one pytest-xdist worker per core (``--dist
loadscope``). A worker takes one unit at a time: a notebook's cells, which run in
order on one kernel, a test module, or one Colab-versions run, which executes a
whole notebook by itself. The units that took longest start first, so that no long
one is left for the end: their seconds are in tests/durations.json, which `make
durations` writes from a whole run (``--store-durations``).

A worker's notebooks compute on one thread (``OMP_NUM_THREADS=1``), so that two
trainings never fight over the cores; tools/record.py records on two threads, so
the tests add the numbers in another order than the recording did.
"""

import json
import os
from collections import Counter
from pathlib import Path

DURATIONS = Path(__file__).parent / "tests" / "durations.json"
RUN_APART = ("tests/test_colab_versions.py::",)  # each of its tests is a unit
_seconds = Counter()

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def unit_of(nodeid):
    """The unit a test belongs to: its module, class or notebook, or itself."""
    return nodeid if nodeid.startswith(RUN_APART) else nodeid.rsplit("::", 1)[0]


def pytest_addoption(parser):
    parser.addoption(
        "--store-durations", action="store_true", help=f"write {DURATIONS.name}"
    )


def pytest_collection_modifyitems(items):
    """The longest units first; the order inside each unit stays as written."""
    seconds = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    items.sort(key=lambda item: -seconds.get(unit_of(item.nodeid), 0))


def pytest_runtest_logreport(report):
    _seconds[unit_of(report.nodeid)] += report.duration


def pytest_sessionfinish(session):
    if session.config.getoption("store_durations") and not hasattr(
        session.config,
        "workerinput",  # the controller writes, not the workers
    ):
        longest = {unit: round(s) for unit, s in _seconds.most_common() if s >= 1}
        DURATIONS.write_text(json.dumps(longest, indent=1) + "\n")


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
