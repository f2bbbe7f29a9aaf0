// The tasks as a list of buttons (the canvas's text alternative, and the keyboard's way in)
// and the task detail panel: every attempt and compensation of the chosen task, with start,
// end, duration, outcome, error and who acted, kept live from the events.

import { el } from "../dom.js";
import { TASK_STATES } from "../states.js";
import { clock, seconds } from "./states.js";

function label(key, name, state) {
  return `${TASK_STATES[state]?.icon ?? ""} ${key} ${name} — ${TASK_STATES[state]?.label ?? state}`;
}

export class TaskList {
  constructor(list, graph, onChoose) {
    this.items = {};
    if (!list) return;
    list.replaceChildren(
      ...graph.order.map((key) => {
        const button = el("button", { type: "button", className: "task-item" });
        button.dataset.key = key;
        button.addEventListener("click", () => onChoose(key));
        this.items[key] = { button, name: graph.name(key), state: null };
        return el("li", {}, button);
      }),
    );
  }

  update(tasks, keys) {
    for (const key of keys) {
      const item = this.items[key];
      const task = tasks[key];
      if (!item || !task || item.state === task.state) continue;
      item.state = task.state;
      item.button.textContent = label(key, item.name, task.state);
      item.button.dataset.state = task.state;
    }
  }

  choose(key) {
    for (const [k, item] of Object.entries(this.items)) item.button.setAttribute("aria-pressed", String(k === key));
  }
}

function duration(entry) {
  if (!entry.started_at) return "—";
  const end = entry.finished_at ? new Date(entry.finished_at) : new Date();
  return seconds((end - new Date(entry.started_at)) / 1000);
}

const OUTCOME_TEXT = {
  succeeded: "✓ succeeded",
  failed: "✕ failed",
  cancelled: "⊘ cancelled",
  compensated: "⟲✓ compensated",
  carried_over: "✓ carried over",
};

export class TaskPanel {
  constructor(box, graph, controls, onClose) {
    this.box = box;
    this.graph = graph;
    this.controls = controls;
    this.key = null;
    if (!box) return;
    this.title = el("h2", { id: `task-panel-title-${Math.random().toString(36).slice(2, 8)}` });
    this.body = el("div");
    const close = el("button", { type: "button", className: "button-quiet panel-close", textContent: "×" });
    close.setAttribute("aria-label", "Close the task details");
    close.addEventListener("click", onClose);
    box.setAttribute("aria-labelledby", this.title.id);
    box.addEventListener("keydown", (event) => {
      if (event.key === "Escape") onClose();
    });
    box.replaceChildren(el("div", { className: "panel-head" }, this.title, close), this.body);
  }

  show(key, task) {
    if (!this.box) return;
    this.key = key;
    this.box.hidden = !key;
    if (key) this.render(task);
  }

  render(task) {
    if (!this.box || !this.key || !task) return;
    const key = this.key;
    const { icon, label: stateName } = TASK_STATES[task.state] ?? { icon: "", label: task.state };
    this.title.textContent = `${key} · ${this.graph.name(key)}`;
    const facts = el(
      "dl",
      { className: "task-facts" },
      el("dt", { textContent: "State" }),
      el("dd", {}, el("span", { className: `state-badge task-state-${task.state}`, textContent: `${icon} ${stateName}` })),
      el("dt", { textContent: "Executor" }),
      el("dd", { textContent: task.executor ?? "—" }),
      el("dt", { textContent: "Attempts" }),
      el("dd", { textContent: String(task.attempts ?? 0) }),
    );
    if (task.error) facts.append(el("dt", { textContent: task.state === "skipped" || task.state === "cancelled" ? "Reason" : "Error" }), el("dd", { textContent: task.error }));
    const buttons = this.controls.taskButtons(key, task, { where: " in the task details" });
    const parts = [facts];
    if (buttons.length) parts.push(el("div", { className: "panel-actions" }, ...buttons));
    parts.push(this.historyTable(task.history ?? []));
    this.body.replaceChildren(...parts);
  }

  // Once a second: the durations of attempts still going (nothing else, so focus stays put).
  tick() {
    if (!this.box || !this.key) return;
    for (const row of this.body.querySelectorAll('tr[data-outcome="going"]')) {
      row.cells[2].textContent = duration(row.entry);
    }
  }

  historyTable(history) {
    if (!history.length) return el("p", { className: "empty", textContent: "No attempt yet." });
    const head = ["Attempt", "Start → end", "Duration", "Outcome", "By"].map((text) => el("th", { scope: "col", textContent: text }));
    const rows = [];
    for (const entry of history) {
      const name = entry.kind === "compensation" ? `⟲ compensation ${entry.attempt}` : `attempt ${entry.attempt}`;
      const outcome = entry.outcome === null || entry.outcome === undefined ? (entry.kind === "compensation" ? "⟲ compensating" : "▶ running") : OUTCOME_TEXT[entry.outcome] ?? entry.outcome;
      const by = entry.ended_by && entry.ended_by !== entry.started_by ? `${entry.started_by || "—"} → ${entry.ended_by}` : entry.started_by || "—";
      const row = el(
        "tr",
        {},
        el("th", { scope: "row", textContent: name }),
        el("td", { textContent: `${clock(entry.started_at)} → ${entry.finished_at ? clock(entry.finished_at) : "…"}` }),
        el("td", { className: "num", textContent: duration(entry) }),
        el("td", { textContent: outcome }),
        el("td", { textContent: by }),
      );
      row.dataset.outcome = entry.outcome ?? "going";
      row.entry = entry;
      rows.push(row);
      // The error under its attempt, across the whole row: long messages stay readable.
      if (entry.error) rows.push(el("tr", { className: "attempt-error" }, el("td", { colSpan: 5, textContent: `Error: ${entry.error}` })));
    }
    const table = el("table", { className: "figures attempts" }, el("caption", { className: "visually-hidden", textContent: "Every attempt, oldest first" }), el("thead", {}, el("tr", {}, ...head)), el("tbody", {}, ...rows));
    const box = el("div", { className: "attempts-box", tabIndex: 0 }, table);
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Attempts");
    return box;
  }
}
