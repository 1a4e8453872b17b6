// The explorers' shared helpers (onebyone/frontend/common.js), in Node's test runner.
import assert from "node:assert/strict";
import { test } from "node:test";

import { plural, rangeProblem, show, store } from "../../onebyone/frontend/common.js";

test("plural counts a noun, and a noun in -y", () => {
  assert.equal(plural(1, "orange pixel"), "1 orange pixel");
  assert.equal(plural(9, "orange pixel"), "9 orange pixels");
  assert.equal(plural(4, "kernel copy"), "4 kernel copies");
});

test("show writes a weight as a reader would type it", () => {
  assert.equal(show(0.1 + 0.2), "0.3");
  assert.equal(show(-1), "-1");
  assert.equal(show(1 / 3), "0.333333");
});

const CONTROLS = [
  ["size", "input size", 1, 12],
  ["stride", "stride s", 1, 8],
];

test("rangeProblem says what is wrong with a control, in words", () => {
  assert.equal(rangeProblem(CONTROLS, { size: 6, stride: 2 }), null);
  assert.equal(
    rangeProblem(CONTROLS, { size: 2.5, stride: 2 }),
    "The input size must be a whole number.",
  );
  assert.match(
    rangeProblem(CONTROLS, { size: 6, stride: 0 }),
    /the window never moves/,
  );
  assert.equal(
    rangeProblem(CONTROLS, { size: 0, stride: 1 }),
    "The input size must be at least 1; it is 0.",
  );
  assert.match(rangeProblem(CONTROLS, { size: 13, stride: 1 }), /at most 12 here/);
});

test("store sets every value, and keeps going where no kernel listens", () => {
  const values = {};
  const model = {
    set: (name, value) => {
      values[name] = value;
    },
    save_changes: () => {
      throw new Error("no kernel");
    },
  };
  store(model, { size: 5, stride: 2 });
  assert.deepEqual(values, { size: 5, stride: 2 });
});
