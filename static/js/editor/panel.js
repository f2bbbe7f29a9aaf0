// The properties panel: the selected task, dependency or phase, or the flow itself.
// Every edit goes through the undo stack; a value that breaks a rule is refused next to its field.

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const TIME_UNITS = ["minutes", "hours", "days", "weeks"];
const STRENGTHS = [
  ["hard", "Hard — a logical prerequisite"],
  ["soft", "Soft — helps, not required"],
  ["none", "None — examined, not needed"],
];
let fieldCount = 0;

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// A labelled input whose committed value passes `check` before `apply` runs.
function field(label, { value, type = "text", check = () => null, apply, options = null, multiline = false, attrs = {} }) {
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

function heading(text, note) {
  return [element("h2", { textContent: text }), note ? element("p", { className: "hint", textContent: note }) : ""];
}

export function renderPanel(panel, ctx) {
  const { cy } = ctx;
  const selected = cy.$(":selected");
  const signature = selected.map((e) => e.id()).join(",") || "flow";
  if (panel.dataset.for === signature && panel.contains(document.activeElement)) return;
  panel.dataset.for = signature;
  fieldCount = 0;
  let content;
  if (selected.length === 1 && selected[0].hasClass("task")) content = taskForm(selected[0], ctx);
  else if (selected.length === 1 && selected[0].isEdge()) content = dependencyForm(selected[0], ctx);
  else if (selected.length === 1 && selected[0].hasClass("phase")) content = phaseForm(selected[0], ctx);
  else if (selected.length > 1) content = heading(`${selected.length} selected`, "Delete removes them all; drag to move them together.");
  else content = flowForm(ctx);
  panel.replaceChildren(...content);
}

function taskForm(node, { cy, state, setData }) {
  const d = node.data();
  const keys = new Set(cy.nodes(".task").not(node).map((n) => n.data("key")));
  const estimate = (which) =>
    field(`${which[0].toUpperCase()}${which.slice(1)} (${state.meta.time_unit})`, {
      type: "number",
      value: d[which],
      attrs: { min: "0", step: "any" },
      check: (value) => {
        const next = { optimistic: node.data("optimistic"), likely: node.data("likely"), pessimistic: node.data("pessimistic"), [which]: value };
        if (value < 0) return "A duration cannot be negative.";
        if (!(next.optimistic <= next.likely && next.likely <= next.pessimistic)) return "Keep optimistic ≤ likely ≤ pessimistic.";
        return null;
      },
      apply: (value) => setData(node, { [which]: value }),
    });
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
        setData(node, { resources });
      },
    }),
  );
  const phases = [["", "No phase"], ...state.meta.phases.map((p) => [p.id, p.name])];
  return [
    ...heading(`Task ${d.key}`),
    field("Key", {
      value: d.key,
      check: (value) => (!KEY_PATTERN.test(value) ? "A letter or digit, then up to 31 letters, digits, '_', '.' or '-'." : keys.has(value) ? `Another task has the key ${value}.` : null),
      apply: (value) => setData(node, { key: value }),
    }),
    field("Name", { value: d.name, attrs: { maxlength: "200" }, check: (value) => (value.trim() ? null : "A task needs a name."), apply: (value) => setData(node, { name: value.trim() }) }),
    field("Description", { value: d.description, multiline: true, apply: (value) => setData(node, { description: value }) }),
    element("fieldset", {}, element("legend", { textContent: "Duration estimate" }), estimate("optimistic"), estimate("likely"), estimate("pessimistic")),
    element(
      "fieldset",
      {},
      element("legend", { textContent: "Resource needs" }),
      ...(pools.length ? pools : [element("p", { className: "hint", textContent: "The flow has no resource pools yet: add them in the flow's properties." })]),
    ),
    field("Phase", {
      value: d.parent ?? "",
      options: phases,
      apply: (value) => cy.scratch("ur").do("changeParent", { firstTime: true, parentData: value || null, nodes: node, posDiffX: 0, posDiffY: 0 }),
    }),
    field("Failure rate (0 to 1)", {
      type: "number",
      value: d.failure_rate,
      attrs: { min: "0", max: "1", step: "0.01" },
      check: (value) => (value >= 0 && value <= 1 ? null : "A failure rate is a share between 0 and 1."),
      apply: (value) => setData(node, { failure_rate: value }),
    }),
    field("Executor", {
      value: d.executor,
      options: [["simulated", "Simulated"], ["manual", "Manual (a person completes it)"]].concat(
        ["simulated", "manual"].includes(d.executor) ? [] : [[d.executor, d.executor]],
      ),
      apply: (value) => setData(node, { executor: value }),
    }),
  ];
}

function dependencyForm(edge, { setData }) {
  return [
    ...heading(`${edge.source().data("key")} → ${edge.target().data("key")}`, "Keys 1, 2 and 3 set the strength too."),
    field("Strength", { value: edge.data("strength"), options: STRENGTHS, apply: (value) => setData(edge, { strength: value }) }),
    field("Note", { value: edge.data("note"), multiline: true, apply: (value) => setData(edge, { note: value }) }),
  ];
}

function phaseForm(node, { state, setMeta }) {
  const index = state.meta.phases.findIndex((p) => p.id === node.id());
  const phase = state.meta.phases[index];
  const names = new Set(state.meta.phases.filter((p) => p.id !== phase.id).map((p) => p.name));
  const move = (offset) => () =>
    setMeta((meta) => {
      const [moved] = meta.phases.splice(index, 1);
      meta.phases.splice(index + offset, 0, moved);
    });
  return [
    ...heading(`Phase ${index + 1}`, "Drag tasks into the box to put them in this phase."),
    field("Name", {
      value: phase.name,
      check: (value) => (!value.trim() ? "A phase needs a name." : names.has(value.trim()) ? "Another phase has this name." : null),
      apply: (value) => setMeta((meta) => { meta.phases[index].name = value.trim(); }),
    }),
    field("Description", { value: phase.description, multiline: true, apply: (value) => setMeta((meta) => { meta.phases[index].description = value; }) }),
    element(
      "div",
      { className: "row-actions" },
      element("button", { type: "button", className: "button-quiet", textContent: "Earlier", disabled: index === 0, onclick: move(-1) }),
      element("button", { type: "button", className: "button-quiet", textContent: "Later", disabled: index === state.meta.phases.length - 1, onclick: move(1) }),
    ),
  ];
}

function flowForm({ cy, state, setMeta, ur }) {
  const meta = state.meta;
  if (!meta) return heading("Loading…");
  const delay = (label, name) =>
    field(label, {
      type: "number",
      value: meta[name],
      attrs: { min: "0", step: "any" },
      check: (value) => (value >= 0 ? null : "Enter 0 or more."),
      apply: (value) => setMeta((m) => { m[name] = value; }),
    });
  const pools = meta.resources.map((pool, i) =>
    element(
      "div",
      { className: "pool-row" },
      field("Pool", {
        value: pool.name,
        check: (value) => (!value.trim() ? "A pool needs a name." : meta.resources.some((p, j) => j !== i && p.name === value.trim()) ? "Another pool has this name." : null),
        apply: (value) => renamePool(pool.name, value.trim(), { cy, state, ur }),
      }),
      field("Capacity", {
        type: "number",
        value: pool.capacity,
        attrs: { min: "1", step: "1" },
        check: (value) => (Number.isInteger(value) && value >= 1 ? null : "A capacity is a whole number of at least 1."),
        apply: (value) => setMeta((m) => { m.resources[i].capacity = value; }),
      }),
      element("button", {
        type: "button",
        className: "button-quiet",
        textContent: "Remove",
        ariaLabel: `Remove pool ${pool.name}`,
        onclick: () => removePool(pool.name, { cy, state, ur }),
      }),
    ),
  );
  return [
    ...heading("Flow", "Select a task, dependency or phase to edit it."),
    field("Description", { value: meta.description, multiline: true, apply: (value) => setMeta((m) => { m.description = value; }) }),
    field("Time unit", { value: meta.time_unit, options: TIME_UNITS.map((u) => [u, u]), apply: (value) => setMeta((m) => { m.time_unit = value; }) }),
    delay("Handoff delay", "handoff_delay"),
    delay("Sync overhead", "sync_overhead"),
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
          setMeta((m) => {
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

function renamePool(from, to, { cy, state, ur }) {
  if (from === to) return;
  const meta = structuredClone(state.meta);
  meta.resources.find((p) => p.name === from).name = to;
  const actions = poolChanges(cy, (resources) => {
    if (!(from in resources)) return null;
    const next = { ...resources, [to]: resources[from] };
    delete next[from];
    return next;
  });
  ur.do("batch", [...actions, { name: "setMeta", param: { meta } }]);
}

function removePool(name, { cy, state, ur }) {
  const meta = structuredClone(state.meta);
  meta.resources = meta.resources.filter((p) => p.name !== name);
  const actions = poolChanges(cy, (resources) => {
    if (!(name in resources)) return null;
    const next = { ...resources };
    delete next[name];
    return next;
  });
  ur.do("batch", [...actions, { name: "setMeta", param: { meta } }]);
}
