// The event log: the whole audit trail, newest first, 100 rows a page, filtered on every
// column. Live events go on top as they come; the history from before the page opened loads
// in pages of 1000 (newest first) without holding up the first render.

import { getJson } from "../api.js";
import { el } from "../dom.js";
import { clock } from "./states.js";

const PAGE_ROWS = 100;
const HISTORY_PAGE = 1000;
export const COLUMNS = ["seq", "time", "task", "from", "to", "by"];

function cells(event) {
  const data = event.data ?? {};
  return {
    seq: String(event.seq),
    time: clock(event.at),
    task: event.task || "run",
    from: data.from ?? "—",
    to: event.state ?? data.to ?? event.kind,
    by: data.by ?? "engine",
  };
}

export class EventLog {
  constructor(root, api) {
    this.api = api;
    this.events = []; // ascending by seq
    this.seen = new Set();
    this.page = 0;
    this.filters = Object.fromEntries(COLUMNS.map((c) => [c, ""]));
    this.body = root?.querySelector('[data-field="log"]');
    this.pager = root?.querySelector('[data-field="log-pager"]');
    this.dirty = false;
    if (!this.body) return;
    for (const input of root.querySelectorAll("[data-filter]")) {
      input.addEventListener("input", () => {
        this.filters[input.dataset.filter] = input.value.trim().toLowerCase();
        this.page = 0;
        this.render();
      });
    }
    root.querySelector('[data-page="newer"]')?.addEventListener("click", () => this.turn(-1));
    root.querySelector('[data-page="older"]')?.addEventListener("click", () => this.turn(1));
  }

  add(events) {
    let ordered = true;
    for (const event of events) {
      if (this.seen.has(event.seq)) continue;
      this.seen.add(event.seq);
      event.cells = cells(event);
      const last = this.events[this.events.length - 1];
      if (last && last.seq > event.seq) ordered = false;
      this.events.push(event);
    }
    if (!ordered) this.events.sort((a, b) => a.seq - b.seq);
    this.dirty = true;
  }

  // Everything up to and including `upTo` that happened before the page opened, newest pages
  // first, one page per idle moment.
  async loadHistory(upTo) {
    if (this.loading || !this.api) return;
    this.loading = true;
    let before = upTo + 1;
    let wait = 1000;
    try {
      while (before > 1) {
        let page;
        try {
          page = (await getJson(`${this.api}events/?before=${before}&limit=${HISTORY_PAGE}`)).filter((e) => e.seq < before);
        } catch {
          // The server is away for a moment: the audit trail is still owed, so try again.
          await new Promise((resolve) => setTimeout(resolve, wait));
          wait = Math.min(wait * 2, 15_000);
          continue;
        }
        wait = 1000;
        if (!page.length) {
          // A server that does not page backwards: read forwards instead.
          await this.loadForwards(before - 1);
          break;
        }
        this.add(page);
        this.render();
        before = page[0].seq;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    } finally {
      this.loading = false;
      this.complete = true;
      this.render();
    }
  }

  async loadForwards(upTo) {
    let after = 0;
    while (after < upTo) {
      let page;
      try {
        page = (await getJson(`${this.api}events/?after=${after}&limit=${HISTORY_PAGE}`)).filter((e) => e.seq <= upTo);
      } catch {
        return;
      }
      if (!page.length) return;
      this.add(page);
      this.render();
      after = page[page.length - 1].seq;
    }
  }

  matching() {
    const wanted = Object.entries(this.filters).filter(([, value]) => value);
    if (!wanted.length) return null;
    return this.events.filter((event) => wanted.every(([column, value]) => event.cells[column].toLowerCase().includes(value)));
  }

  turn(by) {
    this.page = Math.max(0, this.page + by);
    this.render();
  }

  // Draw the current page (newest first). Called at most once a frame by the page.
  render() {
    this.dirty = false;
    if (!this.body) return;
    const rows = this.matching() ?? this.events;
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    this.page = Math.min(this.page, pages - 1);
    const end = rows.length - this.page * PAGE_ROWS;
    const start = Math.max(0, end - PAGE_ROWS);
    const shown = [];
    for (let i = end - 1; i >= start; i -= 1) {
      const c = rows[i].cells;
      const row = el("tr", {}, ...COLUMNS.map((column) => el("td", { textContent: c[column], className: column === "seq" ? "num" : "" })));
      row.dataset.seq = c.seq;
      shown.push(row);
    }
    this.body.replaceChildren(...shown);
    if (this.pager) {
      const total = rows.length;
      const info = this.pager.querySelector('[data-field="log-range"]');
      const range = total ? `${(this.page * PAGE_ROWS + 1).toLocaleString("en-US")}–${(this.page * PAGE_ROWS + shown.length).toLocaleString("en-US")} of ${total.toLocaleString("en-US")} events` : "No event matches.";
      info.textContent = `${range}${this.loading ? " · loading earlier events…" : ""}`;
      this.pager.querySelector('[data-page="newer"]').disabled = this.page === 0;
      this.pager.querySelector('[data-page="older"]').disabled = this.page >= pages - 1;
    }
  }

  // Newest first, as the page shows them (what `window.vividoRuns[i].log` gives tests).
  newestFirst() {
    return this.events.slice().reverse();
  }
}
