// Kept results: the list of stored simulations, and the comparison of two of them.

import { getJson } from "../api.js";
import { BLUEPRINTS, BLUEPRINT_NAMES } from "../constants.js";
import { cell, duration, flow, number, page } from "./context.js";

function describeWhatIf(overrides) {
  const parts = [];
  for (const [pool, capacity] of Object.entries(overrides.capacities ?? {})) {
    const own = flow.pools.find((p) => p.name === pool)?.capacity;
    if (capacity !== own) parts.push(`${pool} ${capacity}`);
  }
  if (overrides.handoff_delay !== undefined && overrides.handoff_delay !== flow.handoff_delay) parts.push(`handoff ${duration(overrides.handoff_delay)}`);
  if (overrides.sync_overhead !== undefined && overrides.sync_overhead !== flow.sync_overhead) parts.push(`sync ${duration(overrides.sync_overhead)}`);
  return parts.length ? parts.join(", ") : "the flow's own values";
}

export async function loadKept() {
  const kept = await getJson(page.api.simulations);
  const table = document.getElementById("kept");
  document.getElementById("kept-empty").hidden = kept.length > 0;
  table.hidden = kept.length === 0;
  const body = table.querySelector("tbody");
  body.replaceChildren();
  for (const item of kept) {
    const row = document.createElement("tr");
    const pick = document.createElement("td");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = item.id;
    box.setAttribute("aria-label", `Compare result #${item.id}`);
    box.addEventListener("change", compareChosen);
    pick.append(box);
    row.append(pick);
    cell(row, `#${item.id} · ${new Date(item.created_at).toLocaleString()} · ${number(item.iterations)} iterations, seed ${item.seed}`);
    cell(row, describeWhatIf(item.overrides));
    for (const blueprint of BLUEPRINTS) cell(row, duration(item.p50[blueprint]), true);
    body.append(row);
  }
}

async function compareChosen() {
  const chosen = [...document.querySelectorAll("#kept input:checked")].map((box) => box.value);
  const line = document.getElementById("comparison");
  if (chosen.length !== 2) {
    line.textContent = chosen.length > 2 ? "Choose two results to compare." : "";
    return;
  }
  const [a, b] = await Promise.all(
    chosen.map((id) => getJson(`${page.api.simulations}${id}/`)),
  );
  const parts = [];
  for (const blueprint of BLUEPRINTS) {
    const first = a.results[blueprint]?.p50;
    const second = b.results[blueprint]?.p50;
    if (first === undefined || second === undefined || first === null || second === null) continue;
    const change = second - first;
    const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
    parts.push(`${BLUEPRINT_NAMES[blueprint]} P50 ${duration(first)} → ${duration(second)} (${sign}${duration(Math.abs(change))})`);
  }
  line.textContent = `#${a.id} → #${b.id}: ${parts.join("; ")}`;
}
