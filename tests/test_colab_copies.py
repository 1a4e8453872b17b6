"""The Colab copies (colab/): current, and free of MyST syntax, as Colab reads them."""

import re
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402

# What Colab and JupyterLab would show as literal text: a role, a label line, an
# equation label, a MyST directive.
MYST = re.compile(
    r"\{[\w:-]+\}`|^\([\w-]+\)=\s*$|^\$\$ *\([\w-]+\)\s*$|^(```|:::)\{", re.MULTILINE
)

each_notebook = pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)


def copy_of(notebook):
    return colab.COLAB / notebook.name


def prose(nb):
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@each_notebook
def test_the_copy_is_current(notebook):
    """Regenerate with `make colab` (make record and make sync do it too)."""
    assert copy_of(notebook).read_text() == colab.colab_notebook(notebook)


@each_notebook
def test_the_copy_shows_no_myst_syntax(notebook):
    copy = nbformat.read(copy_of(notebook), as_version=4)
    assert not [m.group(0) for m in MYST.finditer(prose(copy))]
    assert MYST.search(prose(nbformat.read(notebook, as_version=4)))  # it had some


@each_notebook
def test_the_copy_keeps_the_code_and_the_prose_in_order(notebook):
    """Every cell, in order, except what serves only the book: cells of glue and
    report calls, and the headings of solutions (their titles fold the solutions).
    A folded cell's code gains a `# @title` line, and nothing else changes."""
    original = nbformat.read(notebook, as_version=4)
    copy = nbformat.read(copy_of(notebook), as_version=4)
    kept = [
        cell
        for cell in original.cells
        if not colab.SOLUTION.match(cell.source.strip())
        and not (
            "remove-input" in cell.metadata.get("tags", [])
            and (colab.calls(cell.source) or {"x"}) <= colab.BOOK_ONLY
        )
    ]
    assert [c.id for c in copy.cells] == [c.id for c in kept]
    for mine, theirs in zip(copy.cells, kept, strict=True):
        if theirs.cell_type == "code":
            title, _, rest = mine.source.partition("\n")
            assert mine.source == theirs.source or (
                title.startswith("# @title ") and rest == theirs.source
            )
            assert not mine.get("outputs")


@each_notebook
def test_glued_numbers_and_citations_become_text(notebook):
    original = nbformat.read(notebook, as_version=4)
    copy_prose = prose(nbformat.read(copy_of(notebook), as_version=4))
    glued, cites = colab.glued_texts(original), colab.citations()
    for kind, content in colab.ROLE.findall(prose(original)):
        if kind == "glue:text":
            assert glued[content] in copy_prose
        if kind == "cite":
            for key in content.split(","):
                assert cites[key.strip()] in copy_prose


@each_notebook
def test_chapter_links_open_the_chapter_in_colab(notebook):
    copy_prose = prose(nbformat.read(copy_of(notebook), as_version=4))
    for name in re.findall(
        r"\(https://colab\.research\.google\.com/[^)]*/colab/notebooks/([^)]+)\)",
        copy_prose,
    ):
        assert (colab.COLAB / name).is_file(), name


def test_roles_become_plain_markdown():
    """One of each, on a chapter with all six."""
    path = ROOT / "notebooks" / "07-u-net.ipynb"
    convert = colab.Converter(path, nbformat.read(path, as_version=4))
    assert convert.markdown("a {term}`U-Net` and {term}`maps <feature map>`") == (
        "a U-Net and maps"
    )
    assert convert.markdown("{cite}`long2015fully`") == "(Long et al., 2015)"
    assert convert.markdown("{doc}`chapter 3 <03-one-by-one-convolution>`") == (
        f"[chapter 3]({colab.colab_url('03-one-by-one-convolution.ipynb')})"
    )
    assert convert.markdown("{ref}`unet-cells`") == "*Touching cells*"
    assert convert.markdown("{eq}`eq-weight-map`") == "(1)"
    assert convert.markdown("(unet-cells)=\n## Touching cells") == "## Touching cells"
    with pytest.raises(ValueError, match="nothing glued"):
        convert.markdown("{glue:text}`no_such_number`")


def test_a_cell_of_calls_may_import_what_it_calls():
    """A verdict or glue cell stays recognised when it imports its function first."""
    assert colab.calls("from onebyone.experiments import check\ncheck(r)") == {"check"}
    assert colab.calls("from onebyone.runtime import glue\nglue('a', 1)") == {"glue"}
    assert colab.calls("x = 1\ncheck(r)") is None
