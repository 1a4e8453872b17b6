// Chapter 3's explorer: a 1×1 convolution mixes a photo's channels.
import { element, show, store } from "./common.js";

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
      text:
        `W is diagonal: per-channel scaling (${gains}). Each output colour ` +
        `is its own input colour times a gain; no colour leaks into another.`,
    };
  }
  return {
    diagonal: false,
    text:
      `W mixes channels: ${count} not 0 (${shown}). Each output channel is a ` +
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
      const input = element(
        "input",
        {
          type: "number",
          step: "any",
          name: `w${r}${c}`,
          "aria-label": `W, ${CHANNELS[r]} out, ${CHANNELS[c]} in`,
        },
        element("td", {}, line),
      );
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
    for (const [n, value] of values.entries()) entries[n].value = show(value);
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
  const context = (canvas) => canvas.getContext("2d", { willReadFrequently: true });
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
      readout.textContent = `Every entry of W must be a number; this one is not: ${problems[0]}.`;
      return;
    }
    for (const [n, input] of entries.entries()) matrix[n] = Number(input.value);
    store(model, { matrix: [...matrix] });
    const description = describeMatrix(matrix);
    root.dataset.diagonal = description.diagonal;
    readout.textContent = description.text;
    const mixed = new ImageData(mixPixels(rgb, matrix), width);
    context(canvases[1]).putImageData(mixed, 0, 0);
  }
  fill(matrix);
}

function render({ model, el }) {
  renderChannelMixer(model, el);
}

export default { render };
