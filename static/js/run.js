// Run dashboards (one run, or several side by side): the graph coloured by state, counters,
// planned against actual, the event log and the buttons people press.

import { STYLE, elementsFrom, metaFrom } from "./editor/graph.js";
import { RunFeed } from "./runfeed.js";
import { csrfToken } from "./common.js";

const page = JSON.parse(document.getElementById("run-page").textContent);
const csrf = csrfToken();
const STATES = {
  pending: ["#e5e7eb", "·", "pending"],
  ready: ["#bae6fd", "○", "ready"],
  running: ["#60a5fa", "▶", "running"],
  succeeded: ["#86efac", "✓", "succeeded"],
  failed: ["#fca5a5", "✕", "failed"],
  retrying: ["#fcd34d", "↻", "retrying"],
  skipped: ["#f3f4f6", "↷", "skipped"],
  cancelled: ["#9ca3af", "⊘", "cancelled"],
  compensating: ["#d8b4fe", "⟲", "compensating"],
  compensated: ["#ffffff", "⟲✓", "compensated"],
};
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const views = [];

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function seconds(value) {
  return `${Number(value).toLocaleString("en-US", { maximumFractionDigits: 1 })} s`;
}

async function post(url) {
  const response = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" }, body: "{}" });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message ?? `The server answered ${response.status}.`);
  return data;
}

class RunView {
  constructor(root, info) {
    this.root = root;
    this.info = info;
    this.run = null;
    this.log = [];
    this.field = (name) => root.querySelector(`[data-field="${name}"]`);
    this.cy = window.cytoscape({
      container: this.field("graph"),
      style: [
        ...STYLE,
        ...Object.entries(STATES).map(([state, [colour]]) => ({ selector: `node.task.${state}`, style: { "background-color": colour } })),
        { selector: "node.task.skipped", style: { "border-style": "dashed" } },
        { selector: "node.task.compensated", style: { "border-color": "#7c3aed", "border-width": 3 } },
        { selector: "node.task.running", style: { "border-color": "#1d4ed8", "border-width": 3 } },
      ],
      autoungrabify: true,
      boxSelectionEnabled: false,
    });
    this.cy.add(elementsFrom(info.document, metaFrom(info.document)));
    this.cy.fit(undefined, 16);
    this.nodes = {};
    this.cy.nodes(".task").forEach((n) => {
      this.nodes[n.data("key")] = n;
    });
    this.feed = new RunFeed({
      socket: info.socket,
      events: `${info.api}events/`,
      onSnapshot: (run) => this.snapshot(run),
      onEvent: (event) => this.event(event),
      onConnection: (state, at) => this.connection(state, at),
    });
    this.feed.start();
    setInterval(() => this.tick(), 1000);
  }

  snapshot(run) {
    this.run = run;
    this.render();
    if (!this.historyLoaded) this.loadHistory(run.last_seq);
  }

  // The log is an audit trail: what happened before the page opened comes from the API.
  async loadHistory(upTo) {
    this.historyLoaded = true;
    const response = await fetch(`${this.info.api}events/?after=0`, { credentials: "same-origin" });
    if (!response.ok) return;
    const earlier = (await response.json()).filter((e) => e.seq <= upTo && !this.log.some((l) => l.seq === e.seq));
    this.log.push(...earlier.reverse());
    this.log.sort((a, b) => b.seq - a.seq);
    this.renderLog();
  }

  event(event) {
    if (!this.run) return;
    if (event.kind === "task") {
      const task = this.run.tasks[event.task];
      task.state = event.state;
      if (event.state === "running") {
        task.started_at = event.at;
        task.finished_at = null;
        task.attempts = event.data.attempt;
      }
      if (["succeeded", "failed", "cancelled"].includes(event.state)) task.finished_at = event.at;
    } else if (event.kind === "run") {
      this.run.status = event.state;
      if (TERMINAL.has(event.state)) this.run.finished_at = event.at;
    }
    this.run.last_seq = event.seq;
    this.log.unshift(event);
    this.render();
  }

  connection(state, at) {
    const box = this.field("connection");
    box.dataset.state = state;
    const time = at ? at.toLocaleTimeString("en-GB") : "—";
    box.textContent = { live: "Live", reconnecting: "Reconnecting…", polling: `Polling — updated ${time}`, offline: `Offline — showing data from ${time}` }[state];
    this.live = state === "live" || state === "polling";
  }

  elapsed() {
    if (!this.run) return 0;
    const end = this.run.finished_at ? new Date(this.run.finished_at) : new Date();
    return (end - new Date(this.run.created_at)) / 1000;
  }

  tick() {
    if (this.run && this.live && !TERMINAL.has(this.run.status)) {
      this.field("elapsed").textContent = seconds(this.elapsed());
      if (this.chart) this.drawGantt();
    }
  }

  render() {
    const run = this.run;
    const status = this.field("status");
    status.textContent = run.status;
    status.className = `state-badge state-${run.status}`;
    this.field("elapsed").textContent = seconds(this.elapsed());
    const counts = {};
    for (const task of Object.values(run.tasks)) counts[task.state] = (counts[task.state] ?? 0) + 1;
    const remaining = (counts.pending ?? 0) + (counts.ready ?? 0) + (counts.retrying ?? 0);
    this.field("counters").textContent = `✓ ${counts.succeeded ?? 0} · ▶ ${counts.running ?? 0} · ✕ ${counts.failed ?? 0} · remaining ${remaining}`;
    this.cy.batch(() => {
      for (const [key, task] of Object.entries(run.tasks)) {
        const node = this.nodes[key];
        if (!node) continue;
        node.classes(`task ${task.state}`);
        node.data("label", `${STATES[task.state][1]} ${key}\n${node.data("name")}`);
      }
    });
    this.field("task-list").replaceChildren(
      ...Object.entries(run.tasks).map(([key, task]) => el("li", { textContent: `${key}: ${STATES[task.state][2]}` })),
    );
    this.renderLegend();
    this.renderControls();
    this.renderManual();
    this.renderLog();
    this.drawGantt();
    raceLine();
  }

  renderLegend() {
    const legend = this.field("legend");
    if (!legend || legend.childElementCount) return;
    legend.replaceChildren(
      ...Object.entries(STATES).map(([, [colour, icon, label]]) => {
        const swatch = el("span", { className: "swatch", ariaHidden: "true" });
        swatch.style.background = colour;
        swatch.style.border = "1px solid #64748b";
        return el("span", {}, swatch, `${icon} ${label}`);
      }),
    );
  }

  renderControls() {
    for (const button of this.root.querySelectorAll("[data-control]")) {
      const action = button.dataset.control;
      button.disabled =
        (action === "pause" && this.run.status !== "running") ||
        (action === "resume" && this.run.status !== "paused") ||
        (action === "cancel" && TERMINAL.has(this.run.status));
      button.onclick = () => this.act(button, `${this.info.api}${action}/`);
    }
  }

  async act(button, url) {
    button.disabled = true;
    try {
      await post(url);
    } catch (error) {
      this.field("connection").textContent = error.message;
    } finally {
      button.disabled = false;
    }
  }

  renderManual() {
    const box = this.field("manual");
    if (!box) return;
    const waiting = Object.entries(this.run.tasks).filter(([, t]) => t.executor === "manual" && ["ready", "running"].includes(t.state));
    if (!waiting.length) {
      box.replaceChildren(el("p", { className: "empty", textContent: "No task needs a person right now." }));
      return;
    }
    box.replaceChildren(
      ...waiting.map(([key, task]) => {
        const name = this.nodes[key]?.data("name") ?? "";
        const actions = task.state === "ready" ? ["start", "complete", "fail"] : ["complete", "fail"];
        return el(
          "div",
          { className: "manual-task" },
          el("span", { textContent: `${key} ${name} (${task.state})` }),
          ...actions.map((action) => {
            const button = el("button", { type: "button", className: action === "fail" ? "button-danger" : "button-quiet", textContent: action[0].toUpperCase() + action.slice(1), ariaLabel: `${action} ${key}` });
            button.onclick = () => this.act(button, `${this.info.api}tasks/${key}/${action}/`);
            return button;
          }),
        );
      }),
    );
  }

  renderLog() {
    const body = this.field("log");
    if (!body) return;
    const filter = this.field("filter");
    if (!filter.oninput) filter.oninput = () => this.renderLog();
    const wanted = filter.value.trim().toLowerCase();
    const rows = this.log
      .filter((e) => !wanted || `${e.task} ${e.state} ${e.data.from ?? ""}`.toLowerCase().includes(wanted))
      .slice(0, 300)
      .map((e) =>
        el(
          "tr",
          {},
          el("td", { textContent: String(e.seq) }),
          el("td", { textContent: new Date(e.at).toLocaleTimeString("en-GB") }),
          el("td", { textContent: e.task || "run" }),
          el("td", { textContent: `${e.data.from ?? "—"} → ${e.state ?? e.kind}` }),
          el("td", { textContent: e.data.by ?? "engine" }),
        ),
      );
    body.replaceChildren(...rows);
  }

  drawGantt() {
    const canvas = this.field("gantt");
    if (!canvas) return;
    const keys = Object.keys(this.info.planned);
    const start = new Date(this.run.created_at);
    const scale = this.info.time_scale;
    const actual = keys.map((key) => {
      const task = this.run.tasks[key];
      if (!task.started_at) return null;
      const from = (new Date(task.started_at) - start) / 1000;
      const to = ((task.finished_at ? new Date(task.finished_at) : new Date()) - start) / 1000;
      return [from, Math.max(to, from)];
    });
    const data = {
      labels: keys,
      datasets: [
        { label: "Planned", data: keys.map((k) => this.info.planned[k].map((t) => t * scale)), backgroundColor: "#cbd5e1" },
        { label: "Actual", data: actual, backgroundColor: keys.map((k) => STATES[this.run.tasks[k].state][0]), borderColor: "#334155", borderWidth: 1 },
      ],
    };
    if (this.chart) {
      this.chart.data = data;
      this.chart.update("none");
      return;
    }
    this.chart = new window.Chart(canvas, {
      type: "bar",
      data,
      options: { indexAxis: "y", animation: false, maintainAspectRatio: false, scales: { x: { type: "linear", min: 0, title: { display: true, text: "seconds" } } } },
    });
  }
}

function raceLine() {
  const line = document.getElementById("race");
  if (!line) return;
  const done = views.filter((v) => v.run && TERMINAL.has(v.run.status));
  if (done.length < views.length) {
    line.textContent = `${done.length} of ${views.length} runs finished.`;
    return;
  }
  const ranked = [...views].sort((a, b) => a.elapsed() - b.elapsed());
  const [first, second] = ranked;
  line.textContent = `Run ${first.info.id} (${first.info.blueprint}) finished first, ${seconds(second.elapsed() - first.elapsed())} before run ${second.info.id} (${second.info.blueprint}).`;
}

window.addEventListener("DOMContentLoaded", () => {
  for (const info of page.runs) {
    const root = document.querySelector(`.run-view[data-run="${info.id}"]`);
    views.push(new RunView(root, info));
  }
  window.vividoRuns = views;
});
