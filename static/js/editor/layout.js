// Auto-layout, fitting the view, keeping work in view, and routing dependencies around the
// tasks with the paths Graphviz computes (the layout's own, or neato's for tasks placed by hand).

import { documentFrom, routeThrough } from "../graph.js";
import { edit, setRoute } from "./history.js";
import { say } from "./messages.js";

const PADDING = 40;
const READABLE_ZOOM = 10 / 12; // labels are 12 px at zoom 1: never smaller than 10 px
const MAX_FIT_ZOOM = 1.2;
// Routing every edge around the tasks where they stand costs ~0.3 s at 60 tasks, ~1.6 s at
// 100 (Graphviz's neato grows fast). Above this, only the edges near the tasks a person has
// moved are routed, among the tasks around them.
const ROUTED_TASKS_AT_MOST = 80;
const NEIGHBOURHOOD = 160; // px around the edges being routed: the tasks they must avoid

function direction() {
  return document.getElementById("direction").value;
}

function routesFor(ed, routes, positionOf) {
  const edges = {};
  ed.cy.edges().forEach((edge) => {
    edges[`${edge.source().data("key")}→${edge.target().data("key")}`] = edge;
  });
  const result = {};
  for (const route of routes) {
    const edge = edges[`${route.from}→${route.to}`];
    if (!edge) continue;
    result[edge.id()] = routeThrough(positionOf(edge.source()), positionOf(edge.target()), route.points);
  }
  return result;
}

export async function layout(ed) {
  if (ed.cy.nodes(".task").empty()) return;
  const started = performance.now();
  const { response, data } = await ed.api(ed.page.api.layout, {
    method: "POST",
    body: { direction: direction(), document: documentFrom(ed.cy, ed.meta) },
  });
  if (!response.ok) {
    say(ed, `No layout: ${data?.message ?? response.status}`, "error");
    return;
  }
  const positions = {};
  const byId = {};
  ed.cy.nodes(".task").forEach((node) => {
    const at = data.positions[node.data("key")];
    if (at) positions[node.id()] = byId[node.id()] = at;
  });
  const routes = routesFor(ed, data.routes ?? [], (node) => byId[node.id()] ?? node.position());
  const animate = ed.cy.nodes(".task").length <= 300;
  edit(ed, [{ name: "setPositions", param: { positions, routes, animate } }]);
  placeEmptyPhases(ed);
  if (animate) await new Promise((resolve) => setTimeout(resolve, 320));
  fitView(ed);
  ed.lastLayout = { started, fitted: performance.now() };
}

// Phases without tasks are not laid out by Graphviz: side by side under the flow.
export function placeEmptyPhases(ed) {
  const empty = ed.cy.nodes(".phase").filter((p) => p.children().empty());
  if (empty.empty()) return;
  const full = ed.cy.nodes(".task");
  const box = full.nonempty() ? full.boundingBox() : { x1: 0, y2: 0 };
  empty.forEach((phase, i) => phase.position({ x: box.x1 + 110 + i * 240, y: box.y2 + 110 }));
}

// The whole flow in view; a flow too large for that at a readable size is shown from its
// start (left, or top when laid out top to bottom) at the smallest readable zoom.
export function fitView(ed, { animate = false } = {}) {
  const { cy } = ed;
  const nodes = cy.nodes();
  if (nodes.empty()) {
    cy.viewport({ zoom: 1, pan: { x: cy.width() / 2, y: cy.height() / 2 } });
    return;
  }
  const box = nodes.boundingBox();
  const width = cy.width();
  const height = cy.height();
  let zoom = Math.min((width - 2 * PADDING) / box.w, (height - 2 * PADDING) / box.h, MAX_FIT_ZOOM);
  let pan;
  if (zoom >= READABLE_ZOOM) {
    pan = { x: width / 2 - zoom * (box.x1 + box.w / 2), y: height / 2 - zoom * (box.y1 + box.h / 2) };
  } else {
    zoom = READABLE_ZOOM;
    const tasks = cy.nodes(".task");
    const across = direction() === "TB" ? "y" : "x";
    const start = tasks.min((n) => n.position(across) + (n.indegree(false) ? 1e6 : 0)).ele ?? tasks[0];
    const at = start.position();
    pan =
      across === "x"
        ? { x: PADDING - zoom * box.x1, y: height / 2 - zoom * at.y }
        : { x: width / 2 - zoom * at.x, y: PADDING - zoom * box.y1 };
  }
  if (animate) cy.animate({ zoom, pan, duration: 200 });
  else cy.viewport({ zoom, pan });
}

// How much of the canvas's right side the open drawer covers (tablet width), in pixels.
export function drawerCover() {
  const panel = document.getElementById("panel");
  const open = document.querySelector(".editor")?.classList.contains("drawer-open");
  return open && panel && getComputedStyle(panel).position === "absolute" ? panel.offsetWidth : 0;
}

// Pans just enough for `node` (and room for its pad) to be inside the canvas, beside the
// drawer when it is open.
export function reveal(ed, node, margin = 24) {
  const { cy } = ed;
  const box = node.renderedBoundingBox();
  const room = { x1: margin, y1: margin, x2: cy.width() - drawerCover() - margin - 48, y2: cy.height() - margin };
  let dx = 0;
  let dy = 0;
  if (box.x2 > room.x2) dx = room.x2 - box.x2;
  if (box.x1 + dx < room.x1) dx = room.x1 - box.x1;
  if (box.y2 > room.y2) dy = room.y2 - box.y2;
  if (box.y1 + dy < room.y1) dy = room.y1 - box.y1;
  if (dx || dy) cy.panBy({ x: dx, y: dy });
}

// Routes for tasks where they stand, a moment after the last change.
export function routeSoon(ed, delay = 400) {
  clearTimeout(ed.routeTimer);
  if (ed.cy.edges().empty()) return;
  if (ed.cy.nodes(".task").length > ROUTED_TASKS_AT_MOST && !ed.moved?.size) return;
  ed.routeTimer = setTimeout(() => route(ed), delay);
}

// Tasks a person has moved by hand since the last routing (ids).
export function markMoved(ed, nodes) {
  ed.moved ??= new Set();
  nodes.forEach((node) => ed.moved.add(node.id()));
}

function meets(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

// On a large flow, what to route: the edges of the moved tasks and the edges now passing
// over them, with the tasks near those edges as the obstacles (a small drawing for neato).
function neighbourhood(ed, document, ids) {
  const { cy } = ed;
  const moved = cy.collection([...ids].map((id) => cy.getElementById(id))).filter((n) => n.inside() && n.hasClass("task"));
  const boxes = moved.map((n) => n.boundingBox({ includeLabels: false }));
  const edges = moved.connectedEdges().union(cy.edges().filter((e) => boxes.some((b) => meets(b, e.boundingBox()))));
  if (edges.empty()) return null;
  const area = edges.connectedNodes().union(edges).boundingBox();
  const around = { x1: area.x1 - NEIGHBOURHOOD, y1: area.y1 - NEIGHBOURHOOD, x2: area.x2 + NEIGHBOURHOOD, y2: area.y2 + NEIGHBOURHOOD };
  const keys = new Set(cy.nodes(".task").filter((n) => meets(around, n.boundingBox())).map((n) => n.data("key")));
  edges.connectedNodes().forEach((n) => keys.add(n.data("key")));
  const pairs = new Set(edges.map((e) => `${e.source().data("key")}→${e.target().data("key")}`));
  return {
    ...document,
    phases: [],
    resources: [],
    tasks: document.tasks.filter((t) => keys.has(t.key)).map((t) => ({ ...t, phase: null, resources: {} })),
    dependencies: document.dependencies.filter((d) => pairs.has(`${d.from}→${d.to}`)),
  };
}

async function route(ed) {
  if (ed.routing) {
    ed.routeAgain = true; // one request at a time; the latest state is routed next
    return;
  }
  let sent = documentFrom(ed.cy, ed.meta);
  const where = JSON.stringify(sent.tasks.map((t) => [t.key, t.x, t.y]));
  const partial = sent.tasks.length > ROUTED_TASKS_AT_MOST;
  const moved = ed.moved ?? new Set();
  ed.moved = new Set();
  if (partial) {
    sent = neighbourhood(ed, sent, moved);
    if (!sent) return;
  }
  ed.routing = true;
  const { response, data } = await ed.api(ed.page.api.routes, { method: "POST", body: sent }).finally(() => {
    ed.routing = false;
  });
  if (ed.routeAgain) {
    ed.routeAgain = false;
    routeSoon(ed, 0);
  }
  const now = documentFrom(ed.cy, ed.meta);
  if (!response.ok || JSON.stringify(now.tasks.map((t) => [t.key, t.x, t.y])) !== where) {
    // Edges stay as they are (the summary reports real problems); moved tasks wait for the
    // next routing.
    if (partial) for (const id of moved) ed.moved.add(id);
    if (response.ok && partial) routeSoon(ed);
    return;
  }
  const routes = routesFor(ed, data.routes, (node) => node.position());
  const routed = partial ? new Set(sent.dependencies.map((d) => `${d.from}→${d.to}`)) : null;
  ed.cy.batch(() =>
    ed.cy.edges().forEach((edge) => {
      if (!routed || routed.has(`${edge.source().data("key")}→${edge.target().data("key")}`)) setRoute(edge, routes[edge.id()]);
    }),
  );
  ed.routedAt = performance.now();
}
