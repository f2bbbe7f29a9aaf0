// A run's events in order, each once. Events ahead of a gap wait in a buffer until the gap is
// filled; `known` is the newest seq the server has told of, so the feed knows it is behind.

export class EventSequence {
  constructor() {
    this.last = 0; // every event up to this seq has been delivered
    this.known = 0;
    this.buffer = new Map();
    this.started = false;
  }

  get behind() {
    return this.last < this.known;
  }

  tell(seq) {
    if (Number.isInteger(seq) && seq > this.known) this.known = seq;
  }

  // The run's whole state at `seq`. The first one is where the live stream starts (what came
  // before is history, which the page loads by itself); after a reconnect the events missed
  // in between are still owed, so the audit trail stays whole.
  state(seq) {
    this.tell(seq);
    if (!this.started) this.last = seq;
    this.started = true;
    for (const key of this.buffer.keys()) if (key <= this.last) this.buffer.delete(key);
  }

  add(events) {
    for (const event of events) {
      if (event.seq > this.last) this.buffer.set(event.seq, event);
      this.tell(event.seq);
    }
  }

  // The events that are now next in order, taken out of the buffer.
  take() {
    const ready = [];
    while (this.buffer.has(this.last + 1)) {
      const event = this.buffer.get(this.last + 1);
      this.buffer.delete(this.last + 1);
      this.last = event.seq;
      ready.push(event);
    }
    return ready;
  }
}
