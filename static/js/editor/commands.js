// What a person can do to the flow: add, append, delete, connect, set a strength, copy and
// paste, phases. Each is one call to `edit`, so each is undoable and checked as a whole.

import { documentFrom, edgeElement, newId, nextKey, phaseLabel, taskElement, taskLabel } from "../graph.js";
import { edit, refusal } from "./history.js";
import { fitView, reveal } from "./layout.js";
import { say } from "./messages.js";
import { overlapping as phasesOverlap } from "./phases.js";

export function selectedTask(ed) {
  const selected = ed.cy.$(":selected");
  return selected.length === 1 && selected[0].hasClass("task") ? selected[0] : null;
}

// The centre of the visible canvas, in model coordinates.
function viewCentre(ed) {
  const { cy } = ed;
  const pan = cy.pan();
  return { x: (cy.width() / 2 - pan.x) / cy.zoom(), y: (cy.height() / 2 - pan.y) / cy.zoom() };
}

export function freeSpot(ed, near, dx = 0, dy = 0) {
  const spot = { x: near.x + dx, y: near.y + dy };
  const step = ed.cy.nodes(".task").some((n) => Math.abs(n.position("x") - spot.x) < 160 && Math.abs(n.position("y") - spot.y) < 64);
  if (!step) return spot;
  for (let ring = 1; ring < 200; ring += 1) {
    for (const sign of [1, -1]) {
      const candidate = { x: spot.x, y: spot.y + sign * ring * 80 };
      if (!ed.cy.nodes(".task").some((n) => Math.abs(n.position("x") - candidate.x) < 160 && Math.abs(n.position("y") - candidate.y) < 64)) return candidate;
    }
  }
  return spot;
}

export function addTask(ed, position, { after = null, siblingOf = null } = {}) {
  const key = nextKey(ed.cy);
  const parent = (after ?? siblingOf)?.data("parent");
  const elements = [taskElement(key, position, parent ? { parent } : {})];
  const id = elements[0].data.id;
  if (after) elements.push(edgeElement(after.id(), id));
  if (siblingOf) {
    siblingOf.incomers("edge").forEach((e) => elements.push(edgeElement(e.source().id(), id, e.data("strength"))));
  }
  if (!edit(ed, [{ name: "add", param: elements }, ...(parent ? [separate([parent])] : [])])) return null;
  const node = ed.cy.getElementById(id);
  ed.cy.elements().unselect();
  node.select();
  reveal(ed, node);
  ed.startRename(node);
  return node;
}

export function addTaskInView(ed) {
  return addTask(ed, freeSpot(ed, viewCentre(ed)));
}

export function append(ed) {
  const node = selectedTask(ed);
  if (node) addTask(ed, freeSpot(ed, node.position(), 220, 0), { after: node });
}

export function sibling(ed) {
  const node = selectedTask(ed);
  if (node) addTask(ed, freeSpot(ed, node.position(), 0, 90), { siblingOf: node });
}

export function deleteSelection(ed) {
  const selected = ed.cy.$(":selected");
  if (selected.empty()) return;
  const phases = selected.filter(".phase");
  const actions = [];
  phases.forEach((phase) => {
    const children = phase.children().not(selected);
    if (children.nonempty()) actions.push({ name: "changeParent", param: { firstTime: true, parentData: null, nodes: children, posDiffX: 0, posDiffY: 0 } });
  });
  actions.push({ name: "remove", param: selected });
  if (phases.nonempty()) {
    const ids = new Set(phases.map((p) => p.id()));
    const next = structuredClone(ed.meta);
    next.phases = next.phases.filter((p) => !ids.has(p.id));
    actions.push({ name: "setMeta", param: { meta: next } });
  }
  edit(ed, actions);
}

export function connect(ed, source, target) {
  if (source.same(target) || source.edgesTo(target).nonempty()) return false;
  if (target.edgesTo(source).nonempty()) {
    say(ed, `Refused: ${target.data("key")} → ${source.data("key")} exists already; change its strength instead.`, "error");
    return false;
  }
  return edit(ed, [{ name: "add", param: [edgeElement(source.id(), target.id())] }]);
}

export function setStrength(ed, edges, strength) {
  return edit(ed, edges.map((edge) => ({ name: "setData", param: { id: edge.id(), data: { strength } } })));
}

export function copy(ed) {
  const nodes = ed.cy.$("node.task:selected");
  if (nodes.empty()) return;
  ed.clipboard = { nodes: nodes.jsons(), edges: nodes.edgesWith(nodes).jsons() };
  say(ed, `Copied ${nodes.length} ${nodes.length === 1 ? "task" : "tasks"}.`);
}

export function paste(ed) {
  if (!ed.clipboard) return;
  const ids = {};
  const taken = new Set();
  const elements = ed.clipboard.nodes.map((json) => {
    const key = nextKey(ed.cy, taken);
    taken.add(key);
    const id = newId("task");
    ids[json.data.id] = id;
    const { route: _route, ...data } = json.data;
    return taskElement(key, { x: json.position.x + 40, y: json.position.y + 40 }, { ...data, id, key, parent: undefined, label: taskLabel(key, json.data.name) });
  });
  for (const json of ed.clipboard.edges) elements.push(edgeElement(ids[json.data.source], ids[json.data.target], json.data.strength, json.data.note));
  if (!edit(ed, [{ name: "add", param: elements }])) return;
  ed.cy.elements().unselect();
  const pasted = ed.cy.collection(Object.values(ids).map((id) => ed.cy.getElementById(id)));
  pasted.select();
  reveal(ed, pasted[0]);
}

function letterName(meta) {
  const taken = new Set(meta.phases.map((p) => p.name));
  for (let n = 0; ; n += 1) {
    const letters = n < 26 ? String.fromCharCode(65 + n) : `${String.fromCharCode(65 + (n % 26))}${Math.floor(n / 26)}`;
    if (!taken.has(`Phase ${letters}`)) return `Phase ${letters}`;
  }
}

// A new phase; with tasks selected, around them, at the first place in the order that the
// dependencies allow.
export function addPhase(ed) {
  const tasks = ed.cy.$("node.task:selected");
  const id = newId("phase");
  const name = letterName(ed.meta);
  const phase = { id, name, description: "" };
  const node = { group: "nodes", data: { id, kind: "phase", name, label: "" }, classes: "phase" };
  let meta = null;
  for (let at = ed.meta.phases.length; at >= 0 && tasks.nonempty(); at -= 1) {
    const candidate = structuredClone(ed.meta);
    candidate.phases.splice(at, 0, phase);
    const document = documentFrom(ed.cy, candidate);
    const keys = new Set(tasks.map((t) => t.data("key")));
    for (const task of document.tasks) if (keys.has(task.key)) task.phase = name;
    if (!refusal(ed, document)) {
      meta = candidate;
      break;
    }
  }
  if (tasks.nonempty() && !meta) return;
  if (!meta) {
    meta = structuredClone(ed.meta);
    meta.phases.push(phase);
    const box = ed.cy.nodes().nonempty() ? ed.cy.nodes().boundingBox() : { x1: 0, y2: 0 };
    node.position = { x: box.x1 + 110 + ed.cy.nodes(".phase").filter((p) => p.children().empty()).length * 240, y: box.y2 + 110 };
  }
  node.data.label = phaseLabel(meta.phases.indexOf(meta.phases.find((p) => p.id === id)) + 1, name);
  const actions = [{ name: "setMeta", param: { meta } }, { name: "add", param: [node] }];
  if (tasks.nonempty()) actions.push({ name: "changeParent", param: { firstTime: true, parentData: id, nodes: tasks, posDiffX: 0, posDiffY: 0 } });
  if (!edit(ed, actions)) return;
  say(ed, tasks.nonempty() ? `${name} holds ${tasks.map((t) => t.data("key")).join(", ")}.` : `${name} added: drag tasks into it.`);
  ed.cy.elements().unselect();
  ed.cy.getElementById(id).select();
  if (overlapping(ed)) ed.layout();
  else reveal(ed, ed.cy.getElementById(id));
}

export function overlapping(ed) {
  return phasesOverlap(ed.cy);
}

// The axis along which phases make room for one another: the flow's direction.
export function flowAxis() {
  return document.getElementById("direction")?.value === "TB" ? "y" : "x";
}

function changeParent(ed, task, phaseId) {
  return { name: "changeParent", param: { firstTime: true, parentData: phaseId || null, nodes: task, posDiffX: 0, posDiffY: 0 } };
}

function separate(fixed) {
  return { name: "separatePhases", param: { fixed: [...fixed].filter(Boolean), axis: flowAxis() } };
}

export function movePhase(ed, task, phaseId) {
  const ok = edit(ed, [changeParent(ed, task, phaseId), separate([phaseId])]);
  if (!ok) return false;
  const moved = ed.cy.getElementById(task.id());
  moved.select();
  const name = phaseId ? ed.cy.getElementById(phaseId).data("name") : null;
  say(ed, name ? `${moved.data("key")} is now in phase ${name}.` : `${moved.data("key")} is in no phase now.`);
  return true;
}

// Tasks a person has just dragged (`drops`: {id, current, target} phase ids): they join
// the phase they were dropped in, the other phases make room, and a drop the flow's rules
// refuse puts the tasks back where they were.
export function dropTasks(ed, drops) {
  const changes = drops.filter((d) => d.target !== d.current && ed.cy.getElementById(d.id).nonempty());
  if (!changes.length && !phasesOverlap(ed.cy)) return;
  const actions = changes.map((d) => changeParent(ed, ed.cy.getElementById(d.id), d.target));
  actions.push(separate(new Set(drops.map((d) => d.target))));
  if (!edit(ed, actions)) {
    const stack = ed.ur.getUndoStack();
    if (stack.at(-1)?.name === "drag") {
      ed.ur.undo();
      ed.ur.getRedoStack().pop();
    }
    return;
  }
  if (changes.length === 1) {
    const moved = ed.cy.getElementById(changes[0].id);
    moved.select();
    const name = changes[0].target ? ed.cy.getElementById(changes[0].target).data("name") : null;
    say(ed, name ? `${moved.data("key")} is now in phase ${name}.` : `${moved.data("key")} is in no phase now.`);
  } else if (changes.length > 1) say(ed, `${changes.length} tasks changed phase.`);
}

export function find(ed, text, { next = false } = {}) {
  const { cy } = ed;
  const query = text.trim().toLowerCase();
  if (!next || query !== ed.found?.query) {
    cy.nodes(".task").removeClass("match");
    ed.found = null;
    if (!query) return;
    const hits = cy.nodes(".task").filter((n) => n.data("key").toLowerCase() === query || n.data("name").toLowerCase().includes(query));
    if (hits.empty()) {
      say(ed, `No task matches “${text.trim()}”.`);
      return;
    }
    hits.addClass("match");
    ed.found = { query, hits, index: 0 };
  } else {
    ed.found.index = (ed.found.index + 1) % ed.found.hits.length;
  }
  const { hits, index } = ed.found;
  const hit = hits[index];
  say(ed, hits.length > 1 ? `Match ${index + 1} of ${hits.length}: ${hit.data("key")}. Enter shows the next.` : `${hit.data("key")} ${hit.data("name")}`);
  cy.elements().unselect();
  hit.select();
  cy.center(hit);
}

export function fit(ed) {
  fitView(ed, { animate: true });
}
