// Each explorer's pure functions, in Node's test runner. tests/test_explorers.py
// checks the same functions against PyTorch over whole grids of settings.
import assert from "node:assert/strict";
import { test } from "node:test";

import { describeMatrix, mixPixels } from "../../onebyone/frontend/channel_mixer.js";
import { convProblem, outputSize } from "../../onebyone/frontend/conv_arithmetic.js";
import {
  innerCounts,
  overlapCounts,
} from "../../onebyone/frontend/transposed_overlap.js";

const conv = (size, kernel_size, padding = 0, stride = 1, dilation = 1) => ({
  size,
  kernel_size,
  padding,
  stride,
  dilation,
});

test("outputSize is PyTorch's formula", () => {
  assert.equal(outputSize(conv(7, 3)), 5);
  assert.equal(outputSize(conv(7, 3, 1)), 7);
  assert.equal(outputSize(conv(7, 3, 1, 2)), 4);
  assert.equal(outputSize(conv(7, 3, 0, 1, 2)), 3);
});

test("convProblem explains a kernel larger than the padded input", () => {
  assert.equal(convProblem(conv(7, 3)), null);
  assert.equal(
    convProblem(conv(3, 3, 0, 1, 2)),
    "No window fits: the kernel spans d(k − 1) + 1 = 5 pixels, " +
      "but the padded input has only H + 2p = 3.",
  );
  assert.equal(convProblem(conv(3, 3, 1, 1, 2)), null);
});

test("describeMatrix tells per-channel scaling from mixing", () => {
  const scaling = describeMatrix([2, 0, 0, 0, 1, 0, 0, 0, 0.5]);
  assert.equal(scaling.diagonal, true);
  assert.match(scaling.text, /R × 2, G × 1, B × 0\.5/);
  const swap = describeMatrix([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  assert.equal(swap.diagonal, false);
  assert.match(swap.text, /2 of its 6 off-diagonal entries are not 0/);
});

test("mixPixels applies W to every pixel and clips to [0, 1]", () => {
  const grey = [0.299, 0.587, 0.114];
  const rgba = mixPixels([255, 0, 0, 0, 255, 255], [...grey, ...grey, ...grey]);
  assert.deepEqual([...rgba], [76, 76, 76, 255, 179, 179, 179, 255]);
  const doubled = mixPixels([200, 10, 0], [2, 0, 0, 0, 2, 0, 0, 0, 2]);
  assert.deepEqual([...doubled], [255, 20, 0, 255]);
});

test("overlapCounts: how many kernel copies reach each output pixel", () => {
  const setting = { size: 3, kernel_size: 3, stride: 2 };
  assert.deepEqual(overlapCounts(setting), [1, 1, 2, 1, 2, 1, 1]);
  assert.deepEqual(innerCounts(setting), [1, 2, 4]);
  assert.deepEqual(innerCounts({ size: 4, kernel_size: 4, stride: 2 }), [4]);
  assert.deepEqual(innerCounts({ size: 1, kernel_size: 3, stride: 2 }), []);
});
