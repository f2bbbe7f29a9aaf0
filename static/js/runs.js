// The run list: start a run, follow every run of the flow live (table and grid), and pick
// two to four runs to compare. The data always comes from GET /api/flows/{id}/runs/; the
// flow's websocket only says when to fetch it again (see runlist/feed.js).

import { csrfToken } from "./common.js";
import { ListFeed } from "./runlist/feed.js";
import { GRID_RUNS, RunGrid } from "./runlist/grid.js";
import { RunTable } from "./runlist/table.js";
import { FINISHED, TASK_STATES, el, runStatus, stateClass } from "./runlist/states.js";

const LIMIT = 50;
const csrf = csrfToken();
const root = document.getElementById("run-list");
const form = document.getElementById("start-run");
const errorLine = document.getElementById("run-error");

// Starting a run -----------------------------------------------------------------------------

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  errorLine.textContent = "";
  const body = {
    blueprint: form.blueprint.value,
    failure_policy: form.failure_policy.value,
    time_scale: Number(form.time_scale.value),
    max_retries: Number(form.max_retries.value),
    seed: form.seed.value === "" ? null : Number(form.seed.value),
    follow_optimised_plan: form.follow_optimised_plan.checked,
  };
  button.disabled = true;
  try {
    const response = await fetch(form.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      errorLine.textContent = data.message ?? `The server answered ${response.status}.`;
      return;
    }
    window.location.href = `/runs/${data.id}/`;
  } catch {
    errorLine.textContent = "The server could not be reached; the run was not started.";
  } finally {
    button.disabled = false;
  }
});

// Compare picks (rows come and go, so the form listens for them all) -------------------------

const compareForm = document.getElementById("compare-form");
function pickedChanged() {
  const chosen = [...compareForm.querySelectorAll(".compare-pick")].filter((p) => p.checked).map((p) => p.value);
  document.getElementById("compare-runs").value = chosen.join(",");
  document.getElementById("compare").disabled = chosen.length < 2 || chosen.length > 4;
}
compareForm.addEventListener("change", (event) => {
  if (event.target.classList.contains("compare-pick")) pickedChanged();
});

// The legend ---------------------------------------------------------------------------------

document.querySelector("[data-field=legend]").replaceChildren(
  ...Object.entries(TASK_STATES).map(([state, { icon, label }]) =>
    el("li", {}, el("span", { className: `cell ${stateClass(state)}`, "aria-hidden": "true" }, icon), label),
  ),
);

// Live table and grid ------------------------------------------------------------------------

const policies = Object.fromEntries([...form.failure_policy.options].map((option) => [option.value, option.textContent]));
const table = new RunTable({ body: document.querySelector("[data-field=runs]"), policies });
const tasks = [...document.querySelectorAll("[data-field=grid] tbody tr[data-task]")].map((row) => ({
  key: row.dataset.task,
  name: row.querySelector(".task-name")?.textContent ?? "",
}));
const grid = new RunGrid({ table: document.querySelector("[data-field=grid] table"), tasks });
const announcer = document.querySelector("[data-field=announce]");
const connection = document.querySelector("[data-field=connection]");
let loaded = false;

function show(runs, limit) {
  const changes = table.update(runs, limit);
  grid.update(runs);
  const any = table.size > 0;
  compareForm.hidden = !any;
  document.querySelector("[data-field=empty]").hidden = any;
  pickedChanged();
  if (loaded) announce(changes);
  loaded = true;
  window.vividoRunList = { runs, at: Date.now() };
}

function announce(changes) {
  const words = changes
    .filter((change) => change.was === undefined || FINISHED.has(change.status))
    .map((change) => (change.was === undefined ? `Run ${change.id} started.` : `Run ${change.id} ${runStatus(change.status).label}.`));
  if (words.length) announcer.textContent = words.join(" ");
}

async function load(limit) {
  const response = await fetch(`${root.dataset.api}?limit=${limit}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`The server answered ${response.status}.`);
  show(await response.json(), limit);
}

const WORDS = { connecting: "Connecting…", live: "Live", polling: "Polling every 2 s", offline: "Offline" };

function onConnection(state, lastGood) {
  const words = state === "offline" && lastGood ? `Offline — showing data from ${lastGood.toLocaleTimeString("en-GB")}` : WORDS[state];
  connection.dataset.state = state;
  // The same words again are not news (a status region would read them out again).
  if (connection.textContent !== words) connection.textContent = words;
}

const shown = () => [...table.body.querySelectorAll("tr[data-run]")].map((row) => Number(row.dataset.run));
const feed = new ListFeed({ socket: root.dataset.socket, load, onConnection, wide: LIMIT, narrow: GRID_RUNS, shown });
feed.start();
window.vividoRunListFeed = feed;
