"""The glossary: sorted, every entry linked to where the book teaches it, and every
term the book marks with {term} defined. No book build: we read the sources."""

import json
import re

from conftest import NOTEBOOKS, ROOT

BOOK = ROOT / "book"
GLOSSARY = BOOK / "glossary.md"
# A MyST role, {ref}`label` or {term}`shown text <target>`; the text may wrap.
ROLE = re.compile(r"\{(ref|doc|term)\}`([^`]+)`")
# A MyST target, `(label)=` on a line of its own.
LABEL = re.compile(r"^\(([^()\s]+)\)=\s*$", re.MULTILINE)


def role_target(text):
    """What a role points to: `x` for `x` and for `shown text <x>`."""
    match = re.search(r"<([^<>]+)>\s*$", text)
    return (match.group(1) if match else text).strip()


def markdown_sources():
    """(file name, markdown) for every notebook's markdown cell and book page."""
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                yield path.name, "".join(cell["source"])
    for path in sorted(BOOK.glob("*.md")):
        yield path.name, path.read_text(encoding="utf-8")


def glossary_entries():
    """(term, definition) for each entry of the glossary block, in file order."""
    text = GLOSSARY.read_text(encoding="utf-8")
    block = text.split("```{glossary}\n", 1)[1].split("\n```", 1)[0]
    entries = []
    for line in block.splitlines():
        if line and not line[0].isspace():
            entries.append((line.strip(), ""))
        elif line.strip():
            assert entries, f"a definition line before any term: {line!r}"
            term, definition = entries[-1]
            entries[-1] = (term, f"{definition} {line.strip()}".strip())
    return entries


ENTRIES = glossary_entries()


def sort_key(term):
    """Case-insensitive, with terms that start with a digit ("1×1 ...") first."""
    return (not term[0].isdigit(), term.casefold())


def test_entries_are_sorted_and_unique():
    terms = [term for term, _ in ENTRIES]
    assert len(terms) > 1
    assert terms == sorted(terms, key=sort_key)
    assert len({term.casefold() for term in terms}) == len(terms)


def test_every_entry_links_to_where_the_book_teaches_it():
    unlinked = [
        term
        for term, definition in ENTRIES
        if not any(role in ("ref", "doc") for role, _ in ROLE.findall(definition))
    ]
    assert not unlinked, f"entries without a {{ref}} or {{doc}} link: {unlinked}"


def test_glossary_links_resolve():
    labels = {label for _, text in markdown_sources() for label in LABEL.findall(text)}
    broken = []
    for role, text in ROLE.findall(GLOSSARY.read_text(encoding="utf-8")):
        target = role_target(text)
        if role == "ref" and target not in labels:
            broken.append(f"{{ref}}`{target}`")
        if role == "doc":
            # Relative to book/, or to the repository root with a leading "/".
            base = ROOT / target[1:] if target.startswith("/") else BOOK / target
            files = (base.with_name(base.name + ext) for ext in (".ipynb", ".md"))
            if not any(file.is_file() for file in files):
                broken.append(f"{{doc}}`{target}`")
    assert not broken, f"links to nothing: {broken}"


def test_every_term_used_is_defined():
    defined = {term.casefold() for term, _ in ENTRIES}
    undefined = []
    for name, text in markdown_sources():
        for role, role_text in ROLE.findall(text):
            target = " ".join(role_target(role_text).split())
            if role == "term" and target.casefold() not in defined:
                undefined.append(f"{name}: {target}")
    assert not undefined, f"{{term}} roles with no glossary entry: {undefined}"
