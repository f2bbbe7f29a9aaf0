// The graph beside each step: laid out by Graphviz (the layout the editor and the report
// use), zoomed so that labels stay readable (panning where the flow is larger), and
// highlighting what the step is about from the latest assessment.

import { callApi } from "../api.js";
import { STYLE, elementsFrom, metaFrom } from "../graph.js";
import { $, TINTS, api, state } from "./core.js";

// Task labels are drawn at 12 px (STYLE) times the zoom: at 0.84 or more they stay at least
// 10 px on screen.
export const MIN_ZOOM = 0.84;
const MAX_ZOOM = 1.2;

let cy = null;
let positions = {}; // task key → {x, y} from the last layout
let laidOut = ""; // the structure the positions belong to
let layoutTimer = null;
let asked = 0;

function structureOf(doc) {
  return JSON.stringify([doc.tasks.map((t) => [t.key, t.phase]), doc.dependencies.map((d) => [d.from, d.to])]);
}

function create() {
  cy = window.cytoscape({
    container: $("wizard-graph"),
    style: [
      ...STYLE,
      { selector: ".dim", style: { opacity: 0.25 } },
      { selector: "node.contended", style: { "background-color": "#fde68a", "border-color": "#b45309", "border-width": 3 } },
      ...TINTS.map((tint, i) => ({ selector: `node.cluster-${i}`, style: { "background-color": tint } })),
    ],
    autoungrabify: true,
    boxSelectionEnabled: false,
    userZoomingEnabled: true,
    userPanningEnabled: true,
    minZoom: MIN_ZOOM,
    maxZoom: 2,
  });
  window.vividoWizard = { ...(window.vividoWizard ?? {}), cy };
}

// Graphviz lays the flow out left to right and top to bottom; the one that fits the pane
// at the larger zoom is kept (a long chain reads better across, a wide fan down).
async function requestLayout() {
  const structure = structureOf(state.doc);
  const ticket = ++asked;
  const answers = await Promise.all(["LR", "TB"].map((direction) => callApi(api.layout, { method: "POST", body: { direction, document: state.doc } })));
  if (ticket !== asked) return; // a newer layout is on its way
  const laid = answers.filter(({ response }) => response.ok).map(({ data }) => data.positions);
  if (laid.length) {
    const best = laid.reduce((a, b) => (fittingZoom(b) > fittingZoom(a) ? b : a));
    positions = Object.fromEntries(Object.entries(best).map(([k, p]) => [k, { x: p.x, y: p.y }]));
    $("wizard-graph").dataset.layout = "graphviz";
  } else {
    positions = fallbackPositions();
    $("wizard-graph").dataset.layout = "fallback";
  }
  laidOut = structure;
  draw({ refit: true });
}

// The zoom at which task centres `at` (plus a task's size) fit the pane.
function fittingZoom(at) {
  const points = Object.values(at);
  if (!points.length || !cy) return 1;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const width = Math.max(...xs) - Math.min(...xs) + 150;
  const height = Math.max(...ys) - Math.min(...ys) + 54;
  return Math.min(MAX_ZOOM, (cy.width() - 48) / width, (cy.height() - 48) / height);
}

// Without Graphviz: columns by hard-dependency depth, one row per task of a column.
function fallbackPositions() {
  const depth = {};
  const depthOf = (key, seen = new Set()) => {
    if (depth[key] !== undefined) return depth[key];
    if (seen.has(key)) return 0;
    seen.add(key);
    const preds = state.doc.dependencies.filter((d) => d.to === key && d.strength === "hard").map((d) => d.from);
    depth[key] = preds.length ? 1 + Math.max(...preds.map((p) => depthOf(p, seen))) : 0;
    return depth[key];
  };
  const rows = {};
  const out = {};
  for (const t of state.doc.tasks) {
    const d = depthOf(t.key);
    rows[d] = (rows[d] ?? 0) + 1;
    out[t.key] = { x: d * 200, y: (rows[d] - 1) * 90 };
  }
  return out;
}

function highlight(byKey) {
  const outcome = state.assessment.outcome;
  const marked = [];
  let caption = "The flow as it stands.";
  if (state.step === 2) {
    cy.edges().filter((e) => e.data("strength") !== "hard").addClass("dim");
    caption = "The hard skeleton: soft and none dependencies are faded.";
  } else if (state.step === 3) {
    for (const c of outcome.contention) {
      for (const key of c.tasks) {
        byKey[key]?.addClass("contended");
        if (!marked.includes(key)) marked.push(key);
      }
    }
    caption = marked.length ? `In contention for a pool (amber): ${marked.join(", ")}.` : "No task is in contention for a pool.";
  } else if (state.step === 4) {
    outcome.clusters.forEach((c, i) => c.tasks.forEach((key) => {
      byKey[key]?.addClass(`cluster-${i % TINTS.length}`);
      marked.push(key);
    }));
    caption = outcome.clusters.length ? `Each independent cluster in its own tint: ${outcome.clusters.map((c) => c.tasks.join(" ∥ ")).join("; ")}.` : "No independent clusters.";
  } else if (state.step === 6) {
    const critical = outcome.figures.critical_path;
    const onPath = new Set(critical);
    cy.nodes(".task").forEach((n) => n.toggleClass("critical", onPath.has(n.data("key"))));
    const steps = new Set(critical.slice(1).map((key, i) => `${critical[i]}→${key}`));
    cy.edges().forEach((e) => e.toggleClass("critical", steps.has(`${e.source().data("key")}→${e.target().data("key")}`)));
    marked.push(...critical);
    caption = critical.length ? `The critical path in the accent colour: ${critical.join(" → ")}.` : "No critical path yet.";
  }
  $("graph-caption").textContent = caption;
  $("wizard-graph").dataset.highlight = marked.join(" ");
}

// Fits the flow; where that would make labels smaller than READABLE, keeps the readable
// zoom and shows the start of the flow (the rest is a pan away).
function fit() {
  const padding = 24;
  const box = cy.elements().boundingBox();
  const fitting = box.w && box.h ? Math.min((cy.width() - 2 * padding) / box.w, (cy.height() - 2 * padding) / box.h) : MAX_ZOOM;
  if (fitting >= MIN_ZOOM) {
    cy.fit(undefined, padding);
    if (cy.zoom() > MAX_ZOOM) {
      cy.zoom(MAX_ZOOM);
      cy.center();
    }
  } else {
    // Too large to fit readably: start where the flow starts (its first tasks in view), and
    // never show empty space beyond the flow's edges.
    cy.zoom(MIN_ZOOM);
    const z = MIN_ZOOM;
    const sources = cy.nodes(".task").filter((n) => n.incomers("edge").empty());
    const start = (sources.nonempty() ? sources : cy.nodes(".task")).boundingBox();
    const axis = (size, lo, hi, centre) => {
      if ((hi - lo) * z + 2 * padding <= size) return (size - (hi - lo) * z) / 2 - lo * z;
      const wanted = size / 2 - centre * z;
      return Math.min(padding - lo * z, Math.max(size - padding - hi * z, wanted));
    };
    cy.pan({
      x: axis(cy.width(), box.x1, box.x2, (start.x1 + start.x2) / 2),
      y: axis(cy.height(), box.y1, box.y2, (start.y1 + start.y2) / 2),
    });
  }
  const more = cy.zoom() === MIN_ZOOM && fitting < MIN_ZOOM;
  $("graph-pan-hint").hidden = !more;
  $("wizard-graph").dataset.zoom = String(cy.zoom());
}

function draw({ refit = false } = {}) {
  if (!cy) create();
  const doc = state.doc;
  const last = Object.values(positions).at(-1) ?? { x: 0, y: 0 };
  const placed = {
    ...doc,
    tasks: doc.tasks.map((t, i) => ({ ...t, ...(positions[t.key] ?? { x: last.x + 200 * (i + 1), y: last.y }) })),
  };
  cy.batch(() => {
    cy.elements().remove();
    cy.add(elementsFrom(placed, metaFrom(placed)));
    const byKey = {};
    cy.nodes(".task").forEach((n) => {
      byKey[n.data("key")] = n;
    });
    highlight(byKey);
  });
  if (refit) fit();
}

// Called after any edit (structure: tasks or dependencies added, removed or renamed) and
// after every fresh assessment: the highlight always follows the latest figures.
export function drawGraph({ structure = false, refit = false } = {}) {
  if (!state.doc) return;
  const wanted = structureOf(state.doc);
  if (wanted !== laidOut && (structure || !laidOut || !layoutTimer)) {
    clearTimeout(layoutTimer);
    layoutTimer = setTimeout(requestLayout, laidOut ? 300 : 0);
  }
  draw({ refit: refit || !cy });
}

export function refitGraph() {
  if (cy) fit();
}
