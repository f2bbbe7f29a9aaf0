// A simulation too costly for a request runs as a background job on the server: its
// progress arrives over the job's websocket (polled instead where the socket fails), Cancel
// stops it, and when it ends the kept result is fetched and drawn.

import { callApi, getJson } from "../api.js";
import { duration, number, page } from "./context.js";

const ENDED = new Set(["succeeded", "failed", "cancelled"]);
const box = document.getElementById("job");
const bar = document.getElementById("job-progress");
const label = document.getElementById("job-label");
const cancelButton = document.getElementById("job-cancel");
let current = null;

function jobUrl(id) {
  return `${page.api.simulations}jobs/${id}/`;
}

function show(state, cancelling = false) {
  bar.value = state.progress;
  const share = `${Math.round(state.progress * 100)}%`;
  bar.setAttribute("aria-valuetext", share);
  if (cancelling) label.textContent = `Cancelling at ${share}…`;
  else if (state.state === "queued") label.textContent = "Waiting for a worker…";
  else if (state.result?.best !== undefined) {
    // An optimisation: the best schedule found so far and the bound no schedule can beat.
    label.textContent = `Searching in the background: ${share} · best ${duration(state.result.best)}, bound ${duration(state.result.bound)}`;
  } else label.textContent = `Running in the background: ${share}`;
}

// Follow a job until it ends; resolves with its last state. `onEnd` is not called for a job
// that was superseded (a newer one followed, or `stop()` called).
export function follow(job, { onEnd }) {
  stop();
  const me = { id: job.job, socket: null, timer: null, done: false, cancelling: false };
  current = me;
  box.hidden = false;
  box.dataset.job = me.id;
  cancelButton.disabled = false;
  show(job);
  const finish = (state) => {
    if (me.done) return;
    me.done = true;
    me.socket?.close();
    clearTimeout(me.timer);
    if (current === me) {
      current = null;
      box.hidden = true;
      onEnd(state);
    }
  };
  const update = (state) => {
    if (current !== me || me.done) return;
    if (ENDED.has(state.state)) finish(state);
    else show(state, me.cancelling);
  };
  const poll = async () => {
    if (me.done) return;
    try {
      update(await getJson(jobUrl(me.id)));
    } catch {
      // the next poll tries again
    }
    if (!me.done) me.timer = setTimeout(poll, 1000);
  };
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  try {
    me.socket = new WebSocket(`${scheme}://${window.location.host}/ws/simulations/${me.id}/`);
    me.socket.addEventListener("message", (event) => update(JSON.parse(event.data)));
    // Closed before the end (a proxy, a restart): fall back to polling.
    me.socket.addEventListener("close", () => {
      if (!me.done && !me.timer) poll();
    });
  } catch {
    poll();
  }
  return me;
}

export function stop() {
  if (!current) return;
  const me = current;
  current = null;
  me.done = true;
  me.socket?.close();
  clearTimeout(me.timer);
  box.hidden = true;
}

export function following() {
  return current !== null;
}

cancelButton.addEventListener("click", async () => {
  if (!current) return;
  cancelButton.disabled = true;
  current.cancelling = true;
  label.textContent = "Cancelling…";
  await callApi(jobUrl(current.id), { method: "DELETE" });
  // The socket (or the poll) reports `cancelled` once the worker has stopped.
});

export function cancelSuperseded(id) {
  // A what-if that is no longer on screen is not worth the server's time.
  return callApi(jobUrl(id), { method: "DELETE" }).catch(() => {});
}

export function describe(result) {
  return `${number(result.iterations)} iterations, seed ${result.seed}, in ${number(result.elapsed_seconds)} s`;
}
