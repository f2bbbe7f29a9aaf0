// The six-step assessment. Steps 1–3 edit the flow itself (saved through the graph API
// with If-Match); every step's answers and confirmation go to the assessment API.
// All user text reaches the page through textContent or input values.

import { STYLE, elementsFrom, metaFrom, nextKey } from "./editor/graph.js";
import { callApi as api, formatDuration, unitOf, versionOf } from "./common.js";
import { ganttConfig } from "./gantt.js";

const page = JSON.parse(document.getElementById("wizard-page").textContent);
const $ = (id) => document.getElementById(id);
const BLUEPRINT_NAMES = { sequential: "Sequential", hybrid: "Hybrid", parallel: "Parallel" };
const TINTS = ["#fde68a", "#bbf7d0", "#bfdbfe", "#fbcfe8", "#ddd6fe", "#fed7aa"];
const DEFINITIONS = {
  1: "List every task. For each, name the outputs of other tasks it needs before it can start — a specific artifact (“the approved outline”), never “input from team X”.",
  2: "Look at each dependency. Hard: a logical prerequisite. Soft: it helps to wait, but the work could start without it. None: examined and not needed. The hard ones form the skeleton of any sequence.",
  3: "How long does each task take — at best, most likely, at worst — and which scarce resources does it need? Tasks that need the same scarce pool cannot all run at once, which caps what parallel work can gain.",
  4: "Tasks that share no hard dependency and become ready together can run side by side. Large clusters with balanced resource needs pay off most.",
  5: "Be honest about the team and its tools. Without state handling and graph-shaped monitoring, a mostly sequential start with parallelism added later is the wiser path.",
  6: "Compare the blueprints on the numbers: cycle times, the critical path, and what each gain costs in coordination. Then decide.",
};
const SHEET_CHOICES = [
  [-2, "Strongly sequential"],
  [-1, "Sequential"],
  [0, "Neutral"],
  [1, "Parallel"],
  [2, "Strongly parallel"],
];

const state = { doc: null, version: null, assessment: null, step: 1, dirtyDoc: false, saving: false };
let cy;
const charts = [];

// ---------------------------------------------------------------------------------------

function unit() {
  return unitOf(state.doc.time_unit);
}

function duration(value) {
  return formatDuration(value, state.doc.time_unit);
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

let fieldCount = 0;
function input(label, props, onChange, { hideLabel = false } = {}) {
  fieldCount += 1;
  const id = `w-${fieldCount}`;
  const box = el("input", { id, ...props });
  box.addEventListener("change", () => onChange(box));
  // In a table the column header says what the cell is; the input still gets its own name.
  if (hideLabel) box.setAttribute("aria-label", label);
  const tag = hideLabel ? null : el("label", { htmlFor: id, textContent: label });
  return [tag, box];
}

function taskByKey(key) {
  return state.doc.tasks.find((t) => t.key === key);
}

function showError(message) {
  $("step-error").textContent = message || "";
}

// ---------------------------------------------------------------------------------------
// Loading and saving

async function load() {
  const [graph, assessment] = await Promise.all([api(page.api.graph), api(page.api.assessment)]);
  state.doc = graph.data;
  state.version = versionOf(graph.response);
  state.assessment = assessment.data;
  const wanted = Number(new URLSearchParams(window.location.search).get("step"));
  const current = state.assessment.steps.find((s) => s.state !== "done");
  state.step = wanted >= 1 && wanted <= 6 ? wanted : current ? current.number : 6;
  render();
}

function saysSaved(text) {
  $("wizard-save").textContent = text;
}

let docTimer = null;
function docChanged() {
  state.dirtyDoc = true;
  saysSaved("Unsaved changes");
  clearTimeout(docTimer);
  docTimer = setTimeout(saveDoc, 800);
  drawGraph();
}

// Saves run one after another: a second PUT on the same version would be a conflict.
let saveQueue = Promise.resolve(true);
function saveDoc() {
  clearTimeout(docTimer);
  saveQueue = saveQueue.then(putDoc, putDoc);
  return saveQueue;
}

async function putDoc() {
  if (!state.dirtyDoc) return true;
  state.saving = true;
  saysSaved("Saving…");
  const sent = JSON.stringify(state.doc);
  const { response, data } = await api(page.api.graph, { method: "PUT", body: JSON.parse(sent), headers: { "If-Match": `"v${state.version}"` } });
  state.saving = false;
  if (response.ok) {
    state.version = versionOf(response);
    if (JSON.stringify(state.doc) === sent) state.dirtyDoc = false;
    saysSaved("Saved");
    showError("");
    await refreshAssessment();
    return true;
  }
  if (response.status === 412) {
    showError("Someone else saved this flow meanwhile. Reload the page to continue from their version; your last edit is still on screen.");
  } else {
    showError(`Not saved: ${data?.message ?? response.status}`);
  }
  saysSaved("Not saved");
  return false;
}

async function refreshAssessment() {
  const { data } = await api(page.api.assessment);
  state.assessment = data;
  renderStepper();
  renderComputed();
}

async function saveStep({ confirm, answers = {} }) {
  const { response, data } = await api(page.api.assessment, { method: "PATCH", body: { step: state.step, answers, confirm } });
  if (!response.ok) {
    showError(data?.message ?? `The server answered ${response.status}.`);
    markField(data?.fields);
    return false;
  }
  state.assessment = data;
  showError("");
  renderStepper();
  renderComputed();
  return true;
}

function markField(fields) {
  for (const field of Object.keys(fields ?? {})) {
    const target = document.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (target) {
      target.setAttribute("aria-invalid", "true");
      target.focus();
    }
  }
}

$("next").addEventListener("click", async () => {
  if (!(await saveDoc())) return;
  if (!(await saveStep({ confirm: true, answers: pendingAnswers() }))) return;
  if (state.step < 6) go(state.step + 1);
});
$("back").addEventListener("click", async () => {
  await saveDoc();
  await saveStep({ confirm: false, answers: pendingAnswers() });
  if (state.step > 1) go(state.step - 1);
});
window.addEventListener("beforeunload", (event) => {
  if (state.dirtyDoc) {
    event.preventDefault();
    event.returnValue = "";
  }
});

function go(step) {
  state.step = step;
  history.replaceState(null, "", `?step=${step}`);
  render();
  $("step-title").focus();
}

// Answers gathered from the current step's controls (readiness and decision sheet rows).
function pendingAnswers() {
  const answers = {};
  const sheet = {};
  for (const box of document.querySelectorAll("[data-sheet]:checked")) sheet[box.dataset.sheet] = Number(box.value);
  if (Object.keys(sheet).length) answers.sheet = sheet;
  const readiness = {};
  for (const box of document.querySelectorAll("[data-question]:checked")) readiness[box.dataset.question] = box.value;
  if (Object.keys(readiness).length) answers.readiness = readiness;
  return answers;
}

let answerTimer = null;
function answersChanged() {
  clearTimeout(answerTimer);
  answerTimer = setTimeout(() => saveStep({ confirm: false, answers: pendingAnswers() }), 400);
}

// ---------------------------------------------------------------------------------------
// Rendering

function render() {
  fieldCount = 0;
  charts.splice(0).forEach((c) => c.destroy());
  const step = page.steps[state.step - 1];
  $("step-title").textContent = `${step.number}. ${step.name}`;
  $("step-title").tabIndex = -1;
  $("step-definition").textContent = DEFINITIONS[step.number];
  $("back").disabled = step.number === 1;
  $("next").textContent = step.number === 6 ? "Confirm the recommendation" : "Next";
  showError("");
  renderStepper();
  renderComputed();
  renderSheet();
  drawGraph();
}

function renderStepper() {
  $("stepper").replaceChildren(
    ...state.assessment.steps.map((s) => {
      const marks = { done: "✓", attention: "!", current: String(s.number), todo: String(s.number) };
      const words = { done: "done", attention: "needs attention", current: "current", todo: "to do" };
      const button = el(
        "button",
        { type: "button", onclick: async () => { await saveDoc(); go(s.number); } },
        el("span", { className: "mark", textContent: marks[s.state], ariaHidden: "true" }),
        `${s.number}. ${s.name}`,
        el("span", { className: "visually-hidden", textContent: ` (${words[s.state]})` }),
      );
      button.dataset.state = s.state;
      if (s.number === state.step) button.setAttribute("aria-current", "step");
      return el("li", {}, button);
    }),
  );
}

// Parts that depend on the server's computation re-render after every save.
function renderComputed() {
  const body = $("step-body");
  const keep = body.contains(document.activeElement) && state.step <= 3 && body.dataset.step === String(state.step);
  if (!keep) {
    body.dataset.step = String(state.step);
    body.replaceChildren(...[step1, step2, step3, step4, step5, step6][state.step - 1]());
  } else {
    const live = body.querySelector("[data-live]");
    if (live) live.replaceWith(...liveParts());
  }
}

function liveParts() {
  return state.step === 2 ? [strengthCounts()] : state.step === 3 ? [contentionList()] : [];
}

// Step 1 ---------------------------------------------------------------------------------

function needsOf(key) {
  return state.doc.dependencies.filter((d) => d.to === key).map((d) => d.from);
}

function setNeeds(key, text, box) {
  const wanted = text.split(/[,;]+/).map((s) => s.trim()).filter(Boolean).map((ref) => resolveTask(ref) ?? ref);
  const unknown = wanted.filter((ref) => !taskByKey(ref));
  if (unknown.length || wanted.includes(key)) {
    box.setAttribute("aria-invalid", "true");
    showError(unknown.length ? `No task ${unknown.join(", ")}: use a key or a name from the table.` : `${key} cannot need itself.`);
    return;
  }
  box.setAttribute("aria-invalid", "false");
  showError("");
  const kept = state.doc.dependencies.filter((d) => d.to !== key || wanted.includes(d.from));
  const have = new Set(kept.filter((d) => d.to === key).map((d) => d.from));
  for (const from of wanted) if (!have.has(from)) kept.push({ from, to: key, strength: "hard", note: "" });
  state.doc.dependencies = kept;
  docChanged();
}

function resolveTask(ref) {
  const lower = ref.toLowerCase();
  return state.doc.tasks.find((t) => t.key.toLowerCase() === lower || t.name.toLowerCase() === lower)?.key;
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

function newTask(name) {
  const key = freeKey();
  const last = state.doc.tasks.at(-1);
  const task = {
    key,
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

function gridKeys(table) {
  // Spreadsheet-like: arrow keys move between rows in the same column.
  table.addEventListener("keydown", (event) => {
    if (!["ArrowUp", "ArrowDown"].includes(event.key) || !(event.target instanceof HTMLInputElement)) return;
    if (event.target.type === "number") return;
    const cell = event.target.closest("td");
    const row = cell.parentElement;
    const column = [...row.children].indexOf(cell);
    const next = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    const target = next?.children[column]?.querySelector("input");
    if (target) {
      event.preventDefault();
      target.focus();
    }
  });
  return table;
}

function step1() {
  const rows = state.doc.tasks.map((task, i) => {
    const [, keyBox] = input(`Key of task ${i + 1}`, { value: task.key, className: "key", maxLength: 32 }, (box) => renameKey(task, box), { hideLabel: true });
    const [, nameBox] = input(`Name of ${task.key}`, { value: task.name, maxLength: 200 }, (box) => {
      if (!box.value.trim()) {
        box.setAttribute("aria-invalid", "true");
        showError("A task needs a name.");
        return;
      }
      box.setAttribute("aria-invalid", "false");
      task.name = box.value.trim();
      docChanged();
    }, { hideLabel: true });
    const [, needsBox] = input(`What ${task.key} needs`, { value: needsOf(task.key).join(", "), placeholder: "keys or names, comma-separated" }, (box) => setNeeds(task.key, box.value, box), { hideLabel: true });
    const remove = el("button", { type: "button", className: "button-quiet", textContent: "Remove", ariaLabel: `Remove ${task.key}`, onclick: () => {
      state.doc.tasks = state.doc.tasks.filter((t) => t !== task);
      state.doc.dependencies = state.doc.dependencies.filter((d) => d.from !== task.key && d.to !== task.key);
      docChanged();
      renderComputedFresh();
    } });
    return el("tr", {}, el("td", {}, keyBox), el("td", {}, nameBox), el("td", {}, needsBox), el("td", {}, remove));
  });
  const table = gridKeys(el(
    "table",
    { className: "grid" },
    el("caption", { className: "visually-hidden", textContent: "Tasks and what each needs" }),
    el("thead", {}, el("tr", {}, ...["Key", "Task", "Needs (outputs of)", ""].map((h) => el("th", { scope: "col", textContent: h })))),
    el("tbody", {}, ...rows),
  ));
  const add = el("button", { type: "button", className: "button-quiet", textContent: "Add a task", onclick: () => {
    newTask("New task");
    docChanged();
    renderComputedFresh();
    const boxes = $("step-body").querySelectorAll("tbody tr:last-child input");
    boxes[1]?.focus();
    boxes[1]?.select();
  } });
  const pasteId = "paste-box";
  const paste = el("textarea", { id: pasteId, rows: 4, placeholder: "Design mock-ups\tBrief\nBuild the page\tDesign mock-ups, Copy" });
  const pasteButton = el("button", { type: "button", className: "button-quiet", textContent: "Add the pasted rows", onclick: () => addPasted(paste.value) });
  return [
    table,
    add,
    el("h2", { textContent: "Paste from a spreadsheet" }),
    el("label", { htmlFor: pasteId, textContent: "Two columns: the task, then what it needs (names or keys, comma-separated)" }),
    paste,
    pasteButton,
  ];
}

function renderComputedFresh() {
  $("step-body").dataset.step = "";
  renderComputed();
}

function renameKey(task, box) {
  const value = box.value.trim();
  const problem = !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(value)
    ? "A key is a letter or digit, then up to 31 letters, digits, '_', '.' or '-'."
    : state.doc.tasks.some((t) => t !== task && t.key === value) ? `Another task has the key ${value}.` : null;
  box.setAttribute("aria-invalid", problem ? "true" : "false");
  showError(problem ?? "");
  if (problem) return;
  for (const d of state.doc.dependencies) {
    if (d.from === task.key) d.from = value;
    if (d.to === task.key) d.to = value;
  }
  task.key = value;
  docChanged();
}

function addPasted(text) {
  const lines = text.split(/\r?\n/).map((line) => line.split("\t")).filter((cells) => cells[0]?.trim());
  const created = lines.map((cells) => [resolveTask(cells[0].trim()) ? taskByKey(resolveTask(cells[0].trim())) : newTask(cells[0].trim()), cells[1] ?? ""]);
  const missing = [];
  for (const [task, needs] of created) {
    for (const ref of needs.split(/[,;]+/).map((s) => s.trim()).filter(Boolean)) {
      const from = resolveTask(ref);
      if (!from) missing.push(ref);
      else if (from !== task.key && !state.doc.dependencies.some((d) => d.from === from && d.to === task.key)) {
        state.doc.dependencies.push({ from, to: task.key, strength: "hard", note: "" });
      }
    }
  }
  docChanged();
  renderComputedFresh();
  showError(missing.length ? `Not found, left out: ${missing.join(", ")}` : "");
}

// Step 2 ---------------------------------------------------------------------------------

function strengthCounts() {
  const counts = { hard: 0, soft: 0, none: 0 };
  for (const d of state.doc.dependencies) counts[d.strength] += 1;
  const node = el("p", { className: "counts", textContent: `Hard ${counts.hard} · soft ${counts.soft} · none ${counts.none}` });
  node.dataset.live = "";
  return node;
}

function step2() {
  if (!state.doc.dependencies.length) return [el("p", { className: "empty", textContent: "No dependencies yet — go back to step 1 and say what each task needs." })];
  const items = state.doc.dependencies.map((dep, i) => {
    const from = taskByKey(dep.from);
    const to = taskByKey(dep.to);
    const name = `strength-${i}`;
    const radios = [
      ["hard", "Hard"],
      ["soft", "Soft"],
      ["none", "None"],
    ].map(([value, label]) => {
      const radio = el("input", { type: "radio", name, value, checked: dep.strength === value });
      radio.addEventListener("change", () => {
        dep.strength = value;
        docChanged();
        const live = $("step-body").querySelector("[data-live]");
        live?.replaceWith(strengthCounts());
      });
      return el("label", {}, radio, label);
    });
    const [noteLabel, note] = input(`What exactly ${dep.to} needs from ${dep.from}`, { value: dep.note, placeholder: "the specific artifact" }, (box) => {
      dep.note = box.value;
      docChanged();
    });
    return el(
      "fieldset",
      { className: "dependency" },
      el("legend", { textContent: `${dep.from} ${from?.name ?? ""} → ${dep.to} ${to?.name ?? ""}` }),
      el("div", { className: "choice-row", role: "radiogroup" }, ...radios),
      noteLabel,
      note,
    );
  });
  return [strengthCounts(), ...items];
}

// Step 3 ---------------------------------------------------------------------------------

function contentionList() {
  const found = state.assessment.outcome.contention;
  const node = found.length
    ? el("ul", { className: "flag" }, ...found.map((c) => el("li", { textContent: `${c.tasks.join(", ")} can run together but need ${c.demand} of ${c.pool}, which has ${c.capacity}: they limit what parallel work can gain.` })))
    : el("p", { className: "hint", textContent: "No pool is asked for more than it holds by tasks that can run together." });
  node.dataset.live = "";
  return node;
}

function step3() {
  const pools = state.doc.resources;
  const header = ["Task", "Optimistic", "Likely", "Pessimistic", ...pools.map((p) => p.name)];
  const rows = state.doc.tasks.map((task) => {
    const estimate = (which) => {
      const [, box] = input(`${which} duration of ${task.key}`, { type: "number", min: "0", step: "any", value: task.duration[which] }, (b) => {
        const value = Number(b.value);
        const next = { ...task.duration, [which]: value };
        const problem = b.value === "" || !Number.isFinite(value) ? "Enter a number." : value < 0 ? "A duration cannot be negative." : !(next.optimistic <= next.likely && next.likely <= next.pessimistic) ? `${task.key}: keep optimistic ≤ likely ≤ pessimistic.` : null;
        b.setAttribute("aria-invalid", problem ? "true" : "false");
        showError(problem ?? "");
        if (problem) return;
        task.duration = next;
        docChanged();
      }, { hideLabel: true });
      box.dataset.field = `${task.key}.${which}`;
      return el("td", {}, box);
    };
    const needs = pools.map((pool) => {
      const [, box] = input(`Units of ${pool.name} for ${task.key}`, { type: "number", min: "0", step: "1", value: task.resources[pool.name] ?? 0 }, (b) => {
        const value = Number(b.value);
        if (!Number.isInteger(value) || value < 0) {
          b.setAttribute("aria-invalid", "true");
          showError("Units are a whole number, 0 for none.");
          return;
        }
        b.setAttribute("aria-invalid", "false");
        showError("");
        if (value) task.resources[pool.name] = value;
        else delete task.resources[pool.name];
        docChanged();
      }, { hideLabel: true });
      return el("td", {}, box);
    });
    return el("tr", {}, el("th", { scope: "row", textContent: `${task.key} ${task.name}` }), estimate("optimistic"), estimate("likely"), estimate("pessimistic"), ...needs);
  });
  const poolRows = pools.map((pool, i) => {
    const [, nameBox] = input(`Name of pool ${i + 1}`, { value: pool.name, maxLength: 200 }, (box) => {
      const value = box.value.trim();
      if (!value || pools.some((p) => p !== pool && p.name === value)) {
        box.setAttribute("aria-invalid", "true");
        showError(value ? "Another pool has this name." : "A pool needs a name.");
        return;
      }
      for (const t of state.doc.tasks) {
        if (pool.name in t.resources) {
          t.resources[value] = t.resources[pool.name];
          delete t.resources[pool.name];
        }
      }
      pool.name = value;
      docChanged();
      renderComputedFresh();
    }, { hideLabel: true });
    const [, capacityBox] = input(`Capacity of ${pool.name}`, { type: "number", min: "1", step: "1", value: pool.capacity }, (box) => {
      const value = Number(box.value);
      if (!Number.isInteger(value) || value < 1) {
        box.setAttribute("aria-invalid", "true");
        showError(`${pool.name}: a capacity is a whole number of at least 1.`);
        return;
      }
      box.setAttribute("aria-invalid", "false");
      showError("");
      pool.capacity = value;
      docChanged();
    }, { hideLabel: true });
    capacityBox.dataset.field = `resources[${i}].capacity`;
    const remove = el("button", { type: "button", className: "button-quiet", textContent: "Remove", ariaLabel: `Remove pool ${pool.name}`, onclick: () => {
      state.doc.resources = pools.filter((p) => p !== pool);
      for (const t of state.doc.tasks) delete t.resources[pool.name];
      docChanged();
      renderComputedFresh();
    } });
    return el("tr", {}, el("td", {}, nameBox), el("td", {}, capacityBox), el("td", {}, remove));
  });
  return [
    gridKeys(el(
      "table",
      { className: "grid" },
      el("caption", { className: "visually-hidden", textContent: `Durations in ${state.doc.time_unit} and units of each pool` }),
      el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { scope: "col", textContent: h })))),
      el("tbody", {}, ...rows),
    )),
    el("h2", { textContent: "Resource pools" }),
    el(
      "table",
      { className: "grid" },
      el("caption", { className: "visually-hidden", textContent: "Resource pools and their capacity" }),
      el("thead", {}, el("tr", {}, ...["Pool", "Capacity", ""].map((h) => el("th", { scope: "col", textContent: h })))),
      el("tbody", {}, ...poolRows),
    ),
    el("button", { type: "button", className: "button-quiet", textContent: "Add a pool", onclick: () => {
      let n = pools.length + 1;
      while (pools.some((p) => p.name === `Pool ${n}`)) n += 1;
      state.doc.resources.push({ name: `Pool ${n}`, capacity: 1, description: "" });
      docChanged();
      renderComputedFresh();
    } }),
    el("h2", { textContent: "Competing for scarce pools" }),
    contentionList(),
  ];
}

// Step 4 ---------------------------------------------------------------------------------

function step4() {
  const clusters = state.assessment.outcome.clusters;
  if (!clusters.length) return [el("p", { className: "empty", textContent: "No two tasks can run side by side: every task waits on the one before it through hard dependencies." })];
  return [
    el(
      "ol",
      { className: "clusters" },
      ...clusters.map((c, i) => {
        const swatch = el("span", { className: "swatch", ariaHidden: "true" });
        swatch.style.background = TINTS[i % TINTS.length];
        const balance = c.balanced ? "resource needs balanced" : `competes for ${c.contention.map((x) => x.pool).join(", ")}`;
        return el("li", {}, swatch, `${c.tasks.join(" ∥ ")}: running them in parallel saves ${duration(c.saving)}; ${balance}.`);
      }),
    ),
  ];
}

// Step 5 ---------------------------------------------------------------------------------

function step5() {
  const given = state.assessment.answers.readiness ?? {};
  const ready = state.assessment.outcome.readiness;
  const words = { no: "No", partly: "Partly", yes: "Yes", none: "None", basic: "Basic", full: "Full", undecided: "Undecided", fail_fast: "Fail fast", continue_with_compensation: "Continue with compensation", retry_and_proceed: "Retry and proceed" };
  const questions = page.questions.map((q) =>
    el(
      "fieldset",
      { className: "dependency" },
      el("legend", { textContent: q.text }),
      el(
        "div",
        { className: "choice-row" },
        ...q.choices.map((choice) => {
          const radio = el("input", { type: "radio", name: `q-${q.key}`, value: choice, checked: String(given[q.key]) === choice });
          radio.dataset.question = q.key;
          radio.dataset.field = `answers.readiness.${q.key}`;
          radio.addEventListener("change", answersChanged);
          return el("label", {}, radio, words[choice] ?? choice);
        }),
      ),
    ),
  );
  return [
    ...questions,
    el("p", { className: "counts", textContent: `Readiness ${ready.score}/5` }),
    el("p", { textContent: ready.advice }),
  ];
}

// Step 6 ---------------------------------------------------------------------------------

function step6() {
  const outcome = state.assessment.outcome;
  const rec = outcome.recommendation;
  const columns = Object.entries(outcome.figures.blueprints).map(([name, f]) => {
    const canvas = el("canvas", { role: "img", ariaLabel: `${BLUEPRINT_NAMES[name]} Gantt chart` });
    const column = el(
      "div",
      { className: `column ${name}` },
      el("h2", { textContent: BLUEPRINT_NAMES[name] }),
      el("p", { className: "big", textContent: duration(f.cycle_time) }),
      el("p", { textContent: name === "sequential" ? "the baseline" : `saves ${duration(f.gain)} (${Math.round(f.gain_share * 100)}%)` }),
      el("p", { textContent: `coordination overhead ${duration(f.overhead)}` }),
      el("div", { className: "mini-gantt" }, canvas),
    );
    requestAnimationFrame(() => {
      const critical = new Set(outcome.figures.critical_path);
      const max = outcome.figures.blueprints.sequential.cycle_time;
      const { config } = ganttConfig({ tasks: f.schedule, label: (k) => k, colour: () => "#94a3b8", critical, unit: unit(), max });
      charts.push(new window.Chart(canvas, config));
    });
    return column;
  });
  const card = rec
    ? el(
        "div",
        { className: "recommendation", role: "region", ariaLabel: "Recommendation" },
        el("p", { className: "hint", textContent: "Recommendation" }),
        el("p", { className: "blueprint", textContent: rec.label }),
        el("p", { textContent: `Because ${rec.rule}. Decided by: ${rec.deciding.join(", ")}.` }),
        el("ul", {}, ...rec.reasons.map((r) => el("li", { textContent: r }))),
      )
    : el("p", { className: "empty", textContent: "Add tasks in step 1 to get a recommendation." });
  return [
    el("p", { textContent: `Critical path: ${outcome.figures.critical_path.join(" → ") || "—"}` }),
    el("div", { className: "columns" }, ...columns),
    card,
    el(
      "p",
      { className: "no-print" },
      el("a", { href: page.api.report, textContent: "Open the report (prints to PDF)" }),
      " · ",
      el("a", { href: page.api.markdown, textContent: "Download as Markdown" }),
    ),
  ];
}

// Decision sheet rows that belong to this step.
function renderSheet() {
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
          ...SHEET_CHOICES.map(([value, label]) => {
            const radio = el("input", { type: "radio", name: `sheet-${d.key}`, value, checked: given[d.key] === value });
            radio.dataset.sheet = d.key;
            radio.addEventListener("change", answersChanged);
            return el("label", {}, radio, label);
          }),
        ),
      ),
    ),
  );
}

// The graph beside each step -----------------------------------------------------------

function drawGraph() {
  if (!cy) {
    cy = window.cytoscape({
      container: $("wizard-graph"),
      style: [
        ...STYLE,
        { selector: ".dim", style: { opacity: 0.2 } },
        { selector: "node.contended", style: { "background-color": "#fde68a", "border-color": "#b45309", "border-width": 3 } },
        ...TINTS.map((tint, i) => ({ selector: `node.cluster-${i}`, style: { "background-color": tint } })),
      ],
      autoungrabify: true,
      boxSelectionEnabled: false,
      minZoom: 0.1,
      maxZoom: 2,
    });
  }
  const meta = metaFrom(state.doc);
  cy.elements().remove();
  cy.add(elementsFrom(state.doc, meta));
  const byKey = {};
  cy.nodes(".task").forEach((n) => {
    byKey[n.data("key")] = n;
  });
  const outcome = state.assessment.outcome;
  let caption = "The flow as it stands.";
  if (state.step === 2) {
    cy.edges().filter((e) => e.data("strength") !== "hard").addClass("dim");
    caption = "The hard skeleton: soft and none dependencies are faded.";
  } else if (state.step === 3) {
    for (const c of outcome.contention) for (const key of c.tasks) byKey[key]?.addClass("contended");
    caption = outcome.contention.length ? "Tasks in contention for a pool are marked amber." : "No task is in contention for a pool.";
  } else if (state.step === 4) {
    outcome.clusters.forEach((c, i) => c.tasks.forEach((key) => byKey[key]?.addClass(`cluster-${i % TINTS.length}`)));
    caption = "Each independent cluster in its own tint.";
  } else if (state.step === 6) {
    const critical = new Set(outcome.figures.critical_path);
    cy.nodes(".task").forEach((n) => n.toggleClass("critical", critical.has(n.data("key"))));
    caption = "The critical path in the accent colour.";
  }
  $("graph-caption").textContent = caption;
  cy.fit(undefined, 20);
  if (cy.zoom() > 1.2) {
    cy.zoom(1.2);
    cy.center();
  }
}

window.addEventListener("DOMContentLoaded", load);
