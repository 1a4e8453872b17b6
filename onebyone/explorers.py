"""Explorers computed in the reader's browser: convolution arithmetic, channel
mixing, and the overlaps of a transposed convolution.

Each explorer is an anywidget: Python holds its settings, and the drawing is made
by the explorer's JavaScript module (in ``frontend/``), from those settings,
whenever a control changes. No Python runs after the cell, so the explorers stay
live in the static book (whose pages carry the module), in JupyterLab and in
Colab (once Colab's support for third-party widgets is on: the notebooks' install
cell turns it on).
"""

import re
from pathlib import Path

import anywidget
import numpy as np
import traitlets

FRONT_END = Path(__file__).with_name("frontend")
# An explorer's module imports the shared one; a widget's module is loaded alone.
SHARED_IMPORT = re.compile(r'^import \{[^}]*\} from "\./common\.js";\n', re.MULTILINE)


def front_end_module(name):
    """The JavaScript of one explorer, ``frontend/<name>.js``, with the shared
    module that it imports (``common.js``) written in place of the import."""
    module = (FRONT_END / f"{name}.js").read_text()
    if len(SHARED_IMPORT.findall(module)) != 1:
        raise ValueError(f"{name}.js must import common.js once, in one statement.")
    shared = (FRONT_END / "common.js").read_text()
    return shared + "\n" + SHARED_IMPORT.sub("", module)


STYLE = (FRONT_END / "explorers.css").read_text()


class ConvArithmeticExplorer(anywidget.AnyWidget):
    """Input size, kernel, padding, stride and dilation, each free; the browser
    draws the padded input, the kernel's taps, every window start and the output
    size, or says in words why a setting is impossible."""

    _esm = front_end_module("conv_arithmetic")
    _css = STYLE
    size = traitlets.Int(7).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    padding = traitlets.Int(0).tag(sync=True)
    stride = traitlets.Int(1).tag(sync=True)
    dilation = traitlets.Int(1).tag(sync=True)

    def __init__(self, size=7, kernel_size=3, padding=0, stride=1, dilation=1):
        super().__init__(
            size=size,
            kernel_size=kernel_size,
            padding=padding,
            stride=stride,
            dilation=dilation,
        )

    def __repr__(self):
        return (
            f"ConvArithmeticExplorer(size={self.size}, kernel_size={self.kernel_size}, "
            f"padding={self.padding}, stride={self.stride}, dilation={self.dilation})"
        )


class TransposedConvOverlapExplorer(anywidget.AnyWidget):
    """How many kernel copies a transposed convolution adds at each output pixel,
    for any input size, kernel size and stride, drawn in the browser."""

    _esm = front_end_module("transposed_overlap")
    _css = STYLE
    size = traitlets.Int(6).tag(sync=True)
    kernel_size = traitlets.Int(3).tag(sync=True)
    stride = traitlets.Int(2).tag(sync=True)

    def __init__(self, size=6, kernel_size=3, stride=2):
        super().__init__(size=size, kernel_size=kernel_size, stride=stride)

    def __repr__(self):
        return (
            f"TransposedConvOverlapExplorer(size={self.size}, "
            f"kernel_size={self.kernel_size}, stride={self.stride})"
        )


class ChannelMixer(anywidget.AnyWidget):
    """A 3×3 matrix W applied to every pixel of a photo, as a 1×1 convolution.

    ``image`` is (H, W, 3) with values in [0, 1]; ``presets`` maps names to 3×3
    matrices, shown as buttons; the browser recomputes the photo whenever an
    entry of W changes, and says whether W is diagonal or mixes channels.
    """

    _esm = front_end_module("channel_mixer")
    _css = STYLE
    pixels = traitlets.Bytes().tag(sync=True)  # RGB, one byte per value
    width = traitlets.Int().tag(sync=True)
    height = traitlets.Int().tag(sync=True)
    matrix = traitlets.List(traitlets.Float(), minlen=9, maxlen=9).tag(sync=True)
    presets = traitlets.List().tag(sync=True)  # [name, flat W] pairs, in order

    def __init__(self, image, presets, matrix=None):
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 3 or image.shape[-1] != 3:
            raise ValueError(
                "the mixer needs an RGB image of shape (H, W, 3), channels last; "
                f"got shape {image.shape}."
            )
        if image.size and not 0 <= image.min() <= image.max() <= 1:
            raise ValueError("the image's values must lie between 0 and 1.")
        if not presets:
            raise ValueError("give at least one preset matrix, by name.")
        flat = [[name, _flat_rgb_matrix(m, name)] for name, m in presets.items()]
        start = next(iter(presets.values())) if matrix is None else matrix
        super().__init__(
            pixels=np.round(255 * image).astype(np.uint8).tobytes(),
            width=image.shape[1],
            height=image.shape[0],
            matrix=_flat_rgb_matrix(start, "matrix"),
            presets=flat,
        )

    @property
    def weight(self):
        """The current W as a 3×3 nested list (rows: output channels)."""
        return [self.matrix[3 * row : 3 * row + 3] for row in range(3)]

    def __repr__(self):
        return (
            f"ChannelMixer({self.height}×{self.width} image, "
            f"{len(self.presets)} presets, W = {self.weight})"
        )


def _flat_rgb_matrix(matrix, name):
    """A 3×3 matrix as a flat list of 9 floats, or a clear error."""
    values = np.asarray(matrix, dtype=np.float64)
    if values.shape != (3, 3):
        raise ValueError(
            f"{name}: an RGB channel mixer's W is 3×3 (3 output by 3 input "
            f"channels); got shape {values.shape}."
        )
    if not np.isfinite(values).all():
        raise ValueError(f"{name}: every entry of W must be a finite number.")
    return values.flatten().tolist()
