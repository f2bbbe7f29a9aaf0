// A run's live feed, honest about its connection (see the websocket contract in README).
//
// Websocket first: a snapshot, then `events` batches in order, and a heartbeat every H
// seconds carrying the run's newest seq. Every event 1…last_seq reaches `onEvents` exactly
// once and in order: events ahead of a gap wait in a buffer while the gap is asked for
// (resync, page by page). "Live" only while messages or heartbeats arrive: silence longer
// than 2×H + 1 s closes the socket and reconnects. A connect that yields no snapshot within
// 5 s has failed; after two failed connects the feed polls the API (the run's state, then its
// events every second) and keeps trying the websocket in the background, which changes the
// badge only when it succeeds.

const CONNECT_TIMEOUT = 5000;
const POLL_EVERY = 1000;
const PAGE = 1000;
const GAP_GRACE = 250; // the stream usually fills a gap by itself within this
const RESYNC_TIMEOUT = 3000;
const FAILS_BEFORE_POLLING = 2;
const SHORT_LIVED = 30_000;
const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`The server answered ${response.status}.`);
  return response.json();
}

export class RunFeed {
  // socket: /ws/runs/{id}/; api: /api/runs/{id}/;
  // onSnapshot(run, seq): the whole state at seq; onEvents([event…]): the next events, in order;
  // onConnection(state, lastGood): "connecting" | "live" | "reconnecting" | "polling" | "offline".
  constructor({ socket, api, onSnapshot, onEvents, onConnection }) {
    Object.assign(this, { socket, api, onSnapshot, onEvents, onConnection });
    this.last = 0; // every event up to this seq has been delivered
    this.known = 0; // the newest seq the server has told of
    this.buffer = new Map();
    this.failures = 0; // connects in a row that gave no snapshot
    this.state = "connecting";
    this.lastGood = null;
    this.snapshotted = false;
    this.ended = false;
    this.polling = false;
    this.ws = null;
  }

  start() {
    this.connect();
  }

  // -- websocket ----------------------------------------------------------------------------

  connect() {
    clearTimeout(this.retryTimer);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let ws;
    try {
      ws = new WebSocket(`${scheme}://${window.location.host}${this.socket}`);
    } catch {
      this.failed(null);
      return;
    }
    this.ws = ws;
    ws.live = false;
    ws.timer = setTimeout(() => this.failed(ws), CONNECT_TIMEOUT);
    ws.addEventListener("message", (message) => {
      if (this.ws !== ws) return;
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      this.heard();
      this.receive(ws, data);
    });
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      if (ws.live) this.lost(ws);
      else this.failed(ws);
    });
  }

  // Drop a socket without hearing from it again.
  discard(ws) {
    if (!ws) return;
    clearTimeout(ws.timer);
    if (this.ws === ws) this.ws = null;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
  }

  failed(ws) {
    if (ws && ws.done) return;
    if (ws) ws.done = true;
    this.discard(ws);
    this.failures += 1;
    if (!this.polling) {
      if (this.failures >= FAILS_BEFORE_POLLING) this.startPolling();
      else this.report("reconnecting");
    }
    this.retry(Math.min(1000 * 2 ** (this.failures - 1), 10_000));
  }

  // A socket that was live dropped or went silent. Reconnect at once; but sockets that keep
  // dying soon after their snapshot (a proxy cutting them) are retried ever more slowly, so
  // the badge cannot flap quickly even then.
  lost(ws) {
    if (ws.done) return;
    ws.done = true;
    this.discard(ws);
    clearInterval(this.watchdog);
    this.shortLived = Date.now() - ws.liveSince < SHORT_LIVED ? (this.shortLived ?? 0) + 1 : 0;
    this.report("reconnecting");
    this.retry(this.shortLived ? Math.min(1000 * 2 ** (this.shortLived - 1), 30_000) : 300);
  }

  retry(delay) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  heard() {
    this.heardAt = Date.now();
    this.lastGood = new Date();
  }

  watch(ws) {
    clearInterval(this.watchdog);
    if (!this.heartbeat) return; // a server without heartbeats cannot be watched
    const window_ = (2 * this.heartbeat + 1) * 1000;
    this.watchdog = setInterval(() => {
      if (this.ws !== ws) {
        clearInterval(this.watchdog);
        return;
      }
      if (Date.now() - this.heardAt > window_) this.lost(ws);
    }, 250);
  }

  receive(ws, message) {
    if (message.type === "snapshot") {
      clearTimeout(ws.timer);
      ws.live = true;
      ws.liveSince = Date.now();
      this.failures = 0;
      this.heartbeat = Number(message.heartbeat) || 0;
      this.stopPolling();
      this.report("live");
      this.snapshot(message.run, message.last_seq ?? message.run.last_seq);
      this.watch(ws);
    } else if (message.type === "events") {
      this.tell(message.last_seq);
      this.accept(message.events ?? []);
    } else if (message.type === "event") {
      this.accept([message]);
    } else if (message.type === "heartbeat") {
      this.tell(message.last_seq);
      if (TERMINAL.has(message.status)) this.ended = true;
      this.catchUp();
    } else if (message.type === "error") {
      if (message.retry_after) this.resyncBlockedUntil = Date.now() + message.retry_after * 1000;
      this.settleResync();
      this.catchUp();
    }
  }

  // -- state and events ---------------------------------------------------------------------

  tell(seq) {
    if (Number.isInteger(seq) && seq > this.known) this.known = seq;
  }

  snapshot(run, seq) {
    this.tell(seq);
    if (TERMINAL.has(run.status)) this.ended = true;
    // The first state is where the live stream starts; what came before is history, which
    // the page loads by itself. After a reconnect, the events missed in between are asked
    // for, so the audit trail stays whole.
    if (!this.snapshotted) this.last = seq;
    this.snapshotted = true;
    for (const key of this.buffer.keys()) if (key <= this.last) this.buffer.delete(key);
    this.onSnapshot(run, seq);
    this.drain();
  }

  accept(events) {
    for (const event of events) {
      if (event.seq > this.last) this.buffer.set(event.seq, event);
      this.tell(event.seq);
    }
    this.drain();
  }

  drain() {
    const ready = [];
    while (this.buffer.has(this.last + 1)) {
      const event = this.buffer.get(this.last + 1);
      this.buffer.delete(this.last + 1);
      this.last = event.seq;
      if (event.kind === "run" && TERMINAL.has(event.state)) this.ended = true;
      ready.push(event);
    }
    if (ready.length) {
      if (this.resyncing) {
        // A page of a resync came in: ask for the next one straight away.
        this.settleResync();
        if (this.last < this.known) this.askResync();
      }
      this.onEvents(ready);
    }
    this.catchUp();
  }

  // Behind the server's newest seq: wait a moment (the stream is probably on its way), then ask.
  catchUp() {
    if (this.last >= this.known || this.gapTimer || this.resyncing) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.last < this.known) this.askResync();
    }, GAP_GRACE);
  }

  askResync() {
    if (this.resyncing) return;
    if (this.polling || this.ws?.readyState !== WebSocket.OPEN || !this.ws.live) {
      if (this.polling) this.pollSoon?.();
      return;
    }
    const wait = (this.resyncBlockedUntil ?? 0) - Date.now();
    if (wait > 0) {
      this.resyncing = setTimeout(() => {
        this.resyncing = null;
        this.askResync();
      }, wait);
      return;
    }
    this.ws.send(JSON.stringify({ type: "resync", after: this.last }));
    this.resyncing = setTimeout(() => {
      this.resyncing = null;
      this.catchUp();
    }, RESYNC_TIMEOUT);
  }

  settleResync() {
    clearTimeout(this.resyncing);
    this.resyncing = null;
  }

  // -- polling ------------------------------------------------------------------------------

  startPolling() {
    if (this.polling) return;
    this.polling = true;
    this.needState = true;
    this.pollLoop((this.generation = (this.generation ?? 0) + 1));
  }

  stopPolling() {
    this.polling = false;
    this.pollSoon?.();
  }

  async pollLoop(generation) {
    const going = () => this.polling && this.generation === generation;
    while (going()) {
      try {
        if (this.needState) {
          const run = await getJson(this.api);
          if (!going()) break;
          this.needState = false;
          this.snapshot(run, run.last_seq);
        }
        let page;
        do {
          page = await getJson(`${this.api}events/?after=${this.last}&limit=${PAGE}`);
          if (!going()) break;
          this.accept(page);
        } while (page.length >= PAGE);
        if (!going()) break;
        this.lastGood = new Date();
        // The server answers again after being away: its websocket may well be back too.
        if (this.state === "offline" && !this.ws) this.retry(0);
        this.report("polling");
        if (this.ended && this.last >= this.known) {
          // The run is over and every event is here: nothing more will come.
          await this.pause(60_000);
          continue;
        }
      } catch {
        if (!going()) break;
        this.report("offline");
      }
      await this.pause(POLL_EVERY);
    }
  }

  // A sleep that `pollSoon` cuts short.
  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.pollSoon = () => {
        this.pollSoon = null;
        done();
      };
    });
  }

  report(state) {
    if (state === this.state && state !== "polling") return;
    this.state = state;
    this.onConnection(state, this.lastGood);
  }
}
