// The simulation page: what-if controls drive the simulation API; Chart.js draws the results.
// A simulation too costly for a request comes back as a background job (see job.js).

import { getJson, postJson } from "../api.js";
import { BLUEPRINTS } from "../constants.js";
import { flow, page } from "./context.js";
import { draw } from "./draw.js";
import { cancelSuperseded, describe, follow, stop } from "./job.js";
import { loadKept } from "./kept.js";
import { showOptimal } from "./optimal.js";

const form = document.getElementById("what-if");
const statusLine = document.getElementById("status");
const controlError = document.getElementById("control-error");
let inFlight = null;
let sequence = 0;
let previewJob = null;
let drawn = false;

function parameters() {
  const capacities = {};
  for (const input of form.querySelectorAll(".pool-capacity")) {
    capacities[input.dataset.pool] = Number(input.value);
  }
  return {
    iterations: Number(form.iterations.value),
    seed: Number(form.seed.value),
    max_retries: Number(form.max_retries.value),
    blueprints: BLUEPRINTS,
    overrides: {
      capacities,
      handoff_delay: Number(form.handoff_delay.value),
      sync_overhead: Number(form.sync_overhead.value),
    },
  };
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
  stop();
  if (previewJob !== null) {
    cancelSuperseded(previewJob);
    previewJob = null;
  }
  inFlight = new AbortController();
  const mine = ++sequence;
  statusLine.textContent = "Simulating…";
  form.setAttribute("aria-busy", "true");
  try {
    const result = await postJson(page.api.preview, parameters(), { signal: inFlight.signal });
    if (mine !== sequence) {
      if (result.job) cancelSuperseded(result.job);
      return;
    }
    if (result.job) {
      previewJob = result.job;
      statusLine.textContent = "Too large to simulate at once: running in the background, the result is kept.";
      background(result, mine);
      return;
    }
    draw(result);
    drawn = true;
    statusLine.textContent = describe(result);
    showOptimal(parameters().overrides, result.schedules);
  } catch (error) {
    if (error.name === "AbortError") return;
    showError(error.message);
    statusLine.textContent = "Not simulated.";
  } finally {
    if (mine === sequence && !previewJob) form.removeAttribute("aria-busy");
  }
}

// Follow a background job; when it ends, draw its kept result (if nothing newer was asked).
function background(job, mine) {
  if (!drawn) document.getElementById("headline").textContent = "The figures appear here when the background simulation ends.";
  follow(job, {
    onEnd: async (state) => {
      if (state.job === previewJob) previewJob = null;
      form.removeAttribute("aria-busy");
      if (state.state === "cancelled") {
        statusLine.textContent = "Cancelled: nothing was kept.";
        return;
      }
      if (state.state === "failed") {
        showError(state.error || "The simulation failed.");
        statusLine.textContent = "Not simulated.";
        return;
      }
      const result = await getJson(`${page.api.simulations}${state.simulation}/`);
      await loadKept();
      if (mine !== sequence) return;
      draw(result);
      drawn = true;
      statusLine.textContent = `${describe(result)} · kept as result #${result.id}.`;
      showOptimal(result.overrides, result.schedules);
    },
  });
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
    const kept = await postJson(page.api.simulations, parameters());
    if (kept.job) {
      statusLine.textContent = "Running in the background; the result will be kept.";
      background(kept, ++sequence);
      return;
    }
    statusLine.textContent = `Kept as result #${kept.id}.`;
    await loadKept();
  } catch (error) {
    showError(error.message);
  } finally {
    button.disabled = false;
  }
});

window.addEventListener("DOMContentLoaded", () => {
  window.Chart.register(window["chartjs-plugin-annotation"]);
  run();
  loadKept();
});
