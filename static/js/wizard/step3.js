// Step 3: durations (three-point estimates, checked as a whole row when focus leaves the
// row), the pools each task needs, the pools themselves, and the flow's time settings.

import { checkEstimate, ESTIMATE_FIELDS, leavesRow } from "../estimates.js";
import { TIME_UNITS } from "../constants.js";
import { el } from "../dom.js";
import { fieldMessage, hooks, input, live, nextId, showError, state } from "./core.js";
import { contentionList } from "./figures.js";
import { spreadsheet, undoToast } from "./grid.js";
import { docChanged, leaveChecks, saveSetting } from "./save.js";

const FIELD_NAMES = { optimistic: "Optimistic", likely: "Likely", pessimistic: "Pessimistic" };

// Rows typed but not valid yet, kept across redraws of the step: task → the typed values.
const drafts = new Map();
// The estimate boxes of each task on screen.
let rows = new Map();

function commitRow(task) {
  const boxes = rows.get(task);
  if (!boxes) return true;
  const raw = Object.fromEntries(ESTIMATE_FIELDS.map((f) => [f, boxes[f].value]));
  const { estimate, errors } = checkEstimate(raw);
  for (const field of ESTIMATE_FIELDS) fieldMessage(boxes[field], errors[field]);
  if (!estimate) {
    drafts.set(task, raw);
    const first = ESTIMATE_FIELDS.find((f) => errors[f]);
    showError(`${task.key}: ${errors[first]} Nothing was stored for this row.`);
    return false;
  }
  drafts.delete(task);
  const changed = ESTIMATE_FIELDS.some((f) => estimate[f] !== task.duration[f]);
  if (document.getElementById("step-error").textContent.startsWith(`${task.key}: `)) showError("");
  if (changed) {
    task.duration = estimate;
    docChanged();
  }
  return true;
}

// Before leaving the step: every row valid and stored, or the first bad one in focus.
function allRowsStored() {
  let ok = true;
  for (const task of rows.keys()) {
    if (!commitRow(task) && ok) {
      ok = false;
      rows.get(task)[ESTIMATE_FIELDS.find((f) => rows.get(task)[f].getAttribute("aria-invalid") === "true")]?.focus();
    }
  }
  return ok;
}

function poolOf(name) {
  return state.doc.resources.find((p) => p.name === name);
}

function unitsCell(task, pool) {
  const [, box] = input(`Units of ${pool.name} for ${task.key}`, { type: "text", inputMode: "numeric", value: task.resources[pool.name] ?? 0, autocomplete: "off" }, (b) => {
    const text = b.value.trim();
    const value = text === "" ? 0 : Number(text);
    const current = poolOf(pool.name);
    const problem = !Number.isInteger(value) || value < 0
      ? "Units are a whole number, 0 for none."
      : value > current.capacity
        ? `${current.name} holds ${current.capacity}; ${task.key} cannot need ${value}.`
        : null;
    fieldMessage(b, problem);
    showError(problem ? `${task.key}: ${problem}` : "");
    if (problem) return;
    if (value) task.resources[pool.name] = value;
    else delete task.resources[pool.name];
    docChanged();
  }, { hideLabel: true });
  box.dataset.field = `tasks[${state.doc.tasks.indexOf(task)}].resources.${pool.name}`;
  return el("td", {}, box);
}

function estimateRow(task) {
  const draft = drafts.get(task);
  const boxes = {};
  const cells = ESTIMATE_FIELDS.map((field) => {
    const [, box] = input(`${field} duration of ${task.key}`, { type: "text", inputMode: "decimal", className: "number", value: draft?.[field] ?? task.duration[field], autocomplete: "off" }, null, { hideLabel: true });
    box.dataset.field = `${task.key}.${field}`;
    boxes[field] = box;
    return el("td", {}, box);
  });
  rows.set(task, boxes);
  const row = el("tr", {}, el("th", { scope: "row", textContent: `${task.key} ${task.name}` }), ...cells, ...state.doc.resources.map((pool) => unitsCell(task, pool)));
  row.addEventListener("focusout", (event) => {
    if (leavesRow(event, row)) commitRow(task);
  });
  if (draft) requestAnimationFrame(() => commitRow(task));
  return row;
}

function estimatesTable() {
  rows = new Map();
  const header = ["Task", ...ESTIMATE_FIELDS.map((f) => FIELD_NAMES[f]), ...state.doc.resources.map((p) => p.name)];
  return spreadsheet(el(
    "table",
    { className: "grid estimates-grid" },
    el("caption", { className: "visually-hidden", textContent: `Durations in ${state.doc.time_unit} and units of each pool` }),
    el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col", textContent: h })))),
    el("tbody", {}, ...state.doc.tasks.map(estimateRow)),
  ), { onPaste: pasteEstimates });
}

// A block pasted into the estimates fills the cells from the one in focus, rightwards and
// downwards. A header row ("Task Optimistic Likely Pessimistic") is skipped, and so is a
// first column holding the task's key or name.
function pasteEstimates({ cells, row, column }) {
  const names = ["task", "key", "name", ...ESTIMATE_FIELDS, ...state.doc.resources.map((p) => p.name.toLowerCase())];
  const body = cells[0]?.every((c) => !c || names.includes(c.toLowerCase())) ? cells.slice(1) : cells;
  const tasks = [...rows.keys()];
  const trs = [...document.querySelectorAll(".estimates-grid tbody tr")];
  body.forEach((values, i) => {
    const task = tasks[row + i];
    if (!task) return;
    const given = values.length && Number.isNaN(Number(values[0])) ? values.slice(1) : values;
    const boxes = [...trs[row + i].children].slice(Math.max(column, 1)).map((td) => td.querySelector("input"));
    given.forEach((value, c) => {
      const box = boxes[c];
      if (!box) return;
      box.value = value;
      if (box.dataset.field.includes(".resources.")) box.dispatchEvent(new Event("change"));
    });
    commitRow(task);
  });
}

function poolRow(pool, i) {
  const pools = state.doc.resources;
  const [, nameBox] = input(`Name of pool ${i + 1}`, { value: pool.name, maxLength: 200, autocomplete: "off" }, (box) => {
    const value = box.value.trim();
    const problem = !value ? "A pool needs a name." : pools.some((p) => p !== pool && p.name === value) ? "Another pool has this name." : null;
    fieldMessage(box, problem);
    showError(problem ? `Pool ${i + 1}: ${problem}` : "");
    if (problem) return;
    for (const t of state.doc.tasks) {
      if (pool.name in t.resources) {
        t.resources[value] = t.resources[pool.name];
        delete t.resources[pool.name];
      }
    }
    pool.name = value;
    docChanged();
    hooks.rerender();
  }, { hideLabel: true });
  const [, capacityBox] = input(`Capacity of ${pool.name}`, { type: "text", inputMode: "numeric", value: pool.capacity, autocomplete: "off" }, (box) => {
    const value = Number(box.value.trim());
    const needing = state.doc.tasks.filter((t) => (t.resources[pool.name] ?? 0) > value);
    const problem = !Number.isInteger(value) || value < 1 || box.value.trim() === ""
      ? "A capacity is a whole number of at least 1."
      : needing.length ? `${needing.map((t) => t.key).join(", ")} need${needing.length === 1 ? "s" : ""} more than ${value}: lower their units first.` : null;
    fieldMessage(box, problem);
    showError(problem ? `${pool.name}: ${problem}` : "");
    if (problem) return;
    pool.capacity = value;
    docChanged();
  }, { hideLabel: true });
  capacityBox.dataset.field = `resources[${i}].capacity`;
  const cells = [el("td", {}, nameBox), el("td", {}, capacityBox)];
  if (state.features.has("cost_per_unit")) {
    const [, costBox] = input(`Cost per unit of ${pool.name}`, { type: "text", inputMode: "decimal", value: pool.cost_per_unit ?? "", placeholder: "not set", autocomplete: "off" }, (box) => {
      const text = box.value.trim();
      const value = Number(text);
      const problem = text !== "" && (!Number.isFinite(value) || value < 0) ? "A cost is a number of at least 0, or empty." : null;
      fieldMessage(box, problem);
      showError(problem ? `${pool.name}: ${problem}` : "");
      if (problem) return;
      if (text === "") delete pool.cost_per_unit;
      else pool.cost_per_unit = value;
      docChanged();
    }, { hideLabel: true });
    cells.push(el("td", {}, costBox));
  }
  const remove = el("button", { type: "button", className: "button-quiet", textContent: "Remove", onclick: () => removePool(pool) });
  remove.setAttribute("aria-label", `Remove pool ${pool.name}`);
  return el("tr", {}, ...cells, el("td", {}, remove));
}

function removePool(pool) {
  const index = state.doc.resources.indexOf(pool);
  const needs = state.doc.tasks.filter((t) => pool.name in t.resources).map((t) => [t, t.resources[pool.name]]);
  state.doc.resources.splice(index, 1);
  for (const [t] of needs) delete t.resources[pool.name];
  docChanged();
  hooks.rerender();
  undoToast(`Removed the pool ${pool.name}.`, () => {
    if (poolOf(pool.name)) return showError(`A pool is called ${pool.name} again; the removed one was not put back.`);
    state.doc.resources.splice(Math.min(index, state.doc.resources.length), 0, pool);
    for (const [t, units] of needs) if (state.doc.tasks.includes(t)) t.resources[pool.name] = units;
    docChanged();
    hooks.rerender();
  });
}

function poolsTable() {
  const costs = state.features.has("cost_per_unit");
  const header = ["Pool", "Capacity", ...(costs ? [`Cost per unit per ${unitWord()}`] : []), ""];
  return spreadsheet(el(
    "table",
    { className: "grid pools-grid" },
    el("caption", { className: "visually-hidden", textContent: "Resource pools and their capacity" }),
    el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col", textContent: h })))),
    el("tbody", {}, ...state.doc.resources.map(poolRow)),
  ));
}

function unitWord() {
  return { minutes: "minute", hours: "hour", days: "day", weeks: "week" }[state.doc.time_unit] ?? state.doc.time_unit;
}

// One setting: label, control, and the sentence that says what it means.
function setting(label, control, meaning) {
  const id = nextId("setting");
  control.id = id;
  const help = el("p", { className: "setting-help", id: `${id}-help`, textContent: meaning });
  control.setAttribute("aria-describedby", help.id);
  return el("div", { className: "setting" }, el("label", { htmlFor: id, textContent: label }), control, help);
}

function numberSetting(name, label, meaning, { optional = false } = {}) {
  const box = el("input", { type: "text", inputMode: "decimal", value: state.doc[name] ?? "", placeholder: optional ? "not set" : "0", autocomplete: "off" });
  box.dataset.field = name;
  box.addEventListener("change", () => {
    const text = box.value.trim();
    const value = Number(text);
    const problem = text === "" && !optional ? "Enter a number, 0 for none." : text !== "" && (!Number.isFinite(value) || value < 0) ? "Enter a number of at least 0." : null;
    fieldMessage(box, problem);
    if (problem) return;
    saveSetting(name, text === "" ? null : value);
  });
  return setting(label, box, meaning);
}

function settings() {
  const select = el("select", {}, ...TIME_UNITS.map((u) => el("option", { value: u, textContent: u, selected: state.doc.time_unit === u })));
  select.addEventListener("change", async () => {
    await saveSetting("time_unit", select.value);
    hooks.rerender();
  });
  const unit = unitWord();
  return el(
    "fieldset",
    { className: "settings" },
    el("legend", { textContent: "Time and coordination" }),
    setting("Time unit", select, "Every duration of this flow is counted in this unit; changing it renames the unit, it does not convert the numbers."),
    numberSetting("handoff_delay", `Handoff delay (${unit}s)`, "Time lost each time work passes along a dependency from one task to the next, before the next one really starts."),
    numberSetting("sync_overhead", `Sync overhead (${unit}s)`, "Coordination time added wherever parallel branches meet again, at every join and every phase barrier."),
    state.features.has("value_per_time_unit")
      ? numberSetting("value_per_time_unit", `Value of one ${unit} saved`, "What finishing one time unit sooner is worth; with pool costs it lets step 6 weigh the cost of speed. Leave empty to skip.", { optional: true })
      : null,
  );
}

export function build() {
  leaveChecks.clear();
  leaveChecks.add(allRowsStored);
  return [
    settings(),
    el("h2", { textContent: "Durations and pools needed" }),
    el("p", { className: "hint", textContent: "Type a row left to right; it is checked and stored when you leave it. Arrow keys move, Enter edits." }),
    estimatesTable(),
    el("h2", { textContent: "Resource pools" }),
    poolsTable(),
    el("button", { type: "button", className: "button-quiet", textContent: "Add a pool", onclick: () => {
      const pools = state.doc.resources;
      let n = pools.length + 1;
      while (pools.some((p) => p.name === `Pool ${n}`)) n += 1;
      pools.push({ name: `Pool ${n}`, capacity: 1, description: "" });
      docChanged();
      hooks.rerender();
    } }),
    el("h2", { textContent: "Competing for scarce pools" }),
    live("contention", contentionList),
  ];
}
