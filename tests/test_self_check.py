"""The self-check questions (onebyone/questions/): where they sit, what they hold,
and every numeric answer computed again with the book's code."""

import importlib
import math
import pkgutil
import re

import nbformat
import pytest
import torch
from torch import nn

import onebyone
from conftest import NOTEBOOKS
from onebyone.conv import conv_output_size
from onebyone.measure import count_flops, count_parameters
from onebyone.selfcheck import (
    QUESTIONS,
    load_sections,
    questions_markdown,
    render_text,
    self_check,
)


def chapter_of(notebook):
    return int(notebook.name[:2])


def receptive_field(*layers, size=15):
    """Input pixels that one central output pixel depends on, along one axis."""
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    y = nn.Sequential(*layers)(x)
    y[0, 0, y.shape[-2] // 2, y.shape[-1] // 2].backward()
    return int((x.grad[0, 0].abs().sum(dim=0) > 0).sum())


def conv_weights_only(*shape_args, **kwargs):
    return count_parameters(nn.Conv2d(*shape_args, bias=False, **kwargs))


def transposed_copies(kernel_size, stride, size=12):
    """Kernel copies on the middle output pixel of a 1-D transposed convolution."""
    ones = torch.ones(1, 1, size)
    out = nn.functional.conv_transpose1d(
        ones, torch.ones(1, 1, kernel_size), stride=stride
    )
    return int(out[0, 0, out.shape[-1] // 2])


def fc_as_conv_kernel(channels=64, size=5, outputs=100):
    """The kernel size of the convolution that computes a fully connected layer on
    a (channels, size, size) map, with its weights reshaped."""
    linear = nn.Linear(channels * size * size, outputs)
    x = torch.randn(1, channels, size, size)
    for k in range(1, size + 1):
        conv = nn.Conv2d(channels, outputs, k)
        if conv.weight.numel() != linear.weight.numel():
            continue
        with torch.no_grad():
            conv.weight.copy_(linear.weight.reshape(conv.weight.shape))
            conv.bias.copy_(linear.bias)
            if torch.allclose(conv(x).flatten(), linear(x.flatten(1))[0], atol=1e-5):
                return k
    return None


def separable_flop_ratio(channels=256, k=3):
    x = torch.zeros(1, channels, 8, 8)
    separable = nn.Sequential(
        nn.Conv2d(channels, channels, k, padding=1, groups=channels, bias=False),
        nn.Conv2d(channels, channels, 1, bias=False),
    )
    standard = nn.Conv2d(channels, channels, k, padding=1, bias=False)
    return count_flops(separable, x) / count_flops(standard, x)


def smallest_input(kernel_size, dilation):
    """The smallest input a dilated kernel fits: the pixels it spans."""
    size = 1
    while True:
        try:
            conv_output_size(size, kernel_size, dilation=dilation)
            return size
        except ValueError:
            size += 1


def books_code():
    """What a question's ``computed`` expression may use: math, torch, ``nn``, the
    public names of every module of the package, and the helpers above."""
    names = {"math": math, "torch": torch, "nn": nn}
    for module in pkgutil.iter_modules(onebyone.__path__, "onebyone."):
        code = importlib.import_module(module.name)
        names |= {k: v for k, v in vars(code).items() if not k.startswith("_")}
    helpers = (
        receptive_field, conv_weights_only, fc_as_conv_kernel,
        separable_flop_ratio, smallest_input, transposed_copies,
    )  # fmt: skip
    return names | {helper.__name__: helper for helper in helpers}


def all_questions():
    for notebook in NOTEBOOKS:
        chapter = chapter_of(notebook)
        for section in load_sections(chapter).values():
            for question in section["question"]:
                yield chapter, section, question


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_asks_three_to_six_questions(notebook):
    sections = load_sections(chapter_of(notebook))
    assert 3 <= sum(len(s["question"]) for s in sections.values()) <= 6


def test_every_numeric_answer_is_computed_by_the_books_code():
    """Each numeric question names, as ``computed``, the code that gives its answer."""
    numeric = [(c, q) for c, _, q in all_questions() if "answer" in q]
    assert numeric
    for chapter, question in numeric:
        computed = eval(question["computed"], books_code())
        tolerance = question.get("tolerance", 0)
        assert abs(computed - question["answer"]) <= tolerance + 1e-12, (
            chapter,
            question["id"],
            computed,
        )


def test_a_tolerance_is_stated_in_the_question():
    for chapter, _, question in all_questions():
        if question.get("tolerance"):
            assert "decimals" in question["text"], (chapter, question["id"])


def test_choices_name_a_misconception_each():
    for chapter, _, question in all_questions():
        for choice in question.get("choice", []):
            assert choice.get("correct") or len(choice["feedback"]) > 20, (
                chapter,
                question["id"],
            )


def section_ranges(nb):
    """{label: (first cell, end cell)} for every labelled level-2 section."""
    starts = {}
    for index, cell in enumerate(nb.cells):
        match = re.search(r"^\((.+)\)=\n## ", cell.source, re.MULTILINE)
        if cell.cell_type == "markdown" and match:
            starts[match[1]] = index
    heads = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "markdown" and re.search(r"^## ", c.source, re.MULTILINE)
    ]
    return {
        label: (start, next((h for h in heads if h > start), len(nb.cells)))
        for label, start in starts.items()
    }


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_sections_questions_close_that_section(notebook):
    """One self_check cell per section that has questions, as the section's last
    cell, its code hidden in the book."""
    chapter = chapter_of(notebook)
    nb = nbformat.read(notebook, as_version=4)
    ranges = section_ranges(nb)
    calls = [
        (i, c)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.source.startswith("self_check(")
    ]
    shown = []
    for index, cell in calls:
        match = re.fullmatch(r'self_check\((\d+), "([^"]+)"\)', cell.source)
        assert match and int(match[1]) == chapter, cell.source
        label = match[2]
        assert label in ranges, f"no section labelled {label}"
        assert index == ranges[label][1] - 1, f"{label}: not the section's last cell"
        assert "remove-input" in cell.metadata.get("tags", [])
        shown.append(label)
    assert sorted(shown) == sorted(load_sections(chapter))


def test_the_widget_says_what_it_holds():
    widget = self_check(1, "padding-stride-and-dilation")
    assert repr(widget) == "Check yourself: 2 questions on Padding, stride and dilation"
    assert widget.link == "#padding-stride-and-dilation"
    with pytest.raises(ValueError, match="no questions for a section 'nowhere'"):
        self_check(1, "nowhere")


def test_the_questions_are_text_and_the_widget_holds_only_what_judges_them():
    section = {
        "title": "Heads",
        "question": [
            {"id": "n", "text": "How\n  many?", "answer": 3, "explanation": "3."},
            {
                "id": "c",
                "text": "Which?",
                "explanation": "The first.",
                "choice": [{"text": "$x$", "correct": True}, {"text": "y"}],
            },
        ],
    }
    assert questions_markdown(section) == (
        "**Check yourself** on *Heads*\n\n1. How many?\n2. Which?\n"
        "   - (a) $x$\n   - (b) y"
    )
    shown = self_check(1, "padding-stride-and-dilation").questions
    assert all("text" not in question for question in shown)
    assert all("text" not in c for q in shown for c in q.get("choices", []))


def test_text_becomes_html_with_mathml_and_code():
    html = render_text("Is `a<b` and $x^2$\n   fine & safe?")
    assert html.startswith("Is <code>a&lt;b</code> and <math")
    assert "<msup>" in html and html.endswith("fine &amp; safe?")


def test_a_question_file_is_checked(tmp_path, monkeypatch):
    import onebyone.selfcheck as selfcheck

    (tmp_path / "09-example.toml").write_text(
        '[[section]]\nlabel = "a"\ntitle = "A"\n'
        '[[section.question]]\nid = "q"\ntext = "?"\nexplanation = "."\n'
        '[[section.question.choice]]\ntext = "yes"\ncorrect = true\n'
        '[[section.question.choice]]\ntext = "no"\n'
    )
    monkeypatch.setattr(selfcheck, "QUESTIONS", tmp_path)
    with pytest.raises(ValueError, match="every wrong choice needs feedback"):
        load_sections(9)
    assert QUESTIONS.name == "questions"


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_book_shows_the_questions_as_the_files_have_them(notebook):
    """The recorded text and widget state (what the static book shows) hold each
    section's questions as onebyone/questions/ has them now: re-record after
    editing them."""
    nb = nbformat.read(notebook, as_version=4)
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("self_check("):
            chapter, label = re.fullmatch(
                r'self_check\((\d+), "([^"]+)"\)', cell.source
            ).groups()
            text, view = [o for o in cell.outputs if "data" in o]
            section = load_sections(int(chapter))[label]
            assert text["data"]["text/markdown"] == questions_markdown(section)
            model = view["data"]["application/vnd.jupyter.widget-view+json"]
            saved = state[model["model_id"]]["state"]
            expected = self_check(int(chapter), label)
            assert saved["questions"] == expected.questions, f"{label}: make record"
            assert saved["title"] == expected.title
