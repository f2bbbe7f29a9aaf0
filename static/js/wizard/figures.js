// Texts and blocks drawn from the assessment's outcome, shared by the steps: contention,
// the dependency audit, readiness, and step 6's blueprint columns with their Gantts.

import { ganttConfig } from "../gantt.js";
import { el } from "../dom.js";
import { BLUEPRINT_NAMES } from "../constants.js";
import { duration, percent, state, unit } from "./core.js";
import { formatNumber } from "../common.js";

export function contentionList() {
  const found = state.assessment.outcome.contention;
  if (!found.length) return el("p", { className: "hint", textContent: "No pool is asked for more than it holds by tasks that run at the same time." });
  return el(
    "ul",
    { className: "flag" },
    ...found.map((c) => {
      const when = c.start !== undefined && c.end !== undefined ? ` from ${duration(c.start)} to ${duration(c.end)}` : "";
      return el("li", { textContent: `${c.tasks.join(", ")} would run together${when} but need ${c.demand} of ${c.pool}, which has ${c.capacity}: they limit what parallel work can gain.` });
    }),
  );
}

export function auditEntries() {
  const audit = state.assessment.outcome.audit;
  return Array.isArray(audit) ? audit : audit?.entries ?? [];
}

function auditSentence(entry) {
  if (entry.text) return entry.text;
  return `relaxing ${entry.from} → ${entry.to} saves ${duration(entry.saving)}`;
}

// Next to a dependency's strength choice: what relaxing it would save.
export function auditLine(dep) {
  const entry = auditEntries().find((e) => e.from === dep.from && e.to === dep.to);
  if (!entry) return el("p", { className: "audit-line hint", textContent: dep.strength === "none" ? "Not a constraint." : "" });
  const node = el("p", { className: `audit-line${entry.saving > 0 ? " saves" : ""}`, textContent: entry.saving > 0 ? auditSentence(entry) : `relaxing ${entry.from} → ${entry.to} saves nothing` });
  return node;
}

// The audit ranked: the dependencies whose relaxation saves most, first.
export function auditRanking({ limit = 5 } = {}) {
  const entries = auditEntries().filter((e) => e.saving > 0);
  if (!entries.length) {
    return el("p", { className: "hint", textContent: "Relaxing no single dependency would shorten the parallel or hybrid cycle time." });
  }
  return el(
    "ol",
    { className: "audit-ranking" },
    ...entries.slice(0, limit).map((e) => el("li", { textContent: auditSentence(e) })),
  );
}

export function readinessLine() {
  const ready = state.assessment.outcome.readiness;
  const total = ready.out_of ?? 5;
  const answered = ready.answered ?? total - (ready.missing?.length ?? 0);
  if (ready.score === null || ready.score === undefined || answered === 0) {
    return el("div", {}, el("p", { className: "counts", textContent: "Readiness: not scored yet" }), el("p", { className: "hint", textContent: "Answer the questions above to see where the team stands." }));
  }
  if (answered < total) {
    const left = total - answered;
    return el("div", {}, el("p", { className: "counts", textContent: `Readiness so far ${formatNumber(ready.score)}/${total}` }), el("p", { className: "hint", textContent: `${left} question${left === 1 ? "" : "s"} still to answer before the advice means much.` }));
  }
  return el("div", {}, el("p", { className: "counts", textContent: `Readiness ${formatNumber(ready.score)}/${total}` }), el("p", { textContent: ready.advice }));
}

function money(value) {
  return formatNumber(value, 2);
}

// Where the solver looked for a better levelled schedule: whether this figure is the optimum
// (proven, or how close), and what greedy levelling alone would give.
export function optimisedLine(optimised, cycleTime) {
  if (!optimised) return null;
  const proven = optimised.status === "optimal";
  const gap = Math.max(0, optimised.gap * 100);
  const quality = proven ? "proven optimal" : `best found, within ${gap < 0.1 ? "<0.1" : gap.toFixed(1)}% of optimal`;
  const text =
    optimised.greedy_cycle_time > cycleTime
      ? `optimal schedule, ${quality} · greedy levelling ${duration(optimised.greedy_cycle_time)}`
      : `greedy levelling, ${quality}`;
  return el("p", { className: "optimised", textContent: text });
}

// One blueprint's column: the constrained cycle time, P50 / P80, gain, overhead, cost,
// and a small Gantt of its constrained schedule.
function column(name, f, charts, max) {
  const canvas = el("canvas", { role: "img", ariaLabel: `${BLUEPRINT_NAMES[name]} Gantt chart` });
  const spread = f.p50 !== undefined ? el("p", { className: "spread", textContent: f.p50 === null ? "simulation: no finished run" : `P50 ${duration(f.p50)} · P80 ${duration(f.p80)}` }) : null;
  const unconstrained = f.unconstrained !== undefined && f.unconstrained !== f.cycle_time ? el("p", { className: "hint", textContent: `${duration(f.unconstrained)} if pools were unlimited` }) : null;
  const cost = f.cost
    ? el(
        "dl",
        { className: "cost" },
        el("dt", { textContent: "resource cost" }),
        el("dd", { textContent: money(f.cost.resource_cost) }),
        ...(name === "sequential"
          ? []
          : [
              el("dt", { textContent: "extra cost" }),
              el("dd", { textContent: money(f.cost.extra_cost) }),
              ...(f.cost.value === null || f.cost.value === undefined ? [] : [el("dt", { textContent: "value of time saved" }), el("dd", { textContent: money(f.cost.value) })]),
              el("dt", { textContent: "net" }),
              el("dd", { className: f.cost.net < 0 ? "negative" : "", textContent: money(f.cost.net) }),
            ]),
      )
    : null;
  const node = el(
    "div",
    { className: `column ${name}` },
    el("h2", { textContent: BLUEPRINT_NAMES[name] }),
    el("p", { className: "big", textContent: duration(f.cycle_time) }),
    optimisedLine(f.optimised, f.cycle_time),
    spread,
    unconstrained,
    el("p", { className: "gain", textContent: name === "sequential" ? "the baseline" : f.gain < 0 ? `slower by ${duration(-f.gain)} (${percent(-f.gain_share)})` : `saves ${duration(f.gain)} (${percent(f.gain_share)})` }),
    el("p", { className: "overhead", textContent: `coordination overhead ${duration(f.overhead)}` }),
    cost,
    el("div", { className: "mini-gantt" }, canvas),
  );
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const critical = new Set(f.critical_path ?? state.assessment.outcome.figures.critical_path);
    const { config } = ganttConfig({ tasks: f.schedule, label: (k) => k, colour: () => "#94a3b8", critical, unit: unit(), max });
    charts.push(new window.Chart(canvas, config));
  });
  return node;
}

export function blueprintColumns(charts) {
  const blueprints = state.assessment.outcome.figures.blueprints;
  const max = Math.max(...Object.values(blueprints).map((f) => Math.max(f.cycle_time, ...Object.values(f.schedule).map((s) => s[1]))), 0);
  return el("div", { className: "columns" }, ...Object.entries(blueprints).map(([name, f]) => column(name, f, charts, max)));
}
