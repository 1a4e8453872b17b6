"""Self-check questions that a reader answers in the page.

Each chapter's questions live in one file, ``questions/<chapter>.toml``, grouped
by the section they follow (its MyST label). ``self_check(chapter, label)``
shows one section's questions in the page's text, with their choices, so that a
reader without JavaScript, a screen reader, printing and the book's search find
them; below them, a widget takes the answers: the reader types a number or picks a
choice, and the browser says at once whether it is right, explains why and links
to the section. Like the explorers, it needs no running Python, so it works in
the static book, in JupyterLab and in Colab. Math in the widget's explanations
(``$...$``) becomes MathML, which browsers draw without MathJax.
"""

import html
import re
import tomllib
from pathlib import Path

import anywidget
import traitlets
from IPython.display import Markdown, display
from latex2mathml.converter import convert

from onebyone.explorers import FRONT_END, front_end_module

QUESTIONS = Path(__file__).with_name("questions")
INLINE = re.compile(r"\$([^$]+)\$|`([^`]+)`")
LETTERS = "abcdefgh"  # a question's choices, as the text and the widget name them


def render_text(text):
    """An explanation or feedback as HTML: ``$math$`` as MathML, ```code``` as
    code, the rest escaped; line breaks inside the text are spaces."""
    text = " ".join(text.split())
    parts, end = [], 0
    for match in INLINE.finditer(text):
        parts.append(html.escape(text[end : match.start()]))
        math, code = match.groups()
        parts.append(convert(math) if math else f"<code>{html.escape(code)}</code>")
        end = match.end()
    return "".join(parts) + html.escape(text[end:])


def chapter_file(chapter):
    """The questions file of chapter ``chapter`` (a number)."""
    found = sorted(QUESTIONS.glob(f"{chapter:02d}-*.toml"))
    if len(found) != 1:
        raise ValueError(f"no questions file for chapter {chapter} in {QUESTIONS}")
    return found[0]


def load_sections(chapter):
    """{label: section} for one chapter, each question checked for its fields."""
    sections = tomllib.loads(chapter_file(chapter).read_text())["section"]
    for section in sections:
        for question in section["question"]:
            _check_question(question)
    return {section["label"]: section for section in sections}


def _check_question(question):
    name = question.get("id", "?")
    missing = {"id", "text", "explanation"} - question.keys()
    if missing:
        raise ValueError(f"question {name}: missing {sorted(missing)}")
    if ("answer" in question) == ("choice" in question):
        raise ValueError(f"question {name}: give either a number or choices")
    if "answer" in question and "computed" not in question:
        raise ValueError(f"question {name}: a number needs the code that computes it")
    if "choice" in question:
        right = [c for c in question["choice"] if c.get("correct")]
        if len(question["choice"]) < 2 or len(right) != 1:
            raise ValueError(f"question {name}: at least two choices, one correct")
        if any("feedback" not in c for c in question["choice"] if not c.get("correct")):
            raise ValueError(f"question {name}: every wrong choice needs feedback")
        if len(question["choice"]) > len(LETTERS):
            raise ValueError(f"question {name}: at most {len(LETTERS)} choices")


def _for_browser(question):
    """What the widget needs to judge an answer: the page's text shows the rest."""
    shown = {"id": question["id"], "explanation": render_text(question["explanation"])}
    if "answer" in question:
        shown["answer"] = question["answer"]
        shown["tolerance"] = question.get("tolerance", 0)
    else:
        shown["choices"] = [
            {
                "correct": bool(choice.get("correct")),
                "feedback": render_text(choice.get("feedback", "")),
            }
            for choice in question["choice"]
        ]
    return shown


def questions_markdown(section):
    """A section's questions and their choices, (a), (b), ..., as Markdown."""
    lines = [f"**Check yourself** on *{section['title']}*", ""]
    for number, question in enumerate(section["question"], start=1):
        lines.append(f"{number}. {' '.join(question['text'].split())}")
        indent = " " * len(f"{number}. ")
        for letter, choice in zip(LETTERS, question.get("choice", []), strict=False):
            lines.append(f"{indent}- ({letter}) {' '.join(choice['text'].split())}")
    return "\n".join(lines)


class SelfCheck(anywidget.AnyWidget):
    """The answers to one section's questions; the browser checks them."""

    _esm = front_end_module("self_check")
    _css = (FRONT_END / "self_check.css").read_text()
    title = traitlets.Unicode().tag(sync=True)  # the section's title
    link = traitlets.Unicode().tag(sync=True)  # its anchor in the book
    questions = traitlets.List().tag(sync=True)

    def __repr__(self):
        count = len(self.questions)
        return f"Check yourself: {count} question{'s' * (count != 1)} on {self.title}"


def self_check(chapter, label):
    """Show the questions that follow the section ``label`` of chapter ``chapter``,
    as text; return the widget that takes their answers."""
    sections = load_sections(chapter)
    if label not in sections:
        raise ValueError(
            f"chapter {chapter} has no questions for a section {label!r}; "
            f"it has {sorted(sections)}."
        )
    section = sections[label]
    display(Markdown(questions_markdown(section)))
    return SelfCheck(
        title=section["title"],
        link=f"#{label}",
        questions=[_for_browser(q) for q in section["question"]],
    )
