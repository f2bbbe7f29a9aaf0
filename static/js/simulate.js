// The simulation page: what-if controls drive the simulation API; Chart.js draws the results.
// Every label reaches the page as text (textContent or canvas), never as HTML.

import { csrfToken, formatDuration, formatNumber, unitOf } from "./common.js";
import { CRITICAL, ganttConfig } from "./gantt.js";

const page = JSON.parse(document.getElementById("simulate-page").textContent);
const flow = page.flow;
const UNIT = unitOf(flow.time_unit);
const BLUEPRINT_COLOURS = { sequential: "#475569", hybrid: "#6d28d9", parallel: "#0f766e" };
const BLUEPRINT_NAMES = { sequential: "Sequential", hybrid: "Hybrid", parallel: "Parallel" };
const POOL_COLOURS = ["#2563eb", "#047857", "#be185d", "#7c3aed", "#0e7490", "#4d7c0f", "#a16207", "#1e293b"];
const NO_POOL = "#94a3b8";
const PERCENTILE_DASH = { p50: [], p80: [6, 4], p95: [2, 3] };

const form = document.getElementById("what-if");
const csrf = csrfToken();
const statusLine = document.getElementById("status");
const controlError = document.getElementById("control-error");
const poolColour = Object.fromEntries(flow.pools.map((p, i) => [p.name, POOL_COLOURS[i % POOL_COLOURS.length]]));
const charts = {};
let latest = null;
let inFlight = null;
let sequence = 0;

const number = formatNumber;

function duration(value) {
  return formatDuration(value, flow.time_unit);
}

function percent(share) {
  return `${Math.round(share * 100)}%`;
}

function taskLabel(key) {
  return flow.tasks[key] ? `${key} ${flow.tasks[key]}` : key;
}

function parameters() {
  const capacities = {};
  for (const input of form.querySelectorAll(".pool-capacity")) {
    capacities[input.dataset.pool] = Number(input.value);
  }
  return {
    iterations: Number(form.iterations.value),
    seed: Number(form.seed.value),
    max_retries: Number(form.max_retries.value),
    blueprints: page.blueprints,
    overrides: {
      capacities,
      handoff_delay: Number(form.handoff_delay.value),
      sync_overhead: Number(form.sync_overhead.value),
    },
  };
}

async function post(url, body, signal) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  const data = await response.json().catch(() => ({ message: `The server answered ${response.status}.` }));
  if (!response.ok) throw new Error(data.message || `The server answered ${response.status}.`);
  return data;
}

function showError(message) {
  controlError.textContent = message;
  controlError.hidden = !message;
}

async function run() {
  if (!form.checkValidity()) {
    const invalid = form.querySelector("input:invalid");
    showError(`${invalid.labels[0]?.textContent.trim() ?? invalid.name}: ${invalid.validationMessage}`);
    statusLine.textContent = "Not simulated: fix the value marked above.";
    return;
  }
  showError("");
  inFlight?.abort();
  inFlight = new AbortController();
  const mine = ++sequence;
  statusLine.textContent = "Simulating…";
  form.setAttribute("aria-busy", "true");
  try {
    const result = await post(page.api.preview, parameters(), inFlight.signal);
    if (mine !== sequence) return;
    latest = result;
    draw(result);
    statusLine.textContent = `${number(result.iterations)} iterations, seed ${result.seed}, in ${number(result.elapsed_seconds)} s`;
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(error.message);
    statusLine.textContent = "Not simulated.";
  } finally {
    if (mine === sequence) form.removeAttribute("aria-busy");
  }
}

let debounce = null;
form.addEventListener("input", () => {
  clearTimeout(debounce);
  debounce = setTimeout(run, 250);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

document.getElementById("reset").addEventListener("click", () => {
  form.iterations.value = 1000;
  form.seed.value = 1;
  form.max_retries.value = 2;
  form.handoff_delay.value = flow.handoff_delay;
  form.sync_overhead.value = flow.sync_overhead;
  for (const input of form.querySelectorAll(".pool-capacity")) {
    input.value = flow.pools.find((p) => p.name === input.dataset.pool).capacity;
  }
  run();
});

document.getElementById("keep").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const kept = await post(page.api.simulations, parameters());
    statusLine.textContent = `Kept as result #${kept.id}.`;
    await loadKept();
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
});

// Drawing -----------------------------------------------------------------------------

function draw(result) {
  drawFigures(result);
  drawHistogram(result);
  drawGantts(result);
  drawUtilisation(result);
  drawCriticality(result);
}

function cell(row, text, numeric = false) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "num";
  row.append(td);
  return td;
}

function drawFigures(result) {
  const body = document.querySelector("#figures tbody");
  body.replaceChildren();
  for (const blueprint of result.blueprints) {
    const figures = result.results[blueprint];
    const row = document.createElement("tr");
    const name = document.createElement("th");
    name.scope = "row";
    const swatch = document.createElement("span");
    swatch.className = `swatch swatch-${blueprint}`;
    swatch.setAttribute("aria-hidden", "true");
    name.append(swatch, BLUEPRINT_NAMES[blueprint]);
    row.append(name);
    for (const key of ["deterministic", "p50", "p80", "p95", "mean", "std"]) {
      cell(row, duration(figures[key]), true);
    }
    body.append(row);
  }
  const sentences = [];
  for (const [blueprint, versus] of Object.entries(result.comparison)) {
    sentences.push(
      `${BLUEPRINT_NAMES[blueprint]} finishes before sequential in ${percent(versus.faster_share)} of iterations, ` +
        `${duration(versus.mean_saving)} sooner on average.`,
    );
  }
  document.getElementById("headline").textContent = sentences.join(" ");
  document.getElementById("failed-share").textContent = result.failed_share
    ? `${percent(result.failed_share)} of iterations failed for good (a task still failing after ${result.max_retries} retries); the figures are over the rest.`
    : "";
}

function chart(id, config) {
  charts[id]?.destroy();
  charts[id] = new window.Chart(document.getElementById(id), config);
  return charts[id];
}

function drawHistogram(result) {
  const annotations = {};
  const datasets = result.blueprints.map((blueprint) => {
    const { edges, counts } = result.results[blueprint].histogram;
    for (const p of ["p50", "p80", "p95"]) {
      const at = result.results[blueprint][p];
      if (at === null) continue;
      annotations[`${blueprint}-${p}`] = {
        type: "line",
        xMin: at,
        xMax: at,
        borderColor: BLUEPRINT_COLOURS[blueprint],
        borderWidth: 2,
        borderDash: PERCENTILE_DASH[p],
        label: { display: false, content: `${BLUEPRINT_NAMES[blueprint]} ${p.toUpperCase()} ${duration(at)}` },
      };
    }
    return {
      label: BLUEPRINT_NAMES[blueprint],
      data: counts.map((count, i) => ({ x: (edges[i] + edges[i + 1]) / 2, y: count })),
      backgroundColor: `${BLUEPRINT_COLOURS[blueprint]}66`,
      borderColor: BLUEPRINT_COLOURS[blueprint],
      borderWidth: 1,
      grouped: false,
      barPercentage: 1,
      categoryPercentage: 1,
    };
  });
  chart("histogram", {
    type: "bar",
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", title: { display: true, text: `Cycle time (${UNIT}) — P50 solid, P80 dashed, P95 dotted` } },
        y: { title: { display: true, text: "Iterations" }, beginAtZero: true },
      },
      plugins: { annotation: { annotations } },
    },
  });
}

function drawGantts(result) {
  const legend = document.getElementById("pool-legend");
  legend.replaceChildren(
    ...[...flow.pools.map((p) => [p.name, poolColour[p.name]]), ["No pool", NO_POOL]].map(([name, colour]) => {
      const item = document.createElement("span");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour;
      swatch.setAttribute("aria-hidden", "true");
      item.append(swatch, name);
      return item;
    }),
  );
  const critical = new Set(flow.critical_path);
  const container = document.getElementById("gantts");
  for (const blueprint of result.blueprints) {
    const schedule = result.schedules[blueprint];
    const id = `gantt-${blueprint}`;
    let canvas = document.getElementById(id);
    if (!canvas) {
      const box = document.createElement("div");
      box.className = "gantt";
      const title = document.createElement("h3");
      title.id = `${id}-title`;
      box.append(title);
      const holder = document.createElement("div");
      holder.className = "chart-box";
      canvas = document.createElement("canvas");
      canvas.id = id;
      canvas.setAttribute("role", "img");
      holder.append(canvas);
      box.append(holder);
      container.append(box);
    }
    document.getElementById(`${id}-title`).textContent = `${BLUEPRINT_NAMES[blueprint]} · ${duration(schedule.cycle_time)}`;
    canvas.setAttribute("aria-label", `${BLUEPRINT_NAMES[blueprint]} schedule, ${duration(schedule.cycle_time)}, one bar per task`);
    const { keys, config } = ganttConfig({
      tasks: schedule.tasks,
      label: taskLabel,
      colour: (key) => {
        const pool = (flow.needs[key] ?? [])[0];
        return pool ? poolColour[pool] : NO_POOL;
      },
      critical,
      unit: UNIT,
    });
    canvas.parentElement.style.height = `${Math.min(60 + keys.length * 22, 640)}px`;
    chart(id, config);
  }
}

function drawUtilisation(result) {
  const pools = flow.pools.map((p) => p.name);
  chart("utilisation", {
    type: "bar",
    data: {
      labels: pools,
      datasets: result.blueprints.map((blueprint) => ({
        label: BLUEPRINT_NAMES[blueprint],
        data: pools.map((pool) => Math.round(result.results[blueprint].utilisation[pool] * 1000) / 10),
        backgroundColor: BLUEPRINT_COLOURS[blueprint],
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "Mean utilisation (%)" } } },
    },
  });
  const usageBlueprint = result.schedules.hybrid ? "hybrid" : result.blueprints[0];
  const usage = result.schedules[usageBlueprint].usage;
  chart("usage", {
    type: "line",
    data: {
      datasets: pools.map((pool) => ({
        label: pool,
        data: usage[pool].map(([t, units]) => ({ x: t, y: units })),
        stepped: "before",
        borderColor: poolColour[pool],
        backgroundColor: poolColour[pool],
        pointRadius: 0,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", min: 0, title: { display: true, text: `${BLUEPRINT_NAMES[usageBlueprint]} schedule (${UNIT})` } },
        y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Units in use" } },
      },
    },
  });
}

function drawCriticality(result) {
  const ranked = Object.entries(result.criticality)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], "en", { numeric: true }))
    .slice(0, 25);
  document.querySelector("#criticality").parentElement.style.height = `${Math.max(160, 40 + ranked.length * 22)}px`;
  chart("criticality", {
    type: "bar",
    data: {
      labels: ranked.map(([key]) => taskLabel(key)),
      datasets: [{ label: "Criticality index (%)", data: ranked.map(([, share]) => Math.round(share * 1000) / 10), backgroundColor: CRITICAL }],
    },
    options: {
      indexAxis: "y",
      animation: false,
      maintainAspectRatio: false,
      scales: { x: { beginAtZero: true, max: 100 } },
      plugins: { legend: { display: false } },
    },
  });
}

// Kept results ---------------------------------------------------------------------------

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

async function loadKept() {
  const response = await fetch(page.api.simulations, { credentials: "same-origin" });
  const kept = await response.json();
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
    for (const blueprint of ["sequential", "hybrid", "parallel"]) cell(row, duration(item.p50[blueprint]), true);
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
    chosen.map((id) => fetch(`${page.api.simulations}${id}/`, { credentials: "same-origin" }).then((r) => r.json())),
  );
  const parts = [];
  for (const blueprint of ["sequential", "hybrid", "parallel"]) {
    const first = a.results[blueprint]?.p50;
    const second = b.results[blueprint]?.p50;
    if (first === undefined || second === undefined || first === null || second === null) continue;
    const change = second - first;
    const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
    parts.push(`${BLUEPRINT_NAMES[blueprint]} P50 ${duration(first)} → ${duration(second)} (${sign}${duration(Math.abs(change))})`);
  }
  line.textContent = `#${a.id} → #${b.id}: ${parts.join("; ")}`;
}

window.addEventListener("DOMContentLoaded", () => {
  window.Chart.register(window["chartjs-plugin-annotation"]);
  run();
  loadKept();
});
