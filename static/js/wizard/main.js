// The six-step assessment (the entry module the page loads). Steps 1–3 edit the flow itself
// (graph API with If-Match, settings through the flow API); every step's answers and
// confirmation go to the assessment API. Nothing typed or chosen is lost on a change of
// step: pending saves are flushed first, and a step left unchanged is not confirmed again.

import { callApi, versionOf } from "../api.js";
import { toast } from "../toast.js";
import { el } from "../dom.js";
import { $, api, forgetLive, hooks, page, redrawLive, resetFields, showError, state } from "./core.js";
import { drawGraph } from "./graph.js";
import { flushAll, hasUnsaved, leaveChecks, saveOnExit, saveStep, visit } from "./save.js";
import * as step1 from "./step1.js";
import * as step2 from "./step2.js";
import * as step3 from "./step3.js";
import * as step4 from "./step4.js";
import * as step5 from "./step5.js";
import * as step6 from "./step6.js";
import { renderSheet } from "./sheet.js";

const STEPS = [step1, step2, step3, step4, step5, step6];
const DEFINITIONS = {
  1: "List every task, and for each the outputs of other tasks it needs before it can start — a named artifact (“the approved outline”), never “input from team X”.",
  2: "Weigh each dependency. Hard: a logical prerequisite. Soft: waiting helps, but the work could start without it. None: looked at and not needed. The hard ones are the skeleton of any order.",
  3: "How long does each task take — at best, most likely, at worst — and which scarce resources does it need? Tasks needing the same scarce pool cannot all run at once, which limits what parallel work gains.",
  4: "Tasks that share no hard dependency can run side by side. Large clusters whose resource needs do not collide pay off most.",
  5: "Be honest about the team and its tools. Without state handling and monitoring that shows the graph, start mostly sequential and add parallel work later.",
  6: "Compare the blueprints on their numbers — cycle times, the critical path, what each gain costs in coordination — and decide.",
};
const MARKS = { done: "✓", attention: "!", skipped: "–" };
const WORDS = { done: "done", attention: "needs attention", current: "current", todo: "to do", skipped: "skipped" };

async function load() {
  const [graph, assessment, schema] = await Promise.all([callApi(api.graph), callApi(api.assessment), callApi(api.documentSchema)]);
  if (!graph.response.ok || !assessment.response.ok) {
    $("step-title").textContent = "The wizard could not load";
    showError(`The server answered ${graph.response.ok ? assessment.response.status : graph.response.status}. Reload the page to try again.`);
    return;
  }
  state.doc = graph.data;
  state.version = versionOf(graph.response);
  state.assessment = assessment.data;
  const properties = schema.data?.properties ?? {};
  if ("value_per_time_unit" in properties) state.features.add("value_per_time_unit");
  if (JSON.stringify(properties.resources ?? {}).includes("cost_per_unit")) state.features.add("cost_per_unit");
  const wanted = Number(new URLSearchParams(window.location.search).get("step"));
  const first = state.assessment.steps.find((s) => s.state !== "done");
  const step = wanted >= 1 && wanted <= 6 ? wanted : state.assessment.current_step ?? first?.number ?? 6;
  window.vividoWizard = { ...(window.vividoWizard ?? {}), state };
  await open(step);
}

// Shows a step and tells the server which step is open (it marks earlier steps never
// confirmed as skipped, and this one as current).
async function open(step) {
  state.step = step;
  history.replaceState(null, "", `?step=${step}`);
  render();
  $("step-title").focus();
  await saveStep({ confirm: false, step, opened: true });
}

// Leaves the current step for another: everything pending is saved first; confirm marks
// the step done (only when something changed on it or it is not done yet).
async function leave(to, { confirm = false } = {}) {
  const buttons = [$("back"), $("next")];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    if (!(await flushAll())) return false;
    const done = state.assessment.steps.find((s) => s.number === state.step)?.state === "done";
    if (confirm && (visit.changed || !done || state.step === 6)) {
      if (!(await saveStep({ confirm: true }))) return false;
    }
    if (to !== state.step) await open(to);
    return true;
  } finally {
    $("back").disabled = state.step === 1;
    $("next").disabled = false;
  }
}

$("next").addEventListener("click", async () => {
  if (state.step < 6) {
    await leave(state.step + 1, { confirm: true });
    return;
  }
  if (await leave(6, { confirm: true })) toast(step6.summary());
  visit.changed = false;
});
$("back").addEventListener("click", () => leave(Math.max(1, state.step - 1)));
// Pending saves go out as the page is left; a save already refused asks first.
window.addEventListener("pagehide", saveOnExit);
window.addEventListener("beforeunload", (event) => {
  if (hasUnsaved() && $("wizard-save").textContent === "Not saved") {
    event.preventDefault();
    event.returnValue = "";
  }
});

function render() {
  resetFields();
  forgetLive();
  leaveChecks.clear();
  visit.changed = false;
  const step = page.steps[state.step - 1];
  $("step-title").textContent = `${step.number}. ${step.name}`;
  $("step-title").tabIndex = -1;
  $("step-definition").textContent = DEFINITIONS[step.number];
  $("back").disabled = step.number === 1;
  $("next").textContent = step.number === 6 ? "Confirm the recommendation" : "Next";
  showError("");
  const body = $("step-body");
  body.dataset.step = String(state.step);
  body.replaceChildren(...STEPS[state.step - 1].build());
  renderSheet();
  renderStepper();
  drawGraph({ refit: true });
}

// The stepper's buttons are made once and updated in place, so that a keyboard user's
// focus on one of them survives the saves that refresh it.
function renderStepper() {
  const list = $("stepper");
  if (list.children.length !== state.assessment.steps.length) {
    list.replaceChildren(
      ...state.assessment.steps.map((s) => {
        const button = el(
          "button",
          { type: "button", onclick: () => leave(s.number) },
          el("span", { className: "mark", ariaHidden: "true" }),
          `${s.number}. ${s.name}`,
          el("span", { className: "visually-hidden" }),
        );
        return el("li", {}, button);
      }),
    );
  }
  state.assessment.steps.forEach((s, i) => {
    // The step on screen is the current one; the server's "current" elsewhere (a step
    // jumped over) reads as still to do.
    const viewing = s.number === state.step;
    const shown = viewing ? (["todo", "current", "skipped"].includes(s.state) ? "current" : s.state) : s.state === "current" ? "todo" : s.state;
    const button = list.children[i].firstChild;
    button.dataset.state = shown;
    button.querySelector(".mark").textContent = MARKS[shown] ?? String(s.number);
    button.querySelector(".visually-hidden").textContent = ` (${WORDS[shown]})`;
    if (viewing) button.setAttribute("aria-current", "step");
    else button.removeAttribute("aria-current");
  });
}

// After every save: the stepper, the parts drawn from the assessment, and the graph's
// highlight follow the latest figures; what is typed in the step's inputs stays.
hooks.computed = () => {
  renderStepper();
  redrawLive($("step-body"));
  drawGraph();
};
hooks.rerender = () => {
  const body = $("step-body");
  const focused = document.activeElement?.getAttribute("aria-label");
  resetFields();
  forgetLive();
  body.replaceChildren(...STEPS[state.step - 1].build());
  if (focused) body.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
};
hooks.graph = (options) => drawGraph(options);

window.addEventListener("DOMContentLoaded", load);
