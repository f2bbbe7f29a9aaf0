// The panel's fields: a labelled input checked before it is applied, the three-point
// estimate as one row, optional figures, headings. Ids are numbered per rendering.

import { el as element } from "../dom.js";
import { ESTIMATE_FIELDS, checkEstimate } from "../estimates.js";
import { setData } from "./history.js";

let fieldCount = 0;

export function resetFields() {
  fieldCount = 0;
}

// A labelled input whose committed value passes `check` before `apply` runs.
export function field(label, { value, type = "text", check = () => null, apply, options = null, multiline = false, attrs = {} }) {
  fieldCount += 1;
  const id = `field-${fieldCount}`;
  const errorId = `${id}-error`;
  let input;
  if (options) {
    input = element("select", { id });
    for (const [optionValue, optionLabel] of options) {
      input.append(element("option", { value: optionValue, textContent: optionLabel, selected: optionValue === value }));
    }
  } else if (multiline) {
    input = element("textarea", { id, value: value ?? "", rows: 3 });
  } else {
    input = element("input", { id, type, value: value ?? "" });
  }
  for (const [name, attr] of Object.entries(attrs)) input.setAttribute(name, attr);
  const error = element("p", { id: errorId, className: "field-error" });
  input.setAttribute("aria-describedby", errorId);
  input.addEventListener("change", () => {
    const raw = type === "number" ? input.value.trim() : input.value;
    const parsed = type === "number" ? (raw === "" ? NaN : Number(raw)) : raw;
    const problem = type === "number" && !Number.isFinite(parsed) ? "Enter a number." : check(parsed);
    error.textContent = problem ?? "";
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    if (!problem) apply(parsed);
  });
  return element("div", { className: "field" }, element("label", { htmlFor: id, textContent: label }), input, error);
}

export function heading(text, note) {
  return [element("h2", { textContent: text }), note ? element("p", { className: "hint", textContent: note }) : ""];
}

// The three-point estimate as one row: values stay as typed; the row is checked as a whole
// when focus leaves it (or on Enter) and stored only when complete and in order.
export function estimateRow(node, ed) {
  const d = node.data();
  const inputs = {};
  const errors = {};
  const rows = ESTIMATE_FIELDS.map((which) => {
    fieldCount += 1;
    const id = `field-${fieldCount}`;
    inputs[which] = element("input", { id, type: "number", value: d[which], min: "0", step: "any" });
    errors[which] = element("p", { id: `${id}-error`, className: "field-error" });
    inputs[which].setAttribute("aria-describedby", `${id}-error`);
    const label = `${which[0].toUpperCase()}${which.slice(1)} (${ed.meta.time_unit})`;
    return element("div", { className: "field" }, element("label", { htmlFor: id, textContent: label }), inputs[which], errors[which]);
  });
  const row = element("fieldset", { className: "estimate-row" }, element("legend", { textContent: "Duration estimate" }), ...rows);
  const check = () => {
    const { estimate, errors: problems } = checkEstimate(Object.fromEntries(ESTIMATE_FIELDS.map((f) => [f, inputs[f].value])));
    for (const which of ESTIMATE_FIELDS) {
      errors[which].textContent = problems[which] ?? "";
      inputs[which].setAttribute("aria-invalid", problems[which] ? "true" : "false");
    }
    if (!estimate) return;
    const changed = ESTIMATE_FIELDS.some((f) => estimate[f] !== node.data(f));
    if (changed) setData(ed, node, estimate);
  };
  row.addEventListener("focusout", (event) => {
    if (!row.contains(event.relatedTarget)) check();
  });
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      check();
    }
  });
  return row;
}

export function unitName(timeUnit) {
  return timeUnit.replace(/s$/, "");
}

// An optional figure (≥ 0): empty means "not set", stored as null.
export function optionalRate(label, value, apply) {
  return field(label, {
    value: value ?? "",
    attrs: { inputmode: "decimal", placeholder: "not set" },
    check: (raw) => (raw.trim() === "" || (Number.isFinite(Number(raw)) && Number(raw) >= 0) ? null : "Enter 0 or more, or leave it empty."),
    apply: (raw) => apply(raw.trim() === "" ? null : Number(raw)),
  });
}
