// Chapter 1's explorer: a convolution's output size and its windows.
import {
  BLUE,
  element,
  explained,
  numberControls,
  ORANGE,
  plural,
  rangeProblem,
  SVG_NS,
} from "./common.js";

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
        element(
          "rect",
          {
            x: col * cell,
            y: top + row * cell,
            width: cell,
            height: cell,
            fill: inside ? "#ffffff" : "#d0d0d0",
            stroke: "#888888",
            class: inside ? "obo-input" : "obo-padding",
          },
          picture,
          SVG_NS,
        );
      }
    }
    const [i, j] = selected;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        element(
          "rect",
          {
            x: (j * s + b * d) * cell + 1,
            y: top + (i * s + a * d) * cell + 1,
            width: cell - 2,
            height: cell - 2,
            fill: ORANGE,
            opacity: 0.85,
            class: "obo-tap",
          },
          picture,
          SVG_NS,
        );
      }
    }
    for (let row = 0; row < out; row++) {
      for (let col = 0; col < out; col++) {
        element(
          "circle",
          {
            cx: (col * s + 0.5) * cell,
            cy: top + (row * s + 0.5) * cell,
            r: Math.max(2, cell / 5),
            fill: BLUE,
            class: "obo-start",
          },
          picture,
          SVG_NS,
        );
        const target = element(
          "rect",
          {
            x: left + col * outCell,
            y: top + row * outCell,
            width: outCell,
            height: outCell,
            stroke: "#888888",
            fill: row === i && col === j ? ORANGE : "#e8e8e8",
            class: "obo-output",
            tabindex: 0,
            "aria-label": `output (${row}, ${col})`,
          },
          picture,
          SVG_NS,
        );
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

function render({ model, el }) {
  renderConvArithmetic(model, el);
}

export default { render };
