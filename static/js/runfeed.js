// A run's live feed, honest about its connection (see the websocket contract in README).
//
// Websocket first (livesocket.js): a snapshot, then `events` batches in order, and a heartbeat
// every H seconds carrying the run's newest seq. Every event 1…last_seq reaches `onEvents`
// exactly once and in order (runfeed/sequence.js): events ahead of a gap wait while the gap is
// asked for (resync, page by page). "Live" only while messages or heartbeats arrive: silence
// longer than 2×H + 1 s closes the socket and reconnects. A connect that yields no snapshot
// within 5 s has failed; after two failed connects the feed polls the API (runfeed/poller.js)
// and keeps trying the websocket in the background, which changes the badge only when it
// succeeds.

import { LiveSocket, backoff } from "./livesocket.js";
import { Poller } from "./runfeed/poller.js";
import { EventSequence } from "./runfeed/sequence.js";
import { TERMINAL } from "./states.js";

const GAP_GRACE = 250; // the stream usually fills a gap by itself within this
const RESYNC_TIMEOUT = 3000;
const FAILS_BEFORE_POLLING = 2;
const SHORT_LIVED = 30_000;

export class RunFeed {
  // socket: /ws/runs/{id}/; api: /api/runs/{id}/;
  // onSnapshot(run, seq): the whole state at seq; onEvents([event…]): the next events, in order;
  // onConnection(state, lastGood): "connecting" | "live" | "reconnecting" | "polling" | "offline".
  constructor({ socket, api, onSnapshot, onEvents, onConnection }) {
    Object.assign(this, { api, onSnapshot, onEvents, onConnection });
    this.sequence = new EventSequence();
    this.failures = 0; // connects in a row that gave no snapshot
    this.state = "connecting";
    this.lastGood = null;
    this.ended = false;
    this.socket = new LiveSocket({
      path: socket,
      greeting: "snapshot",
      onMessage: (message) => this.receive(message),
      onDown: (wasLive, liveFor) => (wasLive ? this.lost(liveFor) : this.failed()),
    });
    this.poller = new Poller({
      api,
      after: () => this.sequence.last,
      onState: (run) => this.snapshot(run, run.last_seq),
      onEvents: (events) => this.accept(events),
      onAnswered: () => this.answered(),
      onUnreachable: () => this.report("offline"),
      resting: () => this.ended && !this.sequence.behind,
    });
  }

  start() {
    this.socket.open();
  }

  // -- connection ---------------------------------------------------------------------------

  failed() {
    this.failures += 1;
    if (!this.poller.running) {
      if (this.failures >= FAILS_BEFORE_POLLING) this.poller.start();
      else this.report("reconnecting");
    }
    this.socket.retry(backoff(this.failures, 10_000));
  }

  // A socket that was live dropped or went silent. Reconnect at once; but sockets that keep
  // dying soon after their snapshot (a proxy cutting them) are retried ever more slowly, so
  // the badge cannot flap quickly even then.
  lost(liveFor) {
    this.shortLived = liveFor < SHORT_LIVED ? (this.shortLived ?? 0) + 1 : 0;
    this.report("reconnecting");
    this.socket.retry(this.shortLived ? backoff(this.shortLived, 30_000) : 300);
  }

  // A polling round went through.
  answered() {
    this.lastGood = new Date();
    // The server answers again after being away: its websocket may well be back too.
    if (this.state === "offline" && !this.socket.current) this.socket.retry(0);
    this.report("polling");
  }

  receive(message) {
    this.lastGood = new Date();
    if (message.type === "snapshot") {
      this.failures = 0;
      this.poller.stop();
      this.report("live");
      this.snapshot(message.run, message.last_seq ?? message.run.last_seq);
    } else if (message.type === "events") {
      this.sequence.tell(message.last_seq);
      this.accept(message.events ?? []);
    } else if (message.type === "event") {
      this.accept([message]);
    } else if (message.type === "heartbeat") {
      this.sequence.tell(message.last_seq);
      if (TERMINAL.has(message.status)) this.ended = true;
      this.catchUp();
    } else if (message.type === "error") {
      if (message.retry_after) this.resyncBlockedUntil = Date.now() + message.retry_after * 1000;
      this.settleResync();
      this.catchUp();
    }
  }

  report(state) {
    if (state === this.state && state !== "polling") return;
    this.state = state;
    this.onConnection(state, this.lastGood);
  }

  // -- state and events ---------------------------------------------------------------------

  snapshot(run, seq) {
    if (TERMINAL.has(run.status)) this.ended = true;
    this.sequence.state(seq);
    this.onSnapshot(run, seq);
    this.drain();
  }

  accept(events) {
    this.sequence.add(events);
    this.drain();
  }

  drain() {
    const ready = this.sequence.take();
    if (ready.some((event) => event.kind === "run" && TERMINAL.has(event.state))) this.ended = true;
    if (ready.length) {
      if (this.resyncing) {
        // A page of a resync came in: ask for the next one straight away.
        this.settleResync();
        if (this.sequence.behind) this.askResync();
      }
      this.onEvents(ready);
    }
    this.catchUp();
  }

  // -- filling gaps -------------------------------------------------------------------------

  // Behind the server's newest seq: wait a moment (the stream is probably on its way), then ask.
  catchUp() {
    if (!this.sequence.behind || this.gapTimer || this.resyncing) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.sequence.behind) this.askResync();
    }, GAP_GRACE);
  }

  askResync() {
    if (this.resyncing) return;
    if (this.poller.running || !this.socket.live) {
      if (this.poller.running) this.poller.soon();
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
    this.socket.send({ type: "resync", after: this.sequence.last });
    this.resyncing = setTimeout(() => {
      this.resyncing = null;
      this.catchUp();
    }, RESYNC_TIMEOUT);
  }

  settleResync() {
    clearTimeout(this.resyncing);
    this.resyncing = null;
  }
}
