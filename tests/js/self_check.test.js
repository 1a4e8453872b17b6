// The self-check questions' judging (onebyone/frontend/self_check.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { isRight, judge, parseNumber } from "../../onebyone/frontend/self_check.js";

test("parseNumber reads what a reader types, and nothing else", () => {
  assert.equal(parseNumber(" 17 "), 17);
  assert.equal(parseNumber("4,640"), 4640);
  assert.equal(parseNumber("51,380,224"), 51380224);
  assert.equal(parseNumber("0.115"), 0.115);
  assert.equal(parseNumber(".5"), 0.5);
  assert.ok(Number.isNaN(parseNumber("")));
  assert.ok(Number.isNaN(parseNumber("17 rows")));
  assert.ok(Number.isNaN(parseNumber("1,2")));
});

const rows = { answer: 17, tolerance: 0, explanation: "…" };
const ratio = { answer: 0.115, tolerance: 0.0005, explanation: "…" };

test("a numeric answer is right within its tolerance only", () => {
  assert.ok(isRight(rows, 17));
  assert.ok(!isRight(rows, 16));
  assert.ok(isRight(ratio, 0.1151));
  assert.ok(isRight(ratio, 0.115));
  assert.ok(!isRight(ratio, 0.116));
});

test("judge says right, wrong, or that a number is needed", () => {
  assert.deepEqual(judge(rows, "17"), { right: true, words: "Right." });
  assert.deepEqual(judge(rows, "16"), {
    right: false,
    words: "Not quite: 16 is not the answer.",
  });
  assert.equal(judge(rows, "seventeen").words, "Type a number, such as 12 or 0.25.");
});

test("a wrong choice brings its own feedback", () => {
  const question = {
    choices: [
      { correct: true, feedback: "" },
      { correct: false, feedback: "No kernel is turned." },
    ],
  };
  assert.deepEqual(judge(question, 0), { right: true, words: "Right." });
  assert.deepEqual(judge(question, 1), {
    right: false,
    words: "Not quite.",
    why: "No kernel is turned.",
  });
});
