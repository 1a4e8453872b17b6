"""The built book in a real headless browser, with the network cut off.

Every page loads without a JavaScript error and without a request to any host
but 127.0.0.1; math is typeset by MathJax; widgets render, and moving a control
changes the picture without a kernel; the explorers compute what Python computes
for the settings a reader types, and explain the impossible ones.
"""

import contextlib
from urllib.parse import urlparse

import nbformat
import pytest
import torch
import torch.nn.functional as F
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import NOTEBOOKS
from onebyone.conv import conv_output_size
from onebyone.selfcheck import load_sections

# A harmless notice from the schema compiler inside the widget manager (it
# validates the saved widget state), not ours to fix.
KNOWN_WARNINGS = ("allowUnionTypes",)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def code_of(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    return "\n".join(cell.source for cell in cells if cell.cell_type == "code")


def page_calling(code):
    """The page of the first chapter whose notebook runs ``code``."""
    notebook = next(nb for nb in NOTEBOOKS if code in code_of(nb))
    return f"notebooks/{notebook.stem}.html"


PLAYER_PAGE = page_calling('control="play"')
DROPDOWN_PLAYERS = sum(code_of(nb).count('control="dropdown"') for nb in NOTEBOOKS)


def pages(html_dir):
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).as_posix().startswith(("_static/", "_sources/"))
    )


# What a chapter page may load, uncompressed: its HTML with the pictures in it,
# scripts, styles and fonts. About 5.8 to 6.2 MB today; the aim is 5 MB.
CHAPTER_BYTES = 6_500_000


class Visit:
    """Open one page, recording errors, any request that leaves the machine, and
    what it loads."""

    def __init__(self, browser, book_url, path):
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.problems, self.external, self.loaded = [], [], {}
        host = urlparse(book_url).netloc
        self.page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        self.page.on("console", self._console)
        self.page.on(
            "requestfailed", lambda r: self.problems.append(f"failed: {r.url}")
        )
        # A file the book does not ship (say, a vendored chunk left out) is a 404.
        self.page.on("response", self._response)

        def route(route):
            url = urlparse(route.request.url)
            if url.scheme in ("data", "blob") or url.netloc == host:
                route.continue_()
            else:
                self.external.append(route.request.url)
                route.abort()

        self.page.route("**/*", route)
        # networkidle: index.html redirects, and MathJax loads its parts lazily.
        # On a busy machine the network can fall idle before MathJax's deferred
        # script has run, so wait for that script, then for its typesetting.
        self.page.goto(f"{book_url}/{path}", wait_until="networkidle")
        self.page.wait_for_function(
            "() => !document.querySelector('script[src*=mathjax]')"
            " || window.MathJax?.startup?.promise"
        )
        self.page.evaluate("() => window.MathJax?.startup?.promise")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")
        elif response.status < 300:
            self.loaded[response.url.split("?")[0]] = len(response.body())

    def heaviest(self, count=5):
        """The page's total bytes, and its largest files, in words."""
        files = sorted(self.loaded.items(), key=lambda item: -item[1])[:count]
        listed = ", ".join(f"{url.rsplit('/', 1)[-1]} {size:,}" for url, size in files)
        return sum(self.loaded.values()), listed

    def _console(self, message):
        if message.type == "error" or (
            message.type == "warning"
            and not any(k in message.text for k in KNOWN_WARNINGS)
        ):
            self.problems.append(f"console {message.type}: {message.text}")

    def rendered_widgets(self):
        """How many widget outputs the page holds, and how many of them show a
        picture or an explorer once all have had time to render."""
        expected = self.page.locator(f'script[type="{WIDGET_VIEW}"]').count()
        shown = ", ".join(
            f".widget-subarea:has({inner})"
            for inner in ("img", ".obo-explorer", ".obo-self-check")
        )
        script = "([css, n]) => document.querySelectorAll(css).length >= n"
        # On a time-out, the count below tells how many are missing.
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_function(script, arg=[shown, expected], timeout=10_000)
        return expected, self.page.locator(shown).count()

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def chapter_page(browser, book_url):
    """Open a chapter's page, or return it if open: a chapter takes seconds to load,
    so each loads once and its visit serves every test here."""
    opened = {}

    def visit(path):
        if path not in opened:
            opened[path] = Visit(browser, book_url, path)
        return opened[path]

    yield visit
    for each in opened.values():
        each.close()


@pytest.fixture(scope="module")
def chapter_1(chapter_page):
    """The first chapter with a frame player that plays (chapter 1)."""
    visit = chapter_page(PLAYER_PAGE)
    visit.page.wait_for_selector(".widget-subarea:has(.widget-play) img")
    return visit.page


def first_player(page):
    return page.locator(".widget-subarea:has(.widget-play)").first


def test_every_page_loads_offline_and_its_players_switch_frames(
    browser, book_url, html_dir, chapter_page
):
    """Every page: no error, no request leaving 127.0.0.1, every formula typeset and
    every widget rendered, and a chapter no heavier than CHAPTER_BYTES; and every
    dropdown frame player switches its picture without a kernel (one visit a page
    serves both)."""
    report, switched = {}, 0
    for path in pages(html_dir):
        chapter = path.startswith("notebooks/")
        visit = chapter_page(path) if chapter else Visit(browser, book_url, path)
        math = visit.page.locator("span.math, div.math").count()
        untypeset = visit.page.locator(
            "span.math:not(:has(mjx-container)), div.math:not(:has(mjx-container))"
        ).count()
        if untypeset:
            visit.problems.append(
                f"{untypeset} of {math} formulas not typeset by MathJax"
            )
        if visit.page.locator("mjx-merror").count():
            visit.problems.append("MathJax reported a formula error")
        views, rendered = visit.rendered_widgets()
        if rendered != views:
            visit.problems.append(f"{rendered} of {views} widgets rendered")
        players = visit.page.locator(".widget-subarea:has(select)")
        for index in range(players.count()):
            player = players.nth(index)
            before = shown_image(player)
            player.locator("select").select_option(index=1)
            visit.page.wait_for_function(
                "([el, src]) => el.querySelector('img.widget-image').src !== src",
                arg=[player.element_handle(), before],
            )
            switched += 1
        total, listed = visit.heaviest()
        if chapter and total > CHAPTER_BYTES:
            visit.problems.append(f"loads {total:,} bytes: {listed}")
        if visit.problems or visit.external:
            report[path] = visit.problems + [f"external: {u}" for u in visit.external]
        if not chapter:
            visit.close()
    assert len(pages(html_dir)) >= 5
    assert not report
    assert switched == DROPDOWN_PLAYERS > 0


def test_math_is_typeset_on_chapter_1(chapter_1):
    assert chapter_1.locator("mjx-container").count() >= 10


def shown_image(widget):
    return widget.locator("img.widget-image").first.get_attribute("src")


def test_slider_steps_through_frames_without_a_kernel(chapter_1):
    player = first_player(chapter_1)
    assert player.locator(".widget-play button").count() == 3
    before = shown_image(player)
    handle = player.locator(".noUi-handle")
    handle.focus()
    handle.press("ArrowRight")
    handle.press("ArrowRight")
    chapter_1.wait_for_function(
        "([el, src]) => el.querySelector('img.widget-image').src !== src",
        arg=[player.element_handle(), before],
    )
    assert player.locator(".widget-readout").inner_text() == "2"
    assert shown_image(player) != before


def test_play_button_animates(chapter_1):
    player = first_player(chapter_1)
    start = player.locator(".widget-readout").inner_text()
    player.locator(".widget-play button").first.click()
    chapter_1.wait_for_function(
        "([el, start]) => el.querySelector('.widget-readout').textContent !== start",
        arg=[player.element_handle(), start],
        timeout=5000,
    )


# ---- The explorers (onebyone/explorers.py) ----------------------------------

CONV_NAMES = ("size", "kernel_size", "padding", "stride", "dilation")
# Settings a reader might type: the example, stride larger than the
# kernel, a 1×1 kernel, an even kernel, the largest the explorer draws.
CONV_SAMPLE = [
    (9, 5, 2, 3, 2),
    (7, 3, 1, 2, 1),
    (5, 1, 0, 1, 1),
    (8, 4, 0, 2, 1),
    (6, 2, 3, 5, 3),
    (32, 15, 8, 16, 2),
    (3, 3, 0, 1, 1),
]


@pytest.fixture(scope="module")
def conv_explorer(chapter_page):
    page = chapter_page(page_calling("ConvArithmeticExplorer(")).page
    page.wait_for_selector(".obo-conv")
    return page.locator(".obo-conv")


def type_setting(explorer, setting):
    for name, value in zip(CONV_NAMES, setting, strict=True):
        explorer.locator(f"input[name={name}]").fill(str(value))


def test_conv_explorer_draws_any_setting_as_python_computes_it(conv_explorer):
    for setting in CONV_SAMPLE:
        type_setting(conv_explorer, setting)
        size, k, p, s, d = setting
        out = conv_output_size(size, k, stride=s, padding=p, dilation=d)
        readout = conv_explorer.locator(".obo-readout").inner_text()
        assert conv_explorer.get_attribute("data-output-size") == str(out), setting
        assert f"= {out}, so the output is {out}×{out}" in readout, setting
        padded = (size + 2 * p) ** 2
        cells = conv_explorer.locator(".obo-input, .obo-padding").count()
        assert (cells, conv_explorer.locator(".obo-padding").count()) == (
            padded,
            padded - size**2,
        ), setting
        assert conv_explorer.locator(".obo-start").count() == out**2, setting
        assert conv_explorer.locator(".obo-output").count() == out**2, setting
        assert conv_explorer.locator(".obo-tap").count() == k**2, setting


def test_pointing_at_an_output_cell_moves_the_window(conv_explorer):
    type_setting(conv_explorer, (7, 3, 0, 2, 1))  # a 3×3 output, stride 2
    first_tap = conv_explorer.locator(".obo-tap").first
    before = float(first_tap.get_attribute("x")), float(first_tap.get_attribute("y"))
    conv_explorer.locator(".obo-output").nth(4).hover()  # row 1, column 1
    after = float(first_tap.get_attribute("x")), float(first_tap.get_attribute("y"))
    cell = float(conv_explorer.locator(".obo-input").first.get_attribute("width"))
    assert after == (before[0] + 2 * cell, before[1] + 2 * cell)
    assert "Output (1, 1) reads" in conv_explorer.locator(".obo-readout").inner_text()
    conv_explorer.page.mouse.move(0, 0)  # the keyboard, too
    conv_explorer.locator(".obo-output").nth(1).focus()
    conv_explorer.page.keyboard.press("Tab")  # on to row 0, column 2
    assert "Output (0, 2) reads" in conv_explorer.locator(".obo-readout").inner_text()


@pytest.mark.parametrize(
    "setting, words",
    [
        ((3, 5, 0, 1, 1), "No window fits"),
        ((7, 3, 0, 0, 1), "stride must be at least 1"),
        ((7, 3, -1, 1, 1), "padding p must be at least 0"),
        ((7, 2.5, 0, 1, 1), "kernel size k must be a whole number"),
        ((7, "", 0, 1, 1), "kernel size k must be a whole number"),
    ],
)
def test_conv_explorer_says_what_is_wrong_instead_of_drawing(
    conv_explorer, setting, words
):
    type_setting(conv_explorer, setting)
    readout = conv_explorer.locator(".obo-readout")
    assert words in readout.inner_text()
    assert "obo-problem" in readout.get_attribute("class")
    assert conv_explorer.get_attribute("data-output-size") == ""
    assert conv_explorer.locator(".obo-picture > *").count() == 0
    type_setting(conv_explorer, (7, 3, 0, 1, 1))  # and it recovers
    assert conv_explorer.get_attribute("data-output-size") == "5"


def explorer_on(chapter_page, path, drawn, root):
    """Yield an explorer once drawn; the page must stay free of errors throughout."""
    visit = chapter_page(path)
    visit.page.wait_for_selector(drawn)
    yield visit.page.locator(root)
    assert not visit.problems


@pytest.fixture(scope="module")
def mixer(chapter_page):
    yield from explorer_on(
        chapter_page, page_calling("ChannelMixer("), ".obo-mixer canvas", ".obo-mixer"
    )


READ_CANVAS = """c => Array.from(
    c.getContext("2d").getImageData(0, 0, c.width, c.height).data
)"""


def canvas_pixels(mixer, index):
    """RGB values of one of the mixer's canvases (0: the photo, 1: mixed)."""
    data = mixer.locator("canvas").nth(index).evaluate(READ_CANVAS)
    return [data[n : n + 3] for n in range(0, len(data), 4)]


def set_matrix(mixer, values):
    for n, value in enumerate(values):
        mixer.locator(f"input[name=w{n // 3}{n % 3}]").fill(str(value))


def test_channel_mixer_applies_any_matrix_to_every_pixel(mixer):
    presets = [b.inner_text() for b in mixer.locator(".obo-preset").all()]
    assert presets[:2] == ["identity", "per-channel gains"]  # the notebook's order
    mixer.locator(".obo-preset", has_text="identity").click()
    assert mixer.get_attribute("data-diagonal") == "true"
    photo = canvas_pixels(mixer, 0)
    assert canvas_pixels(mixer, 1) == photo
    weights = [1, 0.5, 0, 0, 0.8, 0, -0.25, 0, 1]  # R takes half of G, B gives R
    set_matrix(mixer, weights)
    assert mixer.get_attribute("data-diagonal") == "false"
    readout = mixer.locator(".obo-readout").inner_text()
    assert "2 of its 6 off-diagonal entries" in readout
    assert "R out takes 0.5 × G in" in readout
    mixed = canvas_pixels(mixer, 1)
    for pixel in range(0, len(photo), 997):  # a sample, computed here in Python
        r, g, b = (value / 255 for value in photo[pixel])
        expected = [
            round(255 * min(1, max(0, w0 * r + w1 * g + w2 * b)))
            for w0, w1, w2 in (weights[0:3], weights[3:6], weights[6:9])
        ]
        assert all(abs(m - e) <= 1 for m, e in zip(mixed[pixel], expected, strict=True))


def test_channel_mixer_says_what_is_wrong(mixer):
    mixer.locator(".obo-preset", has_text="sepia").click()
    assert mixer.get_attribute("data-diagonal") == "false"
    mixer.locator("input[name=w12]").fill("")
    readout = mixer.locator(".obo-readout")
    assert "Every entry of W must be a number" in readout.inner_text()
    assert "G out, B in" in readout.inner_text()
    assert "obo-problem" in readout.get_attribute("class")
    mixer.locator(".obo-preset", has_text="per-channel gains").click()
    assert mixer.get_attribute("data-diagonal") == "true"


@pytest.fixture(scope="module")
def overlap_explorer(chapter_page):
    yield from explorer_on(
        chapter_page,
        page_calling("TransposedConvOverlapExplorer("),
        ".obo-overlap svg rect",
        ".obo-overlap",
    )


@pytest.mark.parametrize("size, kernel_size, stride", [(6, 3, 2), (6, 4, 2), (5, 5, 3)])
def test_overlap_explorer_counts_as_conv_transpose2d(
    overlap_explorer, size, kernel_size, stride
):
    for name, value in (
        ("size", size),
        ("kernel_size", kernel_size),
        ("stride", stride),
    ):
        overlap_explorer.locator(f"input[name={name}]").fill(str(value))
    ones = torch.ones(1, 1, size, size)
    kernel = torch.ones(1, 1, kernel_size, kernel_size)
    expected = F.conv_transpose2d(ones, kernel, stride=stride)[0, 0].flatten()
    cells = overlap_explorer.locator(".obo-count")
    drawn = cells.evaluate_all("cells => cells.map(c => Number(c.dataset.count))")
    assert drawn == [int(c) for c in expected]
    readout = overlap_explorer.locator(".obo-readout").inner_text()
    even = kernel_size % stride == 0
    assert ("tile evenly" in readout) == even
    assert ("checkerboard" in readout) == (not even)


def test_overlap_explorer_asks_for_a_larger_input_when_it_cannot_tell(
    overlap_explorer,
):
    for name, value in (("size", 2), ("kernel_size", 3), ("stride", 2)):
        overlap_explorer.locator(f"input[name={name}]").fill(str(value))
    readout = overlap_explorer.locator(".obo-readout").inner_text()
    assert "Take a larger input" in readout
    assert "tile evenly" not in readout


def test_overlap_explorer_says_what_is_wrong(overlap_explorer):
    overlap_explorer.locator("input[name=stride]").fill("0")
    readout = overlap_explorer.locator(".obo-readout")
    assert "stride must be at least 1" in readout.inner_text()
    assert overlap_explorer.locator(".obo-count").count() == 0
    overlap_explorer.locator("input[name=stride]").fill("2")
    assert overlap_explorer.locator(".obo-count").count() > 0


# ---- The self-check questions (onebyone/selfcheck.py) ------------------------


def answers(chapter):
    """{question id: (a right answer, a wrong one)}, as a reader would give them:
    a typed number, or the index of the choice to click."""
    found = {}
    for section in load_sections(chapter).values():
        for q in section["question"]:
            if "answer" in q:
                right = q["answer"]
                found[q["id"]] = (
                    f"{right}",
                    f"{right + 10 * q.get('tolerance', 0) + 1}",
                )
            else:
                flags = [c.get("correct", False) for c in q["choice"]]
                found[q["id"]] = (flags.index(True), flags.index(False))
    return found


def answer(question, response):
    if isinstance(response, str):
        question.locator("input").fill(response)
        question.locator(".obo-check").click()
    else:
        question.locator(".obo-choice").nth(response).click()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_self_check_answers_one_question_right_and_one_wrong(chapter_page, notebook):
    """In the static book: a right answer is confirmed and explained; a wrong one
    is marked, with its own feedback, a link to its section and the explanation
    one click away."""
    chapter = int(notebook.name[:2])
    visit = chapter_page(f"notebooks/{notebook.stem}.html")
    visit.page.wait_for_selector(".obo-self-check .obo-question")
    questions = visit.page.locator(".obo-question")
    first, second = questions.nth(0), questions.nth(1)
    expected = answers(chapter)

    answer(first, expected[first.get_attribute("data-id")][0])
    assert first.get_attribute("data-result") == "right"
    assert first.locator(".obo-verdict").inner_text().startswith("Right.")
    assert first.locator(".obo-explanation").count() == 1

    answer(second, expected[second.get_attribute("data-id")][1])
    assert second.get_attribute("data-result") == "wrong"
    assert second.locator(".obo-verdict").inner_text().startswith("Not quite")
    assert second.locator(".obo-explanation").count() == 0
    link = second.locator(".obo-more a").get_attribute("href")
    assert visit.page.locator(f"[id='{link[1:]}']").count() == 1, link
    second.get_by_role("button", name="Show the answer").click()
    assert second.locator(".obo-explanation").count() == 1
    assert not visit.problems


def test_self_check_math_is_drawn_without_mathjax(chapter_page):
    """Math in an explanation is MathML, which the browser draws itself, as
    JupyterLab and Colab do (they have no MathJax for widgets): the first question
    whose explanation holds math, answered right."""
    notebook, question = next(
        (nb, q)
        for nb in NOTEBOOKS
        for s in load_sections(int(nb.name[:2])).values()
        for q in s["question"]
        if "$" in q["explanation"]
    )
    visit = chapter_page(f"notebooks/{notebook.stem}.html")
    visit.page.wait_for_selector(".obo-self-check")
    item = visit.page.locator(f".obo-question[data-id='{question['id']}']")
    answer(item, answers(int(notebook.name[:2]))[question["id"]][0])
    formula = item.locator(".obo-explanation math").first
    assert formula.bounding_box()["height"] > 10  # drawn, not an empty element
