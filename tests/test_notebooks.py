"""Notebook hygiene: what nbval and a reader rely on, checked for every lesson."""

import json
import re

import nbformat
import pytest

from conftest import NOTEBOOKS
from onebyone.experiments import declared
from onebyone.experiments.__main__ import functions

MAX_BYTES = 2_000_000
NAME = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb$")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# The lines a verdict cell may hold besides its check(...) calls.
VERDICT_IMPORT = ("from onebyone.experiments import check", "")

pytestmark = pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)


def load(notebook):
    return nbformat.read(notebook, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_file_name_is_numbered_kebab_case(notebook):
    assert NAME.match(notebook.name)


def test_exactly_one_title(notebook):
    titles = [
        line
        for cell in load(notebook).cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("# ")
    ]
    assert len(titles) == 1, titles
    assert load(notebook).cells[0].source.startswith("# "), "the title comes first"


def test_outputs_come_from_one_clean_run(notebook):
    counts = [cell.execution_count for cell in code_cells(load(notebook))]
    assert counts == list(range(1, len(counts) + 1)), "re-record with `make record`"


def test_no_errors_recorded(notebook):
    for cell in code_cells(load(notebook)):
        assert all(out.output_type != "error" for out in cell.outputs), cell.source


def test_size_budget(notebook):
    assert notebook.stat().st_size <= MAX_BYTES


def test_no_trailing_semicolons(notebook):
    """nbval does not suppress a result with `;`: use `_ = ...` or `plt.show()`."""
    for cell in code_cells(load(notebook)):
        assert not cell.source.rstrip().endswith(";"), cell.source


def test_widget_views_have_saved_state(notebook):
    nb = load(notebook)
    views = [
        out.data[WIDGET_VIEW]["model_id"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if WIDGET_VIEW in out.get("data", {})
    ]
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    assert all(model_id in state for model_id in views)


def test_most_outputs_are_compared(notebook):
    cells = code_cells(load(notebook))
    ignored = [c for c in cells if "nbval-ignore-output" in c.metadata.get("tags", [])]
    assert len(ignored) <= len(cells) / 3


def test_time_budget_is_declared(notebook):
    """`make bench` reports each notebook's time against this budget."""
    budget = load(notebook).metadata["onebyone"]["budget_s"]
    assert isinstance(budget, int) and budget > 0


def test_every_figure_has_an_alt_text(notebook):
    """For readers who cannot see it: myst-nb puts it on the image in the book."""
    missing = [
        index
        for index, cell in enumerate(load(notebook).cells)
        if cell.cell_type == "code"
        and any("image/png" in output.get("data", {}) for output in cell.outputs)
        and not cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "").strip()
    ]
    assert not missing, f"cells without an alt text: {missing}"


def test_no_stray_metadata(notebook):
    """No Colab ids or per-cell timings: they bloat diffs and change every run."""
    text = notebook.read_text()
    assert '"colab"' not in text
    assert '"execution": {' not in text
    assert json.loads(text)["metadata"]["kernelspec"]["name"] == "python3"


TEST_TALK = re.compile(
    r"\btests\b|\bcompared\b|\bverdicts?\b|\bglue\b|machine that recorded",
    re.IGNORECASE,
)
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
GLUED_NAME = re.compile(r"""\bglue\(\s*["']([^"']+)["']""")


def lesson_prose(nb):
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def setup_section(nb):
    return next(c.source for c in nb.cells if c.source.startswith("## Setup"))


def test_the_lesson_speaks_of_results_not_of_the_tests(notebook):
    """Test machinery is explained once, in the setup (and on the book's pages)."""
    nb = load(notebook)
    setup = setup_section(nb)
    talk = [
        match.group(0)
        for source in lesson_prose(nb)
        if source != setup
        for match in TEST_TALK.finditer(GLUE_ROLE.sub("", source))
    ]
    assert not talk, talk


def chapter_experiments(notebook):
    """The experiments of a chapter's module, named like its notebook."""
    module = notebook.stem[3:].replace("-", "_")
    return [s for s in declared().values() if s.module == module]


def test_prose_quotes_glued_numbers_never_their_names(notebook):
    nb = load(notebook)
    names = {
        name for cell in code_cells(nb) for name in GLUED_NAME.findall(cell.source)
    }
    names |= {f.name for spec in chapter_experiments(notebook) for f in spec.figures}
    prose = "\n".join(GLUE_ROLE.sub("", source) for source in lesson_prose(nb))
    assert not [name for name in names if name in prose]


def test_verdicts_show_their_line_and_hide_their_code(notebook):
    """`check(...)` prints a chapter's verdicts in a cell of its own, compared, its
    code hidden in the book; `report(...)` prints measured numbers, not compared."""
    nb = load(notebook)
    for cell in code_cells(nb):
        tags = cell.metadata.get("tags", [])
        if re.search(r"^check\(", cell.source, re.MULTILINE):
            assert "remove-input" in tags and "nbval-ignore-output" not in tags
            assert all(
                line.startswith("check(") or line in VERDICT_IMPORT
                for line in cell.source.splitlines()
            ), cell.source
        if re.search(r"^report\(", cell.source, re.MULTILINE):
            assert "nbval-ignore-output" in tags, cell.source
    if chapter_experiments(notebook):
        assert any("../book/reproducibility" in s for s in lesson_prose(nb))


def test_every_experiment_runs_reports_and_checks_in_its_chapter(notebook):
    """Each experiment the chapter declares is called once, reported, and its
    verdicts checked, in this notebook."""
    source = "\n".join(c.source for c in code_cells(load(notebook)))
    for spec in chapter_experiments(notebook):
        function = functions(spec.module)[spec.name].__name__
        results = re.findall(rf"^(\w+) = {function}\(SEED, ", source, re.MULTILINE)
        assert len(results) == 1, f"{function}: called once, its results named"
        assert re.search(rf"^report\({results[0]}\)", source, re.MULTILINE)
        if any(claim.is_verdict for claim in spec.claims):
            assert re.search(rf"^check\({results[0]}\b", source, re.MULTILINE)


FOLDED_TAGS = {"hide-input", "hide-cell", "remove-input", "remove-cell"}
RECORDING_CODE = re.compile(r"@experiment|^report\(|[\"']measured[\"']", re.MULTILINE)
SPREAD_TALK = re.compile(r"runs we measured|on any machine we expect", re.IGNORECASE)
DROPDOWN = re.compile(r"^```\{dropdown\}.*?^```$", re.MULTILINE | re.DOTALL)


def test_recording_code_and_spreads_stay_one_step_away(notebook):
    """The lesson shows the idea and the numbers: code that records results is
    folded, and the spread behind a result sits in a dropdown, not in the prose."""
    nb = load(notebook)
    shown = [
        cell.source
        for cell in code_cells(nb)
        if not FOLDED_TAGS & set(cell.metadata.get("tags", []))
    ]
    assert not [source for source in shown if RECORDING_CODE.search(source)]
    prose = [DROPDOWN.sub("", source) for source in lesson_prose(nb)]
    assert not [m.group(0) for source in prose for m in SPREAD_TALK.finditer(source)]
