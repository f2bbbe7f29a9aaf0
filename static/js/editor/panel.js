// The properties panel: the selected task, dependency or phase, or the flow itself.
// Every edit goes through `edit` (one path, undoable, checked against the whole flow); a
// value that breaks a field's own rule is refused next to the field.

import { EXECUTORS, KEY_PATTERN, TIME_UNITS } from "../constants.js";
import { el as element } from "../dom.js";
import { addPhase, deleteSelection, movePhase, setStrength } from "./commands.js";
import { estimateRow, field, heading, optionalRate, resetFields, unitName } from "./fields.js";
import { edit, setData, setMeta } from "./history.js";

// The built-in executors in words; a registered action goes by its name.
const EXECUTOR_WORDS = { simulated: "Simulated", manual: "Manual (a person completes it)" };
const STRENGTHS = [
  ["hard", "Hard — a logical prerequisite"],
  ["soft", "Soft — helps, not required"],
  ["none", "None — examined, not needed"],
];

// `force`: render even while focus is in the panel (after a refusal, to show what is kept).
export function renderPanel(panel, ed, { force = false } = {}) {
  const { cy } = ed;
  const selected = cy.$(":selected");
  const signature = selected.map((e) => e.id()).join(",") || "flow";
  if (!force && panel.dataset.for === signature && panel.contains(document.activeElement)) return;
  const focused = panel.contains(document.activeElement) ? document.activeElement.id : null;
  panel.dataset.for = signature;
  resetFields();
  let content;
  if (selected.length === 1 && selected[0].hasClass("task")) content = taskForm(selected[0], ed);
  else if (selected.length === 1 && selected[0].isEdge()) content = dependencyForm(selected[0], ed);
  else if (selected.length === 1 && selected[0].hasClass("phase")) content = phaseForm(selected[0], ed);
  else if (selected.length > 1) content = selectionForm(selected, ed);
  else content = flowForm(ed);
  panel.replaceChildren(...content);
  if (focused && force) document.getElementById(focused)?.focus();
}

function selectionForm(selected, ed) {
  const tasks = selected.filter(".task");
  return [
    ...heading(`${selected.length} selected`, "Drag to move them together; Shift- or Ctrl-click adds or removes one."),
    element(
      "div",
      { className: "row-actions" },
      tasks.nonempty()
        ? element("button", { type: "button", className: "button-quiet", textContent: "New phase from selection", onclick: () => addPhase(ed) })
        : null,
      element("button", { type: "button", className: "button-quiet", textContent: "Delete", onclick: () => deleteSelection(ed) }),
    ),
  ];
}

function taskForm(node, ed) {
  const { cy } = ed;
  const state = ed;
  const d = node.data();
  const keys = new Set(cy.nodes(".task").not(node).map((n) => n.data("key")));
  const pools = state.meta.resources.map((pool) =>
    field(`${pool.name} (units, capacity ${pool.capacity})`, {
      type: "number",
      value: d.resources[pool.name] ?? 0,
      attrs: { min: "0", step: "1" },
      check: (value) => (Number.isInteger(value) && value >= 0 ? null : "Enter a whole number of units, 0 for none."),
      apply: (value) => {
        const resources = { ...node.data("resources") };
        if (value > 0) resources[pool.name] = value;
        else delete resources[pool.name];
        setData(ed, node, { resources });
      },
    }),
  );
  const phases = [["", "No phase"], ...state.meta.phases.map((p) => [p.id, p.name])];
  return [
    ...heading(`Task ${d.key}`),
    field("Key", {
      value: d.key,
      check: (value) => (!KEY_PATTERN.test(value) ? "A letter or digit, then up to 31 letters, digits, '_', '.' or '-'." : keys.has(value) ? `Another task has the key ${value}.` : null),
      apply: (value) => setData(ed, node, { key: value }),
    }),
    field("Name", { value: d.name, attrs: { maxlength: "200", "data-field": "name" }, check: (value) => (value.trim() ? null : "A task needs a name."), apply: (value) => setData(ed, node, { name: value.trim() }) }),
    field("Description", { value: d.description, multiline: true, apply: (value) => setData(ed, node, { description: value }) }),
    estimateRow(node, ed),
    element(
      "fieldset",
      {},
      element("legend", { textContent: "Resource needs" }),
      ...(pools.length ? pools : [element("p", { className: "hint", textContent: "The flow has no resource pools yet: add them in the flow's properties." })]),
    ),
    field("Phase", {
      value: d.parent ?? "",
      options: phases,
      attrs: { "data-field": "phase" },
      apply: (value) => movePhase(ed, node, value || null),
    }),
    field("Failure rate (0 to 1)", {
      type: "number",
      value: d.failure_rate,
      attrs: { min: "0", max: "1", step: "0.01" },
      check: (value) => (value >= 0 && value <= 1 ? null : "A failure rate is a share between 0 and 1."),
      apply: (value) => setData(ed, node, { failure_rate: value }),
    }),
    field("Executor", {
      value: d.executor,
      options: EXECUTORS.map((name) => [name, EXECUTOR_WORDS[name] ?? name]).concat(
        EXECUTORS.includes(d.executor) ? [] : [[d.executor, d.executor]],
      ),
      apply: (value) => setData(ed, node, { executor: value }),
    }),
  ];
}

function dependencyForm(edge, ed) {
  return [
    ...heading(`${edge.source().data("key")} → ${edge.target().data("key")}`, "Keys 1, 2 and 3 set the strength too."),
    field("Strength", { value: edge.data("strength"), options: STRENGTHS, apply: (value) => setStrength(ed, edge, value) }),
    field("Note", { value: edge.data("note"), multiline: true, apply: (value) => setData(ed, edge, { note: value }) }),
  ];
}

function phaseForm(node, ed) {
  const state = ed;
  const index = state.meta.phases.findIndex((p) => p.id === node.id());
  const phase = state.meta.phases[index];
  const names = new Set(state.meta.phases.filter((p) => p.id !== phase.id).map((p) => p.name));
  const move = (offset) => () =>
    setMeta(ed, (meta) => {
      const [moved] = meta.phases.splice(index, 1);
      meta.phases.splice(index + offset, 0, moved);
    });
  return [
    ...heading(`Phase ${index + 1}`, "Drag tasks into the box to put them in this phase."),
    field("Name", {
      value: phase.name,
      check: (value) => (!value.trim() ? "A phase needs a name." : names.has(value.trim()) ? "Another phase has this name." : null),
      apply: (value) => setMeta(ed, (meta) => { meta.phases[index].name = value.trim(); }),
    }),
    field("Description", { value: phase.description, multiline: true, apply: (value) => setMeta(ed, (meta) => { meta.phases[index].description = value; }) }),
    element(
      "div",
      { className: "row-actions" },
      element("button", { type: "button", className: "button-quiet", textContent: "Earlier", disabled: index === 0, onclick: move(-1) }),
      element("button", { type: "button", className: "button-quiet", textContent: "Later", disabled: index === state.meta.phases.length - 1, onclick: move(1) }),
    ),
  ];
}

function flowForm(ed) {
  const { cy } = ed;
  const state = ed;
  const meta = state.meta;
  if (!meta) return heading("Loading…");
  const delay = (label, name) =>
    field(label, {
      type: "number",
      value: meta[name],
      attrs: { min: "0", step: "any" },
      check: (value) => (value >= 0 ? null : "Enter 0 or more."),
      apply: (value) => setMeta(ed, (m) => { m[name] = value; }),
    });
  const pools = meta.resources.map((pool, i) =>
    element(
      "div",
      { className: "pool-row" },
      field("Pool", {
        value: pool.name,
        check: (value) => (!value.trim() ? "A pool needs a name." : meta.resources.some((p, j) => j !== i && p.name === value.trim()) ? "Another pool has this name." : null),
        apply: (value) => renamePool(pool.name, value.trim(), ed),
      }),
      field("Capacity", {
        type: "number",
        value: pool.capacity,
        attrs: { min: "1", step: "1" },
        check: (value) => (Number.isInteger(value) && value >= 1 ? null : "A capacity is a whole number of at least 1."),
        apply: (value) => setMeta(ed, (m) => { m.resources[i].capacity = value; }),
      }),
      optionalRate(`Cost per unit per ${unitName(meta.time_unit)}`, pool.cost_per_unit, (value) =>
        setMeta(ed, (m) => { m.resources[i].cost_per_unit = value; }),
      ),
      element("button", {
        type: "button",
        className: "button-quiet",
        textContent: "Remove",
        ariaLabel: `Remove pool ${pool.name}`,
        onclick: () => removePool(pool.name, ed),
      }),
    ),
  );
  return [
    ...heading("Flow", "Select a task, dependency or phase to edit it."),
    field("Description", { value: meta.description, multiline: true, apply: (value) => setMeta(ed, (m) => { m.description = value; }) }),
    field("Time unit", { value: meta.time_unit, options: TIME_UNITS.map((u) => [u, u]), apply: (value) => setMeta(ed, (m) => { m.time_unit = value; }) }),
    delay("Handoff delay", "handoff_delay"),
    delay("Sync overhead", "sync_overhead"),
    optionalRate(`Value of one ${unitName(meta.time_unit)} saved`, meta.value_per_time_unit, (value) =>
      setMeta(ed, (m) => { m.value_per_time_unit = value; }),
    ),
    element(
      "fieldset",
      {},
      element("legend", { textContent: "Resource pools" }),
      ...pools,
      element("button", {
        type: "button",
        className: "button-quiet",
        textContent: "Add a pool",
        onclick: () =>
          setMeta(ed, (m) => {
            let n = m.resources.length + 1;
            while (m.resources.some((p) => p.name === `Pool ${n}`)) n += 1;
            m.resources.push({ name: `Pool ${n}`, capacity: 1, description: "" });
          }),
      }),
    ),
  ];
}

function poolChanges(cy, change) {
  return cy.nodes(".task").filter((n) => change(n.data("resources")) !== null).map((n) => ({
    name: "setData",
    param: { id: n.id(), data: { resources: change(n.data("resources")) } },
  }));
}

function renamePool(from, to, ed) {
  const { cy } = ed;
  const state = ed;
  if (from === to) return;
  const meta = structuredClone(state.meta);
  meta.resources.find((p) => p.name === from).name = to;
  const actions = poolChanges(cy, (resources) => {
    if (!(from in resources)) return null;
    const next = { ...resources, [to]: resources[from] };
    delete next[from];
    return next;
  });
  edit(ed, [...actions, { name: "setMeta", param: { meta } }]);
}

function removePool(name, ed) {
  const { cy } = ed;
  const state = ed;
  const meta = structuredClone(state.meta);
  meta.resources = meta.resources.filter((p) => p.name !== name);
  const actions = poolChanges(cy, (resources) => {
    if (!(name in resources)) return null;
    const next = { ...resources };
    delete next[name];
    return next;
  });
  edit(ed, [...actions, { name: "setMeta", param: { meta } }]);
}
