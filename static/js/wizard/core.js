// What every part of the wizard shares: the page's data, the loaded flow and assessment,
// and small DOM helpers. All user text reaches the page through textContent or values.

import { formatDuration, unitOf } from "../common.js";
import { el } from "../dom.js";

export const page = JSON.parse(document.getElementById("wizard-page").textContent);
export const $ = (id) => document.getElementById(id);

// The flow settings and layout endpoints are the flow API's own; the page names the rest.
export const api = {
  flow: `/api/flows/${page.flow.id}/`,
  layout: `/api/flows/${page.flow.id}/layout/`,
  documentSchema: "/api/schema/flow-document/",
  ...page.api,
};

export const TINTS = ["#fde68a", "#bbf7d0", "#bfdbfe", "#fbcfe8", "#ddd6fe", "#fed7aa"];

// doc: the flow document being edited; version: its ETag; assessment: the API's answer;
// step: the step on screen; features: optional document fields this server knows.
export const state = { doc: null, version: null, assessment: null, step: 1, features: new Set() };

// Parts that other modules call back into (set by the entry module).
export const hooks = { rerender: () => {}, computed: () => {}, graph: () => {} };

export function unit() {
  return unitOf(state.doc.time_unit);
}

export function duration(value) {
  return formatDuration(value, state.doc.time_unit);
}

export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

let fieldCount = 0;
export function resetFields() {
  fieldCount = 0;
}

export function nextId(prefix = "w") {
  fieldCount += 1;
  return `${prefix}-${fieldCount}`;
}

// An input whose `change` calls onChange(box). In a table the column header says what the
// cell is, so the label is only its accessible name.
export function input(label, props, onChange, { hideLabel = false } = {}) {
  const id = nextId();
  const box = el("input", { id, ...props });
  if (onChange) box.addEventListener("change", () => onChange(box));
  if (hideLabel) box.setAttribute("aria-label", label);
  const tag = hideLabel ? null : el("label", { htmlFor: id, textContent: label });
  return [tag, box];
}

// A message next to a field (or clears it): aria-invalid and aria-describedby follow.
export function fieldMessage(box, message) {
  const cell = box.parentElement;
  let note = cell.querySelector(`.field-error[data-for="${CSS.escape(box.id)}"]`);
  if (!message) {
    box.setAttribute("aria-invalid", "false");
    box.removeAttribute("aria-describedby");
    note?.remove();
    return;
  }
  if (!note) {
    note = el("span", { className: "field-error", id: `${box.id}-error` });
    note.dataset.for = box.id;
    box.after(note);
  }
  note.textContent = message;
  box.setAttribute("aria-invalid", "true");
  box.setAttribute("aria-describedby", note.id);
}

export function taskByKey(key) {
  return state.doc.tasks.find((t) => t.key === key);
}

export function resolveTask(ref) {
  const lower = ref.trim().toLowerCase();
  return state.doc.tasks.find((t) => t.key.toLowerCase() === lower || t.name.toLowerCase() === lower)?.key;
}

export function showError(message) {
  $("step-error").textContent = message || "";
}

export function saysSaved(text) {
  $("wizard-save").textContent = text;
}

// Parts of a step drawn from the assessment: redrawn in place after every save, while the
// step's inputs (and whatever is typed in them) stay as they are.
const liveParts = new Map();

export function live(name, draw) {
  const node = draw();
  node.dataset.live = name;
  liveParts.set(name, draw);
  return node;
}

export function forgetLive() {
  liveParts.clear();
}

export function redrawLive(root) {
  for (const node of root.querySelectorAll("[data-live]")) {
    const draw = liveParts.get(node.dataset.live);
    if (!draw) continue;
    const fresh = draw();
    fresh.dataset.live = node.dataset.live;
    node.replaceWith(fresh);
  }
}
