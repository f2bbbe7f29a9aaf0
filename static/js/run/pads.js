// Pads on the graph: Start / Complete / Fail beside each manual task that waits for a person,
// positioned by its node like the editor's context pad, following pan and zoom. Also the
// graph's zoom buttons (+, −, fit).

import { el } from "../dom.js";
import { manualActions } from "./states.js";

export class Pads {
  constructor(wrap, graph, controls) {
    this.graph = graph;
    this.controls = controls;
    this.layer = el("div", { className: "run-pads" });
    this.pads = new Map(); // key → {box, signature}
    wrap.append(this.layer, this.zoomButtons());
    graph.cy.on("viewport resize", () => this.place());
  }

  zoomButtons() {
    const button = (text, label, action) => {
      const b = el("button", { type: "button", className: "button-quiet", textContent: text, title: label });
      b.setAttribute("aria-label", label);
      b.addEventListener("click", action);
      return b;
    };
    const bar = el(
      "div",
      { className: "graph-zoom" },
      button("+", "Zoom in", () => this.graph.zoomBy(1.25)),
      button("−", "Zoom out", () => this.graph.zoomBy(0.8)),
      button("⤢", "Fit the whole flow", () => this.graph.fit()),
      button("1:1", "1:1 readable zoom", () => this.graph.openReadable()),
    );
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Zoom");
    return bar;
  }

  // Make the pads match the tasks that wait for a person now (only those that changed are
  // rebuilt).
  render(tasks, keys) {
    for (const key of keys) {
      const task = tasks[key];
      const actions = task ? manualActions(task) : [];
      const signature = `${actions.join(",")}|${this.controls.busy.has(key)}`;
      const pad = this.pads.get(key);
      if (!actions.length) {
        if (pad) {
          pad.box.remove();
          this.pads.delete(key);
        }
        continue;
      }
      if (pad && pad.signature === signature) continue;
      const box = el("div", { className: "run-pad" }, ...this.controls.taskButtons(key, task, { where: " on the graph", icons: true }));
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", `${key} waits for a person`);
      if (pad) pad.box.replaceWith(box);
      else this.layer.append(box);
      this.pads.set(key, { box, signature });
    }
    this.place();
  }

  place() {
    if (!this.pads.size || this.placing) return;
    this.placing = requestAnimationFrame(() => {
      this.placing = null;
      const width = this.graph.cy.width();
      const height = this.graph.cy.height();
      for (const [key, pad] of this.pads) {
        const node = this.graph.nodes[key];
        if (!node) continue;
        const box = node.renderedBoundingBox();
        const outside = box.x2 < 0 || box.y2 < 0 || box.x1 > width || box.y1 > height;
        pad.box.hidden = outside;
        pad.box.style.left = `${Math.min(box.x2 + 4, width - 36)}px`;
        pad.box.style.top = `${Math.max(box.y1, 0)}px`;
      }
    });
  }
}
