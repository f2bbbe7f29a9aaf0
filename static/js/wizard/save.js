// Saving as the user goes. Flow edits go through the graph API (If-Match, one save after
// another), settings through the flow API, answers through the assessment API. Answers are
// recorded when they change, not read back from the controls later: a step may be gone
// from the screen by the time the delayed save runs.

import { callApi, ifMatch, versionOf } from "../api.js";
import { api, hooks, saysSaved, showError, state } from "./core.js";

// What the visit to the current step changed (a step left unchanged is not confirmed again).
export const visit = { changed: false };

// Checks run before leaving a step (a half-typed estimate row, say); each returns true when
// nothing is left unsaved, or shows why and returns false.
export const leaveChecks = new Set();

let dirtyDoc = false;
let docTimer = null;
let saveQueue = Promise.resolve(true);

export function docChanged({ structure = false } = {}) {
  dirtyDoc = true;
  visit.changed = true;
  saysSaved("Unsaved changes");
  clearTimeout(docTimer);
  docTimer = setTimeout(saveDoc, 800);
  hooks.graph({ structure });
}

export function hasUnsaved() {
  return dirtyDoc || Object.keys(pending).length > 0;
}

// Saves run one after another: a second PUT on the same version would be a conflict.
export function saveDoc() {
  clearTimeout(docTimer);
  return enqueue(putDoc);
}

// Saves waiting or under way: "Saved" is shown only once none is left.
let queued = 0;
function enqueue(job) {
  queued += 1;
  const run = async () => {
    try {
      return await job();
    } finally {
      queued -= 1;
      if (!queued && document.getElementById("wizard-save").textContent === "Saving…") saysSaved(settled());
    }
  };
  saveQueue = saveQueue.then(run, run);
  return saveQueue;
}

// A save's refusal is shown in the step's alert; the next successful save takes it away,
// but leaves any other message (a row being typed) alone.
let refusal = "";
function refused(message) {
  refusal = message;
  showError(message);
}
function accepted() {
  if (refusal && document.getElementById("step-error").textContent === refusal) showError("");
  refusal = "";
}

function settled() {
  return dirtyDoc ? "Unsaved changes" : queued > 1 ? "Saving…" : "Saved";
}

async function putDoc() {
  if (!dirtyDoc) return true;
  saysSaved("Saving…");
  const sent = JSON.stringify(state.doc);
  const { response, data } = await callApi(api.graph, { method: "PUT", body: JSON.parse(sent), headers: ifMatch(state.version) });
  if (response.ok) {
    state.version = versionOf(response);
    if (JSON.stringify(state.doc) === sent) dirtyDoc = false;
    await refreshAssessment();
    saysSaved(settled());
    accepted();
    return true;
  }
  if (response.status === 412) {
    refused("Someone else saved this flow meanwhile. Reload the page to continue from their version; your last edit is still on screen.");
  } else {
    refused(`Not saved: ${data?.message ?? response.status}`);
    markFields(data?.fields);
  }
  saysSaved("Not saved");
  return false;
}

// A flow setting (time unit, handoff delay, sync overhead, value per time unit) through
// the flow API, in the same queue as the graph saves so that versions stay in step.
export function saveSetting(name, value) {
  visit.changed = true;
  state.doc[name] = value;
  saysSaved("Saving…");
  return enqueue(async () => {
    const { response, data } = await callApi(api.flow, { method: "PATCH", body: { [name]: value } });
    if (!response.ok) {
      const message = data?.[name]?.[0] ?? data?.message ?? `the server answered ${response.status}`;
      refused(`Not saved: ${message}`);
      saysSaved("Not saved");
      return false;
    }
    // A graph save still pending carries the new value too, so it may build on this version.
    state.version = data.version;
    await refreshAssessment();
    saysSaved(settled());
    return true;
  });
}

export async function refreshAssessment() {
  const { response, data } = await callApi(api.assessment);
  if (!response.ok) return;
  state.assessment = mergePending(data);
  hooks.computed();
}

// Answers --------------------------------------------------------------------------------

let pending = {};
let answerTimer = null;

// Records one answer now (part: "readiness" or "sheet") and saves it shortly after.
export function recordAnswer(part, key, value) {
  visit.changed = true;
  pending[part] = { ...pending[part], [key]: value };
  const answers = state.assessment.answers;
  answers[part] = { ...answers[part], [key]: value };
  clearTimeout(answerTimer);
  answerTimer = setTimeout(() => saveStep({ confirm: false }), 400);
}

function mergePending(data) {
  for (const [part, values] of Object.entries(pending)) {
    data.answers[part] = { ...data.answers[part], ...values };
  }
  return data;
}

// Sends the recorded answers (and the step's confirmation); false, with the reason shown,
// when the server refuses. opened: tell the server this step is now open, even with no
// answer to send.
export function saveStep({ confirm, step = state.step, opened = false }) {
  clearTimeout(answerTimer);
  const answers = pending;
  pending = {};
  if (!confirm && !opened && !Object.keys(answers).length) return Promise.resolve(true);
  return enqueue(async () => {
    const { response, data } = await callApi(api.assessment, { method: "PATCH", body: { step, answers, confirm } });
    if (!response.ok) {
      pending = { ...answers, ...pending };
      refused(data?.message ?? `The server answered ${response.status}.`);
      markFields(data?.fields);
      return false;
    }
    state.assessment = mergePending(data);
    accepted();
    hooks.computed();
    return true;
  });
}

function markFields(fields) {
  for (const field of Object.keys(fields ?? {})) {
    const target = document.querySelector(`[data-field="${CSS.escape(field)}"]`);
    if (target) {
      target.setAttribute("aria-invalid", "true");
      target.focus();
    }
  }
}

// Leaving the page (a tab of the flow bar, closing the tab) within the moment before a
// save: what is pending still goes, with keepalive requests that outlive the page.
export function saveOnExit() {
  clearTimeout(answerTimer);
  clearTimeout(docTimer);
  if (Object.keys(pending).length) {
    callApi(api.assessment, { method: "PATCH", keepalive: true, body: { step: state.step, answers: pending, confirm: false } }).catch(() => {});
    pending = {};
  }
  if (dirtyDoc) {
    callApi(api.graph, { method: "PUT", keepalive: true, headers: ifMatch(state.version), body: state.doc }).catch(() => {});
  }
}

// Everything typed or chosen on this step, saved: run before any change of step.
export async function flushAll() {
  for (const check of leaveChecks) if (!check()) return false;
  const answered = await saveStep({ confirm: false });
  const saved = await saveDoc();
  return answered && saved;
}
