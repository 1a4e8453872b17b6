"""The Colab copies as a reader opens them in JupyterLab 4, in a headless browser.

What the book hides is folded: the install cell, figure helpers, self-check
questions, the chapters' verdict lines, and each exercise's solution (its output
too). No cell serves only the book. JupyterLab folds a cell whose metadata says
``jupyter.source_hidden``, as Colab folds one whose metadata says ``cellView:
"form"`` under a ``# @title`` line; tools/colab.py writes both.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

COPIES = colab.COLAB
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook shown


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """JupyterLab serving colab/ on 127.0.0.1, every cell drawn (no windowing)."""
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"})
    )
    port = free_port()
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTER_RUNTIME_DIR": str(tmp_path_factory.mktemp("lab-runtime")),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path_factory.mktemp("lab-workspaces")),
    }
    command = [sys.executable, "-m", "jupyterlab", "--no-browser"]
    command += [f"--port={port}", "--ServerApp.ip=127.0.0.1"]
    command += [f"--ServerApp.root_dir={COPIES}", "--IdentityProvider.token="]
    command += ["--ServerApp.allow_root=True"]  # as CI runs
    command += ["--LabApp.expose_app_in_browser=True"]  # to open notebooks in it
    command += ["--LabApp.news_url=None"]
    command += ["--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def folded_in_metadata(copy):
    return [
        bool(cell.metadata.get("jupyter", {}).get("source_hidden"))
        for cell in copy.cells
    ]


def serves_only_the_book(source):
    """Only glue and report calls (tools/colab.py leaves such cells out)."""
    called = colab.calls(source)
    return bool(called) and called <= colab.BOOK_ONLY


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_copy_folds_what_the_book_hides(notebook):
    original = nbformat.read(notebook, as_version=4)
    copy = nbformat.read(COPIES / notebook.name, as_version=4)
    hidden = {"hide-input", "remove-input", "hide-cell"}
    by_id = {cell.id: cell for cell in copy.cells}
    for cell in original.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or not hidden & tags:
            continue
        if cell.id not in by_id:  # left out: it only serves the book
            assert serves_only_the_book(cell.source), cell.source
            continue
        kept = by_id[cell.id]
        assert kept.source.startswith("# @title "), kept.source[:80]
        assert kept.metadata["cellView"] == "form"
        assert kept.metadata["jupyter"]["source_hidden"] is True
        if "hide-cell" in tags:  # a solution: its title names its exercise
            assert kept.source.startswith("# @title Solution to exercise ")
            assert kept.metadata["jupyter"]["outputs_hidden"] is True
    assert not [c for c in copy.cells if serves_only_the_book(c.source)]


@pytest.fixture(scope="module")
def lab(browser, lab_url):
    """One JupyterLab page, its workspace reset, that refuses every request that
    would leave the machine; returns it and the list of refused addresses."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    external = []

    def only_local(route):
        url = route.request.url
        if url.startswith((lab_url, "data:", "blob:")):
            return route.continue_()
        external.append(url)
        return route.abort()

    page.route("**/*", only_local)
    page.goto(f"{lab_url}/lab/workspaces/colab-copies?reset")  # nothing open
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    yield page, external
    page.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_jupyterlab_shows_the_copy_folded(lab, notebook):
    page, external = lab
    copy = nbformat.read(COPIES / notebook.name, as_version=4)
    page.evaluate(
        """async path => {
            await window.jupyterapp.commands.execute('docmanager:open', {path});
        }""",
        notebook.name,
    )
    page.wait_for_function(
        f"""([name, n]) => {{
            const tab = document.querySelector('.jp-mod-current .lm-TabBar-tabLabel');
            return tab && tab.innerText === name
                && document.querySelectorAll('{PANEL} .jp-Cell').length === n;
        }}""",
        arg=[notebook.name, len(copy.cells)],
        timeout=60_000,
    )
    shown = page.evaluate(
        f"""() => [...document.querySelectorAll('{PANEL} .jp-Cell')].map(
            cell => cell.querySelector('.jp-InputPlaceholder') !== null)"""
    )
    assert shown == folded_in_metadata(copy)
    assert sum(shown) >= 3  # the install cell, and at least two more
    assert external == []
