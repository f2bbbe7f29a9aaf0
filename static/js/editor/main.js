// The flow editor, wired together. The editor's state lives in one object, `ed`, passed to
// every module: the canvas (canvas.js), the floating pad, rename box and hover card
// (overlays.js), the one edit path with undo and redo (history.js, validate.js), what a
// person can do (commands.js), keys (keyboard.js), layout and routes (layout.js), the panel
// (panel.js), saving (saving.js), live analysis (analysis.js) and messages (messages.js).
// Labels reach the page as text only (textContent, input values, canvas labels).

import { callApi } from "../api.js";
import { formatDuration, unitOf } from "../common.js";
import { analyseSoon } from "./analysis.js";
import { createCanvas, installCanvas, setTool } from "./canvas.js";
import * as commands from "./commands.js";
import { installHistory } from "./history.js";
import { installKeyboard } from "./keyboard.js";
import { drawerCover, layout, reveal, routeSoon } from "./layout.js";
import { installMessages, say } from "./messages.js";
import { installMinimap } from "./minimap.js";
import { installOverlays, placePad, placeRename, refreshHover, startRename } from "./overlays.js";
import { renderPanel } from "./panel.js";
import { installSaving, load, save, scheduleAutosave, showSaveState } from "./saving.js";
import { setMeta } from "./history.js";

const $ = (id) => document.getElementById(id);

function createEditor() {
  const page = JSON.parse($("editor-page").textContent);
  page.api.routes ??= page.api.graph.replace(/graph\/$/, "routes/");
  const ed = {
    page,
    api: callApi,
    meta: null,
    version: null,
    savedJson: null,
    saving: false,
    conflict: false,
    analysis: null,
    clipboard: null,
    tool: "select",
    loading: true,
    renaming: null,
    gliding: new Map(),
  };
  ed.unit = () => unitOf(ed.meta.time_unit);
  ed.duration = (value) => formatDuration(value, ed.meta.time_unit);
  ed.startRename = (node) => startRename(ed, node);
  ed.analyseSoon = (delay) => analyseSoon(ed, delay);
  ed.layout = () => layout(ed);
  ed.refresh = () => refresh(ed);
  ed.changed = () => changed(ed);
  ed.redrawPanel = () => renderPanel($("panel"), ed, { force: true });
  ed.refused = ed.redrawPanel;
  const run = {
    "add-task": () => commands.addTaskInView(ed),
    append: () => commands.append(ed),
    sibling: () => commands.sibling(ed),
    "connect-from": () => {
      const node = commands.selectedTask(ed);
      if (node) {
        say(ed, "Now click or drag to the task this one leads to.");
        ed.connecting = true;
        ed.eh.start(node);
      }
    },
    "change-phase": () => {
      $("panel").querySelector("[data-field=phase]")?.focus();
      ed.openDrawer?.();
    },
    delete: () => commands.deleteSelection(ed),
    "add-phase": () => commands.addPhase(ed),
    layout: () => layout(ed),
    fit: () => commands.fit(ed),
    undo: () => ed.ur.undo(),
    redo: () => ed.ur.redo(),
    copy: () => commands.copy(ed),
    paste: () => commands.paste(ed),
    save: () => save(ed),
    strength: (strength) => {
      const edges = ed.cy.$("edge:selected");
      if (edges.nonempty()) commands.setStrength(ed, edges, strength);
    },
    shortcuts: () => $("shortcuts-dialog").showModal(),
  };
  ed.run = (name, ...args) => run[name]?.(...args);
  return ed;
}

function changed(ed) {
  if (ed.loading) return;
  showSaveState(ed);
  analyseSoon(ed);
  scheduleAutosave(ed);
  routeSoon(ed);
  refresh(ed);
  refreshHover(ed);
}

function refresh(ed) {
  renderPanel($("panel"), ed);
  placePad(ed);
  showSaveState(ed);
  const selected = ed.cy.$(":selected");
  document.querySelector(".editor").classList.toggle("has-selection", selected.nonempty());
}

function installPage(ed) {
  for (const button of document.querySelectorAll("[data-command]")) {
    button.addEventListener("click", () => ed.run(button.dataset.command));
  }
  for (const button of document.querySelectorAll("[data-tool]")) {
    button.addEventListener("click", () => setTool(ed, button.dataset.tool));
  }
  $("shortcuts-close").addEventListener("click", () => $("shortcuts-dialog").close());
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      commands.find(ed, event.currentTarget.value, { next: true });
    } else if (event.key === "Escape") {
      event.currentTarget.value = "";
      commands.find(ed, "");
      ed.cy.container().focus();
    }
  });
  $("flow-name").addEventListener("change", (event) => {
    const name = event.currentTarget.value.trim();
    if (!name) {
      event.currentTarget.value = ed.meta.name;
      say(ed, "A flow needs a name.", "error");
      return;
    }
    setMeta(ed, (meta) => {
      meta.name = name;
    });
  });
  // Tablet width: the panel is a drawer that opens on selection and closes on request.
  ed.openDrawer = () => document.querySelector(".editor").classList.add("drawer-open");
  $("drawer-toggle").addEventListener("click", () => {
    const open = document.querySelector(".editor").classList.toggle("drawer-open");
    $("drawer-toggle").setAttribute("aria-expanded", String(open));
  });
  // The drawer opens under the stage bar, so its toggle stays in reach.
  const bar = document.querySelector(".stage-bar");
  const barHeight = () => document.querySelector(".editor").style.setProperty("--stage-bar-height", `${bar.offsetHeight}px`);
  new ResizeObserver(barHeight).observe(bar);
  barHeight();
  // The editor fills the window below the page's top bar, however many lines that bar takes
  // (two at tablet width): the summary bar stays above the fold.
  const editor = document.querySelector(".editor");
  const fill = () => {
    editor.style.height = `${Math.max(480, window.innerHeight - editor.getBoundingClientRect().top - window.scrollY)}px`;
  };
  window.addEventListener("resize", fill);
  fill();
  ed.cy.on("select", () => {
    document.querySelector(".editor").classList.add("drawer-open");
    $("drawer-toggle").setAttribute("aria-expanded", "true");
    // At tablet width the drawer slides over the canvas: the selected task stays beside it.
    clearTimeout(ed.revealTimer);
    ed.revealTimer = setTimeout(() => {
      const node = commands.selectedTask(ed);
      if (node && drawerCover()) {
        reveal(ed, node);
        placePad(ed);
      }
    }, 0);
  });
}

function start() {
  const ed = createEditor();
  createCanvas(ed);
  installHistory(ed);
  installMessages(ed);
  installCanvas(ed);
  installOverlays(ed);
  installKeyboard(ed);
  installSaving(ed);
  installPage(ed);
  installMinimap(ed);
  ed.cy.on("select unselect", () => refresh(ed));
  ed.cy.on("pan zoom", () => {
    if (ed.renaming) placeRename(ed); // the box follows its task; typing goes on
    placePad(ed);
  });
  ed.cy.on("position", "node.task", () => placePad(ed));
  // A handle for people debugging in the console and for the browser tests.
  window.vividoEditor = { cy: ed.cy, ur: null, state: ed, ed };
  Object.defineProperty(window.vividoEditor, "ur", { get: () => ed.ur });
  load(ed);
}

window.addEventListener("DOMContentLoaded", start);
