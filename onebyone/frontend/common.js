// What the explorers share: drawing, wording, and controls kept in step with Python.
// Each explorer's module imports it; onebyone/explorers.py inlines it there, since
// a widget's module is loaded alone.
export const SVG_NS = "http://www.w3.org/2000/svg";
export const ORANGE = "#e69f00";
export const BLUE = "#0072b2";

export function element(tag, attributes = {}, parent = null, namespace = null) {
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
export function plural(count, noun) {
  if (count === 1) return `1 ${noun}`;
  const nouns = noun.endsWith("y") ? `${noun.slice(0, -1)}ies` : `${noun}s`;
  return `${count} ${nouns}`;
}

// A weight as a reader would type it: 0.3, not 0.30000000000000004.
export function show(value) {
  return String(Number(value.toPrecision(6)));
}

// Send values back to Python. Where no kernel runs (the static book) there
// is nobody to tell: the explorer keeps drawing from its own copy.
export function store(model, values) {
  for (const [name, value] of Object.entries(values)) model.set(name, value);
  try {
    model.save_changes();
  } catch {
    /* no kernel */
  }
}

// What is wrong with whole-number controls, in words; null when nothing is.
export function rangeProblem(controls, setting) {
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

// Show a problem in words instead of a drawing; true when there was one.
export function explained(problem, picture, readout) {
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
export function numberControls(model, root, controls, isPossible, onChange) {
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
