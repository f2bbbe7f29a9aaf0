// Step 4: the independent clusters, each in its own tint (as on the graph), with what
// running it in parallel saves once its pools are taken into account.

import { el } from "../dom.js";
import { TINTS, duration, live, state } from "./core.js";

function clusterList() {
  const clusters = state.assessment.outcome.clusters;
  if (!clusters.length) return el("p", { className: "empty", textContent: "No two tasks can run side by side: every task waits on the one before it through hard dependencies." });
  return el(
    "ol",
    { className: "clusters" },
    ...clusters.map((c, i) => {
      const swatch = el("span", { className: "swatch", ariaHidden: "true" });
      swatch.style.background = TINTS[i % TINTS.length];
      const balance = c.balanced ? "resource needs balanced" : `competes for ${[...new Set(c.contention.map((x) => x.pool))].join(", ")}`;
      const pools = c.saving_unconstrained !== undefined && c.saving_unconstrained !== c.saving ? ` (${duration(c.saving_unconstrained)} if pools were unlimited)` : "";
      return el("li", {}, swatch, `${c.tasks.join(" ∥ ")}: running them in parallel saves ${duration(c.saving)}${pools}; ${balance}.`);
    }),
  );
}

export function build() {
  return [live("clusters", clusterList)];
}
