// The flow editor: Cytoscape canvas, properties panel, live analysis, saving with If-Match.
// Labels reach the page as text only (textContent, input values, canvas labels).

import { STYLE, documentFrom, elementsFrom, metaFrom, newId, nextKey, phaseLabel, taskLabel } from "./graph.js";
import { renderPanel } from "./panel.js";
import { callApi as api, formatDuration, unitOf, versionOf } from "../common.js";

const page = JSON.parse(document.getElementById("editor-page").textContent);
const $ = (id) => document.getElementById(id);

const state = {
  meta: null,
  version: null,
  savedJson: null,
  saving: false,
  conflict: false,
  analysis: null,
  clipboard: null,
  tool: "select",
  loading: true,
};

let cy;
let ur;
let eh;

// ---------------------------------------------------------------------------------------
// Talking to the API

function unit() {
  return unitOf(state.meta.time_unit);
}

function duration(value) {
  return formatDuration(value, state.meta.time_unit);
}

// ---------------------------------------------------------------------------------------
// Messages and save state

function say(message) {
  $("message").textContent = message || "";
}

function currentJson() {
  return JSON.stringify(documentFrom(cy, state.meta));
}

function isDirty() {
  return !state.loading && currentJson() !== state.savedJson;
}

function showSaveState() {
  const label = $("save-state");
  let text = "Saved";
  if (state.conflict) text = "Conflict — someone else saved";
  else if (state.saving) text = "Saving…";
  else if (isDirty()) text = "Unsaved changes";
  label.textContent = text;
  label.dataset.state = text.split(" ")[0].toLowerCase();
}

// ---------------------------------------------------------------------------------------
// Loading

async function load() {
  state.loading = true;
  const { response, data } = await api(page.api.graph);
  if (!response.ok) {
    say(data?.message ?? `The flow could not be loaded (${response.status}).`);
    return;
  }
  state.version = versionOf(response);
  state.meta = metaFrom(data);
  cy.elements().remove();
  ur.reset();
  cy.add(elementsFrom(data, state.meta));
  fitView();
  state.savedJson = currentJson();
  state.conflict = false;
  state.loading = false;
  $("flow-name").value = state.meta.name;
  refresh();
  analyseSoon(0);
}

function fitView() {
  cy.fit(undefined, 40);
  if (cy.zoom() > 1.2) {
    cy.zoom(1.2);
    cy.center();
  }
}

// ---------------------------------------------------------------------------------------
// Live analysis

let analysisTimer = null;
let analysisRun = 0;

function analyseSoon(delay = 250) {
  clearTimeout(analysisTimer);
  analysisTimer = setTimeout(analyse, delay);
}

async function analyse() {
  const mine = ++analysisRun;
  const { response, data } = await api(page.api.analyse, { method: "POST", body: documentFrom(cy, state.meta) });
  if (mine !== analysisRun) return;
  if (!response.ok) {
    $("summary-figures").textContent = "Not analysed:";
    say(data?.message ?? `analysis failed (${response.status})`);
    return;
  }
  state.analysis = data;
  say("");
  const c = data.cycle_time;
  $("summary-figures").textContent =
    `Sequential ${duration(c.sequential)} · Hybrid ${duration(c.hybrid)} · Parallel ${duration(c.parallel)} · ` +
    `critical path ${data.critical_path.length} ${data.critical_path.length === 1 ? "task" : "tasks"}`;
  const critical = new Set(data.critical_path);
  const byKey = {};
  cy.batch(() => {
    cy.nodes(".task").forEach((node) => {
      byKey[node.data("key")] = node;
      node.toggleClass("critical", critical.has(node.data("key")));
    });
    cy.edges().removeClass("critical");
    data.critical_path.forEach((key, i) => {
      const next = data.critical_path[i + 1];
      if (next) byKey[key].edgesTo(byKey[next]).addClass("critical");
    });
  });
  const list = $("task-list");
  list.replaceChildren(
    ...cy.nodes(".task").map((node) => {
      const item = document.createElement("li");
      const timing = data.tasks[node.data("key")];
      item.textContent = `${node.data("key")} ${node.data("name")}: likely ${duration(node.data("likely"))}, slack ${duration(timing?.slack ?? 0)}${critical.has(node.data("key")) ? ", on the critical path" : ""}`;
      return item;
    }),
  );
}

// ---------------------------------------------------------------------------------------
// Saving

let autosaveTimer = null;

function changed() {
  if (state.loading) return;
  showSaveState();
  analyseSoon();
  clearTimeout(autosaveTimer);
  autosaveTimer = setTimeout(() => save({ auto: true }), 2500);
  refresh();
}

async function save({ auto = false } = {}) {
  clearTimeout(autosaveTimer);
  if (state.saving || state.conflict || !isDirty()) {
    showSaveState();
    return true;
  }
  state.saving = true;
  showSaveState();
  const sent = currentJson();
  const { response, data } = await api(page.api.graph, {
    method: "PUT",
    body: JSON.parse(sent),
    headers: { "If-Match": `"v${state.version}"` },
  });
  state.saving = false;
  if (response.ok) {
    state.version = versionOf(response);
    state.savedJson = sent;
    say(auto ? "" : "Saved.");
    showSaveState();
    if (isDirty()) changed();
    return true;
  }
  if (response.status === 412) {
    state.conflict = true;
    showSaveState();
    $("conflict-dialog").showModal();
    return false;
  }
  say(`Not saved: ${data?.message ?? `the server answered ${response.status}`}`);
  showSaveState();
  return false;
}

$("save").addEventListener("click", () => save());
$("conflict-reload").addEventListener("click", async () => {
  $("conflict-dialog").close();
  await load();
  say("Reloaded the version saved elsewhere.");
});
$("conflict-copy").addEventListener("click", async () => {
  const mine = documentFrom(cy, state.meta);
  mine.name = `${mine.name} (my copy)`.slice(0, 200);
  const { response, data } = await api(page.api.import, { method: "POST", body: mine });
  if (!response.ok) {
    say(`Could not keep a copy: ${data?.message ?? response.status}`);
    return;
  }
  state.savedJson = currentJson();
  window.location.href = `/flows/${data.id}/`;
});
window.addEventListener("beforeunload", (event) => {
  if (isDirty()) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// ---------------------------------------------------------------------------------------
// Undoable edits

function setData(element, data) {
  ur.do("setData", { id: element.id(), data });
}

function swapData({ id, data }) {
  const element = cy.getElementById(id);
  const old = {};
  for (const key of Object.keys(data)) old[key] = element.data(key);
  element.data(data);
  if ("key" in data || "name" in data) element.data("label", taskLabel(element.data("key"), element.data("name")));
  if ("strength" in data) element.classes(data.strength);
  return { id, data: old };
}

function swapMeta({ meta }) {
  const old = state.meta;
  state.meta = meta;
  relabelPhases();
  $("flow-name").value = state.meta.name;
  return { meta: old };
}

function setMeta(change) {
  const next = structuredClone(state.meta);
  change(next);
  ur.do("setMeta", { meta: next });
}

function relabelPhases() {
  state.meta.phases.forEach((phase, i) => {
    const node = cy.getElementById(phase.id);
    if (node.nonempty()) node.data({ name: phase.name, label: phaseLabel(i + 1, phase.name) });
  });
}

function taskElement(key, position, extra = {}) {
  return {
    group: "nodes",
    data: {
      id: newId("task"),
      kind: "task",
      key,
      name: "New task",
      label: taskLabel(key, "New task"),
      description: "",
      optimistic: 1,
      likely: 1,
      pessimistic: 1,
      resources: {},
      failure_rate: 0,
      executor: "simulated",
      ...extra,
    },
    position,
    classes: "task",
  };
}

function edgeElement(source, target, strength = "hard", note = "") {
  return { group: "edges", data: { id: newId("dep"), source, target, strength, note }, classes: strength };
}

function addTask(position, { after = null, siblingOf = null } = {}) {
  const key = nextKey(cy);
  const parent = (after ?? siblingOf)?.data("parent");
  const elements = [taskElement(key, position, parent ? { parent } : {})];
  const id = elements[0].data.id;
  if (after) elements.push(edgeElement(after.id(), id));
  if (siblingOf) {
    siblingOf.incomers("edge").forEach((edge) => elements.push(edgeElement(edge.source().id(), id, edge.data("strength"))));
  }
  ur.do("add", elements);
  const node = cy.getElementById(id);
  cy.elements().unselect();
  node.select();
  startRename(node);
  return node;
}

function freeSpot(near, dx = 0, dy = 0) {
  const spot = { x: near.x + dx, y: near.y + dy };
  while (cy.nodes(".task").some((n) => Math.abs(n.position("x") - spot.x) < 100 && Math.abs(n.position("y") - spot.y) < 40)) {
    spot.y += 80;
  }
  return spot;
}

function selectedTask() {
  const selected = cy.$("node.task:selected");
  return selected.length === 1 ? selected[0] : null;
}

function deleteSelection() {
  const selected = cy.$(":selected");
  if (selected.empty()) return;
  const phases = selected.filter(".phase");
  const actions = [];
  phases.forEach((phase) => {
    const children = phase.children();
    if (children.nonempty()) actions.push({ name: "changeParent", param: { firstTime: true, parentData: null, nodes: children, posDiffX: 0, posDiffY: 0 } });
  });
  actions.push({ name: "remove", param: selected });
  if (phases.nonempty()) {
    const ids = new Set(phases.map((p) => p.id()));
    const next = structuredClone(state.meta);
    next.phases = next.phases.filter((p) => !ids.has(p.id));
    actions.push({ name: "setMeta", param: { meta: next } });
  }
  ur.do("batch", actions);
}

function setStrength(strength) {
  const edges = cy.$("edge:selected");
  if (edges.empty()) return;
  if (strength === "none" || edges.every((e) => e.data("strength") !== "none")) {
    applyStrength(edges, strength);
    return;
  }
  // Turning "none" into an ordering strength can close a cycle: ask before changing.
  const candidate = documentFrom(cy, state.meta);
  const changing = new Set(edges.map((e) => `${e.source().data("key")}→${e.target().data("key")}`));
  for (const dependency of candidate.dependencies) {
    if (changing.has(`${dependency.from}→${dependency.to}`)) dependency.strength = strength;
  }
  checkCandidate(candidate).then((ok) => ok && applyStrength(edges, strength));
}

function applyStrength(edges, strength) {
  ur.do("batch", edges.map((edge) => ({ name: "setData", param: { id: edge.id(), data: { strength } } })));
}

async function checkCandidate(candidate) {
  const { response, data } = await api(page.api.analyse, { method: "POST", body: candidate });
  if (response.ok) return true;
  say(`Refused: ${data?.message ?? response.status}`);
  return false;
}

// ---------------------------------------------------------------------------------------
// Rename in place

let renaming = null;

function startRename(node) {
  renaming = node;
  const box = $("rename");
  const input = $("rename-input");
  const at = node.renderedPosition();
  box.style.left = `${at.x - 80}px`;
  box.style.top = `${at.y - 16}px`;
  box.hidden = false;
  input.value = node.data("name");
  input.focus();
  input.select();
}

function finishRename(commit) {
  if (!renaming) return;
  const node = renaming;
  renaming = null;
  $("rename").hidden = true;
  const name = $("rename-input").value.trim();
  if (commit && name && name !== node.data("name")) setData(node, { name: name.slice(0, 200) });
  $("cy").focus();
}

$("rename-input").addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    finishRename(true);
  } else if (event.key === "Escape") {
    event.preventDefault();
    finishRename(false);
  }
  event.stopPropagation();
});
$("rename-input").addEventListener("blur", () => finishRename(true));

// ---------------------------------------------------------------------------------------
// Commands

async function layout() {
  const direction = $("direction").value;
  const { response, data } = await api(page.api.layout, { method: "POST", body: { direction, document: documentFrom(cy, state.meta) } });
  if (!response.ok) {
    say(`No layout: ${data?.message ?? response.status}`);
    return;
  }
  const positions = {};
  cy.nodes(".task").forEach((node) => {
    const at = data.positions[node.data("key")];
    if (at) positions[node.id()] = at;
  });
  ur.do("setPositions", { positions, animate: true });
  cy.animate({ fit: { padding: 40 }, duration: 400 });
}

// Moves tasks (animated the first time, at once on undo and redo); returns where they were.
// A task still gliding to a layout position counts as being there already.
const gliding = new Map();

function swapPositions({ positions, animate = false }) {
  const old = {};
  for (const [id, at] of Object.entries(positions)) {
    const node = cy.getElementById(id);
    old[id] = gliding.get(id) ?? { ...node.position() };
    node.stop(true, false);
    gliding.delete(id);
    if (animate) {
      gliding.set(id, at);
      node.animate({ position: at }, { duration: 400, complete: () => gliding.delete(id) });
    } else {
      node.position(at);
    }
  }
  return { positions: old };
}

async function exportAs(format) {
  document.querySelector(".export-menu").open = false;
  if (isDirty() && !(await save())) {
    say("Export waits for a successful save.");
    return;
  }
  const link = document.createElement("a");
  link.href = `${page.api.export}?format=${format}&direction=${$("direction").value}`;
  link.download = "";
  document.body.append(link);
  link.click();
  link.remove();
}


function copy() {
  const nodes = cy.$("node.task:selected");
  if (nodes.empty()) return;
  state.clipboard = { nodes: nodes.jsons(), edges: nodes.edgesWith(nodes).jsons() };
}

function paste() {
  if (!state.clipboard) return;
  const ids = {};
  const taken = new Set();
  const elements = state.clipboard.nodes.map((json) => {
    const key = nextKey(cy, taken);
    taken.add(key);
    const id = newId("task");
    ids[json.data.id] = id;
    return taskElement(key, { x: json.position.x + 40, y: json.position.y + 40 }, {
      ...json.data,
      id,
      key,
      parent: undefined,
      label: taskLabel(key, json.data.name),
    });
  });
  for (const json of state.clipboard.edges) {
    elements.push(edgeElement(ids[json.data.source], ids[json.data.target], json.data.strength, json.data.note));
  }
  ur.do("add", elements);
  cy.elements().unselect();
  cy.$(Object.values(ids).map((id) => `#${id}`).join(",")).select();
}

function addPhase() {
  const id = newId("phase");
  const name = uniqueName("Phase", state.meta.phases.map((p) => p.name));
  const next = structuredClone(state.meta);
  next.phases.push({ id, name, description: "" });
  const extent = cy.nodes().nonempty() ? cy.elements().boundingBox() : { x1: 0, y2: 0 };
  ur.do("batch", [
    { name: "setMeta", param: { meta: next } },
    {
      name: "add",
      param: [{ group: "nodes", data: { id, kind: "phase", name, label: phaseLabel(next.phases.length, name) }, position: { x: extent.x1 + 100, y: extent.y2 + 120 }, classes: "phase" }],
    },
  ]);
  cy.elements().unselect();
  cy.getElementById(id).select();
}

function uniqueName(base, taken) {
  let n = taken.length + 1;
  while (taken.includes(`${base} ${n}`)) n += 1;
  return `${base} ${n}`;
}

function setTool(tool) {
  state.tool = tool;
  for (const button of document.querySelectorAll("[data-tool]")) button.setAttribute("aria-pressed", String(button.dataset.tool === tool));
  if (tool === "connect") eh.enableDrawMode();
  else eh.disableDrawMode();
}

function find(text) {
  cy.nodes(".task").removeClass("match");
  const query = text.trim().toLowerCase();
  if (!query) return;
  const hits = cy.nodes(".task").filter((n) => n.data("key").toLowerCase() === query || n.data("name").toLowerCase().includes(query));
  if (hits.empty()) {
    say(`No task matches “${text}”.`);
    return;
  }
  say(hits.length > 1 ? `${hits.length} tasks match; showing the first.` : "");
  hits.addClass("match");
  cy.elements().unselect();
  hits[0].select();
  cy.animate({ center: { eles: hits[0] }, duration: 250 });
}

const commands = {
  "add-task": () => addTask(freeSpot(cy.nodes().nonempty() ? { x: cy.nodes().boundingBox().x2 + 120, y: cy.nodes().boundingBox().y1 + 40 } : { x: 0, y: 0 })),
  append: () => {
    const node = selectedTask();
    if (node) addTask(freeSpot(node.position(), 220, 0), { after: node });
  },
  sibling: () => {
    const node = selectedTask();
    if (node) addTask(freeSpot(node.position(), 0, 90), { siblingOf: node });
  },
  "connect-from": () => {
    const node = selectedTask();
    if (node) {
      say("Drag to the task this one leads to.");
      eh.start(node);
    }
  },
  delete: deleteSelection,
  "add-phase": addPhase,
  layout,
  fit: () => cy.animate({ fit: { padding: 40 }, duration: 250 }),
  undo: () => ur.undo(),
  redo: () => ur.redo(),
  shortcuts: () => $("shortcuts-dialog").showModal(),
};

for (const button of document.querySelectorAll("[data-command]")) {
  button.addEventListener("click", () => commands[button.dataset.command]());
}
for (const button of document.querySelectorAll("[data-tool]")) {
  button.addEventListener("click", () => setTool(button.dataset.tool));
}
for (const button of document.querySelectorAll("[data-export]")) {
  button.addEventListener("click", () => exportAs(button.dataset.export));
}
$("shortcuts-close").addEventListener("click", () => $("shortcuts-dialog").close());
$("search").addEventListener("keydown", (event) => {
  if (event.key === "Enter") find(event.currentTarget.value);
  if (event.key === "Escape") {
    event.currentTarget.value = "";
    find("");
    $("cy").focus();
  }
});
$("flow-name").addEventListener("change", (event) => {
  const name = event.currentTarget.value.trim();
  if (!name) {
    event.currentTarget.value = state.meta.name;
    say("A flow needs a name.");
    return;
  }
  setMeta((meta) => {
    meta.name = name;
  });
});

function typing(event) {
  const target = event.target;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target?.isContentEditable;
}

document.addEventListener("keydown", (event) => {
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (ctrl && key === "s") {
    event.preventDefault();
    save();
    return;
  }
  if (ctrl && key === "f") {
    event.preventDefault();
    $("search").focus();
    return;
  }
  if (typing(event) || document.querySelector("dialog[open]")) return;
  if (ctrl && key === "z") {
    event.preventDefault();
    if (event.shiftKey) ur.redo();
    else ur.undo();
  } else if (ctrl && key === "y") {
    event.preventDefault();
    ur.redo();
  } else if (ctrl && key === "c") copy();
  else if (ctrl && key === "v") paste();
  else if (ctrl && key === "a") {
    event.preventDefault();
    cy.elements().select();
  } else if (ctrl || event.altKey) return;
  else if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    deleteSelection();
  } else if (event.key === "Tab" && selectedTask()) {
    event.preventDefault();
    commands.append();
  } else if (event.key === "Enter" && selectedTask()) {
    event.preventDefault();
    commands.sibling();
  } else if (event.key === "F2" && selectedTask()) {
    event.preventDefault();
    startRename(selectedTask());
  } else if (["1", "2", "3"].includes(event.key)) setStrength({ 1: "hard", 2: "soft", 3: "none" }[event.key]);
  else if (key === "n") commands["add-task"]();
  else if (key === "l") layout();
  else if (key === "f") commands.fit();
  else if (key === "c") setTool("connect");
  else if (key === "v" || event.key === "Escape") setTool("select");
  else if (event.key === "?") commands.shortcuts();
});

// ---------------------------------------------------------------------------------------
// Selection, hover, panel

function refresh() {
  renderPanel($("panel"), { cy, state, setData, setMeta, ur, say, checkCandidate, documentFrom });
  const node = selectedTask();
  const pad = $("context-pad");
  if (node && !renaming) {
    const box = node.renderedBoundingBox();
    pad.style.left = `${box.x2 + 6}px`;
    pad.style.top = `${box.y1}px`;
    pad.hidden = false;
  } else {
    pad.hidden = true;
  }
  showSaveState();
}

function hoverCard(element, event) {
  const card = $("hover-card");
  if (!element) {
    card.hidden = true;
    return;
  }
  let lines;
  if (element.isNode() && element.hasClass("task")) {
    const d = element.data();
    const slack = state.analysis?.tasks?.[d.key]?.slack;
    const pools = Object.entries(d.resources).map(([pool, units]) => `${pool} × ${units}`).join(", ");
    lines = [
      `${d.key} ${d.name}`,
      `Estimate ${d.optimistic} / ${d.likely} / ${d.pessimistic} ${unit()}`,
      slack === undefined ? "Slack: not analysed" : `Slack ${duration(slack)}`,
      pools ? `Needs ${pools}` : "Needs no pool",
    ];
  } else if (element.isEdge()) {
    lines = [`${element.source().data("key")} → ${element.target().data("key")}: ${element.data("strength")}`];
    if (element.data("note")) lines.push(element.data("note"));
  } else {
    card.hidden = true;
    return;
  }
  card.replaceChildren(...lines.map((line) => Object.assign(document.createElement("div"), { textContent: line })));
  card.style.left = `${event.renderedPosition.x + 14}px`;
  card.style.top = `${event.renderedPosition.y + 14}px`;
  card.hidden = false;
}

// ---------------------------------------------------------------------------------------
// Start

function start() {
  cy = window.cytoscape({
    container: $("cy"),
    style: STYLE,
    boxSelectionEnabled: true,
    selectionType: "additive",
    textureOnViewport: true,
    hideEdgesOnViewport: false,
    minZoom: 0.05,
    maxZoom: 3,
  });
  ur = cy.undoRedo({ undoableDrag: true, stackSizeLimit: 500 });
  ur.action("setData", swapData, swapData);
  ur.action("setMeta", swapMeta, swapMeta);
  ur.action("setPositions", swapPositions, swapPositions);
  eh = cy.edgehandles({
    canConnect: (source, target) =>
      source.hasClass("task") && target.hasClass("task") && !source.same(target) && source.edgesWith(target).empty(),
    edgeParams: () => ({ data: { strength: "hard", note: "" }, classes: "hard" }),
    snap: true,
    snapThreshold: 16,
    hoverDelay: 100,
  });
  cy.navigator({ container: "#minimap", viewLiveFramerate: 0, thumbnailEventFramerate: 10 });

  // A handle for people debugging in the console and for the browser tests.
  window.vividoEditor = { cy, ur, state };
  cy.on("ehcomplete", async (event, source, target, added) => {
    added.remove();
    const candidate = documentFrom(cy, state.meta);
    candidate.dependencies.push({ from: source.data("key"), to: target.data("key"), strength: "hard", note: "" });
    if (await checkCandidate(candidate)) {
      ur.do("add", [edgeElement(source.id(), target.id())]);
      say("");
    }
  });
  cy.on("afterDo afterUndo afterRedo", () => changed());
  cy.on("select unselect", () => refresh());
  cy.on("pan zoom", () => {
    if (renaming) finishRename(true);
    refresh();
  });
  cy.on("dbltap", (event) => {
    if (event.target === cy) addTask(event.position);
    else if (event.target.hasClass?.("task")) startRename(event.target);
  });
  cy.on("mouseover", "node, edge", (event) => hoverCard(event.target, event));
  cy.on("mouseout", "node, edge", () => hoverCard(null));
  cy.on("dragfree", "node.task", (event) => dropIntoPhase(event.target));
  load();
}

function dropIntoPhase(node) {
  const at = node.position();
  const current = node.data("parent") ?? null;
  let target = null;
  cy.nodes(".phase").forEach((phase) => {
    const others = phase.children().not(node);
    const box = others.nonempty() ? others.boundingBox() : phase.boundingBox();
    const pad = 30;
    if (at.x >= box.x1 - pad && at.x <= box.x2 + pad && at.y >= box.y1 - pad && at.y <= box.y2 + pad) target = phase.id();
  });
  if (target === current) return;
  ur.do("changeParent", { firstTime: true, parentData: target, nodes: node, posDiffX: 0, posDiffY: 0 });
  const name = target ? cy.getElementById(target).data("name") : null;
  say(name ? `${node.data("key")} is now in phase ${name}.` : `${node.data("key")} is in no phase now.`);
}

window.addEventListener("DOMContentLoaded", start);
