// The canvas: Cytoscape's style for Vivido's visual language, and the flow document ⇄ graph.

export const ACCENT = "#c2410c";

export const STYLE = [
  {
    selector: "node.task",
    style: {
      shape: "round-rectangle",
      width: 150,
      height: 54,
      "background-color": "#ffffff",
      "border-width": 1.5,
      "border-color": "#64748b",
      label: "data(label)",
      "text-wrap": "wrap",
      "text-max-width": 136,
      "text-valign": "center",
      "font-size": 12,
      color: "#1f2933",
      "min-zoomed-font-size": 5,
    },
  },
  { selector: "node.task.critical", style: { "border-width": 3.5, "border-color": ACCENT } },
  { selector: "node.task:selected", style: { "background-color": "#dbeafe", "border-color": "#1d4ed8" } },
  { selector: "node.task.match", style: { "background-color": "#fef9c3" } },
  {
    selector: "node.phase",
    style: {
      shape: "round-rectangle",
      "background-color": "#eef2ff",
      "background-opacity": 0.6,
      "border-width": 1,
      "border-color": "#a5b4fc",
      label: "data(label)",
      "text-valign": "top",
      "text-halign": "center",
      "text-margin-y": -4,
      "font-size": 13,
      "font-weight": "bold",
      color: "#3730a3",
      padding: 18,
      "min-width": 180,
      "min-height": 80,
    },
  },
  { selector: "node.phase:selected", style: { "border-color": "#1d4ed8", "border-width": 2 } },
  {
    selector: "edge",
    style: {
      width: 2,
      "curve-style": "bezier",
      "line-color": "#475569",
      "target-arrow-color": "#475569",
      "target-arrow-shape": "triangle",
      "arrow-scale": 1.1,
    },
  },
  {
    // A route from the layout: a polyline through Graphviz's points, kept around the tasks.
    selector: "edge.routed",
    style: {
      "curve-style": "segments",
      "edge-distances": "node-position",
      "segment-weights": (edge) => edge.data("route").weights,
      "segment-distances": (edge) => edge.data("route").distances,
      "segment-radius": 12,
      "radius-type": "arc-radius",
    },
  },
  { selector: "edge.soft", style: { "line-style": "dashed" } },
  {
    selector: "edge.none",
    style: { "line-style": "dotted", "line-color": "#94a3b8", "target-arrow-shape": "none" },
  },
  {
    selector: "edge.critical",
    style: { width: 3.5, "line-color": ACCENT, "target-arrow-color": ACCENT },
  },
  { selector: "edge:selected", style: { "line-color": "#1d4ed8", "target-arrow-color": "#1d4ed8", width: 4 } },
  {
    selector: ".eh-preview, .eh-ghost-edge",
    style: { "line-color": "#1d4ed8", "target-arrow-color": "#1d4ed8", "line-style": "dashed" },
  },
  { selector: ".eh-ghost-edge.eh-preview-active", style: { opacity: 0 } },
  { selector: ".eh-hover", style: { "background-color": "#dbeafe" } },
];

export function taskLabel(key, name) {
  return `${key}\n${name}`;
}

export function phaseLabel(order, name) {
  return `${order}. ${name}`;
}

// Segment weights and distances that make Cytoscape draw an edge through `points` (model
// coordinates) from the centre of its source to the centre of its target.
export function routeThrough(from, to, points) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length2 = dx * dx + dy * dy;
  if (!points.length || length2 < 1) return null;
  const length = Math.sqrt(length2);
  const weights = [];
  const distances = [];
  for (const p of points) {
    const px = p.x - from.x;
    const py = p.y - from.y;
    weights.push((px * dx + py * dy) / length2);
    distances.push((py * dx - px * dy) / length); // Cytoscape: positive bends to the left of source → target
  }
  return { weights, distances };
}

export function taskElement(key, position, extra = {}) {
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

export function edgeElement(source, target, strength = "hard", note = "") {
  return { group: "edges", data: { id: newId("dep"), source, target, strength, note }, classes: strength };
}

// Whether the tasks stand anywhere: a document whose tasks all share one spot was never laid out.
export function hasPositions(document) {
  const spots = new Set((document.tasks ?? []).map((t) => `${t.x ?? 0},${t.y ?? 0}`));
  return (document.tasks ?? []).length < 2 || spots.size > 1;
}

let counter = 0;
export function newId(kind) {
  counter += 1;
  return `${kind}-${Date.now().toString(36)}-${counter}`;
}

// Flow-level settings, pools and the order of phases: what the graph itself does not hold.
export function metaFrom(document) {
  return {
    name: document.name,
    description: document.description ?? "",
    time_unit: document.time_unit ?? "hours",
    handoff_delay: document.handoff_delay ?? 0,
    sync_overhead: document.sync_overhead ?? 0,
    resources: (document.resources ?? []).map((p) => ({ ...p })),
    // Optional (absent or null = not set): what one time unit saved is worth.
    value_per_time_unit: document.value_per_time_unit ?? null,
    phases: (document.phases ?? []).map((p) => ({ id: newId("phase"), name: p.name, description: p.description ?? "" })),
  };
}

export function elementsFrom(document, meta) {
  const phaseIds = Object.fromEntries(meta.phases.map((p) => [p.name, p.id]));
  const elements = meta.phases.map((phase, i) => ({
    group: "nodes",
    data: { id: phase.id, kind: "phase", name: phase.name, label: phaseLabel(i + 1, phase.name) },
    classes: "phase",
  }));
  const taskIds = {};
  for (const task of document.tasks ?? []) {
    const id = newId("task");
    taskIds[task.key] = id;
    const duration = task.duration ?? {};
    elements.push({
      group: "nodes",
      data: {
        id,
        kind: "task",
        key: task.key,
        name: task.name,
        label: taskLabel(task.key, task.name),
        description: task.description ?? "",
        optimistic: duration.optimistic ?? duration.likely,
        likely: duration.likely,
        pessimistic: duration.pessimistic ?? duration.likely,
        resources: { ...(task.resources ?? {}) },
        failure_rate: task.failure_rate ?? 0,
        executor: task.executor ?? "simulated",
        parent: task.phase ? phaseIds[task.phase] : undefined,
      },
      position: { x: task.x ?? 0, y: task.y ?? 0 },
      classes: "task",
    });
  }
  for (const dependency of document.dependencies ?? []) {
    const strength = dependency.strength ?? "hard";
    elements.push({
      group: "edges",
      data: {
        id: newId("dep"),
        source: taskIds[dependency.from],
        target: taskIds[dependency.to],
        strength,
        note: dependency.note ?? "",
      },
      classes: strength,
    });
  }
  return elements;
}

export function documentFrom(cy, meta) {
  const phaseNames = Object.fromEntries(meta.phases.map((p) => [p.id, p.name]));
  const tasks = cy.nodes(".task").map((node) => {
    const d = node.data();
    const { x, y } = node.position();
    return {
      key: d.key,
      name: d.name,
      description: d.description,
      duration: { optimistic: d.optimistic, likely: d.likely, pessimistic: d.pessimistic },
      resources: d.resources,
      phase: d.parent ? phaseNames[d.parent] ?? null : null,
      failure_rate: d.failure_rate,
      executor: d.executor,
      x: Math.round(x * 10) / 10,
      y: Math.round(y * 10) / 10,
    };
  });
  const dependencies = cy.edges().filter((e) => e.data("strength")).map((edge) => ({
    from: edge.source().data("key"),
    to: edge.target().data("key"),
    strength: edge.data("strength"),
    note: edge.data("note"),
  }));
  return {
    format: "vivido.flow/1",
    name: meta.name,
    description: meta.description,
    time_unit: meta.time_unit,
    handoff_delay: meta.handoff_delay,
    sync_overhead: meta.sync_overhead,
    resources: meta.resources.map((p) => ({ ...p })),
    ...(meta.value_per_time_unit === null || meta.value_per_time_unit === undefined ? {} : { value_per_time_unit: meta.value_per_time_unit }),
    phases: meta.phases.map((p) => ({ name: p.name, description: p.description })),
    tasks,
    dependencies,
  };
}

// The next free key in the T1, T2 … series.
export function nextKey(cy, taken = new Set()) {
  let highest = 0;
  cy.nodes(".task").forEach((node) => {
    const match = /^T(\d+)$/.exec(node.data("key"));
    if (match) highest = Math.max(highest, Number(match[1]));
  });
  let n = highest + 1;
  while (taken.has(`T${n}`)) n += 1;
  return `T${n}`;
}
