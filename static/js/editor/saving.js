// Loading and saving the flow document with If-Match, autosave, and a conflict that stays
// recoverable: after the dialog closes, a bar keeps "Reload their version" and "Keep mine
// as a copy" until one of them is chosen.

import { ifMatch, versionOf } from "../api.js";
import { documentFrom, elementsFrom, hasPositions, metaFrom } from "../graph.js";
import { storedAnalysis } from "./analysis.js";
import { fitView, layout, placeEmptyPhases, routeSoon } from "./layout.js";
import { notify, say } from "./messages.js";

const $ = (id) => document.getElementById(id);
const AUTOSAVE_MS = 2500;

export function currentJson(ed) {
  return JSON.stringify(documentFrom(ed.cy, ed.meta));
}

export function isDirty(ed) {
  return !ed.loading && currentJson(ed) !== ed.savedJson;
}

export function showSaveState(ed) {
  const label = $("save-state");
  let text = "Saved";
  if (ed.conflict) text = "Conflict — someone else saved";
  else if (ed.saving) text = "Saving…";
  else if (isDirty(ed)) text = "Unsaved changes";
  if (label.textContent !== text) label.textContent = text;
  label.dataset.state = text.split(" ")[0].toLowerCase();
  $("conflict-bar").hidden = !ed.conflict;
}

export async function load(ed) {
  ed.loading = true;
  // The stored flow's analysis comes with it on first load, so that the first frame drawn
  // already shows the critical path (a large flow's first frame is the costly part).
  const first = ed.version === null;
  const [{ response, data }, analysis] = await Promise.all([
    ed.api(ed.page.api.graph),
    first ? ed.api(`${ed.page.api.flow}analysis/`) : null,
  ]);
  if (!response.ok) {
    say(ed, data?.message ?? `The flow could not be loaded (${response.status}).`, "error");
    return;
  }
  performance.mark("vivido:graph-loaded");
  ed.version = versionOf(response);
  ed.meta = metaFrom(data);
  ed.cy.elements().remove();
  ed.ur.reset();
  ed.cy.add(elementsFrom(data, ed.meta));
  placeEmptyPhases(ed);
  fitView(ed);
  performance.mark("vivido:drawn");
  ed.savedJson = currentJson(ed);
  ed.conflict = false;
  ed.loading = false;
  $("flow-name").value = ed.meta.name;
  ed.refresh();
  if (analysis) storedAnalysis(ed, analysis, ed.version);
  else ed.analyseSoon(0);
  if (!hasPositions(data)) {
    // Never laid out (every task on one spot): lay it out now, as an undoable step.
    await layout(ed);
  } else routeSoon(ed, 0);
}

export function scheduleAutosave(ed) {
  clearTimeout(ed.autosaveTimer);
  ed.autosaveTimer = setTimeout(() => save(ed, { auto: true }), AUTOSAVE_MS);
}

export async function save(ed, { auto = false } = {}) {
  clearTimeout(ed.autosaveTimer);
  if (ed.conflict) {
    if (!auto) $("conflict-dialog").showModal();
    return false;
  }
  if (ed.saving || !isDirty(ed)) {
    showSaveState(ed);
    if (!auto && !ed.saving) notify("Saved.");
    return true;
  }
  ed.saving = true;
  showSaveState(ed);
  const sent = currentJson(ed);
  const { response, data } = await ed.api(ed.page.api.graph, {
    method: "PUT",
    body: JSON.parse(sent),
    headers: ifMatch(ed.version),
  });
  ed.saving = false;
  if (response.ok) {
    ed.version = versionOf(response);
    ed.savedJson = sent;
    if (!auto) notify("Saved.");
    showSaveState(ed);
    if (isDirty(ed)) scheduleAutosave(ed);
    return true;
  }
  if (response.status === 412) {
    ed.conflict = true;
    showSaveState(ed);
    $("conflict-dialog").showModal();
    return false;
  }
  notify(`Not saved: ${data?.message ?? `the server answered ${response.status}`}`, "error");
  showSaveState(ed);
  return false;
}

async function reloadTheirs(ed) {
  $("conflict-dialog").close();
  await load(ed);
  notify("Reloaded the version saved elsewhere.");
}

async function keepMine(ed) {
  const mine = documentFrom(ed.cy, ed.meta);
  mine.name = `${mine.name} (my copy)`.slice(0, 200);
  const { response, data } = await ed.api(ed.page.api.import, { method: "POST", body: mine });
  if (!response.ok) {
    notify(`Could not keep a copy: ${data?.message ?? response.status}`, "error");
    return;
  }
  ed.savedJson = currentJson(ed);
  ed.conflict = false;
  window.location.href = `/flows/${data.id}/`;
}

export async function exportAs(ed, format) {
  document.querySelector(".export-menu").open = false;
  if (isDirty(ed) && !(await save(ed))) {
    say(ed, "Export waits for a successful save.", "error");
    return;
  }
  const link = document.createElement("a");
  link.href = `${ed.page.api.export}?format=${format}&direction=${$("direction").value}`;
  link.download = "";
  document.body.append(link);
  link.click();
  link.remove();
}

export function installSaving(ed) {
  $("save").addEventListener("click", () => save(ed));
  for (const id of ["conflict-reload", "conflict-bar-reload"]) $(id).addEventListener("click", () => reloadTheirs(ed));
  for (const id of ["conflict-copy", "conflict-bar-copy"]) $(id).addEventListener("click", () => keepMine(ed));
  $("conflict-dialog").addEventListener("close", () => showSaveState(ed));
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => exportAs(ed, button.dataset.export));
  }
  window.addEventListener("beforeunload", (event) => {
    if (isDirty(ed)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
