// The canvas: Cytoscape with draw.io's selection model (a click selects one item, Shift or
// Ctrl adds, a drag on empty canvas draws a selection box; space-drag, the middle button
// and the wheel pan, Ctrl+wheel zooms), connecting by the hover handle, and phases that
// tasks are dragged in and out of.

import { STYLE } from "../graph.js";
import { addTask, connect, movePhase } from "./commands.js";
import { routeSoon } from "./layout.js";
import { setRoute } from "./history.js";

export function createCanvas(ed) {
  const container = document.getElementById("cy");
  const cy = window.cytoscape({
    container,
    style: STYLE,
    selectionType: "single",
    boxSelectionEnabled: true,
    userPanningEnabled: false,
    userZoomingEnabled: false,
    textureOnViewport: true,
    hideEdgesOnViewport: false,
    minZoom: 0.05,
    maxZoom: 3,
  });
  ed.cy = cy;
  return cy;
}

export function installCanvas(ed) {
  const { cy } = ed;
  const container = cy.container();
  ed.eh = cy.edgehandles({
    canConnect: (source, target) => source.hasClass("task") && target.hasClass("task") && !source.same(target),
    edgeParams: () => ({ data: { note: "" }, classes: "hard" }),
    snap: true,
    snapThreshold: 16,
    hoverDelay: 80,
  });
  cy.on("ehcomplete", (event, source, target, added) => {
    added.remove();
    connect(ed, source, target);
    ed.connecting = false;
  });
  cy.on("ehstop", () => {
    ed.connecting = false;
  });

  cy.on("dbltap", (event) => {
    if (event.target === cy) {
      // After the second tap's own selection handling, so the new task stays selected.
      setTimeout(() => addTask(ed, event.position), 0);
    } else if (event.target.hasClass?.("task")) ed.startRename(event.target);
  });

  // Dropping a task into a phase, or out of it (the last one too): the phases' boxes as
  // they were when the drag started decide.
  let boxes = null;
  cy.on("grab", "node.task", (event) => {
    const node = event.target;
    boxes = cy.nodes(".phase").map((phase) => {
      const others = phase.children().not(node);
      return { id: phase.id(), box: others.nonempty() ? others.boundingBox() : phase.boundingBox() };
    });
  });
  cy.on("dragfree", "node.task", (event) => {
    const node = event.target;
    node.connectedEdges().forEach((edge) => setRoute(edge, null));
    const at = node.position();
    const pad = 30;
    const inside = (boxes ?? []).filter(({ box }) => at.x >= box.x1 - pad && at.x <= box.x2 + pad && at.y >= box.y1 - pad && at.y <= box.y2 + pad);
    const current = node.data("parent") ?? null;
    const target = inside.find((b) => b.id === current)?.id ?? inside[0]?.id ?? null;
    boxes = null;
    if (target !== current) movePhase(ed, node, target);
    routeSoon(ed);
  });

  installNavigation(ed, container);
}

function installNavigation(ed, container) {
  const { cy } = ed;
  container.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      if (event.ctrlKey || event.metaKey) {
        const box = container.getBoundingClientRect();
        const level = Math.min(3, Math.max(0.05, cy.zoom() * Math.exp(-event.deltaY / 300)));
        cy.zoom({ level, renderedPosition: { x: event.clientX - box.left, y: event.clientY - box.top } });
      } else {
        cy.panBy({ x: -event.deltaX, y: -event.deltaY });
      }
    },
    { passive: false },
  );
  // The middle button pans wherever it is pressed.
  let dragging = null;
  container.addEventListener("pointerdown", (event) => {
    if (event.button !== 1) return;
    event.preventDefault();
    dragging = { x: event.clientX, y: event.clientY };
    container.setPointerCapture(event.pointerId);
  });
  container.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    cy.panBy({ x: event.clientX - dragging.x, y: event.clientY - dragging.y });
    dragging = { x: event.clientX, y: event.clientY };
  });
  container.addEventListener("pointerup", () => {
    dragging = null;
  });
  // Space held: the drag pans instead of drawing a selection box.
  const spaceMode = (on) => {
    if (ed.space === on) return;
    ed.space = on;
    cy.userPanningEnabled(on);
    cy.boxSelectionEnabled(!on);
    cy.autoungrabify(on);
    container.classList.toggle("panning", on);
  };
  window.addEventListener("keydown", (event) => {
    if (event.key === " " && document.activeElement === container) {
      event.preventDefault();
      spaceMode(true);
    }
  });
  window.addEventListener("keyup", (event) => {
    if (event.key === " ") spaceMode(false);
  });
  window.addEventListener("blur", () => spaceMode(false));
}

export function setTool(ed, tool) {
  ed.tool = tool;
  for (const button of document.querySelectorAll("[data-tool]")) button.setAttribute("aria-pressed", String(button.dataset.tool === tool));
  if (tool === "connect") ed.eh.enableDrawMode();
  else ed.eh.disableDrawMode();
  ed.refresh();
}
