// One run's dashboard (the run page, or a card of the compare page). The feed hands it
// snapshots and events; events are queued and applied in batches at most once per animation
// frame, and each batch touches only what changed: the nodes and list items of the tasks that
// moved, the counters, the top of the log; the Gantt redraws at most four times a second.

import { RunFeed } from "../runfeed.js";
import { Controls } from "./controls.js";
import { RunGantt } from "./gantt.js";
import { RunGraph } from "./graph.js";
import { EventLog } from "./log.js";
import { RunModel } from "./model.js";
import { Pads } from "./pads.js";
import { TaskList, TaskPanel } from "./panel.js";
import { el } from "../dom.js";
import { TASK_STATES, TERMINAL } from "../states.js";
import { clock, legendItems, manualActions, seconds } from "./states.js";

const BADGES = {
  connecting: () => "Connecting…",
  live: () => "Live",
  reconnecting: () => "Reconnecting…",
  polling: (at) => `Polling — updated ${clock(at)}`,
  offline: (at) => `Offline — showing data from ${clock(at)}`,
};
const OPTIONAL_COUNTERS = ["retrying", "skipped", "cancelled", "compensating", "compensated"];

// Redraw a box without losing the keyboard's place: focus goes back to the control with the
// same accessible name, or to the box's first control.
function keepingFocus(box, redraw) {
  const focused = document.activeElement;
  const inside = box && focused && box.contains(focused) && focused !== box;
  const name = inside ? focused.getAttribute("aria-label") ?? focused.textContent : null;
  redraw();
  if (!inside || box.contains(focused)) return;
  const controls = [...box.querySelectorAll("button, a[href], input")];
  const again = controls.find((c) => (c.getAttribute("aria-label") ?? c.textContent) === name) ?? controls[0];
  again?.focus();
}

export class RunView {
  constructor(root, info, { onChange = () => {}, openTask = null } = {}) {
    this.root = root;
    this.info = info;
    this.onChange = onChange;
    this.openTask = openTask; // a task to show in the panel once the run is known (#task=KEY)
    this.field = (name) => root.querySelector(`[data-field="${name}"]`);
    this.model = new RunModel();
    this.queue = [];
    this.stats = { events: 0, batches: 0, maxLag: 0, firstRender: null, renderMs: null };
    this.connection = "connecting";
    this.chosen = null;

    this.graph = new RunGraph(this.field("graph"), info.document, { onSelect: (key) => this.choose(key) });
    this.controls = new Controls(root, info.api, { onBusy: (key) => this.busyChanged(key) });
    const wrap = this.field("graph").parentElement;
    this.pads = wrap.classList.contains("run-graph-wrap") ? new Pads(wrap, this.graph, this.controls) : null;
    this.list = new TaskList(this.field("task-list"), this.graph, (key) => this.choose(key));
    this.panel = new TaskPanel(this.field("panel"), this.graph, this.controls, () => this.choose(null));
    this.gantt = new RunGantt(this.field("gantt"), info);
    this.eventLog = new EventLog(this.field("log") ? root : null, info.api);
    this.renderLegend();

    this.feed = new RunFeed({
      socket: info.socket,
      api: info.api,
      onSnapshot: (run, seq) => this.snapshot(run, seq),
      onEvents: (events) => this.enqueue(events),
      onConnection: (state, at) => this.connected(state, at),
    });
    this.feed.start();
    this.clock = setInterval(() => this.tick(), 1000);
  }

  get run() {
    return this.model.run;
  }

  get nodes() {
    return this.graph.nodes;
  }

  // -- from the feed --------------------------------------------------------------------------

  snapshot(run, seq) {
    // A snapshot older than the state already held (a poll got further first) changes nothing:
    // the events after it are already applied.
    if (this.model.run && seq < this.model.seq) return;
    const first = !this.model.run;
    const began = performance.now();
    this.model.replace(run, seq);
    this.renderAll();
    if (first) {
      this.stats.firstRender = performance.now(); // since the navigation started
      this.stats.renderMs = this.stats.firstRender - began; // the snapshot's own render
      // The history loads after the first frame is on screen.
      setTimeout(() => this.eventLog.loadHistory(seq), 0);
      if (this.openTask && run.tasks[this.openTask]) this.choose(this.openTask);
    }
  }

  enqueue(events) {
    const now = performance.now();
    for (const event of events) {
      event.arrived = now;
      this.queue.push(event);
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const flush = () => {
      if (!this.scheduled) return;
      this.scheduled = false;
      this.flush();
    };
    requestAnimationFrame(flush);
    setTimeout(flush, 200); // a hidden tab gets no frames; its state still keeps up
  }

  flush() {
    const events = this.queue;
    this.queue = [];
    if (!events.length) return;
    const changed = this.model.apply(events);
    this.eventLog.add(events);
    this.render(changed);
    const lag = performance.now() - events[0].arrived;
    this.stats.events += events.length;
    this.stats.batches += 1;
    this.stats.maxLag = Math.max(this.stats.maxLag, lag);
  }

  // The badge's state is announced when it changes; the time a poll updates is not.
  connected(state, at) {
    const badge = this.field("connection");
    const [label, time] = BADGES[state](at).split(" — ");
    if (this.connection !== state || !badge.firstElementChild) {
      badge.dataset.state = state;
      const when = el("span", { className: "connection-time" });
      if (state === "polling") when.setAttribute("aria-hidden", "true"); // a new time each second
      badge.replaceChildren(el("span", { textContent: label }), when);
    }
    this.connection = state;
    badge.lastElementChild.textContent = time ? ` — ${time}` : "";
    badge.title = time ? `${label} — ${time}` : label;
  }

  // -- rendering ------------------------------------------------------------------------------

  renderAll() {
    const keys = Object.keys(this.run.tasks);
    this.graph.update(this.run.tasks, keys);
    this.render({ tasks: new Set(keys), run: true }, { all: true });
  }

  render(changed, { all = false } = {}) {
    const run = this.run;
    if (!run) return;
    const keys = [...changed.tasks];
    if (!all) this.graph.update(run.tasks, keys);
    this.list.update(run.tasks, keys);
    this.renderHeader();
    if (changed.run || all) this.controls.render(run);
    const manual = all || keys.some((key) => run.tasks[key]?.executor === "manual");
    if (manual) {
      this.renderManual();
      this.pads?.render(run.tasks, all ? keys : keys.filter((key) => run.tasks[key]?.executor === "manual"));
    }
    if (this.chosen && (all || changed.tasks.has(this.chosen))) keepingFocus(this.panel.box, () => this.panel.render(run.tasks[this.chosen]));
    if (this.eventLog.dirty) this.eventLog.render();
    this.gantt.request(run);
    this.onChange(this);
  }

  renderHeader() {
    const run = this.run;
    const status = this.field("status");
    if (status.textContent !== run.status) {
      status.textContent = run.status;
      status.className = `state-badge state-${run.status}`;
    }
    this.field("elapsed").textContent = seconds(this.model.elapsed());
    const counts = this.model.counts();
    const total = Object.keys(run.tasks).length;
    const parts = [
      ["succeeded", `✓ ${counts.succeeded ?? 0}`],
      ["running", `▶ ${counts.running ?? 0}`],
      ["failed", `✕ ${counts.failed ?? 0}`],
      ...OPTIONAL_COUNTERS.filter((state) => counts[state]).map((state) => [state, `${TASK_STATES[state].icon} ${counts[state]} ${state}`]),
      ["remaining", `remaining ${(counts.pending ?? 0) + (counts.ready ?? 0)} of ${total} tasks`],
    ];
    const box = this.field("counters");
    const text = parts.map(([, t]) => t).join(" · ");
    if (box.dataset.text === text) return;
    box.dataset.text = text;
    const children = [];
    parts.forEach(([state, t], i) => {
      if (i) children.push(" · ");
      const span = el("span", { textContent: t, title: state === "remaining" ? "pending or ready" : state });
      span.dataset.count = state;
      children.push(span);
    });
    box.replaceChildren(...children);
  }

  renderLegend() {
    const legend = this.field("legend");
    if (legend && !legend.childElementCount) legend.replaceChildren(...legendItems());
  }

  renderManual() {
    const box = this.field("manual");
    if (!box) return;
    const waiting = Object.entries(this.run.tasks).filter(([, task]) => manualActions(task).length);
    if (!waiting.length) {
      box.replaceChildren(el("p", { className: "empty", textContent: "No task needs a person right now." }));
      return;
    }
    keepingFocus(box, () =>
      box.replaceChildren(
        ...waiting.map(([key, task]) =>
          el("div", { className: "manual-task" }, el("span", { textContent: `${key} ${this.graph.name(key)} (${task.state})` }), ...this.controls.taskButtons(key, task)),
        ),
      ),
    );
  }

  busyChanged(key) {
    if (!this.run) return;
    if (!key) {
      this.controls.render(this.run);
      return;
    }
    this.renderManual();
    this.pads?.render(this.run.tasks, [key]);
    if (this.chosen === key) keepingFocus(this.panel.box, () => this.panel.render(this.run.tasks[key]));
  }

  choose(key) {
    if (!this.panel.box) return;
    // Closing the panel from inside it puts the keyboard back on the task it showed.
    const back = !key && this.chosen && this.panel.box.contains(document.activeElement) ? this.list.items[this.chosen]?.button : null;
    this.chosen = key;
    this.graph.choose(key);
    this.list.choose(key);
    this.panel.show(key, key ? this.run?.tasks[key] : null);
    if (back) {
      back.closest("details")?.setAttribute("open", "");
      back.focus();
    }
  }

  // The clock ticks only while the page knows it is current.
  tick() {
    const run = this.run;
    if (!run || TERMINAL.has(run.status)) return;
    if (this.connection !== "live" && this.connection !== "polling") return;
    this.field("elapsed").textContent = seconds(this.model.elapsed());
    if (Object.values(run.tasks).some((t) => t.state === "running" || t.state === "compensating")) this.gantt.request(run);
    if (this.chosen) this.panel.tick();
  }

  get log() {
    return this.eventLog.newestFirst();
  }
}
