"""Start a new chapter from the lesson template (tools/chapter-template/).

    python tools/new_chapter.py "Depthwise convolutions"     # make chapter TITLE=...

Writes the next chapter's notebook, experiment module and TOML, and questions;
places it after the last chapter in _toc.yml; adds it to the introduction's
times; records it and writes its Colab copy (book/contributing.md).
"""

import re
import sys
from pathlib import Path

import nbformat
from myst_nb.core.read import read_myst_markdown_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import record  # noqa: E402
from shared_code import ROOT, sync_intro  # noqa: E402

import colab  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent / "chapter-template"
CHAPTER_ENTRY = re.compile(r"^( +)- file: notebooks/\S+\n", re.MULTILINE)


def new_chapter(title):
    """Write the new chapter's files, place it in the toc; return its notebook."""
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    number = int(notebooks[-1].name[:2]) + 1
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    stem, module = f"{number:02d}-{slug}", slug.replace("-", "_")
    if not slug or not module.isidentifier():
        raise SystemExit(
            f"{title!r}: a title needs a letter first, and letters or digits"
        )
    words = {
        "__TITLE__": title,
        "__NUMBER__": str(number),
        "__SLUG__": slug,
        "__MODULE__": module,
        "__PREVIOUS__": notebooks[-1].stem,
    }
    files = {
        "lesson.md": ROOT / "notebooks" / f"{stem}.ipynb",
        "experiment.py.template": ROOT / "onebyone" / "experiments" / f"{module}.py",
        "experiment.toml": ROOT / "onebyone" / "experiments" / f"{module}.toml",
        "questions.toml": ROOT / "onebyone" / "questions" / f"{stem}.toml",
    }
    for target in files.values():
        if target.exists():
            raise SystemExit(f"{target.relative_to(ROOT)} exists already")
    for source, target in files.items():
        text = (TEMPLATE / source).read_text()
        for word, value in words.items():
            text = text.replace(word, value)
        if target.suffix == ".ipynb":
            nb = read_myst_markdown_notebook(text)
            for index, cell in enumerate(nb.cells):
                cell.id = f"{slug}-{index}"
            text = nbformat.writes(nb) + "\n"
        target.write_text(text)
    toc = ROOT / "_toc.yml"
    text = toc.read_text()
    end, indent = [(m.end(), m[1]) for m in CHAPTER_ENTRY.finditer(text)][-1]
    toc.write_text(f"{text[:end]}{indent}- file: notebooks/{stem}\n{text[end:]}")
    return files["lesson.md"]


def main():
    if len(sys.argv) != 2 or not sys.argv[1].strip():
        sys.exit(__doc__)
    notebook = new_chapter(sys.argv[1].strip())
    sync_intro()
    record(notebook)  # which syncs its install cell and taught cells first
    colab.write_copies()
    print(f"wrote {notebook.relative_to(ROOT)}, its experiment and its questions")


if __name__ == "__main__":
    main()
