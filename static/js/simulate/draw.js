// Drawing a simulation's result: the figures table, the overlaid histograms, one Gantt per
// blueprint, pool utilisation and criticality (Chart.js).

import { BLUEPRINT_NAMES } from "../constants.js";
import { CRITICAL, ganttConfig } from "../gantt.js";
import { optimisable } from "./optimal.js";
import {
  BLUEPRINT_COLOURS,
  NO_POOL,
  PERCENTILE_DASH,
  UNIT,
  cell,
  duration,
  flow,
  percent,
  poolColour,
  taskLabel,
} from "./context.js";

const charts = {};

export function draw(result) {
  drawFigures(result);
  drawHistogram(result);
  drawGantts(result);
  drawUtilisation(result);
  drawCriticality(result);
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
      const row = document.createElement("div");
      row.className = "gantt-row";
      row.id = `gantt-row-${blueprint}`;
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
      row.append(box);
      container.append(row);
    }
    const kind = optimisable(blueprint) ? ", greedy" : "";
    document.getElementById(`${id}-title`).textContent = `${BLUEPRINT_NAMES[blueprint]}${kind} · ${duration(schedule.cycle_time)}`;
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
