// The table of runs, kept in place: rows are matched by run id, so a row's compare checkbox,
// its focus and anything the user selected survive every refresh; new runs go on top.

import { el } from "../dom.js";
import { TASK_STATES, TERMINAL, runStatus, stateClass, taskState } from "../states.js";

export function formatStarted(iso) {
  // The server renders times in UTC ("Y-m-d H:i:s"); new rows say it the same way.
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toISOString().slice(0, 19).replace("T", " ");
}

export function formatDuration(seconds) {
  return seconds === null || seconds === undefined ? "—" : `${Number(seconds).toFixed(1)} s`;
}

export function statusBadge(status) {
  const { icon, label } = runStatus(status);
  return el("span", { className: `state-badge ${stateClass(status)}` }, el("span", { "aria-hidden": "true" }, `${icon} `), label);
}

// "✓ 7 · ✕ 1 · ↷ 1" for the eye, "7 succeeded, 1 failed, 1 skipped" for a screen reader:
// every state with tasks in it, so the numbers add up to the run's task count.
export function countsLine(counts) {
  const order = [...Object.keys(TASK_STATES), ...Object.keys(counts ?? {}).filter((s) => !(s in TASK_STATES))];
  const present = order.filter((state) => (counts?.[state] ?? 0) > 0);
  if (!present.length) return el("span", {}, "—");
  const seen = present.map((state) => `${taskState(state).icon} ${counts[state]}`).join(" · ");
  const said = present.map((state) => `${counts[state]} ${taskState(state).label}`).join(", ");
  return el("span", { title: said }, el("span", { "aria-hidden": "true" }, seen), el("span", { className: "visually-hidden" }, said));
}

export class RunTable {
  constructor({ body, policies }) {
    Object.assign(this, { body, policies });
    this.rows = new Map();
    for (const row of body.querySelectorAll("tr[data-run]")) this.rows.set(Number(row.dataset.run), row);
  }

  get size() {
    return this.rows.size;
  }

  // `runs`: the API's answer to ?limit=`limit`, newest first. Returns what changed, for the
  // announcer: [{id, status, was}] with was undefined for a run not seen before.
  update(runs, limit) {
    const changes = [];
    const seen = new Set();
    let previous = null;
    for (const run of runs) {
      seen.add(run.id);
      let row = this.rows.get(run.id);
      if (!row) {
        row = this.row(run);
        this.rows.set(run.id, row);
        changes.push({ id: run.id, status: run.status, was: undefined });
      } else if (row.dataset.status !== run.status) {
        changes.push({ id: run.id, status: run.status, was: row.dataset.status });
      }
      this.fill(row, run);
      // Keep the API's order, moving a row only when it is out of place (a move would blur it).
      const expected = previous ? previous.nextElementSibling : this.body.firstElementChild;
      if (expected !== row) {
        if (previous) previous.after(row);
        else this.body.prepend(row);
      }
      previous = row;
    }
    // A short answer holds every run of the flow: rows it lacks were deleted. A full one may
    // stop before older rows, which stay as they are.
    if (runs.length < limit) {
      for (const [id, row] of this.rows) {
        if (!seen.has(id)) {
          row.remove();
          this.rows.delete(id);
        }
      }
    }
    return changes;
  }

  row(run) {
    const link = el("a", { href: `/runs/${run.id}/` }, `Run ${run.id}`);
    const origin = run.rerun_of
      ? [el("span", { className: "run-origin-note" }, "re-run of ", el("a", { href: `/runs/${run.rerun_of}/` }, `Run ${run.rerun_of}`))]
      : [];
    const row = el(
      "tr",
      { "data-run": String(run.id), className: "fresh" },
      el("td", { "data-label": "Compare" }, el("input", { type: "checkbox", className: "compare-pick", value: String(run.id), "aria-label": `Compare run ${run.id}` })),
      el("th", { scope: "row" }, link, ...origin),
      el("td", { "data-label": "Status", "data-field": "status" }),
      el("td", { "data-label": "Tasks", "data-field": "counts", className: "run-counts" }),
      el("td", { "data-label": "Blueprint", "data-field": "blueprint" }),
      el("td", { "data-label": "Policy", "data-field": "policy" }),
      el("td", { "data-label": "Started (UTC)", "data-field": "started" }),
      el("td", { "data-label": "Duration", "data-field": "duration", className: "num" }),
    );
    row.addEventListener("animationend", () => row.classList.remove("fresh"), { once: true });
    return row;
  }

  fill(row, run) {
    const cell = (name) => row.querySelector(`[data-field="${name}"]`);
    if (row.dataset.status !== run.status) {
      row.dataset.status = run.status;
      cell("status").replaceChildren(statusBadge(run.status));
      row.classList.toggle("finished", TERMINAL.has(run.status));
    }
    const counts = JSON.stringify(run.counts ?? {});
    const countsCell = cell("counts");
    if (countsCell && countsCell.dataset.counts !== counts) {
      countsCell.dataset.counts = counts;
      countsCell.replaceChildren(countsLine(run.counts));
    }
    setText(cell("blueprint"), run.blueprint);
    setText(cell("policy"), this.policies[run.failure_policy] ?? run.failure_policy);
    setText(cell("started"), formatStarted(run.created_at));
    setText(cell("duration"), formatDuration(run.duration_seconds));
  }
}

function setText(node, text) {
  if (node && node.textContent !== text) node.textContent = text;
}
