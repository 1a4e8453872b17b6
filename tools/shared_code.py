"""Keep what the notebooks and pages repeat from elsewhere in step with its source.

    python tools/shared_code.py     # rewrite what has drifted (make sync)

- Each notebook's first code cell, folded, installs the course's package where it
  is missing (Colab), from ``repository.url`` of _config.yml at the tag of the
  version in pyproject.toml, and turns on Colab's third-party widgets.
- A taught helper: cells that show a file of the package without its imports,
  split at its ``# %%`` lines, each starting ``# onebyone/NAME.py, part I of N``.
  A part that only records results (an ``@experiment`` function) may be folded.
- The introduction's table of each chapter's "Time to learn", in the toc's order.
- ``repository.branch`` of _config.yml, the ref the Colab buttons open: the tag of
  the version, the one the install cells install.
"""

import ast
import re
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
PART = re.compile(r"^# (onebyone/[\w/]+\.py)(?:, part (\d+) of (\d+))?$")
INSTALL_TITLE = "# @title Install the course's package where it is missing (Colab)"
FOLDED = {"cellView": "form", "jupyter": {"source_hidden": True}}
TIME_TO_LEARN = re.compile(r"\*\*Time to learn:\*\* about (\d+) minutes")
TIMES_START = "<!-- chapter times: written by make sync -->"
TIMES_END = "<!-- end of chapter times -->"
BRANCH = re.compile(r"^(  branch: ).*$", re.MULTILINE)  # of repository: in _config.yml


def release_tag(root=ROOT):
    """The tag of the version in pyproject.toml (the Release workflow makes it)."""
    return (
        "v" + tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    )


def package_source(config=None, version=None):
    """What pip installs the package from: the book's repository at the tag of
    the version whose outputs the pages show."""
    if config is None:
        import yaml  # here: tools/record.py runs in the Colab-like environment too

        config = yaml.safe_load((ROOT / "_config.yml").read_text())
    tag = release_tag() if version is None else f"v{version}"
    return f"git+{config['repository']['url']}@{tag}"


def install_source(config=None, version=None):
    """The text of every notebook's install cell."""
    return f"""{INSTALL_TITLE}
import importlib.util
import subprocess
import sys

PACKAGE = "{package_source(config, version)}"
if importlib.util.find_spec("onebyone") is None:  # Colab, or a downloaded notebook
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", PACKAGE], check=True)
    importlib.invalidate_caches()
if "google.colab" in sys.modules:  # Colab draws third-party widgets only this way
    from google.colab import output

    output.enable_custom_widget_manager()"""


def is_install_cell(cell):
    return cell.cell_type == "code" and cell.source.startswith(INSTALL_TITLE)


def part_of(cell):
    """(relative path, part, parts) for a taught-helper cell, else None."""
    match = cell.cell_type == "code" and PART.match(cell.source.split("\n", 1)[0])
    if not match:
        return None
    path, part, parts = match.groups()
    return path, int(part or 1), int(parts or 1)


def hidden_in_book(cell):
    return "hide-input" in cell.metadata.get("tags", [])


def read_shared(relative_path):
    path = ROOT / relative_path
    if not path.is_file():
        raise FileNotFoundError(f"a notebook cell names {relative_path}: no such file")
    return path.read_text()


def sections(relative_path):
    """The file without its imports, in the pieces its ``# %%`` lines separate."""
    text = read_shared(relative_path)
    lines = text.splitlines()
    for node in reversed(ast.parse(text).body):
        if isinstance(node, ast.Import | ast.ImportFrom):
            del lines[node.lineno - 1 : node.end_lineno]
    pieces = re.split(r"^# %%$", "\n".join(lines), flags=re.MULTILINE)
    return [re.sub(r"\n{3,}", "\n\n\n", piece).strip() for piece in pieces]


def title(relative_path, part, parts):
    return f"# {relative_path}" + (f", part {part} of {parts}" if parts > 1 else "")


def expected_source(relative_path, part=1):
    pieces = sections(relative_path)
    return f"{title(relative_path, part, len(pieces))}\n{pieces[part - 1]}"


def sync(notebook_path, write=True):
    """What in this notebook is not current, in words: its install cell, its taught
    copies. With ``write``, the cells that differ are rewritten from their sources.

    A file that gained or lost a ``# %%`` line needs its cells added or removed
    by hand (with the prose between them).
    """
    nb = nbformat.read(notebook_path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if sum(map(is_install_cell, code)) != 1 or not is_install_cell(code[0]):
        return ["the install cell must be the first code cell, and the only one"]
    problems, shown = [], {}
    if not (hidden_in_book(code[0]) and FOLDED.items() <= code[0].metadata.items()):
        problems.append("the install cell must be folded (hide-input, form)")
    for cell in code:
        new, problem = None, None
        if is_install_cell(cell):
            new, problem = install_source(), "the install cell differs from its source"
        elif part := part_of(cell):
            shown.setdefault(part[0], []).append(part[1])
            problem = f"{title(*part)} differs from the file"
            if part[2] == len(sections(part[0])):
                new = expected_source(*part[:2])
        if problem and cell.source != new:
            problems.append(problem)
            cell.source = new or cell.source
    for relative_path, parts in shown.items():
        if parts != list(range(1, len(sections(relative_path)) + 1)):
            problems.append(f"{relative_path}: not every part, in order: {parts}")
    if write and problems:
        nbformat.write(nb, notebook_path)
    return problems


def chapter_times(root=ROOT):
    """The introduction's table: each chapter's time to learn, in the toc's order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    rows, total = ["| chapter | time to learn |", "| --- | ---: |"], 0
    for file in [f for f in files if f.startswith("notebooks/")]:
        minutes = int(TIME_TO_LEARN.search((root / f"{file}.ipynb").read_text())[1])
        total += minutes
        rows.append(
            f"| {int(Path(file).name[:2])}. {{doc}}`../{file}` | {minutes} minutes |"
        )
    rows.append(
        f"| the whole course | {total} minutes, about {round(total / 60)} hours |"
    )
    return "\n".join([TIMES_START, *rows, TIMES_END])


def sync_config(root=ROOT):
    """Point the Colab buttons at the release tag; return True if that changed."""
    config = root / "_config.yml"
    text = config.read_text()
    new = BRANCH.sub(lambda m: m[1] + release_tag(root), text, count=1)
    config.write_text(new)
    return new != text


def sync_intro(root=ROOT):
    """Rewrite the introduction's table of times; return True if it changed."""
    intro = root / "book" / "intro.md"
    text = intro.read_text()
    head, rest = text.split(TIMES_START, 1)
    new = head + chapter_times(root) + rest.split(TIMES_END, 1)[1]
    intro.write_text(new)
    return new != text


def main():
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for problem in sync(notebook):
            print(f"{notebook.relative_to(ROOT)}: {problem} (rewritten if it could be;")
            print("  make record if its outputs change)")
    if sync_intro():
        print("updated book/intro.md's table of times")
    if sync_config():
        print(f"_config.yml: the Colab buttons open {release_tag()}")


if __name__ == "__main__":
    main()
