"""Frame players: precomputed pictures switched by a control.

A frame player stays interactive where no Python runs, as in the static book:
on ipywidgets 8 the control is linked to a ``Stack`` of images in the browser
(``jslink``). On ipywidgets 7 (Colab) a Python callback swaps the picture.
"""

import io

import ipywidgets as widgets
import matplotlib.pyplot as plt
from PIL import Image

FRAME_DPI = 80
FRAME_COLOURS = 256  # a palette PNG: half the bytes of a full-colour one, same look
CONTROLS = ("slider", "play", "dropdown")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HAS_STACK = hasattr(widgets, "Stack")  # ipywidgets >= 8


def figure_to_png(fig, dpi=FRAME_DPI):
    """Render a matplotlib figure to PNG bytes of at most 256 colours; close it.

    Every frame is stored in the notebook and in the built page, so its size counts.
    """
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png", dpi=dpi)
    plt.close(fig)
    rendered.seek(0)
    picture = Image.open(rendered).convert("RGB").quantize(FRAME_COLOURS)
    palette_png = io.BytesIO()
    picture.save(palette_png, format="png", optimize=True)
    return palette_png.getvalue()


class FramePlayer(widgets.VBox):
    """A control above a picture; its text form names what it shows.

    ``links`` holds the browser-side links (``jslink``) between its widgets.
    """

    def __init__(self, children, links, summary):
        super().__init__(children)
        self.links = links
        self.summary = summary

    def __repr__(self):
        return f"FramePlayer({self.summary})"


def frame_player(frames, labels=None, control="slider", description="step"):
    """Show one of ``frames`` (PNG bytes or matplotlib figures) at a time.

    ``control`` is "slider", "play" (a play button beside a slider) or
    "dropdown" (which needs one label per frame).
    """
    pngs = [_as_png(frame, i) for i, frame in enumerate(frames)]
    if not pngs:
        raise ValueError("frame_player needs at least one frame; it got none.")
    if control not in CONTROLS:
        raise ValueError(f"control must be one of {CONTROLS}; got {control!r}.")
    if labels is not None and len(labels) != len(pngs):
        raise ValueError(
            f"got {len(labels)} labels for {len(pngs)} frames; "
            "give one label per frame."
        )
    if control == "dropdown" and labels is None:
        raise ValueError("a dropdown needs labels: one name per frame.")

    if control == "dropdown":
        selector = widgets.Dropdown(
            options=list(labels), index=0, description=description
        )
        index_trait, row, links = "index", [selector], []
    else:
        selector = widgets.IntSlider(
            value=0, min=0, max=len(pngs) - 1, description=description
        )
        index_trait, row, links = "value", [selector], []
        if control == "play":
            play = widgets.Play(value=0, min=0, max=len(pngs) - 1, interval=700)
            links.append(widgets.jslink((play, "value"), (selector, "value")))
            row = [play, selector]

    if HAS_STACK:
        picture = widgets.Stack(
            [widgets.Image(value=png, format="png") for png in pngs], selected_index=0
        )
        links.append(
            widgets.jslink((selector, index_trait), (picture, "selected_index"))
        )
    else:
        picture = widgets.Image(value=pngs[0], format="png")

        def show(change):
            picture.value = pngs[change["new"]]

        selector.observe(show, names=index_trait)

    summary = f"{len(pngs)} frames, {control}"
    return FramePlayer([widgets.HBox(row), picture], links, summary)


def _as_png(frame, position):
    if isinstance(frame, bytes):
        if not frame.startswith(PNG_SIGNATURE):
            raise ValueError(f"frame {position} is bytes but not a PNG image.")
        return frame
    if isinstance(frame, plt.Figure):
        return figure_to_png(frame)
    raise TypeError(
        f"frame {position} is a {type(frame).__name__}; "
        "give PNG bytes or a matplotlib Figure."
    )
