// The optimal levelled schedule beside the greedy one, for parallel and hybrid. The server's
// solver gets a few seconds per blueprint (POST /api/flows/{id}/optimise/) under the same
// what-if as the simulation; the answer says whether the optimum was proven, or how close
// to it the best schedule found is.

import { postJson } from "../api.js";
import { BLUEPRINTS, BLUEPRINT_NAMES } from "../constants.js";
import { ganttConfig } from "../gantt.js";
import { NO_POOL, UNIT, duration, flow, page, poolColour, taskLabel } from "./context.js";
import { follow } from "./job.js";

const LONGER_SECONDS = 30; // "Search longer": a background job with progress and Cancel

const OPTIMISED = ["parallel", "hybrid"];
const charts = {};
let controller = null;

// Only pools make the greedy schedule a choice; without them it is already the best.
export function optimisable(blueprint) {
  return OPTIMISED.includes(blueprint) && Object.values(flow.needs).some((pools) => pools.length > 0);
}

export function showOptimal(overrides, schedules) {
  controller?.abort();
  controller = new AbortController();
  const signal = controller.signal;
  return Promise.all(
    BLUEPRINTS.filter((b) => optimisable(b) && schedules[b]).map((b) => one(b, overrides, schedules[b], signal)),
  );
}

export function gapText(gap) {
  const share = gap * 100;
  return `${share < 0.1 ? "<0.1" : share.toFixed(1)}%`;
}

export function summaryText(result) {
  const { greedy_cycle_time: greedy, cycle_time: best } = result;
  const quality = result.status === "optimal" ? "proven optimal" : `best found, within ${gapText(result.gap)} of optimal`;
  if (best >= greedy) return `The greedy schedule is already the best: ${duration(best)}, ${quality}.`;
  const share = Math.round(((greedy - best) / greedy) * 1000) / 10;
  return `Greedy ${duration(greedy)} → optimal ${duration(best)}: saves ${duration(greedy - best)} (${share}%), ${quality}.`;
}

function box(blueprint) {
  const id = `gantt-${blueprint}-optimal`;
  let canvas = document.getElementById(id);
  if (canvas) return canvas;
  const row = document.getElementById(`gantt-row-${blueprint}`);
  const holder = document.createElement("div");
  holder.className = "gantt";
  const title = document.createElement("h3");
  title.id = `${id}-title`;
  const summary = document.createElement("p");
  summary.className = "optimal-summary";
  summary.id = `optimal-${blueprint}`;
  summary.setAttribute("aria-live", "polite");
  const longer = document.createElement("button");
  longer.type = "button";
  longer.className = "button-quiet";
  longer.id = `optimal-${blueprint}-longer`;
  longer.textContent = `Search longer (${LONGER_SECONDS} s)`;
  longer.hidden = true;
  const chartBox = document.createElement("div");
  chartBox.className = "chart-box";
  canvas = document.createElement("canvas");
  canvas.id = id;
  canvas.setAttribute("role", "img");
  chartBox.append(canvas);
  holder.append(title, summary, longer, chartBox);
  row.append(holder);
  row.classList.add("paired");
  return canvas;
}

function ask(blueprint, overrides, timeLimit, signal) {
  return postJson(page.api.optimise, { blueprint, time_limit: timeLimit, overrides }, { signal });
}

async function one(blueprint, overrides, greedy, signal) {
  const canvas = box(blueprint);
  const title = document.getElementById(`${canvas.id}-title`);
  const summary = document.getElementById(`optimal-${blueprint}`);
  const longer = document.getElementById(`optimal-${blueprint}-longer`);
  title.textContent = `${BLUEPRINT_NAMES[blueprint]}, optimal`;
  summary.textContent = "Looking for the best schedule…";
  summary.dataset.status = "pending";
  longer.hidden = true;
  let result;
  try {
    result = await ask(blueprint, overrides, page.optimise_time_limit, signal);
  } catch (error) {
    if (error.name === "AbortError") return;
    summary.textContent = `Not optimised: ${error.message}`;
    summary.dataset.status = "error";
    return;
  }
  render(blueprint, canvas, result, greedy);
  // Not proven in the page's few seconds: the person may give the solver longer, in the
  // background, watching the best schedule and the bound close in, and cancel.
  longer.hidden = result.status === "optimal";
  longer.onclick = async () => {
    longer.disabled = true;
    try {
      const job = await ask(blueprint, overrides, LONGER_SECONDS, signal);
      follow(job, {
        onEnd: (state) => {
          longer.disabled = false;
          if (state.state === "succeeded") {
            render(blueprint, canvas, state.result, greedy);
            longer.hidden = state.result.status === "optimal";
          } else {
            summary.textContent = `${summaryText(result)} The longer search was ${state.state === "cancelled" ? "cancelled" : "not finished"}.`;
          }
        },
      });
    } catch (error) {
      longer.disabled = false;
      if (error.name !== "AbortError") summary.textContent = `Not optimised: ${error.message}`;
    }
  };
}

function render(blueprint, canvas, result, greedy) {
  const title = document.getElementById(`${canvas.id}-title`);
  const summary = document.getElementById(`optimal-${blueprint}`);
  title.textContent = `${BLUEPRINT_NAMES[blueprint]}, optimal · ${duration(result.cycle_time)}`;
  summary.textContent = summaryText(result);
  summary.dataset.status = result.status;
  canvas.setAttribute("aria-label", `${BLUEPRINT_NAMES[blueprint]} optimal schedule, ${duration(result.cycle_time)}, one bar per task`);
  const { keys, config } = ganttConfig({
    tasks: result.tasks,
    label: taskLabel,
    colour: (key) => {
      const pool = (flow.needs[key] ?? [])[0];
      return pool ? poolColour[pool] : NO_POOL;
    },
    unit: UNIT,
    // The greedy chart's own axis, so the two read side by side on one scale.
    max: window.Chart.getChart(`gantt-${blueprint}`)?.scales.x.max ?? Math.max(greedy.cycle_time, result.cycle_time),
  });
  canvas.parentElement.style.height = `${Math.min(60 + keys.length * 22, 640)}px`;
  charts[blueprint]?.destroy();
  charts[blueprint] = new window.Chart(canvas, config);
}
