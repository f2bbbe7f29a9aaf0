// The grid of recent runs, like Airflow's: one row per task (flow order), one column per run,
// newest on the left. Each cell is a link to the run (#task=KEY) showing the state's colour
// and icon, with the words in its accessible name and tooltip. One cell is in the tab order;
// arrow keys, Home and End move between cells (the column headers are row 0).

import { el } from "../dom.js";
import { runStatus, stateClass, taskState } from "../states.js";
import { formatDuration } from "./table.js";

export const GRID_RUNS = 20;

export class RunGrid {
  constructor({ table, tasks }) {
    this.table = table;
    this.head = table.tHead.rows[0];
    this.body = table.tBodies[0];
    this.tasks = tasks; // [{key, name}] in flow order, from the page
    this.columns = []; // run ids, newest first
    this.rowKeys = [];
    this.cells = new Map(); // "run|key" → cell link
    this.headers = new Map(); // run id → header link
    this.current = null; // {run, key}: the cell in the tab order; key null for a header
    table.addEventListener("keydown", (event) => this.keydown(event));
    table.addEventListener("focusin", (event) => {
      const spot = this.spotOf(event.target);
      if (spot) this.rove(spot, false);
    });
  }

  update(runs) {
    const recent = runs.slice(0, GRID_RUNS);
    const ids = recent.map((run) => run.id);
    const known = new Set(this.tasks.map((task) => task.key));
    const extra = [];
    for (const run of recent) {
      for (const key of Object.keys(run.tasks ?? {})) {
        if (!known.has(key)) {
          known.add(key);
          extra.push({ key, name: "(no longer in the flow)" });
        }
      }
    }
    const rowKeys = [...this.tasks, ...extra].map((task) => task.key);
    const same = ids.length === this.columns.length && ids.every((id, i) => id === this.columns[i]) && rowKeys.join("\n") === this.rowKeys.join("\n");
    if (!same) this.rebuild(recent, [...this.tasks, ...extra]);
    const took = (run) => run.duration_seconds ?? Math.max(0, (Date.now() - new Date(run.created_at).getTime()) / 1000);
    const longest = Math.max(0, ...recent.map(took));
    for (const run of recent) {
      this.fillHeader(this.headers.get(run.id), run);
      this.fillBar(this.headers.get(run.id), took(run), longest);
      for (const key of this.rowKeys) this.fillCell(this.cells.get(`${run.id}|${key}`), run, key);
    }
    this.table.closest("[data-field=grid]")?.toggleAttribute("hidden", recent.length === 0);
  }

  rebuild(recent, tasks) {
    const focused = this.spotOf(document.activeElement);
    this.columns = recent.map((run) => run.id);
    this.rowKeys = tasks.map((task) => task.key);
    this.cells.clear();
    this.headers.clear();
    const corner = el("th", { scope: "col", className: "corner" }, "Task");
    const headers = recent.map((run) => {
      const link = el("a", { href: `/runs/${run.id}/`, className: "grid-run", tabindex: "-1", "data-run": String(run.id) });
      this.headers.set(run.id, link);
      return el("th", { scope: "col" }, link);
    });
    this.head.replaceChildren(corner, ...headers);
    const rows = tasks.map((task) => {
      const label = el("th", { scope: "row" }, el("span", { className: "task-key" }, task.key), " ", el("span", { className: "task-name" }, task.name));
      label.title = `${task.key} ${task.name}`;
      const cells = recent.map((run) => {
        const link = el("a", { className: "cell", tabindex: "-1", "data-run": String(run.id), "data-task": task.key });
        this.cells.set(`${run.id}|${task.key}`, link);
        return el("td", {}, link);
      });
      return el("tr", { "data-task": task.key }, label, ...cells);
    });
    this.body.replaceChildren(...rows);
    const keep = this.current && this.nodeAt(this.current) ? this.current : this.first();
    if (keep) this.rove(keep, focused !== null);
  }

  fillHeader(link, run) {
    const duration = formatDuration(run.duration_seconds);
    if (!link || (link.dataset.status === run.status && link.dataset.duration === duration)) return;
    link.dataset.status = run.status;
    link.dataset.duration = duration;
    const { icon, label } = runStatus(run.status);
    link.className = `grid-run ${stateClass(run.status)}`;
    link.replaceChildren(
      el("span", { className: "grid-run-bar", "aria-hidden": "true" }, el("span", {})),
      el("span", { className: "grid-run-id" }, `#${run.id}`),
      el("span", { className: "grid-run-icon", "aria-hidden": "true" }, icon),
    );
    link.setAttribute("aria-label", `Run ${run.id}: ${label}`);
    link.title = `Run ${run.id}: ${label} · ${run.blueprint}${run.duration_seconds === null || run.duration_seconds === undefined ? "" : ` · ${duration}`}`;
  }

  // Airflow's duration bars: each run's length against the longest shown.
  fillBar(link, seconds, longest) {
    const bar = link?.querySelector(".grid-run-bar > span");
    if (!bar) return;
    const height = `${longest > 0 ? Math.max(4, Math.round((seconds / longest) * 100)) : 4}%`;
    if (bar.style.height !== height) bar.style.height = height;
  }

  fillCell(link, run, key) {
    if (!link) return;
    const state = run.tasks?.[key] ?? null;
    const token = state ?? "none";
    if (link.dataset.state === token) return;
    link.dataset.state = token;
    if (state === null) {
      // The run's frozen flow had no such task: a blank, still a cell to move through.
      link.className = "cell state-none";
      link.href = `/runs/${run.id}/`;
      link.textContent = "";
      const words = `${key} is not in run ${run.id}`;
      link.setAttribute("aria-label", words);
      link.title = words;
      return;
    }
    const { icon, label } = taskState(state);
    link.className = `cell ${stateClass(state)}`;
    link.href = `/runs/${run.id}/#task=${encodeURIComponent(key)}`;
    link.textContent = icon;
    const words = `${key} in run ${run.id}: ${label}`;
    link.setAttribute("aria-label", words);
    link.title = words;
  }

  // Roving focus ---------------------------------------------------------------------------

  first() {
    if (!this.columns.length) return null;
    return { run: this.columns[0], key: this.rowKeys[0] ?? null };
  }

  nodeAt({ run, key }) {
    return key === null ? this.headers.get(run) : this.cells.get(`${run}|${key}`);
  }

  spotOf(node) {
    if (!node || !this.table.contains(node)) return null;
    const run = Number(node.dataset?.run);
    if (!run) return null;
    return { run, key: node.dataset.task ?? null };
  }

  rove(spot, focus) {
    const before = this.current && this.nodeAt(this.current);
    const after = this.nodeAt(spot);
    if (!after) return;
    if (before && before !== after) before.tabIndex = -1;
    after.tabIndex = 0;
    this.current = spot;
    if (focus) after.focus();
  }

  keydown(event) {
    const spot = this.spotOf(event.target);
    if (!spot) return;
    let column = this.columns.indexOf(spot.run);
    let row = spot.key === null ? 0 : this.rowKeys.indexOf(spot.key) + 1;
    const rows = this.rowKeys.length + 1;
    switch (event.key) {
      case "ArrowLeft": column -= 1; break;
      case "ArrowRight": column += 1; break;
      case "ArrowUp": row -= 1; break;
      case "ArrowDown": row += 1; break;
      case "Home": column = 0; if (event.ctrlKey) row = 0; break;
      case "End": column = this.columns.length - 1; if (event.ctrlKey) row = rows - 1; break;
      case "PageUp": row = Math.max(0, row - 10); break;
      case "PageDown": row = Math.min(rows - 1, row + 10); break;
      default: return;
    }
    event.preventDefault();
    column = Math.max(0, Math.min(this.columns.length - 1, column));
    row = Math.max(0, Math.min(rows - 1, row));
    this.rove({ run: this.columns[column], key: row === 0 ? null : this.rowKeys[row - 1] }, true);
  }
}
