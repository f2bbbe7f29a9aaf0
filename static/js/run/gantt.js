// Planned against actual: one row per task, the planned bar in grey behind, and in front of it
// EVERY attempt of the task, coloured by its outcome, compensations too. Redrawn at most four
// times a second, however many events arrive.

import { OUTCOME_COLOURS } from "./states.js";

const EVERY_MS = 250;
const ROW_PX = 18;

function colourOf(entry) {
  if (entry.outcome) return OUTCOME_COLOURS[entry.outcome] ?? "#94a3b8";
  return entry.kind === "compensation" ? OUTCOME_COLOURS.compensating : OUTCOME_COLOURS.running;
}

export class RunGantt {
  constructor(canvas, info) {
    this.canvas = canvas;
    this.info = info;
    this.last = 0;
    this.timer = null;
    this.source = null;
  }

  // Ask for a redraw; it happens now if the last one is old enough, else a little later.
  request(run) {
    if (!this.canvas || !window.Chart) return;
    this.source = run;
    if (this.timer) return;
    const wait = Math.max(0, this.last + EVERY_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = performance.now();
      this.draw(this.source);
    }, wait);
  }

  data(run) {
    const keys = Object.keys(run.tasks);
    const start = new Date(run.created_at);
    const now = new Date();
    const at = (time) => (time ? (new Date(time) - start) / 1000 : null);
    const scale = this.info.time_scale;
    const lanes = []; // lanes[i][taskIndex] = {range, colour}: the i-th attempt-or-compensation
    keys.forEach((key, row) => {
      (run.tasks[key].history ?? []).forEach((entry, i) => {
        if (!entry.started_at) return;
        const from = at(entry.started_at);
        const to = entry.finished_at ? at(entry.finished_at) : (now - start) / 1000;
        lanes[i] ??= keys.map(() => null);
        lanes[i][row] = { range: [from, Math.max(to, from + 0.01)], colour: colourOf(entry), entry };
      });
    });
    const datasets = [
      {
        label: "Planned",
        data: keys.map((k) => (this.info.planned[k] ?? [0, 0]).map((t) => t * scale)),
        backgroundColor: "#cbd5e1",
        grouped: false,
        barPercentage: 0.95,
        categoryPercentage: 1,
        order: 2,
      },
      ...lanes.map((lane, i) => ({
        label: `Attempt lane ${i + 1}`,
        data: lane.map((bar) => (bar ? bar.range : null)),
        backgroundColor: lane.map((bar) => (bar ? bar.colour : "transparent")),
        borderColor: "#334155",
        borderWidth: 1,
        borderSkipped: false,
        grouped: false,
        barPercentage: 0.55,
        categoryPercentage: 1,
        order: 1,
        entries: lane.map((bar) => bar?.entry ?? null),
      })),
    ];
    return { labels: keys, datasets };
  }

  draw(run) {
    const data = this.data(run);
    const rows = data.labels.length;
    const box = this.canvas.parentElement;
    const height = Math.max(220, rows * ROW_PX + 60);
    if (box.dataset.height !== String(height)) {
      box.dataset.height = String(height);
      box.style.height = `${height}px`;
    }
    if (this.chart) {
      this.chart.data = data;
      this.chart.update("none");
      return;
    }
    this.chart = new window.Chart(this.canvas, {
      type: "bar",
      data,
      options: {
        indexAxis: "y",
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: {
          x: { type: "linear", min: 0, position: "top", title: { display: true, text: "seconds since the run started" } },
          y: { ticks: { autoSkip: false, font: { size: 11 } } },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (context) => {
                const raw = context.raw;
                if (!raw) return "";
                const span = `${raw[0].toFixed(1)} → ${raw[1].toFixed(1)} s`;
                if (context.dataset.label === "Planned") return `planned ${span}`;
                const entry = context.dataset.entries?.[context.dataIndex];
                if (!entry) return span;
                const what = entry.kind === "compensation" ? `compensation ${entry.attempt}` : `attempt ${entry.attempt}`;
                return `${what}: ${entry.outcome ?? "going"} · ${span}`;
              },
            },
          },
        },
      },
    });
  }
}
