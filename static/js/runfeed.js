// A run's live feed: websocket first, snapshot then events in sequence; a gap asks for a
// resync, a dropped connection reconnects with backoff, and where websockets are blocked
// the events endpoint is polled instead. Connection state is reported, never guessed.

export class RunFeed {
  constructor({ socket, events, onSnapshot, onEvent, onConnection }) {
    Object.assign(this, { socket, events, onSnapshot, onEvent, onConnection });
    this.last = 0;
    this.failures = 0;
    this.lastGood = null;
    this.pollTimer = null;
  }

  start() {
    this.open();
  }

  open() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${window.location.host}${this.socket}`);
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.failures = 0;
      this.stopPolling();
    });
    ws.addEventListener("message", (message) => this.receive(JSON.parse(message.data)));
    ws.addEventListener("close", () => this.dropped());
  }

  receive(message) {
    this.lastGood = new Date();
    if (message.type === "snapshot") {
      const missed = this.last > 0 && message.last_seq > this.last;
      if (!missed) this.last = message.last_seq;
      this.onSnapshot(message.run);
      // Back after a drop: the missed events still come, in order, for the audit trail.
      if (missed) this.resync();
    } else if (message.type === "event") {
      this.accept(message);
    }
    this.report("live");
  }

  report(state) {
    if (state === this.state && state === "live") return;
    this.state = state;
    this.onConnection(state, this.lastGood);
  }

  accept(event) {
    if (event.seq <= this.last) return;
    if (event.seq > this.last + 1) {
      this.resync();
      return;
    }
    this.last = event.seq;
    this.onEvent(event);
  }

  resync() {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "resync", after: this.last }));
    else this.poll();
  }

  dropped() {
    this.failures += 1;
    const delay = Math.min(500 * 2 ** (this.failures - 1), 8000);
    this.report(this.failures > 3 ? "offline" : "reconnecting");
    if (this.failures >= 3) this.startPolling();
    setTimeout(() => this.open(), delay);
  }

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.poll(), 2000);
    this.poll();
  }

  stopPolling() {
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  async poll() {
    try {
      const response = await fetch(`${this.events}?after=${this.last}`, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      for (const event of await response.json()) this.accept({ type: "event", ...event });
      this.lastGood = new Date();
      // A poll that ends after the websocket came back must not claim the feed.
      if (this.ws?.readyState !== WebSocket.OPEN) this.report("polling");
    } catch {
      if (this.ws?.readyState !== WebSocket.OPEN) this.report("offline");
    }
  }
}
