// What floats over the canvas: the context pad, the rename box, the hover card, the connect
// handle and the hint line. Each stays inside the canvas and none covers another.

import { el } from "../dom.js";
import { setData } from "./history.js";
import { selectedTask } from "./commands.js";
import { drawerCover } from "./layout.js";

const $ = (id) => document.getElementById(id);

// The canvas's rectangle in the stage's coordinates (the overlays are placed in the stage),
// less what the open drawer covers at tablet width.
function frame(ed) {
  const c = ed.cy.container();
  return { x: c.offsetLeft, y: c.offsetTop, w: c.clientWidth - drawerCover(), h: c.clientHeight };
}

function place(element, rect, f) {
  const x = Math.min(Math.max(rect.x, 4), Math.max(4, f.w - rect.w - 4));
  const y = Math.min(Math.max(rect.y, 4), Math.max(4, f.h - rect.h - 4));
  element.style.left = `${f.x + x}px`;
  element.style.top = `${f.y + y}px`;
  return { x, y, w: rect.w, h: rect.h };
}

function meets(a, b) {
  return a && b && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

export function installOverlays(ed) {
  const { cy } = ed;
  const handle = $("connect-handle");
  let hideHandle = null;
  cy.on("mouseover", "node.task", (event) => {
    clearTimeout(hideHandle);
    if (ed.tool === "connect" || ed.connecting) return;
    ed.handleFor = event.target;
    showHandle(ed);
  });
  cy.on("mouseout", "node.task", () => {
    hideHandle = setTimeout(() => {
      handle.hidden = true;
    }, 250);
  });
  handle.addEventListener("pointerenter", () => clearTimeout(hideHandle));
  handle.addEventListener("pointerleave", () => {
    hideHandle = setTimeout(() => {
      handle.hidden = true;
    }, 250);
  });
  handle.addEventListener("pointerdown", (event) => {
    if (!ed.handleFor || event.button !== 0) return;
    event.preventDefault();
    handle.hidden = true;
    ed.connecting = true;
    hoverCard(ed, null);
    ed.eh.start(ed.handleFor);
  });
  // The gesture began outside Cytoscape, which therefore sends no drag events: follow the
  // pointer here (edgehandles snaps to the task under it) and finish on release.
  window.addEventListener("pointermove", (event) => {
    if (!ed.connecting) return;
    const box = cy.container().getBoundingClientRect();
    const pan = cy.pan();
    const zoom = cy.zoom();
    ed.eh.update({ x: (event.clientX - box.left - pan.x) / zoom, y: (event.clientY - box.top - pan.y) / zoom });
  });
  window.addEventListener("pointerup", () => {
    if (ed.connecting) setTimeout(() => ed.eh.stop(), 0);
  });
  cy.on("mouseover", "node.task, edge", (event) => {
    if (!ed.connecting && !ed.renaming) hoverCard(ed, event.target, event);
  });
  cy.on("mouseout", "node, edge", () => hoverCard(ed, null));
  cy.on("drag pan zoom", () => hoverCard(ed, null));
  cy.on("pan zoom position", () => {
    handle.hidden = true;
  });

  $("rename-input").addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Enter" || event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      finishRename(ed, event.key !== "Escape");
      cy.container().focus();
      // The task stays selected: Tab names it and appends the next one, as in a mind map.
      if (event.key === "Tab" && !event.shiftKey) ed.run("append");
    }
  });
  // Leaving the box another way (a click in the panel) keeps the name and the new focus.
  $("rename-input").addEventListener("blur", (event) => {
    if (!event.relatedTarget) {
      // Focus went nowhere (the browser dropped it while the view moved): keep naming.
      setTimeout(() => {
        if (ed.renaming && document.activeElement === document.body) $("rename-input").focus();
      }, 0);
      return;
    }
    // After focus has settled; only for the task being named when focus left (Enter or Tab
    // may already have finished it and started the next one).
    const node = ed.renaming;
    setTimeout(() => {
      if (node && ed.renaming === node) finishRename(ed, true, { keepFocus: true });
    }, 0);
  });
  // A press on the canvas ends the naming (Cytoscape keeps focus where it was).
  cy.on("tapstart", () => {
    if (ed.renaming) finishRename(ed, true);
  });
  const hint = () => showHint(ed);
  cy.container().addEventListener("focus", hint);
  cy.container().addEventListener("blur", hint);
  cy.on("select unselect", hint);
  hint();
}

function showHandle(ed) {
  const handle = $("connect-handle");
  const node = ed.handleFor;
  if (!node || node.removed()) return;
  const box = node.renderedBoundingBox();
  const f = frame(ed);
  place(handle, { x: box.x2 - 8, y: (box.y1 + box.y2) / 2 - 8, w: 16, h: 16 }, f);
  handle.setAttribute("aria-label", `Connect ${node.data("key")} to another task: drag to it`);
  handle.hidden = false;
}

export function startRename(ed, node) {
  ed.renaming = node;
  const input = $("rename-input");
  $("rename").hidden = false;
  placeRename(ed);
  $("context-pad").hidden = true;
  hoverCard(ed, null);
  input.value = node.data("name");
  input.focus();
  input.select();
}

// `keepFocus`: the person moved on to another field (a click in the panel): the name is
// kept and the panel redrawn around the field they are in.
export function placeRename(ed) {
  if (!ed.renaming || ed.renaming.removed()) return;
  const at = ed.renaming.renderedPosition();
  place($("rename"), { x: at.x - 80, y: at.y - 16, w: 160, h: 32 }, frame(ed));
}

export function finishRename(ed, commit, { keepFocus = false } = {}) {
  if (!ed.renaming) return;
  const node = ed.renaming;
  ed.renaming = null;
  $("rename").hidden = true;
  const name = $("rename-input").value.trim();
  if (commit && name && name !== node.data("name") && !node.removed()) setData(ed, node, { name: name.slice(0, 200) });
  if (keepFocus) {
    // Redrawing the panel now would drop what is being typed in it: update the name only.
    const field = $("panel").querySelector("[data-field=name]");
    if (field) field.value = node.data("name");
  }
  ed.refresh();
}

export function placePad(ed) {
  const pad = $("context-pad");
  const node = selectedTask(ed);
  if (!node || ed.renaming) {
    pad.hidden = true;
    ed.padRect = null;
    return;
  }
  pad.hidden = false;
  const box = node.renderedBoundingBox();
  const f = frame(ed);
  const w = pad.offsetWidth;
  const h = pad.offsetHeight;
  const right = box.x2 + 14;
  const x = right + w <= f.w ? right : box.x1 - 14 - w;
  ed.padRect = place(pad, { x, y: box.y1, w, h }, f);
}

export function hoverCard(ed, element, event) {
  const card = $("hover-card");
  if (!element || element.removed?.()) {
    card.hidden = true;
    return;
  }
  let lines;
  if (element.isNode() && element.hasClass("task")) {
    const d = element.data();
    const slack = ed.analysis?.tasks?.[d.key]?.slack;
    const pools = Object.entries(d.resources).map(([pool, units]) => `${pool} × ${units}`).join(", ");
    lines = [
      `${d.key} ${d.name}`,
      `Estimate ${d.optimistic} / ${d.likely} / ${d.pessimistic} ${ed.unit()}`,
      slack === undefined ? "Slack: not analysed" : `Slack ${ed.duration(slack)}`,
      pools ? `Needs ${pools}` : "Needs no pool",
    ];
  } else if (element.isEdge()) {
    lines = [`${element.source().data("key")} → ${element.target().data("key")}: ${element.data("strength")}`];
    if (element.data("note")) lines.push(element.data("note"));
  } else {
    card.hidden = true;
    return;
  }
  ed.hovered = element;
  card.replaceChildren(...lines.map((line) => el("div", {}, line)));
  card.hidden = false;
  const f = frame(ed);
  const w = card.offsetWidth;
  const h = card.offsetHeight;
  const box = element.isNode() ? element.renderedBoundingBox() : null;
  const at = event?.renderedPosition ?? { x: 0, y: 0 };
  const candidates = box
    ? [
        { x: box.x1, y: box.y1 - h - 8, w, h },
        { x: box.x1, y: box.y2 + 8, w, h },
        { x: box.x1 - w - 8, y: box.y1, w, h },
      ]
    : [
        { x: at.x + 14, y: at.y + 14, w, h },
        { x: at.x - w - 14, y: at.y - h - 14, w, h },
      ];
  const nodeRect = box && { x: box.x1, y: box.y1, w: box.w, h: box.h };
  const fits = (r) => r.x >= 0 && r.y >= 0 && r.x + w <= f.w && r.y + h <= f.h && !meets(r, ed.padRect) && !meets(r, nodeRect);
  place(card, candidates.find(fits) ?? candidates[0], f);
}

// Refreshes an open hover card (its task or dependency may just have changed).
export function refreshHover(ed) {
  const card = $("hover-card");
  if (!card.hidden && ed.hovered && !ed.hovered.removed()) {
    const element = ed.cy.getElementById(ed.hovered.id());
    if (element.nonempty()) hoverCard(ed, element, { renderedPosition: element.isEdge() ? element.renderedMidpoint() : element.renderedPosition() });
  } else card.hidden = true;
}

function showHint(ed) {
  const hint = $("canvas-hint");
  const focused = document.activeElement === ed.cy.container();
  if (!focused) hint.textContent = "Drag a task's ● handle to another task to connect them · double-click the canvas to add a task · ? lists the keys";
  else if (selectedTask(ed)) hint.textContent = "Tab adds a following task · Enter a sibling · F2 renames · Esc clears the selection, then Tab leaves the canvas";
  else hint.textContent = "Tab leaves the canvas · N adds a task · ? lists the keys";
}
