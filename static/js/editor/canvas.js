// The canvas: Cytoscape with draw.io's selection model (a click selects one item, Shift or
// Ctrl adds, a drag on empty canvas draws a selection box; space-drag, the middle button
// and the wheel pan, Ctrl+wheel zooms), connecting by the hover handle, and phases that
// tasks are dragged in and out of.

import { STYLE } from "../graph.js";
import { addTask, connect, dropTasks } from "./commands.js";
import { markMoved, routeSoon } from "./layout.js";
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
  // they were when the drag started decide. A drop the flow's rules refuse (a phase order
  // the dependencies break) snaps back; other phases make room for the one dropped into.
  let boxes = null;
  let dropped = [];
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
    markMoved(ed, node);
    const at = node.position();
    const pad = 30;
    const inside = (boxes ?? []).filter(({ box }) => at.x >= box.x1 - pad && at.x <= box.x2 + pad && at.y >= box.y1 - pad && at.y <= box.y2 + pad);
    const current = node.data("parent") ?? null;
    const target = inside.find((b) => b.id === current)?.id ?? inside[0]?.id ?? null;
    dropped.push({ id: node.id(), current, target });
    // Once per gesture (every dragged task sends its own dragfree), after the drag itself
    // has been recorded for undo.
    if (dropped.length === 1) {
      setTimeout(() => {
        const drops = dropped;
        dropped = [];
        boxes = null;
        dropTasks(ed, drops);
        routeSoon(ed);
      }, 0);
    }
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
  // The middle button pans wherever it is pressed, and so does the left one while space is
  // held (on a task too: nothing is moved or selected). Cancelling the pointerdown keeps the
  // mouse events from Cytoscape, which would otherwise drag a task or draw a selection box.
  let dragging = null;
  container.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "mouse" || !(event.button === 1 || (event.button === 0 && ed.space))) return;
    event.preventDefault();
    dragging = { x: event.clientX, y: event.clientY };
    container.setPointerCapture(event.pointerId);
  });
  container.addEventListener("pointermove", (event) => {
    if (!dragging) return;
    cy.panBy({ x: event.clientX - dragging.x, y: event.clientY - dragging.y });
    dragging = { x: event.clientX, y: event.clientY };
  });
  const stop = () => {
    dragging = null;
  };
  container.addEventListener("pointerup", stop);
  container.addEventListener("pointercancel", stop);
  // Space held (focus on the canvas, or nowhere after a click on it): the pointer shows the
  // pan hand and a left drag pans.
  const spaceMode = (on) => {
    if (ed.space === on) return;
    ed.space = on;
    cy.boxSelectionEnabled(!on);
    cy.autoungrabify(on);
    container.classList.toggle("panning", on);
  };
  window.addEventListener("keydown", (event) => {
    if (event.key === " " && (document.activeElement === container || document.activeElement === document.body)) {
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
