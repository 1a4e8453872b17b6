"""Point each chapter's Colab button at its Colab copy in colab/.

The notebooks in notebooks/ speak MyST, which the book renders and Colab shows as
literal text. tools/colab.py writes a copy of each chapter with that syntax turned
into plain Markdown; the theme's Colab button is rewritten here to open that copy.
"""

from __future__ import annotations

from sphinx.application import Sphinx

NOTEBOOKS, COPIES = "/notebooks/", "/colab/"


def open_the_colab_copy(app, pagename, templatename, context, doctree) -> None:
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "Colab" and NOTEBOOKS in button.get("url", ""):
                button["url"] = button["url"].replace(NOTEBOOKS, COPIES, 1)


def setup(app: Sphinx) -> dict:
    # After sphinx-book-theme adds its launch buttons (priority 501).
    app.connect("html-page-context", open_the_colab_copy, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
