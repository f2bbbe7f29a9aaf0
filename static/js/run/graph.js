// The run's graph: the frozen flow at the positions its document holds (a layered layout
// where it holds none), opened at a zoom where labels can be read, coloured by task state.
// Only the nodes that changed are touched, in one cy.batch; running tasks pulse on a slow
// timer that stops when nothing runs; skipped tasks are hatched.

import { STYLE, elementsFrom, metaFrom } from "../graph.js";
import { TASK_STATES } from "../states.js";

const FONT = 12;
export const READABLE_ZOOM = 10 / FONT; // labels at 10 px at least
const LARGEST_OPENING_ZOOM = 1.25;
const PULSE_MS = 300;
const HATCH = `data:image/svg+xml;utf8,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="150" height="54"><defs><pattern id="h" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="10" fill="#d1d5db"/></pattern></defs><rect width="150" height="54" fill="url(#h)"/></svg>',
)}`;

function runStyle() {
  return [
    ...STYLE,
    { selector: "node.task", style: { "font-size": FONT, "min-zoomed-font-size": 0 } },
    ...Object.entries(TASK_STATES).map(([state, { colour }]) => ({ selector: `node.task.${state}`, style: { "background-color": colour } })),
    { selector: "node.task.running", style: { "border-color": "#1d4ed8", "border-width": 3 } },
    { selector: "node.task.running.pulse-1", style: { "border-width": 4, "border-color": "#2563eb" } },
    { selector: "node.task.running.pulse-2", style: { "border-width": 5.5, "border-color": "#3b82f6" } },
    { selector: "node.task.running.pulse-3", style: { "border-width": 4, "border-color": "#2563eb" } },
    { selector: "node.task.failed", style: { "border-color": "#b91c1c", "border-width": 2.5 } },
    {
      selector: "node.task.skipped",
      style: { "background-image": HATCH, "background-fit": "cover", "background-opacity": 1, "border-style": "dashed", "border-color": "#6b7280", color: "#374151" },
    },
    { selector: "node.task.cancelled", style: { "border-color": "#374151" } },
    { selector: "node.task.compensating", style: { "border-color": "#7e22ce", "border-width": 3 } },
    { selector: "node.task.compensated", style: { "border-color": "#7c3aed", "border-width": 3 } },
    { selector: "node.task.chosen", style: { "overlay-color": "#1d4ed8", "overlay-opacity": 0.15, "overlay-padding": 6 } },
  ];
}

// A layered left-to-right layout (like Graphviz's) for documents without positions.
function placeMissing(document) {
  const tasks = document.tasks ?? [];
  const placed = tasks.filter((t) => Number.isFinite(t.x) && Number.isFinite(t.y));
  const distinct = new Set(placed.map((t) => `${t.x},${t.y}`));
  if (tasks.length < 2 || distinct.size >= tasks.length * 0.9) return document;
  const before = Object.fromEntries(tasks.map((t) => [t.key, []]));
  for (const d of document.dependencies ?? []) if (before[d.to] && d.strength !== "none") before[d.to].push(d.from);
  const layer = {};
  const depth = (key, seen = new Set()) => {
    if (layer[key] !== undefined) return layer[key];
    if (seen.has(key)) return 0;
    seen.add(key);
    layer[key] = before[key].length ? 1 + Math.max(...before[key].map((k) => depth(k, seen))) : 0;
    return layer[key];
  };
  const rows = {};
  const moved = tasks.map((task) => {
    const column = depth(task.key);
    rows[column] = (rows[column] ?? 0) + 1;
    return { ...task, x: column * 200, y: (rows[column] - 1) * 80 };
  });
  return { ...document, tasks: moved };
}

export class RunGraph {
  constructor(container, document, { onSelect }) {
    this.container = container;
    this.cy = window.cytoscape({
      container,
      style: runStyle(),
      elements: elementsFrom(placeMissing(document), metaFrom(document)),
      layout: { name: "preset" },
      autoungrabify: true,
      boxSelectionEnabled: false,
      minZoom: 0.1,
      maxZoom: 3,
    });
    this.nodes = {};
    this.order = [];
    this.cy.nodes(".task").forEach((node) => {
      this.nodes[node.data("key")] = node;
      this.order.push(node.data("key"));
    });
    this.cy.on("tap", (event) => {
      if (event.target === this.cy) onSelect(null);
      else if (event.target.hasClass?.("task")) onSelect(event.target.data("key"));
    });
    this.openReadable();
    new ResizeObserver(() => this.cy.resize()).observe(container);
  }

  // Fit, but never below the zoom at which labels are 10 px: then centre on the first tasks.
  openReadable() {
    const cy = this.cy;
    cy.resize();
    cy.fit(undefined, 24);
    if (cy.zoom() > LARGEST_OPENING_ZOOM) {
      // A small flow is not blown up to fill the box.
      cy.zoom(LARGEST_OPENING_ZOOM);
      cy.center();
    }
    if (cy.zoom() >= READABLE_ZOOM) return;
    cy.zoom(READABLE_ZOOM);
    const tasks = cy.nodes(".task");
    if (!tasks.length) return;
    const box = tasks.boundingBox();
    const first = tasks.filter((n) => n.position("x") <= box.x1 + 200);
    const column = first.boundingBox();
    const height = cy.height();
    // The first column's top at the top if it is taller than the view, else its middle in the middle.
    const y = column.h * READABLE_ZOOM > height - 48 ? 24 - column.y1 * READABLE_ZOOM : height / 2 - ((column.y1 + column.y2) / 2) * READABLE_ZOOM;
    cy.pan({ x: 24 - box.x1 * READABLE_ZOOM, y });
  }

  zoomBy(factor) {
    const cy = this.cy;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  fit() {
    this.cy.fit(undefined, 24);
  }

  // Colour and label the given tasks by their state (all tasks when keys is omitted).
  update(tasks, keys = this.order) {
    this.cy.batch(() => {
      for (const key of keys) {
        const node = this.nodes[key];
        const task = tasks[key];
        if (!node || !task) continue;
        const state = TASK_STATES[task.state] ? task.state : "pending";
        if (node.scratch("state") === state) continue;
        node.scratch("state", state);
        node.classes(`task ${state}${node.scratch("chosen") ? " chosen" : ""}`);
        node.data("label", `${TASK_STATES[state].icon} ${key}\n${node.data("name")}`);
      }
    });
    this.pulse();
  }

  choose(key) {
    this.cy.batch(() => {
      for (const node of Object.values(this.nodes)) {
        const chosen = node.data("key") === key;
        if (Boolean(node.scratch("chosen")) !== chosen) {
          node.scratch("chosen", chosen);
          node.toggleClass("chosen", chosen);
        }
      }
    });
  }

  // A gentle pulse on running tasks: four steps a cycle, a few redraws a second, and no timer
  // at all while nothing runs.
  pulse() {
    const running = this.cy.nodes(".task.running");
    if (!running.length) {
      clearInterval(this.pulseTimer);
      this.pulseTimer = null;
      return;
    }
    if (this.pulseTimer) return;
    let step = 0;
    this.pulseTimer = setInterval(() => {
      step = (step + 1) % 4;
      const now = this.cy.nodes(".task.running");
      if (!now.length) {
        this.pulse();
        return;
      }
      this.cy.batch(() => {
        this.cy.nodes(".pulse-1, .pulse-2, .pulse-3").removeClass("pulse-1 pulse-2 pulse-3");
        if (step) now.addClass(`pulse-${step}`);
      });
    }, PULSE_MS);
  }

  name(key) {
    return this.nodes[key]?.data("name") ?? "";
  }

  destroy() {
    clearInterval(this.pulseTimer);
    this.cy.destroy();
  }
}
