"""Explorers computed in the reader's browser: convolution arithmetic, channel
mixing, and the overlaps of a transposed convolution.

Each explorer is an anywidget: Python holds its settings, and the drawing is made
by the JavaScript module ``EXPLORERS_JS`` below, from those settings, whenever a
control changes. No Python runs after the cell, so the explorers stay live in the
static book (whose pages carry the module), in JupyterLab and in Colab.
"""

import subprocess
import sys

try:
    import anywidget
except ImportError:  # Colab does not ship anywidget: install it there, once
    if "google.colab" not in sys.modules:
        raise
    subprocess.check_call(
        [sys.executable, "-m", "pip", "install", "--quiet", "anywidget==0.11.0"]
    )
    import anywidget
import numpy as np
import traitlets

if "google.colab" in sys.modules:  # Colab draws third-party widgets only this way
    from google.colab import output

    output.enable_custom_widget_manager()

EXPLORERS_JS = r"""
// Drawn in the browser from the widget's settings; Python only stores them.
const SVG_NS = "http://www.w3.org/2000/svg";
const ORANGE = "#e69f00";
const BLUE = "#0072b2";

function element(tag, attributes = {}, parent = null, namespace = null) {
  const node = namespace
    ? document.createElementNS(namespace, tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  if (parent) parent.appendChild(node);
  return node;
}

// "1 copy", "4 copies": a count and its noun.
function plural(count, noun) {
  if (count === 1) return `1 ${noun}`;
  return `${count} ${noun.endsWith("y") ? noun.slice(0, -1) + "ies" : noun + "s"}`;
}

// A weight as a reader would type it: 0.3, not 0.30000000000000004.
function show(value) {
  return String(Number(value.toPrecision(6)));
}

// Send values back to Python. Where no kernel runs (the static book) there
// is nobody to tell: the explorer keeps drawing from its own copy.
function store(model, values) {
  for (const [name, value] of Object.entries(values)) model.set(name, value);
  try {
    model.save_changes();
  } catch (error) {
    /* no kernel */
  }
}

// ---- Chapter 1: output size and window positions --------------------------

// PyTorch's formula, as conv_output_size in onebyone/conv.py.
export function outputSize({ size, kernel_size, padding, stride, dilation }) {
  const extent = size + 2 * padding - dilation * (kernel_size - 1) - 1;
  return Math.floor(extent / stride) + 1;
}

const CONV_CONTROLS = [
  // name, label, least, most (the most keeps the drawing readable)
  ["size", "input size H", 1, 32],
  ["kernel_size", "kernel size k", 1, 15],
  ["padding", "padding p", 0, 8],
  ["stride", "stride s", 1, 16],
  ["dilation", "dilation d", 1, 8],
];

// What is wrong with whole-number controls, in words; null when nothing is.
function rangeProblem(controls, setting) {
  for (const [name, label, least, most] of controls) {
    const value = setting[name];
    if (!Number.isInteger(value)) {
      return `The ${label} must be a whole number.`;
    }
    if (name === "stride" && value === 0) {
      return "The stride must be at least 1: with 0, the window never moves.";
    }
    if (value < least) return `The ${label} must be at least ${least}; it is ${value}.`;
    if (value > most) {
      return `The ${label} can be at most ${most} here, to keep the drawing readable.`;
    }
  }
  return null;
}

// What is wrong with a setting, in words; null when it is possible.
export function convProblem(setting) {
  const problem = rangeProblem(CONV_CONTROLS, setting);
  if (problem) return problem;
  const { size, kernel_size, padding, dilation } = setting;
  const span = dilation * (kernel_size - 1) + 1;
  const padded = size + 2 * padding;
  if (span > padded) {
    return (
      `No window fits: the kernel spans d(k − 1) + 1 = ${span} pixels, ` +
      `but the padded input has only H + 2p = ${padded}.`
    );
  }
  return null;
}

// Show a problem in words instead of a drawing; true when there was one.
function explained(problem, picture, readout) {
  readout.classList.toggle("obo-problem", Boolean(problem));
  if (!problem) return false;
  readout.textContent = problem;
  picture.setAttribute("width", 0);
  picture.setAttribute("height", 0);
  return true;
}

// One number box per control, kept in step with the model both ways. Python
// hears only possible settings, all controls at once, so that it holds what the
// page shows; onChange redraws after every edit.
function numberControls(model, root, controls, isPossible, onChange) {
  const box = element("div", { class: "obo-controls" }, root);
  const setting = {};
  for (const [name, label] of controls) {
    setting[name] = model.get(name);
    const wrapper = element("label", {}, box);
    wrapper.append(`${label} `);
    const input = element("input", { type: "number", step: "1", name }, wrapper);
    input.value = setting[name];
    input.addEventListener("input", () => {
      setting[name] = input.value.trim() === "" ? NaN : Number(input.value);
      if (isPossible(setting)) store(model, setting);
      onChange();
    });
    model.on(`change:${name}`, () => {
      if (model.get(name) === setting[name]) return;
      setting[name] = input.value = model.get(name);
      onChange();
    });
  }
  return setting;
}

function renderConvArithmetic(model, el) {
  const root = element("div", { class: "obo-explorer obo-conv" }, el);
  let selected = [0, 0]; // the output position whose window is shown
  const setting = numberControls(
    model,
    root,
    CONV_CONTROLS,
    (s) => !convProblem(s),
    () => {
      selected = [0, 0];
      draw();
    },
  );
  const picture = element("svg", { class: "obo-picture" }, root, SVG_NS);
  const readout = element("p", { class: "obo-readout", "aria-live": "polite" }, root);

  function draw() {
    picture.replaceChildren();
    const problem = convProblem(setting);
    root.dataset.outputSize = problem ? "" : outputSize(setting);
    if (explained(problem, picture, readout)) return;
    const { size, kernel_size: k, padding: p, stride: s, dilation: d } = setting;
    const padded = size + 2 * p;
    const out = outputSize(setting);
    const cell = Math.max(6, Math.min(22, Math.floor(320 / padded)));
    const outCell = Math.max(6, Math.min(22, Math.floor(200 / out)));
    const top = 22;
    const gap = 40;
    const left = Math.max(padded * cell + gap, 200); // room for the input's label
    picture.setAttribute("width", left + Math.max(out * outCell + 2, 90));
    picture.setAttribute("height", top + Math.max(padded * cell, out * outCell) + 2);
    const label = (x, text) => {
      const node = element("text", { x, y: 14, "font-size": 12 }, picture, SVG_NS);
      node.textContent = text;
    };
    const padding = p ? `, padded to ${padded}×${padded}` : "";
    label(0, `input ${size}×${size}${padding}`);
    label(left, `output ${out}×${out}`);
    for (let row = 0; row < padded; row++) {
      for (let col = 0; col < padded; col++) {
        const inside = row >= p && row < p + size && col >= p && col < p + size;
        element("rect", {
          x: col * cell, y: top + row * cell, width: cell, height: cell,
          fill: inside ? "#ffffff" : "#d0d0d0", stroke: "#888888",
          class: inside ? "obo-input" : "obo-padding",
        }, picture, SVG_NS);
      }
    }
    const [i, j] = selected;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        element("rect", {
          x: (j * s + b * d) * cell + 1, y: top + (i * s + a * d) * cell + 1,
          width: cell - 2, height: cell - 2, fill: ORANGE, opacity: 0.85,
          class: "obo-tap",
        }, picture, SVG_NS);
      }
    }
    for (let row = 0; row < out; row++) {
      for (let col = 0; col < out; col++) {
        element("circle", {
          cx: (col * s + 0.5) * cell, cy: top + (row * s + 0.5) * cell,
          r: Math.max(2, cell / 5), fill: BLUE, class: "obo-start",
        }, picture, SVG_NS);
        const target = element("rect", {
          x: left + col * outCell, y: top + row * outCell,
          width: outCell, height: outCell, stroke: "#888888",
          fill: row === i && col === j ? ORANGE : "#e8e8e8", class: "obo-output",
          tabindex: 0, "aria-label": `output (${row}, ${col})`,
        }, picture, SVG_NS);
        const choose = (event) => {
          if (selected[0] === row && selected[1] === col) return;
          selected = [row, col];
          draw(); // replaces the cells: give the keyboard's focus to the new one
          if (event.type === "focus") {
            picture.querySelectorAll(".obo-output")[row * out + col].focus();
          }
        };
        target.addEventListener("click", choose);
        target.addEventListener("mouseenter", choose);
        target.addEventListener("focus", choose);
      }
    }
    const span = d * (k - 1) + 1;
    readout.textContent =
      `H_out = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1 = ` +
      `⌊(${size} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1 = ${out}, ` +
      `so the output is ${out}×${out}: one value per blue dot, where a window ` +
      `starts. Output (${i}, ${j}) reads ${plural(k * k, "orange pixel")}, over ` +
      `${span}×${span}: its receptive field in this one layer. ` +
      `Point at an output cell (or tab to it) to see its window.`;
  }
  draw();
}

// ---- Chapter 3: a 1×1 convolution on a photo -------------------------------

const CHANNELS = ["R", "G", "B"];

// Whether W only scales each channel (diagonal) or mixes them, in words.
export function describeMatrix(matrix) {
  const mixing = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      const value = matrix[3 * row + col];
      if (row !== col && value !== 0) {
        mixing.push(`${CHANNELS[row]} out takes ${show(value)} × ${CHANNELS[col]} in`);
      }
    }
  }
  const shown = mixing.slice(0, 3).join("; ") + (mixing.length > 3 ? "; …" : "");
  const verb = mixing.length === 1 ? "is" : "are";
  const count =
    mixing.length === 6
      ? "all 6 of its off-diagonal entries are"
      : `${mixing.length} of its 6 off-diagonal entries ${verb}`;
  if (mixing.length === 0) {
    const gains = CHANNELS.map((c, i) => `${c} × ${show(matrix[4 * i])}`).join(", ");
    return {
      diagonal: true,
      text: `W is diagonal: per-channel scaling (${gains}). Each output colour ` +
        `is its own input colour times a gain; no colour leaks into another.`,
    };
  }
  return {
    diagonal: false,
    text: `W mixes channels: ${count} not 0 (${shown}). Each output channel is a ` +
      `weighted sum of the pixel's three input channels.`,
  };
}

// Apply W to every pixel of RGB bytes: a 1×1 convolution, clipped to [0, 1].
export function mixPixels(rgb, matrix) {
  const pixels = rgb.length / 3;
  const rgba = new Uint8ClampedArray(4 * pixels);
  for (let n = 0; n < pixels; n++) {
    const [r, g, b] = [rgb[3 * n] / 255, rgb[3 * n + 1] / 255, rgb[3 * n + 2] / 255];
    for (let c = 0; c < 3; c++) {
      const value = matrix[3 * c] * r + matrix[3 * c + 1] * g + matrix[3 * c + 2] * b;
      rgba[4 * n + c] = Math.round(255 * Math.min(1, Math.max(0, value)));
    }
    rgba[4 * n + 3] = 255;
  }
  return rgba;
}

function bytesOf(value) {
  if (value instanceof DataView) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  return new Uint8Array(value.buffer ?? value);
}

function renderChannelMixer(model, el) {
  const width = model.get("width");
  const height = model.get("height");
  const rgb = bytesOf(model.get("pixels"));
  const matrix = [...model.get("matrix")];
  const root = element("div", { class: "obo-explorer obo-mixer" }, el);
  const presets = element("div", { class: "obo-controls" }, root);
  const row = element("div", { class: "obo-row" }, root);
  const table = element("table", { class: "obo-matrix" }, row);
  const header = element("tr", {}, table);
  element("th", {}, header);
  for (const c of CHANNELS) element("th", {}, header).textContent = `${c} in`;
  const entries = [];
  for (let r = 0; r < 3; r++) {
    const line = element("tr", {}, table);
    element("th", {}, line).textContent = `${CHANNELS[r]} out`;
    for (let c = 0; c < 3; c++) {
      const input = element("input", {
        type: "number", step: "any", name: `w${r}${c}`,
        "aria-label": `W, ${CHANNELS[r]} out, ${CHANNELS[c]} in`,
      }, element("td", {}, line));
      input.addEventListener("input", () => draw());
      entries.push(input);
    }
  }
  const canvases = ["the photo", "after the 1×1 convolution"].map((title) => {
    const photo = element("div", { class: "obo-photo" }, row);
    const canvas = element("canvas", { width, height }, photo);
    element("div", {}, photo).textContent = title;
    return canvas;
  });
  const readout = element("p", { class: "obo-readout", "aria-live": "polite" }, root);

  const fill = (values) => {
    values.forEach((value, n) => (entries[n].value = show(value)));
    draw();
  };
  for (const [name, values] of model.get("presets")) {
    const button = element("button", { type: "button", class: "obo-preset" }, presets);
    button.textContent = name;
    button.addEventListener("click", () => fill(values));
  }
  model.on("change:matrix", () => {
    const values = model.get("matrix");
    if (values.some((value, n) => value !== matrix[n])) fill(values);
  });

  const original = new Uint8ClampedArray(4 * width * height);
  for (let n = 0; n < width * height; n++) {
    original.set([rgb[3 * n], rgb[3 * n + 1], rgb[3 * n + 2], 255], 4 * n);
  }
  const context = (canvas) =>
    canvas.getContext("2d", { willReadFrequently: true });
  context(canvases[0]).putImageData(new ImageData(original, width), 0, 0);

  function draw() {
    const problems = entries.flatMap((input, n) =>
      input.value.trim() === "" || !Number.isFinite(Number(input.value))
        ? [`${CHANNELS[Math.floor(n / 3)]} out, ${CHANNELS[n % 3]} in`]
        : [],
    );
    readout.classList.toggle("obo-problem", problems.length > 0);
    canvases[1].style.opacity = problems.length ? 0.25 : 1; // an old result, faded
    if (problems.length) {
      root.dataset.diagonal = "";
      readout.textContent =
        `Every entry of W must be a number; this one is not: ${problems[0]}.`;
      return;
    }
    entries.forEach((input, n) => (matrix[n] = Number(input.value)));
    store(model, { matrix: [...matrix] });
    const description = describeMatrix(matrix);
    root.dataset.diagonal = description.diagonal;
    readout.textContent = description.text;
    const mixed = new ImageData(mixPixels(rgb, matrix), width);
    context(canvases[1]).putImageData(mixed, 0, 0);
  }
  fill(matrix);
}

// ---- Chapter 6: where a transposed convolution's kernel copies overlap -----

const OVERLAP_CONTROLS = [
  ["size", "input size", 1, 12],
  ["kernel_size", "kernel size k", 1, 12],
  ["stride", "stride s", 1, 8],
];

// How many kernel copies land on each output position, along one axis.
export function overlapCounts({ size, kernel_size: k, stride: s }) {
  const counts = new Array((size - 1) * s + k).fill(0);
  for (let i = 0; i < size; i++) {
    for (let t = 0; t < k; t++) counts[i * s + t] += 1;
  }
  return counts;
}

// The counts away from the borders (where every copy that could reach a pixel
// does), over one whole period of s pixels; empty when the output has no such
// stretch that long, for then it cannot show the pattern.
export function innerCounts(setting) {
  const { size, kernel_size: k, stride: s } = setting;
  const counts = overlapCounts(setting).slice(k - 1, (size - 1) * s + 1);
  if (counts.length < s) return [];
  const products = new Set();
  for (const a of counts) for (const b of counts) products.add(a * b);
  return [...products].sort((a, b) => a - b);
}

function renderOverlap(model, el) {
  const root = element("div", { class: "obo-explorer obo-overlap" }, el);
  const setting = numberControls(
    model,
    root,
    OVERLAP_CONTROLS,
    (s) => !rangeProblem(OVERLAP_CONTROLS, s),
    () => draw(),
  );
  const picture = element("svg", { class: "obo-picture" }, root, SVG_NS);
  const readout = element("p", { class: "obo-readout", "aria-live": "polite" }, root);

  function draw() {
    picture.replaceChildren();
    const problem = rangeProblem(OVERLAP_CONTROLS, setting);
    root.dataset.inner = problem ? "" : innerCounts(setting).join(",");
    if (explained(problem, picture, readout)) return;
    const counts = overlapCounts(setting);
    const n = counts.length;
    const most = Math.max(...counts) ** 2;
    const cell = Math.max(8, Math.min(24, Math.floor(360 / n)));
    const font = { "font-size": 11, "text-anchor": "middle", "pointer-events": "none" };
    picture.setAttribute("width", n * cell + 2);
    picture.setAttribute("height", n * cell + 2);
    counts.forEach((a, row) => {
      counts.forEach((b, col) => {
        const light = 95 - 70 * ((a * b) / most); // more copies, darker
        element("rect", {
          x: col * cell, y: row * cell, width: cell, height: cell,
          fill: `hsl(205, 70%, ${light}%)`, stroke: "#ffffff", class: "obo-count",
          "data-count": a * b,
        }, picture, SVG_NS);
        if (cell >= 16) {
          const number = element("text", {
            ...font, x: (col + 0.5) * cell, y: (row + 0.5) * cell + 4,
            fill: light < 55 ? "#ffffff" : "#000000",
          }, picture, SVG_NS);
          number.textContent = a * b;
        }
      });
    });
    const inner = innerCounts(setting);
    const { kernel_size: k, stride: s } = setting;
    if (inner.length === 0) {
      readout.textContent =
        `Too close to the borders to see the pattern: away from them (k − 1 = ` +
        `${k - 1} pixels in), the output must be at least s = ${s} pixels wide. ` +
        `Take a larger input.`;
      return;
    }
    const listed =
      inner.length === 1
        ? plural(inner[0], "kernel copy")
        : `${inner.slice(0, -1).join(", ")} or ${inner.at(-1)} kernel copies`;
    readout.textContent =
      k % s === 0
        ? `Away from the borders every output pixel gets ${listed}: ` +
          `k = ${k} is a multiple of s = ${s}, so the copies tile evenly.`
        : `Away from the borders output pixels get ${listed}, in a repeating ` +
          `pattern: k = ${k} is not a multiple of s = ${s}. A learned transposed ` +
          `convolution tends to paint this pattern as a checkerboard.` +
          (inner[0] === 0 ? " Pixels with 0 copies are holes: s exceeds k." : "");
  }
  draw();
}

const STYLE = `
.obo-explorer { font-family: sans-serif; font-size: 14px; margin: 0.5em 0; }
.obo-controls { display: flex; flex-wrap: wrap; gap: 0.4em 1em; margin-bottom: 0.5em; }
.obo-controls input { width: 4em; }
.obo-readout { max-width: 44em; white-space: normal; }
.obo-problem { color: #a40000; font-weight: bold; }
.obo-row { display: flex; flex-wrap: wrap; align-items: center; gap: 1em; }
.obo-matrix input { width: 4em; }
.obo-photo { text-align: center; }
.obo-mixer canvas { width: 160px; height: auto; image-rendering: pixelated; }
`;

function render({ model, el }) {
  element("style", {}, el).textContent = STYLE;
  const explorers = {
    "conv-arithmetic": renderConvArithmetic,
    "channel-mixer": renderChannelMixer,
    "transposed-overlap": renderOverlap,
  };
  explorers[model.get("_explorer")](model, el);
}

export default { render };
"""


class ConvArithmeticExplorer(anywidget.AnyWidget):
    """Input size, kernel, padding, stride and dilation, each free; the browser
    draws the padded input, the kernel's taps, every window start and the output
    size, or says in words why a setting is impossible."""

    _esm = EXPLORERS_JS
    _explorer = traitlets.Unicode("conv-arithmetic").tag(sync=True)
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

    _esm = EXPLORERS_JS
    _explorer = traitlets.Unicode("transposed-overlap").tag(sync=True)
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

    _esm = EXPLORERS_JS
    _explorer = traitlets.Unicode("channel-mixer").tag(sync=True)
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
