// Step 1: the task inventory. A table of tasks (key, name, what each needs) that works like
// a spreadsheet, a paste box for a whole sheet, and removal that can be undone.

import { KEY_PATTERN } from "../constants.js";
import { el } from "../dom.js";
import { $, fieldMessage, input, resolveTask, showError, state, taskByKey, hooks } from "./core.js";
import { parseCells, spreadsheet, splitHeader, undoToast } from "./grid.js";
import { docChanged } from "./save.js";

// Column names a pasted header row may use, and the field each names.
const HEADER_FIELDS = {
  key: "key", id: "key", "#": "key",
  task: "name", name: "name", "task name": "name", tasks: "name",
  needs: "needs", "needs (outputs of)": "needs", "depends on": "needs", dependencies: "needs",
  predecessors: "needs", requires: "needs", prerequisites: "needs", "needs outputs of": "needs",
};
const GRID_FIELDS = ["key", "name", "needs"];

function needsOf(key) {
  return state.doc.dependencies.filter((d) => d.to === key).map((d) => d.from);
}

function refsOf(text) {
  return text.split(/[,;]+/).map((s) => s.trim()).filter(Boolean);
}

// Sets what a task needs from a list of keys or names; returns the references not found.
function replaceNeeds(key, refs) {
  const wanted = [];
  const missing = [];
  for (const ref of refs) {
    const found = resolveTask(ref);
    if (!found) missing.push(ref);
    else if (found !== key && !wanted.includes(found)) wanted.push(found);
  }
  const kept = state.doc.dependencies.filter((d) => d.to !== key || wanted.includes(d.from));
  const have = new Set(kept.filter((d) => d.to === key).map((d) => d.from));
  for (const from of wanted) if (!have.has(from)) kept.push({ from, to: key, strength: "hard", note: "" });
  state.doc.dependencies = kept;
  return missing;
}

// The chain by which `from` already (directly or not) needs `key`, or null: `key` needing
// `from` would then close a cycle. Dependencies marked none do not order anything.
function chainBetween(key, from) {
  const seen = new Set();
  const walk = (at, path) => {
    if (at === key) return path;
    if (seen.has(at)) return null;
    seen.add(at);
    for (const d of state.doc.dependencies) {
      if (d.to === at && d.strength !== "none") {
        const found = walk(d.from, [d.from, ...path]);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(from, [from]);
}

function setNeeds(task, box) {
  const refs = refsOf(box.value);
  const unknown = refs.filter((ref) => !resolveTask(ref));
  const self = refs.some((ref) => resolveTask(ref) === task.key);
  const cycle = unknown.length || self ? null : refs.map((ref) => chainBetween(task.key, resolveTask(ref))).find(Boolean);
  const problem = unknown.length
    ? `No task ${unknown.join(", ")}: use a key or a name from the table.`
    : self
      ? `${task.key} cannot need itself.`
      : cycle
        ? `That would make a cycle: ${[...cycle, task.key].join(" → ")}.`
        : null;
  fieldMessage(box, problem);
  showError(problem ? `${task.key}: ${problem}` : "");
  if (problem) return;
  replaceNeeds(task.key, refs);
  docChanged({ structure: true });
}

function freeKey() {
  const taken = new Set(state.doc.tasks.map((t) => t.key));
  let n = state.doc.tasks.length + 1;
  for (const t of state.doc.tasks) {
    const match = /^T(\d+)$/.exec(t.key);
    if (match) n = Math.max(n, Number(match[1]) + 1);
  }
  while (taken.has(`T${n}`)) n += 1;
  return `T${n}`;
}

// New tasks start at 1 / 1 / 1 in the flow's time unit, with no pools.
function newTask(name) {
  const last = state.doc.tasks.at(-1);
  const task = {
    key: freeKey(),
    name,
    description: "",
    duration: { optimistic: 1, likely: 1, pessimistic: 1 },
    resources: {},
    phase: null,
    failure_rate: 0,
    executor: "simulated",
    x: last ? last.x + 200 : 0,
    y: last ? last.y : 0,
  };
  state.doc.tasks.push(task);
  return task;
}

function keyProblem(task, value) {
  if (!KEY_PATTERN.test(value)) return "A key is a letter or digit, then up to 31 letters, digits, '_', '.' or '-'.";
  if (state.doc.tasks.some((t) => t !== task && t.key === value)) return `Another task has the key ${value}.`;
  return null;
}

function renameKey(task, value) {
  for (const d of state.doc.dependencies) {
    if (d.from === task.key) d.from = value;
    if (d.to === task.key) d.to = value;
  }
  task.key = value;
}

function removeTask(task) {
  const index = state.doc.tasks.indexOf(task);
  const dependencies = state.doc.dependencies.filter((d) => d.from === task.key || d.to === task.key);
  state.doc.tasks.splice(index, 1);
  state.doc.dependencies = state.doc.dependencies.filter((d) => !dependencies.includes(d));
  docChanged({ structure: true });
  hooks.rerender();
  undoToast(`Removed ${task.key} ${task.name}.`, () => {
    if (taskByKey(task.key)) return showError(`${task.key} is taken again; the removed task was not put back.`);
    state.doc.tasks.splice(Math.min(index, state.doc.tasks.length), 0, task);
    state.doc.dependencies.push(...dependencies.filter((d) => taskByKey(d.from) && taskByKey(d.to)));
    docChanged({ structure: true });
    hooks.rerender();
  });
  const rows = $("step-body").querySelectorAll("tbody tr");
  (rows[index] ?? rows[index - 1])?.querySelector("input")?.focus();
}

// Fills tasks from pasted rows. fields: the field of each pasted column (or null);
// start: the index of the first task to overwrite, or null to match rows to tasks by key or
// name and add the others at the end.
function applyRows(rows, fields, start) {
  const placed = [];
  const problems = [];
  rows.forEach((cells, i) => {
    const values = {};
    fields.forEach((field, c) => {
      if (field && cells[c] !== undefined) values[field] = cells[c];
    });
    if (!values.name && !values.key && !values.needs) return;
    let task = start === null ? taskByKey(resolveTask(values.name || values.key || "") ?? "") : state.doc.tasks[start + i];
    if (!task) {
      if (!values.name && start === null) return;
      task = newTask(values.name || "New task");
    }
    if (values.name) task.name = values.name.slice(0, 200);
    if (values.key && values.key !== task.key) {
      const problem = keyProblem(task, values.key);
      if (problem) problems.push(`${values.key}: ${problem}`);
      else renameKey(task, values.key);
    }
    placed.push([task, values.needs]);
  });
  for (const [task, needs] of placed) {
    if (needs === undefined || (start === null && !needs)) continue;
    const missing = replaceNeeds(task.key, refsOf(needs));
    if (missing.length) problems.push(`not found, left out: ${missing.join(", ")}`);
  }
  docChanged({ structure: true });
  hooks.rerender();
  showError(problems.length ? `Pasted, but ${problems.join("; ")}.` : "");
}

function fieldsFrom(header) {
  return header.map((name) => HEADER_FIELDS[name] ?? null);
}

function pasteIntoGrid({ cells, row, column }) {
  const { header, rows } = splitHeader(cells, Object.keys(HEADER_FIELDS));
  const fields = header ? fieldsFrom(header) : GRID_FIELDS.slice(Math.min(column, GRID_FIELDS.length));
  applyRows(rows, fields, row);
}

function pasteBox(text) {
  const { header, rows } = splitHeader(parseCells(text), Object.keys(HEADER_FIELDS));
  applyRows(rows, header ? fieldsFrom(header) : ["name", "needs"], null);
}

function taskRow(task, i) {
  const [, keyBox] = input(`Key of task ${i + 1}`, { value: task.key, className: "key", maxLength: 32, autocomplete: "off" }, (box) => {
    const value = box.value.trim();
    const problem = keyProblem(task, value);
    fieldMessage(box, problem);
    showError(problem ? `Task ${i + 1}: ${problem}` : "");
    if (problem) return;
    renameKey(task, value);
    docChanged({ structure: true });
  }, { hideLabel: true });
  const [, nameBox] = input(`Name of ${task.key}`, { value: task.name, maxLength: 200, autocomplete: "off" }, (box) => {
    const problem = box.value.trim() ? null : "A task needs a name.";
    fieldMessage(box, problem);
    showError(problem ? `${task.key}: ${problem}` : "");
    if (problem) return;
    task.name = box.value.trim();
    docChanged({ structure: true });
  }, { hideLabel: true });
  const [, needsBox] = input(`What ${task.key} needs`, { value: needsOf(task.key).join(", "), placeholder: "keys or names, comma-separated", autocomplete: "off" }, (box) => setNeeds(task, box), { hideLabel: true });
  const remove = el("button", { type: "button", className: "button-quiet", textContent: "Remove", onclick: () => removeTask(task) });
  remove.setAttribute("aria-label", `Remove ${task.key}`);
  return el("tr", {}, el("td", {}, keyBox), el("td", {}, nameBox), el("td", {}, needsBox), el("td", {}, remove));
}

export function build() {
  const table = spreadsheet(el(
    "table",
    { className: "grid tasks-grid" },
    el("caption", { className: "visually-hidden", textContent: "Tasks and what each needs" }),
    el("thead", {}, el("tr", {}, ...["Key", "Task", "Needs (outputs of)", ""].map((h) => el("th", { scope: "col", textContent: h })))),
    el("tbody", {}, ...state.doc.tasks.map(taskRow)),
  ), { onPaste: pasteIntoGrid });
  const add = el("button", { type: "button", className: "button-quiet", textContent: "Add a task", onclick: () => {
    newTask("New task");
    docChanged({ structure: true });
    hooks.rerender();
    const boxes = $("step-body").querySelectorAll(".tasks-grid tbody tr:last-child input");
    boxes[1]?.focus();
    boxes[1]?.select();
  } });
  const paste = el("textarea", { id: "paste-box", rows: 4, placeholder: "Task\tNeeds\nDesign mock-ups\tBrief\nBuild the page\tDesign mock-ups, Copy" });
  const pasteButton = el("button", { type: "button", className: "button-quiet", textContent: "Add the pasted rows", onclick: () => {
    pasteBox(paste.value);
    paste.value = "";
  } });
  return [
    el("p", { className: "hint", textContent: "Arrow keys move between cells, Enter edits a cell, and a block copied from a spreadsheet can be pasted straight into the table." }),
    table,
    add,
    el("h2", { textContent: "Paste from a spreadsheet" }),
    el("label", { htmlFor: "paste-box", textContent: "Two columns: the task, then what it needs (names or keys, comma-separated). A header row is recognised and skipped." }),
    paste,
    pasteButton,
  ];
}
