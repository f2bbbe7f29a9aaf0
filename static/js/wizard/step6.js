// Step 6: the blueprints measured on the resource-constrained schedule, the dependency
// audit, the cost of speed when set, and the recommendation with its reasons.

import { el } from "../dom.js";
import { duration, live, page, state } from "./core.js";
import { auditRanking, blueprintColumns } from "./figures.js";

export const charts = [];

function recommendation() {
  const rec = state.assessment.outcome.recommendation;
  if (!rec) return el("p", { className: "empty", textContent: "Add tasks in step 1 to get a recommendation." });
  return el(
    "div",
    { className: "recommendation", role: "region", ariaLabel: "Recommendation" },
    el("p", { className: "hint", textContent: "Recommendation" }),
    el("p", { className: "blueprint", textContent: rec.label }),
    el("p", { className: "rule", textContent: `Because ${rec.rule}. Decided by: ${rec.deciding.join(", ")}.` }),
    el("ul", {}, ...rec.reasons.map((r) => el("li", { textContent: r }))),
  );
}

// The chain that drives the parallel finish: "→" a dependency, "⇢ (pool)" a wait for a
// busy pool, "⇢ (phase)" a phase barrier.
function criticalText(figures) {
  const chain = figures.blueprints.parallel?.critical_chain;
  if (!chain?.length) return figures.critical_path.join(" → ") || "—";
  return chain.map((link, i) => (i === 0 ? link.key : link.via === "resource" ? ` ⇢ (pool) ${link.key}` : link.via === "phase" ? ` ⇢ (phase) ${link.key}` : ` → ${link.key}`)).join("");
}

function measured() {
  charts.splice(0).forEach((c) => c.destroy());
  const figures = state.assessment.outcome.figures;
  const simulation = figures.simulation;
  return el(
    "div",
    {},
    el("p", { className: "hint", textContent: figures.constrained ? "Every figure respects the pools: a task waits while its pool is busy." : "No task needs a pool, so nothing waits for one." }),
    el("p", { className: "critical-line", textContent: `Critical path: ${criticalText(figures)}` }),
    blueprintColumns(charts),
    simulation ? el("p", { className: "hint", textContent: `P50 and P80 from ${simulation.iterations} simulated runs (seed ${simulation.seed}).` }) : null,
    el("h2", { textContent: "Dependency audit" }),
    auditRanking(),
    recommendation(),
    el(
      "p",
      { className: "no-print" },
      el("a", { href: page.api.report, textContent: "Open the report (prints to PDF)" }),
      " · ",
      el("a", { href: page.api.markdown, textContent: "Download as Markdown" }),
    ),
  );
}

export function build() {
  return [live("measured", measured)];
}

export function summary() {
  const rec = state.assessment.outcome.recommendation;
  const f = rec && state.assessment.outcome.figures.blueprints[rec.blueprint];
  return rec ? `${rec.label} confirmed${f ? ` — ${duration(f.cycle_time)}` : ""}.` : "Confirmed.";
}
