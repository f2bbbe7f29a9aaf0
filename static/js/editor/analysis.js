// Live analysis of the unsaved flow: the summary bar, the critical path on the canvas and
// the text alternative (the task list) for screen readers.

import { versionOf } from "../api.js";
import { el as element } from "../dom.js";
import { documentFrom } from "../graph.js";
import { say } from "./messages.js";

const $ = (id) => document.getElementById(id);

export function analyseSoon(ed, delay = 250) {
  clearTimeout(ed.analysisTimer);
  ed.analysisTimer = setTimeout(() => analyse(ed), delay);
}

async function analyse(ed) {
  const mine = (ed.analysisRun = (ed.analysisRun ?? 0) + 1);
  const { response, data } = await ed.api(ed.page.api.analyse, { method: "POST", body: documentFrom(ed.cy, ed.meta) });
  if (mine !== ed.analysisRun) return;
  if (!response.ok) {
    $("summary-figures").textContent = "Not analysed:";
    say(ed, data?.message ?? `analysis failed (${response.status})`, "error");
    return;
  }
  showAnalysis(ed, data);
}

// The stored flow's analysis, fetched beside the flow itself; `version` must match the
// version loaded, else the flow is analysed afresh.
export function storedAnalysis(ed, { response, data }, version) {
  if (response.ok && versionOf(response) === version && !ed.analysisRun) showAnalysis(ed, data);
  else analyseSoon(ed, 0);
}

function showAnalysis(ed, data) {
  performance.mark("vivido:analysed");
  ed.analysis = data;
  const c = data.cycle_time;
  const n = data.critical_path.length;
  $("summary-figures").textContent =
    `Sequential ${ed.duration(c.sequential)} · Hybrid ${ed.duration(c.hybrid)} · Parallel ${ed.duration(c.parallel)} · ` +
    `critical path ${n} ${n === 1 ? "task" : "tasks"}`;
  const critical = new Set(data.critical_path);
  const byKey = {};
  const { cy } = ed;
  cy.batch(() => {
    cy.nodes(".task").forEach((node) => {
      byKey[node.data("key")] = node;
      node.toggleClass("critical", critical.has(node.data("key")));
    });
    cy.edges().removeClass("critical");
    data.critical_path.forEach((key, i) => {
      const next = data.critical_path[i + 1];
      if (next && byKey[key] && byKey[next]) byKey[key].edgesTo(byKey[next]).addClass("critical");
    });
  });
  $("task-list").replaceChildren(
    ...cy.nodes(".task").map((node) => {
      const key = node.data("key");
      const slack = data.tasks[key]?.slack ?? 0;
      return element(
        "li",
        {},
        `${key} ${node.data("name")}: likely ${ed.duration(node.data("likely"))}, slack ${ed.duration(slack)}${critical.has(key) ? ", on the critical path" : ""}`,
      );
    }),
  );
}
