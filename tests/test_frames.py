"""onebyone/frames.py: frame players, live and in the static book."""

import io

import ipywidgets as widgets
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from onebyone import frames  # noqa: E402
from onebyone.frames import PNG_SIGNATURE, figure_to_png, frame_player  # noqa: E402


def png(value):
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.set_title(str(value))
    return figure_to_png(fig)


@pytest.fixture(scope="module")
def pngs():
    return [png(i) for i in range(3)]


def parts(player):
    controls, picture = player.children
    return controls.children, picture


def test_figure_to_png_renders_and_closes():
    fig = plt.figure(figsize=(1, 1))
    data = figure_to_png(fig)
    assert data.startswith(PNG_SIGNATURE)
    assert not plt.fignum_exists(fig.number)


def test_a_frame_keeps_its_look_in_a_palette_of_256_colours():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow(np.random.default_rng(0).random((48, 48)), cmap="viridis")
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=frames.FRAME_DPI)
    palette = Image.open(io.BytesIO(figure_to_png(fig)))
    assert palette.mode == "P"
    original = np.asarray(Image.open(full).convert("RGB"), dtype=float)
    shown = np.asarray(palette.convert("RGB"), dtype=float)
    assert shown.shape == original.shape
    assert np.abs(shown - original).mean() < 2  # of 255 levels per channel
    assert len(figure_to_png(fig)) < len(full.getvalue())


def test_slider_is_linked_to_a_stack_in_the_browser(pngs):
    player = frame_player(pngs)
    (slider,), stack = parts(player)
    assert isinstance(stack, widgets.Stack)
    assert [child.value for child in stack.children] == pngs
    assert (slider.min, slider.max) == (0, 2)
    [link] = player.links
    assert (link.source, link.target) == ((slider, "value"), (stack, "selected_index"))


def test_play_drives_the_slider(pngs):
    player = frame_player(pngs, control="play")
    (play, slider), _ = parts(player)
    assert isinstance(play, widgets.Play)
    assert (player.links[0].source, player.links[0].target) == (
        (play, "value"),
        (slider, "value"),
    )


def test_dropdown_switches_by_index(pngs):
    player = frame_player(pngs, labels=["a", "b", "c"], control="dropdown")
    (dropdown,), stack = parts(player)
    assert list(dropdown.options) == ["a", "b", "c"]
    [link] = player.links
    assert (link.source, link.target) == (
        (dropdown, "index"),
        (stack, "selected_index"),
    )


def test_figures_are_accepted_as_frames():
    fig = plt.figure(figsize=(1, 1))
    _, stack = parts(frame_player([fig]))
    assert bytes(stack.children[0].value).startswith(PNG_SIGNATURE)


def test_text_form_is_short_and_stable(pngs):
    assert repr(frame_player(pngs, control="play")) == "FramePlayer(3 frames, play)"


def test_ipywidgets_7_falls_back_to_a_python_callback(pngs, monkeypatch):
    monkeypatch.setattr(frames, "HAS_STACK", False)
    (slider,), picture = parts(frame_player(pngs))
    assert isinstance(picture, widgets.Image)
    assert picture.value == pngs[0]
    slider.value = 2
    assert picture.value == pngs[2]


def test_ipywidgets_7_dropdown_fallback(pngs, monkeypatch):
    monkeypatch.setattr(frames, "HAS_STACK", False)
    (dropdown,), picture = parts(
        frame_player(pngs, labels=list("abc"), control="dropdown")
    )
    dropdown.value = "b"
    assert picture.value == pngs[1]


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ([[]], {}, ValueError, "at least one frame; it got none"),
        ([[b"abc"]], {}, ValueError, "frame 0 is bytes but not a PNG image"),
        ([["not a frame"]], {}, TypeError, "frame 0 is a str"),
        ([None], {"control": "knob"}, ValueError, "control must be one of"),
        ([None], {"labels": ["one"]}, ValueError, "got 1 labels for 3 frames"),
        ([None], {"control": "dropdown"}, ValueError, "a dropdown needs labels"),
    ],
)
def test_bad_input_says_what_is_wrong(pngs, args, kwargs, error, message):
    args = [pngs if a is None else a for a in args]
    with pytest.raises(error, match=message):
        frame_player(*args, **kwargs)
