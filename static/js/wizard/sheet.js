// The decision sheet's rows that belong to the step on screen: each leans from strongly
// sequential to strongly parallel, recorded the moment it is chosen.

import { el } from "../dom.js";
import { $, page, state } from "./core.js";
import { recordAnswer } from "./save.js";

const CHOICES = [
  [-2, "Strongly sequential"],
  [-1, "Sequential"],
  [0, "Neutral"],
  [1, "Parallel"],
  [2, "Strongly parallel"],
];

export function renderSheet() {
  const rows = page.dimensions.filter((d) => d.step === state.step);
  const given = state.assessment.answers.sheet ?? {};
  $("sheet").replaceChildren(
    ...(rows.length ? [el("h2", { textContent: "Decision sheet" })] : []),
    ...rows.map((d) =>
      el(
        "fieldset",
        { className: "sheet-row dependency" },
        el("legend", { textContent: d.name }),
        el("p", { textContent: `Sequential: ${d.sequential}` }),
        el("p", { textContent: `Parallel: ${d.parallel}` }),
        el(
          "div",
          { className: "choice-row" },
          ...CHOICES.map(([value, label]) => {
            const radio = el("input", { type: "radio", name: `sheet-${d.key}`, value, checked: given[d.key] === value });
            radio.dataset.field = `answers.sheet.${d.key}`;
            radio.addEventListener("change", () => {
              if (radio.checked) recordAnswer("sheet", d.key, value);
            });
            return el("label", {}, radio, label);
          }),
        ),
      ),
    ),
  );
}
