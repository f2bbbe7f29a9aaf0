// Run dashboards: one run (the run page) or two to four side by side (compare). Each run is a
// RunView (static/js/run/view.js); this file starts them and writes the compare page's race
// line. `window.vividoRuns` holds the views (tests read `.run`, `.nodes` and `.log`).

import { RunView } from "./run/view.js";
import { legendItems, seconds } from "./run/states.js";
import { TERMINAL } from "./states.js";

const page = JSON.parse(document.getElementById("run-page").textContent);
const views = [];

function describe(view) {
  return `Run ${view.info.id} (${view.info.blueprint})`;
}

// Who finished first, among the runs that succeeded; and the runs that failed or were
// cancelled, named as such.
export function raceLine(all) {
  const done = all.filter((v) => v.run && TERMINAL.has(v.run.status));
  const succeeded = done.filter((v) => v.run.status === "succeeded").sort((a, b) => a.model.elapsed() - b.model.elapsed());
  const others = done
    .filter((v) => v.run.status !== "succeeded")
    .map((v) => `${describe(v)} ${v.run.status === "failed" ? "failed" : "was cancelled"} after ${seconds(v.model.elapsed())}.`);
  const parts = [];
  if (done.length < all.length) parts.push(`${done.length} of ${all.length} runs finished.`);
  if (done.length === all.length) {
    if (succeeded.length >= 2) {
      const [first, second] = succeeded;
      parts.push(`${describe(first)} finished first, ${seconds(second.model.elapsed() - first.model.elapsed(), 2)} before run ${second.info.id} (${second.info.blueprint}).`);
    } else if (succeeded.length === 1) {
      parts.push(`${describe(succeeded[0])} was the only one to succeed, in ${seconds(succeeded[0].model.elapsed())}.`);
    } else {
      parts.push("No run succeeded.");
    }
  }
  parts.push(...others);
  return parts.join(" ");
}

let racePending = false;
function updateRace() {
  const line = document.getElementById("race");
  if (!line || racePending) return;
  racePending = true;
  requestAnimationFrame(() => {
    racePending = false;
    const text = raceLine(views);
    if (line.textContent !== text) line.textContent = text;
  });
}

function start() {
  // The run list's grid links a task of a run as /runs/{id}/#task=KEY.
  const wanted = /^#task=(.+)$/.exec(window.location.hash);
  const openTask = wanted && page.runs.length === 1 ? decodeURIComponent(wanted[1]) : null;
  for (const info of page.runs) {
    const root = document.querySelector(`.run-view[data-run="${info.id}"]`);
    views.push(new RunView(root, info, { onChange: updateRace, openTask }));
  }
  window.vividoRuns = views;
  const legend = document.querySelector(".compare-legend");
  if (legend) legend.replaceChildren(...legendItems());
}

if (document.readyState === "loading") window.addEventListener("DOMContentLoaded", start);
else start();
