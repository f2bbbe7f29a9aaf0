// A run's state on the page: replaced whole by a snapshot, then moved on by events (each
// applied once, in seq order, only if newer than the state). Task histories — every attempt
// and every compensation — are kept up to date from the events as the server derives them.

import { TERMINAL } from "../states.js";

const ENDINGS = new Set(["succeeded", "failed", "cancelled", "compensated"]);

export class RunModel {
  constructor() {
    this.run = null;
    this.seq = 0;
  }

  replace(run, seq) {
    this.run = run;
    this.seq = seq ?? run.last_seq ?? 0;
    for (const task of Object.values(run.tasks)) task.history ??= [];
  }

  // Apply the events newer than the state; say what changed: {tasks: Set of keys, run: bool}.
  apply(events) {
    const changed = { tasks: new Set(), run: false };
    if (!this.run) return changed;
    for (const event of events) {
      if (event.seq <= this.seq) continue;
      this.seq = event.seq;
      this.run.last_seq = event.seq;
      if (event.kind === "task") {
        if (this.moveTask(event)) changed.tasks.add(event.task);
      } else if (event.kind === "run") {
        this.run.status = event.state;
        if (TERMINAL.has(event.state)) this.run.finished_at = event.at;
        changed.run = true;
      }
    }
    return changed;
  }

  moveTask(event) {
    const task = this.run.tasks[event.task];
    if (!task) return false;
    const data = event.data ?? {};
    const history = (task.history ??= []);
    const last = history[history.length - 1];
    const open = last && last.outcome === null ? last : null;
    task.state = event.state;
    if (event.state === "running" || event.state === "compensating") {
      const compensation = event.state === "compensating";
      if (open) Object.assign(open, { finished_at: event.at, outcome: "cancelled", ended_by: data.by ?? "" });
      const count = history.filter((h) => h.kind === (compensation ? "compensation" : "attempt")).length;
      history.push({
        kind: compensation ? "compensation" : "attempt",
        attempt: compensation ? count + 1 : data.attempt ?? count + 1,
        started_at: event.at,
        finished_at: null,
        outcome: null,
        error: "",
        started_by: data.by ?? "",
        ended_by: null,
      });
      if (!compensation) {
        task.started_at = event.at;
        task.finished_at = null;
        task.attempts = data.attempt ?? task.attempts;
        task.error = "";
      }
    } else if (ENDINGS.has(event.state)) {
      if (open) {
        Object.assign(open, { finished_at: event.at, outcome: event.state, error: data.error ?? "", ended_by: data.by ?? "" });
      } else if (event.state === "succeeded" && /^run \d+/.test(data.by ?? "")) {
        history.push({
          kind: "attempt",
          attempt: data.attempt ?? 0,
          started_at: event.at,
          finished_at: event.at,
          outcome: "carried_over",
          error: "",
          started_by: data.by,
          ended_by: data.by,
        });
      }
      if (event.state !== "compensated") task.finished_at = event.at;
      if (data.error) task.error = data.error;
    } else if (data.reason) {
      task.error = data.reason;
    }
    return true;
  }

  // Tasks in each state, with "remaining" (pending + ready); they add up to the task count.
  counts() {
    const counts = {};
    for (const task of Object.values(this.run.tasks)) counts[task.state] = (counts[task.state] ?? 0) + 1;
    return counts;
  }

  elapsed(now = new Date()) {
    if (!this.run) return 0;
    const end = this.run.finished_at ? new Date(this.run.finished_at) : now;
    return Math.max(0, (end - new Date(this.run.created_at)) / 1000);
  }
}
