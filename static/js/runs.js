// The run list: start a run, follow every run of the flow live (table and grid), and pick
// two to four runs to compare. The data always comes from GET /api/flows/{id}/runs/; the
// flow's websocket only says when to fetch it again (see runlist/feed.js).

import { getJson, postJson } from "./api.js";
import { FAILURE_POLICIES } from "./constants.js";
import { el } from "./dom.js";
import { ListFeed } from "./runlist/feed.js";
import { GRID_RUNS, RunGrid } from "./runlist/grid.js";
import { RunTable } from "./runlist/table.js";
import { TASK_STATES, TERMINAL, runStatus, stateClass } from "./states.js";

const LIMIT = 50;
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
    const data = await postJson(form.dataset.url, body);
    window.location.href = `/runs/${data.id}/`;
  } catch (error) {
    errorLine.textContent = error.status ? error.message : "The server could not be reached; the run was not started.";
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

const table = new RunTable({ body: document.querySelector("[data-field=runs]"), policies: FAILURE_POLICIES });
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
    .filter((change) => change.was === undefined || TERMINAL.has(change.status))
    .map((change) => (change.was === undefined ? `Run ${change.id} started.` : `Run ${change.id} ${runStatus(change.status).label}.`));
  if (words.length) announcer.textContent = words.join(" ");
}

async function load(limit) {
  show(await getJson(`${root.dataset.api}?limit=${limit}`), limit);
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
