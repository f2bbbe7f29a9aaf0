// Step 2: each dependency's strength (hard, soft, none) and the artifact it stands for,
// with what relaxing it would save according to the dependency audit.

import { el } from "../dom.js";
import { input, live, redrawLive, state, taskByKey } from "./core.js";
import { auditLine } from "./figures.js";
import { docChanged } from "./save.js";

const STRENGTHS = [
  ["hard", "Hard"],
  ["soft", "Soft"],
  ["none", "None"],
];

function strengthCounts() {
  const counts = { hard: 0, soft: 0, none: 0 };
  for (const d of state.doc.dependencies) counts[d.strength] += 1;
  return el("p", { className: "counts", textContent: `Hard ${counts.hard} · soft ${counts.soft} · none ${counts.none}` });
}

function dependencyItem(dep, i) {
  const from = taskByKey(dep.from);
  const to = taskByKey(dep.to);
  const radios = STRENGTHS.map(([value, label]) => {
    const radio = el("input", { type: "radio", name: `strength-${i}`, value, checked: dep.strength === value });
    radio.addEventListener("change", () => {
      dep.strength = value;
      docChanged();
      redrawLive(document.getElementById("step-body"));
    });
    return el("label", {}, radio, label);
  });
  const [noteLabel, note] = input(`What exactly ${dep.to} needs from ${dep.from}`, { value: dep.note, placeholder: "the specific artifact", autocomplete: "off" }, (box) => {
    dep.note = box.value;
    docChanged();
  });
  return el(
    "fieldset",
    { className: "dependency" },
    el("legend", { textContent: `${dep.from} ${from?.name ?? ""} → ${dep.to} ${to?.name ?? ""}` }),
    el(
      "div",
      { className: "strength-line" },
      el("div", { className: "choice-row", role: "radiogroup", ariaLabel: "Strength" }, ...radios),
      live(`audit-${i}`, () => auditLine(dep)),
    ),
    noteLabel,
    note,
  );
}

export function build() {
  if (!state.doc.dependencies.length) {
    return [el("p", { className: "empty", textContent: "No dependencies yet — go back to step 1 and say what each task needs." })];
  }
  return [live("counts", strengthCounts), ...state.doc.dependencies.map(dependencyItem)];
}
