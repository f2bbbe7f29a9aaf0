// What the parts of a run's page share besides the task states (../states.js): attempt
// outcomes as colours, number and time formats, the manual actions a task offers, the legend.

import { el } from "../dom.js";
import { TASK_STATES } from "../states.js";

// Outcomes of an attempt (history) as colours, for the Gantt.
export const OUTCOME_COLOURS = {
  succeeded: "#4ade80",
  failed: "#f87171",
  cancelled: "#9ca3af",
  compensated: "#a78bfa",
  carried_over: "#bbf7d0",
  running: "#60a5fa",
  compensating: "#c084fc",
};

export const WAITING_FOR_A_PERSON = new Set(["ready", "running"]);

export function seconds(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return `${Number(value).toLocaleString("en-US", { maximumFractionDigits: digits })} s`;
}

export function clock(at) {
  if (!at) return "—";
  return new Date(at).toLocaleTimeString("en-GB");
}

export function manualActions(task) {
  if (task.executor !== "manual" || !WAITING_FOR_A_PERSON.has(task.state)) return [];
  return task.state === "ready" ? ["start", "complete", "fail"] : ["complete", "fail"];
}

export const ACTION_NAMES = { start: "Start", complete: "Complete", fail: "Fail" };

// The legend of task states: a swatch (hatched for skipped) and the icon with the name.
export function legendItems() {
  return Object.entries(TASK_STATES).map(([state, { icon, label }]) => {
    const swatch = el("span", { className: `swatch swatch-state swatch-${state}` });
    swatch.setAttribute("aria-hidden", "true");
    return el("span", { className: "legend-item" }, swatch, `${icon} ${label}`);
  });
}
