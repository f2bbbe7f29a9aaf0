// The buttons people press: pause, resume, cancel, re-run from failure, and start / complete /
// fail on manual tasks. A button is disabled while its request is in flight (and so are the
// other buttons of the same task, wherever they are); outcomes and refusals are toasts.

import { toast } from "../toast.js";
import { postJson } from "../api.js";
import { el } from "../dom.js";
import { TERMINAL } from "../states.js";
import { ACTION_NAMES, manualActions } from "./states.js";

const RUN_OUTCOMES = { pause: "Paused", resume: "Resumed", cancel: "Cancelled" };
const TASK_OUTCOMES = { start: "started", complete: "completed", fail: "failed" };

export class Controls {
  constructor(root, api, { onBusy }) {
    this.root = root;
    this.api = api;
    this.onBusy = onBusy; // the set of busy tasks changed: redraw their buttons
    this.busy = new Set(); // "run" or task keys with a request in flight
    for (const button of root.querySelectorAll("[data-control]")) {
      button.addEventListener("click", () => this.control(button.dataset.control));
    }
  }

  // Which run controls make sense now.
  render(run) {
    const busy = this.busy.has("run");
    for (const button of this.root.querySelectorAll("[data-control]")) {
      const action = button.dataset.control;
      const possible = {
        pause: run.status === "running",
        resume: run.status === "paused",
        cancel: !TERMINAL.has(run.status),
        rerun: run.status === "failed" || run.status === "cancelled",
      }[action];
      if (action === "rerun") button.hidden = !possible;
      button.disabled = busy || !possible;
    }
    const origin = this.root.querySelector('[data-field="origin"]');
    if (origin) {
      if (run.rerun_of) {
        const link = el("a", { href: `/runs/${run.rerun_of}/`, textContent: `run ${run.rerun_of}` });
        origin.replaceChildren("re-run of ", link);
        origin.hidden = false;
      } else {
        origin.hidden = true;
      }
    }
  }

  async control(action) {
    if (this.busy.has("run")) return;
    this.busy.add("run");
    this.onBusy();
    try {
      if (action === "rerun") {
        const made = await postJson(`${this.api}rerun/`);
        toast(`Run ${made.id} started`);
        window.location.href = `/runs/${made.id}/`;
        return;
      }
      await postJson(`${this.api}${action}/`);
      toast(RUN_OUTCOMES[action] ?? "Done");
    } catch (error) {
      toast(error.message, { kind: "error" });
    } finally {
      this.busy.delete("run");
      this.onBusy();
    }
  }

  async task(key, action) {
    if (this.busy.has(key)) return;
    this.busy.add(key);
    this.onBusy(key);
    try {
      await postJson(`${this.api}tasks/${encodeURIComponent(key)}/${action}/`);
      toast(`${key} ${TASK_OUTCOMES[action]}`);
    } catch (error) {
      toast(`${key}: ${error.message}`, { kind: "error" });
    } finally {
      this.busy.delete(key);
      this.onBusy(key);
    }
  }

  // Buttons for a manual task, where it waits for a person. `where` makes each button's
  // accessible name unique on the page ("Start T2", "Start T2 on the graph", …).
  taskButtons(key, task, { where = "", icons = false } = {}) {
    return manualActions(task).map((action) => {
      const button = el("button", {
        type: "button",
        className: action === "fail" ? "button-danger" : "button-quiet",
        textContent: icons ? { start: "▶", complete: "✓", fail: "✕" }[action] : ACTION_NAMES[action],
        disabled: this.busy.has(key),
        title: `${ACTION_NAMES[action]} ${key}`,
      });
      button.dataset.action = action;
      button.setAttribute("aria-label", `${ACTION_NAMES[action]} ${key}${where}`);
      button.addEventListener("click", () => this.task(key, action));
      return button;
    });
  }
}
