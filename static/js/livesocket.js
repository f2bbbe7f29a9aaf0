// One reconnecting websocket, as the run page and the run list both keep it: a connect that
// does not greet (its first message of the agreed type) within a few seconds has failed; a
// greeted socket that closes, or falls silent for longer than 2×heartbeat + 1 s, is lost.
// Either way the socket is dropped and the owner is told once, and decides when to retry
// (`backoff`) and whether to poll meanwhile. Messages are parsed JSON; anything else is
// ignored, as is everything a dropped socket says.

// 1 s, 2 s, 4 s… after the nth failure in a row, never more than `cap`.
export function backoff(failures, cap) {
  return Math.min(1000 * 2 ** (failures - 1), cap);
}

export class LiveSocket {
  // path: "/ws/…"; greeting: the message type that makes the socket live ("snapshot", "hello");
  // heartbeat: the seconds assumed when the greeting names none (0: silence is not watched);
  // onMessage(message): every message, the greeting included, after the socket has taken it;
  // onDown(wasLive, liveFor): the socket failed to greet (wasLive false) or was lost after
  // liveFor ms live.
  constructor({ path, greeting, greetWithin = 5000, heartbeat = 0, onMessage, onDown }) {
    Object.assign(this, { path, greeting, greetWithin, defaultHeartbeat: heartbeat, onMessage, onDown });
    this.current = null; // the socket in use: connecting or live
    this.greeted = false;
    this.heartbeat = heartbeat;
    this.liveSince = 0;
    this.retryTimer = null;
    this.greetTimer = null;
    this.watchdog = null;
  }

  // Greeted and open: messages can be sent.
  get live() {
    return this.greeted && this.current?.readyState === WebSocket.OPEN;
  }

  open() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.drop();
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let ws;
    try {
      ws = new WebSocket(`${scheme}://${window.location.host}${this.path}`);
    } catch {
      this.onDown(false, 0);
      return;
    }
    this.current = ws;
    this.greetTimer = setTimeout(() => this.down(ws), this.greetWithin);
    ws.addEventListener("message", (message) => {
      if (this.current !== ws) return;
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data?.type === this.greeting) this.greet(data);
      this.listen();
      this.onMessage(data);
    });
    ws.addEventListener("close", () => this.down(ws));
  }

  retry(delay) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  send(message) {
    this.current.send(JSON.stringify(message));
  }

  greet(message) {
    clearTimeout(this.greetTimer);
    this.greeted = true;
    this.liveSince = Date.now();
    this.heartbeat = Number(message.heartbeat) > 0 ? Number(message.heartbeat) : this.defaultHeartbeat;
  }

  // Silence for two heartbeats and a second means the socket is dead, whatever it claims.
  listen() {
    clearTimeout(this.watchdog);
    if (!this.greeted || !this.heartbeat) return;
    const ws = this.current;
    this.watchdog = setTimeout(() => this.down(ws), (2 * this.heartbeat + 1) * 1000);
  }

  // The socket in use failed or was lost: drop it and tell the owner, once.
  down(ws) {
    if (this.current !== ws) return;
    const wasLive = this.greeted;
    const liveFor = Date.now() - this.liveSince;
    this.drop();
    this.onDown(wasLive, liveFor);
  }

  // Let go of the socket in use without hearing from it again.
  drop() {
    clearTimeout(this.greetTimer);
    clearTimeout(this.watchdog);
    const ws = this.current;
    this.current = null;
    this.greeted = false;
    if (!ws) return;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
  }
}
