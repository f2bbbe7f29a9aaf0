// The run feed's fallback while its websocket is down: the run's state over HTTP, then its
// events every second, page by page. Once the run is over and every event is here
// (`resting`), nothing more will come, so it asks only once a minute. `soon()` cuts a wait
// short (a gap to fill, polling stopped).

import { getJson } from "../api.js";

const POLL_EVERY = 1000;
const REST_EVERY = 60_000;
const PAGE = 1000;

export class Poller {
  // api: /api/runs/{id}/; after(): the last seq delivered; onState(run); onEvents(page);
  // onAnswered(): a round went through; onUnreachable(): a round failed.
  constructor({ api, after, onState, onEvents, onAnswered, onUnreachable, resting }) {
    Object.assign(this, { api, after, onState, onEvents, onAnswered, onUnreachable, resting });
    this.running = false;
    this.generation = 0;
    this.wake = null;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.needState = true;
    this.generation += 1;
    this.loop(this.generation);
  }

  stop() {
    this.running = false;
    this.soon();
  }

  soon() {
    this.wake?.();
  }

  async loop(generation) {
    const going = () => this.running && this.generation === generation;
    while (going()) {
      let wait = POLL_EVERY;
      try {
        if (this.needState) {
          const run = await getJson(this.api);
          if (!going()) break;
          this.needState = false;
          this.onState(run);
        }
        let page;
        do {
          page = await getJson(`${this.api}events/?after=${this.after()}&limit=${PAGE}`);
          if (!going()) break;
          this.onEvents(page);
        } while (page.length >= PAGE);
        if (!going()) break;
        this.onAnswered();
        if (this.resting()) wait = REST_EVERY;
      } catch {
        if (!going()) break;
        this.onUnreachable();
      }
      await this.pause(wait);
    }
  }

  // A sleep that `soon` cuts short.
  pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const poller = this;
      function done() {
        clearTimeout(timer);
        if (poller.wake === done) poller.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
