// What every part of a run's page shares: the task states (colour, icon, name), small DOM
// and number helpers, and the one way the page calls the API.

import { csrfToken } from "../common.js";

// state: [fill colour, icon, name]; the same colours as UX.md's table.
export const STATES = {
  pending: ["#e5e7eb", "·", "pending"],
  ready: ["#bae6fd", "○", "ready"],
  running: ["#60a5fa", "▶", "running"],
  succeeded: ["#86efac", "✓", "succeeded"],
  failed: ["#fca5a5", "✕", "failed"],
  retrying: ["#fcd34d", "↻", "retrying"],
  skipped: ["#f3f4f6", "↷", "skipped"],
  cancelled: ["#9ca3af", "⊘", "cancelled"],
  compensating: ["#d8b4fe", "⟲", "compensating"],
  compensated: ["#ffffff", "⟲✓", "compensated"],
};

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

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
export const WAITING_FOR_A_PERSON = new Set(["ready", "running"]);

export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

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

export async function post(url) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Content-Type": "application/json", Accept: "application/json" },
      body: "{}",
    });
  } catch {
    throw new Error("The server could not be reached.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message ?? data.detail ?? `The server answered ${response.status}.`);
  return data;
}

// The legend of task states: a swatch (hatched for skipped) and the icon with the name.
export function legendItems() {
  return Object.entries(STATES).map(([state, [, icon, label]]) => {
    const swatch = el("span", { className: `swatch swatch-state swatch-${state}` });
    swatch.setAttribute("aria-hidden", "true");
    return el("span", { className: "legend-item" }, swatch, `${icon} ${label}`);
  });
}
