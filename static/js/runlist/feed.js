// The run list's live feed. The flow's websocket (livesocket.js) only nudges ("changed",
// "heartbeat"); the list itself always comes from GET /api/flows/{id}/runs/, so a dropped
// nudge costs at most one heartbeat. Refetches are coalesced (at most one per 300 ms, never
// two at once). Without a hello within 5 s, or once the socket closes or falls silent for
// 2×H + 1 s, the list is polled every 2 s while the socket is retried with backoff. The
// connection state says which.

import { LiveSocket, backoff } from "../livesocket.js";

export class ListFeed {
  // load(limit) fetches and shows the list's newest `limit` runs; wide is the whole list's
  // limit, narrow the grid's: a nudge about a run among the newest `narrow` (or a new one)
  // needs only those.
  constructor({ socket, load, onConnection, wide = 50, narrow = 20, shown = () => [], coalesceMs = 300, pollMs = 2000, helloMs = 5000 }) {
    Object.assign(this, { load, onConnection, wide, narrow, shown, coalesceMs, pollMs });
    this.socket = new LiveSocket({
      path: socket,
      greeting: "hello",
      greetWithin: helloMs,
      heartbeat: 5,
      onMessage: (message) => this.receive(message),
      onDown: () => this.lost(),
    });
    this.wanted = 0;
    this.hiddenStale = false;
    this.failures = 0;
    this.inFlight = false;
    this.dirty = false;
    this.lastStart = 0;
    this.later = null;
    this.pollTimer = null;
    this.lastGood = null;
    this.fetchFailed = false;
    this.state = null;
  }

  start() {
    this.report();
    this.request();
    this.socket.open();
    // A hidden tab fetches nothing; it catches up the moment it is shown again.
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.hiddenStale) {
        this.hiddenStale = false;
        this.request(0);
      }
    });
  }

  receive(message) {
    if (message.type === "hello") {
      this.failures = 0;
      this.stopPolling();
      this.report();
      // Whatever changed while there was no socket.
      this.request();
    } else if (!this.socket.live) {
      return;
    } else if (message.type === "changed") {
      const recent = this.shown().slice(0, this.narrow);
      const known = this.shown().includes(message.run);
      this.request(!known || recent.includes(message.run) ? this.narrow : this.wide);
    } else if (message.type === "heartbeat") {
      this.request();
    }
  }

  lost() {
    this.failures += 1;
    this.startPolling();
    this.report();
    this.socket.retry(backoff(this.failures, 30_000));
  }

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.request(), this.pollMs);
    this.request();
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  // Ask for a refetch: now if the last one started 300 ms ago and none is in flight, else
  // once, as soon as that allows.
  request(limit = this.wide) {
    this.wanted = Math.max(this.wanted, limit);
    if (document.hidden) {
      this.hiddenStale = true;
      return;
    }
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    const wait = this.lastStart + this.coalesceMs - performance.now();
    if (wait > 0) {
      if (!this.later) this.later = setTimeout(() => {
        this.later = null;
        this.request(0);
      }, wait);
      return;
    }
    this.refetch();
  }

  async refetch() {
    this.inFlight = true;
    this.dirty = false;
    this.lastStart = performance.now();
    const limit = this.wanted || this.wide;
    this.wanted = 0;
    try {
      await this.load(limit);
      this.lastGood = new Date();
      this.fetchFailed = false;
    } catch {
      this.fetchFailed = true;
    } finally {
      this.inFlight = false;
    }
    this.report();
    if (this.dirty) this.request(0);
  }

  // live: the list is loaded and the socket said hello and speaks; polling: no socket, the
  // list is fetched every 2 s; offline: the last fetch failed, the page shows what it had.
  report() {
    let state;
    if (this.fetchFailed) state = "offline";
    else if (!this.lastGood) state = "connecting"; // nothing fetched yet: not live, whatever the socket says
    else if (this.socket.live) state = "live";
    else if (this.pollTimer) state = "polling";
    else state = "connecting";
    if (state === this.state && state !== "offline") return;
    this.state = state;
    this.onConnection(state, this.lastGood);
  }
}
