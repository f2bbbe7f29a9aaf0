// Document state and the one edit path. Every change — canvas, keys, panel, context pad —
// is an undoable batch passed to `edit`, which keeps it only if the whole flow still keeps
// its rules; otherwise it snaps back and says why in one line naming the cause.

import { documentFrom, phaseLabel, taskLabel } from "../graph.js";
import { say } from "./messages.js";
import { separation } from "./phases.js";
import { problemOf } from "./validate.js";

export function installHistory(ed) {
  const ur = ed.cy.undoRedo({ undoableDrag: true, stackSizeLimit: 500 });
  ur.action("setData", (args) => swapData(ed, args), (args) => swapData(ed, args));
  ur.action("setMeta", (args) => swapMeta(ed, args), (args) => swapMeta(ed, args));
  ur.action("setPositions", (args) => swapPositions(ed, args), (args) => swapPositions(ed, args));
  // The first time, works out how the other phases make room; after that, a plain move.
  ur.action(
    "separatePhases",
    (args) => swapPositions(ed, args.positions ? args : { positions: separation(ed.cy, new Set(args.fixed), args.axis) }),
    (args) => swapPositions(ed, args),
  );
  ed.ur = ur;
  ed.cy.on("afterDo afterUndo afterRedo", () => {
    if (!ed.checking) ed.changed();
  });
}

// Applies `actions` (undo-redo actions: {name, param}) as one step; false when refused.
export function edit(ed, actions) {
  if (!actions.length) return true;
  ed.checking = true;
  try {
    ed.ur.do("batch", actions);
    const problem = problemOf(documentFrom(ed.cy, ed.meta));
    if (problem) {
      ed.ur.undo();
      ed.ur.getRedoStack().pop();
      say(ed, `Refused: ${problem.message}`, "error");
      ed.refused(problem);
      return false;
    }
  } finally {
    ed.checking = false;
  }
  ed.changed();
  return true;
}

// Would this document keep the rules? (For changes that are not yet on the canvas.)
export function refusal(ed, document) {
  const problem = problemOf(document);
  if (problem) say(ed, `Refused: ${problem.message}`, "error");
  return problem;
}

export function setData(ed, element, data) {
  return edit(ed, [{ name: "setData", param: { id: element.id(), data } }]);
}

export function setMeta(ed, change) {
  const next = structuredClone(ed.meta);
  change(next);
  return edit(ed, [{ name: "setMeta", param: { meta: next } }]);
}

function swapData(ed, { id, data }) {
  const element = ed.cy.getElementById(id);
  const old = {};
  for (const key of Object.keys(data)) old[key] = element.data(key);
  element.data(data);
  if ("key" in data || "name" in data) element.data("label", taskLabel(element.data("key"), element.data("name")));
  if ("strength" in data) {
    element.removeClass("hard soft none");
    element.addClass(data.strength);
  }
  return { id, data: old };
}

function swapMeta(ed, { meta }) {
  const old = ed.meta;
  ed.meta = meta;
  relabelPhases(ed);
  document.getElementById("flow-name").value = ed.meta.name;
  return { meta: old };
}

export function relabelPhases(ed) {
  ed.meta.phases.forEach((phase, i) => {
    const node = ed.cy.getElementById(phase.id);
    if (node.nonempty()) node.data({ name: phase.name, label: phaseLabel(i + 1, phase.name) });
  });
}

export function setRoute(edge, route) {
  edge.data("route", route ?? null);
  edge.toggleClass("routed", Boolean(route));
}

// Moves tasks (animated the first time, at once on undo and redo) and sets the routes of
// their dependencies; returns where they were. A task still gliding counts as arrived.
function swapPositions(ed, { positions, routes = {}, animate = false }) {
  const old = {};
  const oldRoutes = {};
  const moved = ed.cy.collection();
  for (const [id, at] of Object.entries(positions)) {
    const node = ed.cy.getElementById(id);
    if (node.empty()) continue;
    moved.merge(node);
    old[id] = ed.gliding.get(id) ?? { ...node.position() };
    node.stop(true, false);
    ed.gliding.delete(id);
    if (animate) {
      ed.gliding.set(id, at);
      node.animate({ position: at }, { duration: 300, complete: () => ed.gliding.delete(id) });
    } else {
      node.position(at);
    }
  }
  if (!Object.keys(routes).length) {
    // Moved without routes (phases making room): their edges are routed again.
    ed.moved ??= new Set();
    moved.forEach((node) => ed.moved.add(node.id()));
  }
  moved.connectedEdges().union(ed.cy.edges().filter((e) => e.id() in routes)).forEach((edge) => {
    oldRoutes[edge.id()] = edge.data("route") ?? null;
    setRoute(edge, routes[edge.id()]);
  });
  return { positions: old, routes: oldRoutes };
}
