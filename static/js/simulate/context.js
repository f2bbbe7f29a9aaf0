// The simulation page's shared context: the page's data, names, colours and formatting.
// Every label reaches the page as text (textContent or canvas), never as HTML.

import { formatDuration, formatNumber, unitOf } from "../common.js";

export const page = JSON.parse(document.getElementById("simulate-page").textContent);
export const flow = page.flow;
export const UNIT = unitOf(flow.time_unit);
export const BLUEPRINT_COLOURS = { sequential: "#475569", hybrid: "#6d28d9", parallel: "#0f766e" };
const POOL_COLOURS = ["#2563eb", "#047857", "#be185d", "#7c3aed", "#0e7490", "#4d7c0f", "#a16207", "#1e293b"];
export const NO_POOL = "#94a3b8";
export const PERCENTILE_DASH = { p50: [], p80: [6, 4], p95: [2, 3] };
export const poolColour = Object.fromEntries(flow.pools.map((p, i) => [p.name, POOL_COLOURS[i % POOL_COLOURS.length]]));

export const number = formatNumber;

export function duration(value) {
  return formatDuration(value, flow.time_unit);
}

export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

export function taskLabel(key) {
  return flow.tasks[key] ? `${key} ${flow.tasks[key]}` : key;
}

export function cell(row, text, numeric = false) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "num";
  row.append(td);
  return td;
}

