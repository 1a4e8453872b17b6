"""Write the notebooks that the book's Colab buttons open, into colab/notebooks/.

Colab and JupyterLab show MyST as literal text, so each chapter's copy has it as
plain Markdown: labels dropped; dropdowns as HTML details; terms as words,
citations as (Author, year), chapters as links that open them in Colab, other pages
as links to their source, sections by their titles, equations by their numbers,
glued numbers as the text the recorded run glued. Code is unchanged, without
outputs; what the book hides is folded under a ``# @title`` line; cells that only
glue numbers are left out.
"""

import ast
import codecs
import re
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec)
import nbformat
import yaml
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COLAB = ROOT / "colab" / "notebooks"  # _config.yml: path_to_book
GLUE_MIME = "application/papermill.record/text/plain"

ROLE = re.compile(r"\{(term|cite|doc|ref|eq|glue:text)\}`([^`]*)`")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)  # "text <target>"
LABEL_LINE = re.compile(r"^\(([\w-]+)\)=\n", re.MULTILINE)
LABELLED_MATH = re.compile(r"^\$\$ \(([\w-]+)\)$", re.MULTILINE)
HEADING = re.compile(r"^#+ (.+)$", re.MULTILINE)
SOLUTION = re.compile(r"^\*\*(Solution to exercise \d+)\.\*\*$")
DROPDOWN = re.compile(r"^```\{dropdown\} (.+?)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
BOOK_ONLY = {"glue"}  # calls that only glue numbers into the book's prose
FOLDED = {"cellView": "form", "jupyter": {"source_hidden": True}}
NO_BRACES = str.maketrans("", "", "{}")  # BibTeX groups, as in {\'E}
TITLES = {
    "self_check": "Check yourself",
    "check": "What every run must show",
    "report": "What this run measured",
}


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]
    colab = config["launch_buttons"]["colab_url"].rstrip("/")
    return repo["url"].rstrip("/"), repo.get("branch", "main"), colab


def colab_url(notebook_name):
    """Where the Colab button of a chapter leads: its copy in colab/."""
    url, branch, colab = repository()
    github = url.removeprefix("https://github.com/")
    return f"{colab}/github/{github}/blob/{branch}/colab/notebooks/{notebook_name}"


def source_url(path):
    url, branch, _ = repository()
    return f"{url}/blob/{branch}/{path.relative_to(ROOT).as_posix()}"


def markdown_sources(path):
    if path.suffix != ".ipynb":
        return [path.read_text()]
    return [
        c.source
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "markdown"
    ]


def title_of(path):
    titles = [m[1].strip() for s in markdown_sources(path) for m in HEADING.finditer(s)]
    if not titles:
        raise ValueError(f"{path} has no title")
    return titles[0]


def section_labels():
    """{label: (file, section title or None)} for every label of the book."""
    labels = {}
    files = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md"))
    for path in files:
        for source in markdown_sources(path):
            for match in LABEL_LINE.finditer(source):
                heading = HEADING.match(source, match.end())  # None: a figure, say
                title = heading.group(1).strip() if heading else None
                labels[match.group(1)] = (path, title)
    return labels


def equation_numbers(nb):
    """Labelled equations are numbered 1, 2, ... in the order they appear."""
    sources = [c.source for c in nb.cells if c.cell_type == "markdown"]
    labels = [m.group(1) for s in sources for m in LABELLED_MATH.finditer(s)]
    return {label: number for number, label in enumerate(labels, start=1)}


def glued_texts(nb):
    texts = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name and GLUE_MIME in output.get("data", {}):
                # the repr of what was glued: a string or a number
                texts[name] = str(ast.literal_eval(output["data"][GLUE_MIME]))
    return texts


def citations():
    """{key: "A", "A and B" or "A et al.", then the year} from references.bib."""
    cites = {}
    for key, entry in parse_file(str(ROOT / "book" / "references.bib")).entries.items():
        names = [
            codecs.decode(" ".join(p.last_names), "ulatex").translate(NO_BRACES)
            for p in entry.persons.get("author", [])
        ]
        who = " and ".join(names) if len(names) <= 2 else f"{names[0]} et al."
        cites[key] = f"{who}, {entry.fields['year']}"
    return cites


class Converter:
    """Turns one chapter's MyST prose into plain Markdown."""

    def __init__(self, path, nb):
        self.path = path
        self.equations = equation_numbers(nb)
        self.glued = glued_texts(nb)
        self.labels = section_labels()
        self.cites = citations()

    def link_to(self, target):
        path = (NOTEBOOKS / target).resolve()
        notebook = path.with_suffix(".ipynb")
        if notebook.parent == NOTEBOOKS and notebook.is_file():
            return colab_url(notebook.name), notebook
        page = path.with_suffix(".md")
        if page.is_file():
            return source_url(page), page
        raise ValueError(f"{self.path.name}: no page {target!r}")

    def role(self, match):
        kind, content = match.groups()
        explicit = EXPLICIT.match(content)
        text, target = explicit.groups() if explicit else (None, content)
        if kind == "term":
            return text or target
        if kind == "cite":
            keys = [key.strip() for key in target.split(",")]
            missing = [key for key in keys if key not in self.cites]
            if missing:
                raise ValueError(f"{self.path.name}: unknown citation {missing}")
            return "(" + "; ".join(self.cites[key] for key in keys) + ")"
        if kind == "doc":
            url, path = self.link_to(target)
            return f"[{text or title_of(path)}]({url})"
        if kind == "ref":
            if target not in self.labels:
                raise ValueError(f"{self.path.name}: unknown label {target!r}")
            path, title = self.labels[target]
            if not (text or title):
                raise ValueError(f"{self.path.name}: {target!r} needs a link text")
            if path == self.path:
                return f"*{text or title}*"
            url = colab_url(path.name) if path.suffix == ".ipynb" else source_url(path)
            return f"[{text or title}]({url})"
        if kind == "eq":
            if target not in self.equations:
                raise ValueError(f"{self.path.name}: unknown equation {target!r}")
            return f"({self.equations[target]})"
        if target not in self.glued:  # glue:text
            raise ValueError(f"{self.path.name}: nothing glued as {target!r}")
        return self.glued[target]

    def markdown(self, source):
        source = LABEL_LINE.sub("", source)
        source = DROPDOWN.sub(
            lambda m: f"<details><summary>{m[1]}</summary>\n\n{m[2]}</details>", source
        )
        source = LABELLED_MATH.sub(
            lambda m: f"\\tag{{{self.equations[m.group(1)]}}}\n$$", source
        )
        return ROLE.sub(self.role, source)


def calls(source):
    """The names of the functions a cell calls, if it does nothing else; else None.

    ``from … import`` lines that bring those functions in do not count as doing
    something else: a verdict cell may import ``check`` before calling it.
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    body = [node for node in body if not isinstance(node, ast.ImportFrom)]
    if not body or not all(
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) for node in body
    ):
        return None
    return {getattr(node.value.func, "id", "") for node in body}


def folded_title(cell, solution=None):
    """The ``# @title`` line a folded cell gets in Colab, or None if not folded."""
    tags = cell.metadata.get("tags", [])
    if solution and "hide-cell" in tags:
        return solution
    if not {"hide-input", "remove-input"} & set(tags):
        return None
    called = calls(cell.source) or set()
    for name, title in TITLES.items():
        if called == {name}:
            return title
    definitions = [
        node
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.FunctionDef)
    ]
    docstring = ast.get_docstring(definitions[0]) if definitions else None
    return (docstring or "Drawing helper").splitlines()[0].rstrip(".")


def colab_notebook(path):
    """The Colab copy of one chapter."""
    nb = nbformat.read(path, as_version=4)
    convert = Converter(path, nb)
    cells, solution = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if match := SOLUTION.match(cell.source.strip()):
                solution = match.group(1)  # its title goes on the folded solution
                continue
            new = nbformat.v4.new_markdown_cell(convert.markdown(cell.source))
        else:
            tags = cell.metadata.get("tags", [])
            called = calls(cell.source)
            if "remove-input" in tags and called and called <= BOOK_ONLY:
                continue
            new = nbformat.v4.new_code_cell(cell.source)
            new.metadata = {k: v for k, v in cell.metadata.items() if k != "execution"}
            title = folded_title(cell, solution)
            if title and not cell.source.startswith("# @title"):
                new.source = f"# @title {title}\n{cell.source}"
            if title:
                new.metadata.update(FOLDED)
                if title == solution:
                    new.metadata["jupyter"] = {
                        "source_hidden": True,
                        "outputs_hidden": True,
                    }
            solution = None
        new.id = cell.id
        cells.append(new)
    copy = nbformat.v4.new_notebook(cells=cells)
    copy.metadata = {
        k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")
    }
    return nbformat.writes(copy) + "\n"


def write_copies():
    """Write every chapter's Colab copy that is missing or out of date."""
    COLAB.mkdir(exist_ok=True)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        target = COLAB / path.name
        text = colab_notebook(path)
        if not target.is_file() or target.read_text() != text:
            target.write_text(text)
            print("wrote", target.relative_to(ROOT).as_posix())


if __name__ == "__main__":
    write_copies()
