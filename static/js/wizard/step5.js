// Step 5: the readiness questionnaire. Each answer is recorded the moment it is chosen and
// saved shortly after (and before any change of step).

import { FAILURE_POLICIES, capitalised } from "../constants.js";
import { el } from "../dom.js";
import { live, page, state } from "./core.js";
import { readinessLine } from "./figures.js";
import { recordAnswer } from "./save.js";

const WORDS = {
  no: "No",
  partly: "Partly",
  yes: "Yes",
  none: "None",
  basic: "Basic",
  full: "Full",
  undecided: "Undecided",
  ...Object.fromEntries(Object.entries(FAILURE_POLICIES).map(([name, label]) => [name, capitalised(label)])),
};

function question(q, given) {
  return el(
    "fieldset",
    { className: "dependency" },
    el("legend", { textContent: q.text }),
    el(
      "div",
      { className: "choice-row" },
      ...q.choices.map((choice) => {
        const radio = el("input", { type: "radio", name: `q-${q.key}`, value: choice, checked: String(given[q.key]) === choice });
        radio.dataset.field = `answers.readiness.${q.key}`;
        radio.addEventListener("change", () => {
          if (radio.checked) recordAnswer("readiness", q.key, choice);
        });
        const labels = state.assessment.outcome.labels;
        return el("label", {}, radio, labels?.[choice] ?? WORDS[choice] ?? choice);
      }),
    ),
  );
}

export function build() {
  const given = state.assessment.answers.readiness ?? {};
  return [...page.questions.map((q) => question(q, given)), live("readiness", readinessLine)];
}
