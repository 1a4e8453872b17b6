"""The book builds with warnings as errors, and is self-contained."""

import html as htmllib
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from conftest import NOTEBOOKS, ROOT
from onebyone.selfcheck import LETTERS, load_sections

BOOK_BYTES = 15_000_000  # the whole built HTML, with every script it loads


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_book_builds_without_warnings(book_build):
    result, _ = book_build
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr


def test_every_toc_entry_is_a_page(html_dir):
    missing = [f for f in toc_files() if not (html_dir / f"{f}.html").is_file()]
    assert not missing


def test_every_notebook_is_in_the_toc():
    listed = {f for f in toc_files() if f.startswith("notebooks/")}
    assert listed == {f"notebooks/{nb.stem}" for nb in NOTEBOOKS}


def visible_text(html):
    """A page's text as a reader without JavaScript gets it: no scripts, no tags,
    quotes and dashes as Sphinx prints them written plainly."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return plain(htmllib.unescape(re.sub(r"<[^>]+>", "", html)))


def plain(text):
    for fancy, simple in {"’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."}.items():
        text = text.replace(fancy, simple)
    return " ".join(text.split())


def page_form(text):
    """A question file's text as the page prints it: math for MathJax, code bare."""
    text = re.sub(r"\$([^$]+)\$", r"\\(\1\\)", text)
    return plain(re.sub(r"`([^`]+)`", r"\1", text))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_question_and_its_choices_are_in_the_pages_text(html_dir, notebook):
    """Without JavaScript (and so in the search index and a printout), each of the
    chapter's questions is in its page, with its choices; no answer is."""
    page = visible_text((html_dir / "notebooks" / f"{notebook.stem}.html").read_text())
    for section in load_sections(int(notebook.name[:2])).values():
        for question in section["question"]:
            assert page_form(question["text"]) in page, question["id"]
            for letter, choice in zip(
                LETTERS, question.get("choice", []), strict=False
            ):
                assert f"({letter}) {page_form(choice['text'])}" in page, choice
            assert page_form(question["explanation"]) not in page, question["id"]


def test_pages_load_scripts_and_styles_only_from_the_book(html_dir):
    remote = re.compile(r"""<(?:script|link)[^>]*(?:src|href)=["'](?:https?:)?//""")
    offenders = [
        page.relative_to(html_dir).as_posix()
        for page in html_dir.rglob("*.html")
        if remote.search(page.read_text())
    ]
    assert not offenders


def test_every_image_in_the_lessons_has_an_alt_text(html_dir):
    """Without one, Sphinx writes the image's file name as its alt text."""
    image = re.compile(r'<img\b[^>]*?alt="([^"]*)"[^>]*?src="([^"]*)"')
    images = [
        (page.name, alt, src)
        for page in (html_dir / "notebooks").glob("*.html")
        for alt, src in image.findall(page.read_text())
    ]
    assert len(images) >= 11
    assert not [(page, src) for page, alt, src in images if alt.strip() in ("", src)]


def test_no_page_holds_a_placeholder_of_the_lesson_template(html_dir):
    """A new chapter's paragraphs that begin *To write:* are written before the book
    is published (tools/chapter-template/)."""
    placeholder = re.compile(r"<p><em>To write:</em>")
    pages = [
        p.name for p in html_dir.rglob("*.html") if placeholder.search(p.read_text())
    ]
    assert not pages


def test_the_built_book_stays_light(html_dir):
    """Only the vendored files that pages load are shipped (see book/_ext/)."""
    size = sum(f.stat().st_size for f in html_dir.rglob("*") if f.is_file())
    assert size <= BOOK_BYTES, f"the built book is {size / 1e6:.1f} MB"


def test_offline_assets_are_served_with_their_licences(html_dir):
    vendor = html_dir / "_static" / "vendor"
    for path in (
        "widgets-offline.js",
        "mathjax/es5/tex-chtml.js",
        "requirejs/require.js",
        "html-manager/dist/embed-amd.js",
        "anywidget/dist/index.js",
    ):
        assert (vendor / path).is_file(), path
    # Each package's licence travels with it: a file, a header, or its manifest.
    assert "Apache License" in (vendor / "mathjax/LICENSE").read_text()
    assert "@license RequireJS" in (vendor / "requirejs/require.js").read_text()[:300]
    manifest = json.loads((vendor / "html-manager/package.json").read_text())
    assert manifest["license"] == "BSD-3-Clause"
    assert (vendor / "html-manager/dist/embed.js.LICENSE.txt").is_file()
    assert "MIT License" in (vendor / "anywidget/LICENSE").read_text()
    assert "Font Awesome Free" in (vendor / "fontawesome/LICENSE.txt").read_text()


def test_the_theme_s_icons_come_from_the_font_awesome_release_it_bundles(html_dir):
    """The theme's Font Awesome script is emptied and its icons drawn by the same
    release's CSS and fonts (book/_ext/offline_assets.py)."""
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    bundled = (theme / "static" / "scripts" / "fontawesome.js.LICENSE.txt").read_text()
    vendor = html_dir / "_static" / "vendor" / "fontawesome"
    version = json.loads((vendor / "package.json").read_text())["version"]
    assert f"Font Awesome Free {version} " in bundled
    assert (html_dir / "_static" / "scripts" / "fontawesome.js").stat().st_size < 100
    page = (html_dir / "notebooks" / f"{NOTEBOOKS[0].stem}.html").read_text()
    assert "vendor/fontawesome/css/all.min.css" in page


def test_colab_buttons_open_the_colab_copies(html_dir):
    """Colab shows MyST as literal text, so its button opens colab/ (tools/colab.py)."""
    for nb in NOTEBOOKS:
        page = (html_dir / "notebooks" / f"{nb.stem}.html").read_text()
        links = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"', page)
        assert links and all(
            link.endswith(f"/colab/notebooks/{nb.name}") for link in links
        )
        assert (ROOT / "colab" / "notebooks" / nb.name).is_file()


def test_the_introduction_adds_up_the_chapters_times():
    """The reader plans with the introduction's table: each chapter's time as the
    chapter states it, in the toc's order, and their sum (make sync writes it)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from shared_code import chapter_times

    table = chapter_times()
    assert table in (ROOT / "book" / "intro.md").read_text()
    assert table.count(" minutes |") == len(NOTEBOOKS)
