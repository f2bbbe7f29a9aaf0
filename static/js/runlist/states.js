// The run list's share of the visual language (UX.md): every task state and run status has
// a colour, an icon and a word, so nothing is told by colour alone.

export const TASK_STATES = {
  pending: { icon: "·", label: "pending" },
  ready: { icon: "○", label: "ready" },
  running: { icon: "▶", label: "running" },
  succeeded: { icon: "✓", label: "succeeded" },
  failed: { icon: "✕", label: "failed" },
  retrying: { icon: "↻", label: "retrying" },
  skipped: { icon: "↷", label: "skipped" },
  cancelled: { icon: "⊘", label: "cancelled" },
  compensating: { icon: "⟲", label: "compensating" },
  compensated: { icon: "⟲✓", label: "compensated" },
};

export const RUN_STATUSES = {
  running: { icon: "▶", label: "running" },
  paused: { icon: "⏸", label: "paused" },
  succeeded: { icon: "✓", label: "succeeded" },
  failed: { icon: "✕", label: "failed" },
  cancelled: { icon: "⊘", label: "cancelled" },
};

export const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

export function taskState(state) {
  return TASK_STATES[state] ?? { icon: "?", label: state ?? "unknown" };
}

export function runStatus(status) {
  return RUN_STATUSES[status] ?? { icon: "?", label: status ?? "unknown" };
}

// A class-safe token for a state name from the server ("state-" + it).
export function stateClass(state) {
  return `state-${String(state ?? "unknown").replace(/[^a-z_]/g, "")}`;
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "className" || name === "textContent" || name === "href" || name === "title") node[name] = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}
