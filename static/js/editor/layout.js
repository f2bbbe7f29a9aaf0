// Auto-layout, fitting the view, keeping work in view, and routing dependencies around the
// tasks with the paths Graphviz computes (the layout's own, or neato's for tasks placed by hand).

import { documentFrom, routeThrough } from "../graph.js";
import { edit, setRoute } from "./history.js";
import { say } from "./messages.js";

const PADDING = 40;
const READABLE_ZOOM = 10 / 12; // labels are 12 px at zoom 1: never smaller than 10 px
const MAX_FIT_ZOOM = 1.2;
// Routing around tasks where they stand costs ~0.3 s at 60 tasks, ~1.6 s at 100 (Graphviz's
// neato grows fast): above this, edges keep their last routes or stay straight until L.
const ROUTED_TASKS_AT_MOST = 80;

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

// Pans just enough for `node` (and room for its pad) to be inside the canvas.
export function reveal(ed, node, margin = 24) {
  const { cy } = ed;
  const box = node.renderedBoundingBox();
  const room = { x1: margin, y1: margin, x2: cy.width() - margin - 48, y2: cy.height() - margin };
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
  if (ed.cy.nodes(".task").length > ROUTED_TASKS_AT_MOST || ed.cy.edges().empty()) return;
  ed.routeTimer = setTimeout(() => route(ed), delay);
}

async function route(ed) {
  if (ed.routing) {
    ed.routeAgain = true; // one request at a time; the latest state is routed next
    return;
  }
  const sent = documentFrom(ed.cy, ed.meta);
  const where = JSON.stringify(sent.tasks.map((t) => [t.key, t.x, t.y]));
  ed.routing = true;
  const { response, data } = await ed.api(ed.page.api.routes, { method: "POST", body: sent }).finally(() => {
    ed.routing = false;
  });
  if (ed.routeAgain) {
    ed.routeAgain = false;
    routeSoon(ed, 0);
  }
  if (!response.ok) return; // edges stay as they are; the summary reports real problems
  const now = documentFrom(ed.cy, ed.meta);
  if (JSON.stringify(now.tasks.map((t) => [t.key, t.x, t.y])) !== where) return;
  const routes = routesFor(ed, data.routes, (node) => node.position());
  ed.cy.batch(() => ed.cy.edges().forEach((edge) => setRoute(edge, routes[edge.id()])));
  ed.routedAt = performance.now();
}
