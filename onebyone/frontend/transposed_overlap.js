// Chapter 6's explorer: where a transposed convolution's kernel copies overlap.
import {
  element,
  explained,
  numberControls,
  plural,
  rangeProblem,
  SVG_NS,
} from "./common.js";

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
        element(
          "rect",
          {
            x: col * cell,
            y: row * cell,
            width: cell,
            height: cell,
            fill: `hsl(205, 70%, ${light}%)`,
            stroke: "#ffffff",
            class: "obo-count",
            "data-count": a * b,
          },
          picture,
          SVG_NS,
        );
        if (cell >= 16) {
          const number = element(
            "text",
            {
              ...font,
              x: (col + 0.5) * cell,
              y: (row + 0.5) * cell + 4,
              fill: light < 55 ? "#ffffff" : "#000000",
            },
            picture,
            SVG_NS,
          );
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

function render({ model, el }) {
  renderOverlap(model, el);
}

export default { render };
