// Self-check answers: the page's text shows the questions and their choices; here
// the reader answers, and the page says at once whether the answer is right,
// explains it and links to the section. Python only stores them.
import { element } from "./common.js";

// A number as a reader types it: "4640", "4,640", "0.115", " 17 ". NaN otherwise.
export function parseNumber(text) {
  const cleaned = text.trim().replace(/(\d),(?=\d{3}\b)/g, "$1");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return Number.NaN;
  return Number(cleaned);
}

// Whether a typed value answers a numeric question, within its tolerance.
export function isRight(question, value) {
  return Math.abs(value - question.answer) <= question.tolerance + 1e-12;
}

// What to say about an answer: right or not, and the words that follow.
export function judge(question, response) {
  if ("answer" in question) {
    const value = parseNumber(response);
    if (Number.isNaN(value)) {
      return { right: false, words: "Type a number, such as 12 or 0.25." };
    }
    return isRight(question, value)
      ? { right: true, words: "Right." }
      : { right: false, words: `Not quite: ${response.trim()} is not the answer.` };
  }
  const choice = question.choices[response];
  return choice.correct
    ? { right: true, words: "Right." }
    : { right: false, words: "Not quite.", why: choice.feedback };
}

// A question's choices are named as the page's text names them: (a), (b), ...
export const LETTERS = "abcdefgh";

function renderQuestion(model, list, question, number) {
  const item = element("li", { class: "obo-question", "data-id": question.id }, list);
  const answer = element("div", { class: "obo-answer" }, item);
  const feedback = element(
    "div",
    { class: "obo-feedback", "aria-live": "polite" },
    item,
  );
  const show = (response) => {
    const verdict = judge(question, response);
    item.dataset.result = verdict.right ? "right" : "wrong";
    feedback.replaceChildren();
    const line = element("p", { class: "obo-verdict" }, feedback);
    line.textContent = `${verdict.words} `;
    if (verdict.why) element("span", {}, line).innerHTML = verdict.why;
    const explanation = () => {
      const node = element("p", { class: "obo-explanation" });
      node.innerHTML = question.explanation;
      return node;
    };
    const more = element("p", { class: "obo-more" }, feedback);
    if (verdict.right) {
      feedback.insertBefore(explanation(), more);
      more.append("More in ");
    } else {
      const reveal = element("button", { type: "button" }, more);
      reveal.textContent = "Show the answer";
      reveal.addEventListener("click", () => {
        reveal.remove();
        feedback.insertBefore(explanation(), more);
      });
      more.append(" or read again ");
    }
    const link = element("a", { href: model.get("link") }, more);
    link.textContent = model.get("title");
    more.append(".");
  };
  if ("answer" in question) {
    const label = `Your answer to question ${number}`;
    const input = element("input", { type: "text", "aria-label": label }, answer);
    input.setAttribute("inputmode", "decimal");
    const check = element("button", { type: "button", class: "obo-check" }, answer);
    check.textContent = "Check";
    check.addEventListener("click", () => show(input.value));
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") show(input.value);
    });
  } else {
    question.choices.forEach((_, index) => {
      const letter = LETTERS[index];
      const label = `Answer (${letter}) to question ${number}`;
      const attributes = { type: "button", class: "obo-choice", "aria-label": label };
      const button = element("button", attributes, answer);
      button.textContent = `(${letter})`;
      button.addEventListener("click", () => show(index));
    });
  }
}

function render({ model, el }) {
  const root = element("div", { class: "obo-self-check" }, el);
  element("p", { class: "obo-self-check-title" }, root).textContent = "Your answers";
  const list = element("ol", {}, root);
  model.get("questions").forEach((question, index) => {
    renderQuestion(model, list, question, index + 1);
  });
}

export default { render };
